#include "routecat/error.hpp"

#include <array>

namespace routecat {
namespace {

struct ErrorInfo {
    errc code;
    std::string_view name;
    std::string_view message;
};

constexpr std::array<ErrorInfo, 47> kErrors{{
    {errc::catalog_store_required, "catalog_store_required", "catalog store is required"},
    {errc::catalog_version_mismatch, "catalog_version_mismatch", "catalog version mismatch"},
    {errc::catalog_version_overflow, "catalog_version_overflow", "catalog version overflow"},
    {errc::catalog_route_id_overflow, "catalog_route_id_overflow", "catalog route id overflow"},
    {errc::catalog_route_id_required, "catalog_route_id_required", "catalog route id is required"},
    {errc::catalog_group_id_required, "catalog_group_id_required", "catalog group id is required"},
    {errc::catalog_duplicate_route_id, "catalog_duplicate_route_id", "catalog route id must be unique"},
    {errc::catalog_invalid_route_range, "catalog_invalid_route_range", "catalog route range is invalid"},
    {errc::catalog_invalid_version_record, "catalog_invalid_version_record",
     "catalog version record is invalid"},
    {errc::catalog_invalid_next_route_id, "catalog_invalid_next_route_id",
     "catalog next route id record is invalid"},
    {errc::catalog_invalid_route_record, "catalog_invalid_route_record", "catalog route record is invalid"},
    {errc::catalog_invalid_route_state, "catalog_invalid_route_state", "catalog route state is invalid"},
    {errc::catalog_invalid_route_key, "catalog_invalid_route_key", "catalog route key is invalid"},
    {errc::catalog_route_key_id_mismatch, "catalog_route_key_id_mismatch",
     "catalog route key and record route id mismatch"},
    {errc::catalog_invalid_delta_record, "catalog_invalid_delta_record", "catalog delta record is invalid"},
    {errc::catalog_invalid_delta_mutation, "catalog_invalid_delta_mutation", "catalog delta mutation is invalid"},
    {errc::catalog_delta_version_gap, "catalog_delta_version_gap", "catalog delta version is not contiguous"},
    {errc::catalog_delta_base_mismatch, "catalog_delta_base_mismatch",
     "catalog delta base version does not match durable catalog"},
    {errc::catalog_delta_version_future, "catalog_delta_version_future", "catalog delta cursor is ahead of catalog version"},
    {errc::catalog_delta_limit_invalid, "catalog_delta_limit_invalid", "catalog delta limit must be positive"},
    {errc::catalog_watch_client_required, "catalog_watch_client_required", "catalog watch client is required"},
    {errc::catalog_watch_event_invalid, "catalog_watch_event_invalid", "catalog watch event is invalid"},
    {errc::engine_snapshot_version_stale, "engine_snapshot_version_stale", "engine snapshot version is stale"},
    {errc::engine_snapshot_duplicate_id, "engine_snapshot_duplicate_id", "engine snapshot has duplicate route id"},
    {errc::engine_snapshot_route_overlap, "engine_snapshot_route_overlap", "engine snapshot has overlapping routes"},
    {errc::engine_snapshot_route_order, "engine_snapshot_route_order", "engine snapshot has invalid route order"},
    {errc::engine_delta_version_gap, "engine_delta_version_gap", "engine catalog delta version is not contiguous"},
    {errc::engine_required, "engine_required", "engine is required"},
    {errc::catalog_watcher_context_required, "catalog_watcher_context_required",
     "catalog watcher context is required"},
    {errc::catalog_watcher_interval_invalid, "catalog_watcher_interval_invalid",
     "catalog watcher interval must be positive"},
    {errc::catalog_watcher_logger_required, "catalog_watcher_logger_required", "catalog watcher logger is required"},
    {errc::unknown_route, "unknown_route", "unknown route"},
    {errc::split_key_at_boundary, "split_key_at_boundary", "split key at route boundary"},
    {errc::invalid_split_key, "invalid_split_key", "invalid split key"},
    {errc::key_not_found, "key_not_found", "not found"},
    {errc::write_conflict, "write_conflict", "write conflict"},
    {errc::unknown_op, "unknown_op", "unknown op"},
    {errc::store_locked, "store_locked", "store is locked by another process"},
    {errc::store_unavailable, "store_unavailable", "store is unavailable"},
    {errc::store_request_too_large, "store_request_too_large", "store request is too large"},
    {errc::read_ts_compacted, "read_ts_compacted", "read timestamp has been compacted"},
    {errc::commit_outcome_unknown, "commit_outcome_unknown", "commit outcome is unknown"},
    {errc::engine_snapshot_ahead_of_catalog, "engine_snapshot_ahead_of_catalog",
     "engine snapshot is ahead of the durable catalog"},
    {errc::engine_snapshot_mismatch, "engine_snapshot_mismatch", "engine snapshot does not match the durable catalog"},
    {errc::invalid_config, "invalid_config", "invalid configuration"},
    {errc::bad_request, "bad_request", "bad request"},
    {errc::too_many_keys, "too_many_keys", "too many keys in one request"},
}};

const ErrorInfo* find(int value) noexcept {
    // kErrors is in enum order starting at 1; the static_assert below keeps it so.
    if (value < 1 || value > static_cast<int>(kErrors.size())) return nullptr;
    return &kErrors[static_cast<std::size_t>(value - 1)];
}

constexpr bool table_in_enum_order() {
    for (std::size_t i = 0; i < kErrors.size(); ++i)
        if (static_cast<std::size_t>(kErrors[i].code) != i + 1) return false;
    return true;
}
static_assert(table_in_enum_order(), "kErrors must list every errc in declaration order");
static_assert(static_cast<std::size_t>(errc::too_many_keys) == kErrors.size(), "kErrors must cover every errc");

class Category final : public boost::system::error_category {
public:
    const char* name() const noexcept override { return "routecat"; }

    std::string message(int value) const override {
        const ErrorInfo* info = find(value);
        return info ? std::string(info->message) : "unknown routecat error " + std::to_string(value);
    }
};

}  // namespace

const boost::system::error_category& error_category() noexcept {
    static const Category category;
    return category;
}

boost::system::error_code make_error_code(errc e) noexcept {
    return {static_cast<int>(e), error_category()};
}

std::string_view error_name(const boost::system::error_code& ec) noexcept {
    if (ec.category() != error_category()) return {};
    const ErrorInfo* info = find(ec.value());
    return info ? info->name : std::string_view{};
}

Error::Error(boost::system::error_code ec, std::string context)
    : boost::system::system_error(ec), context_(std::move(context)),
      text_(context_.empty() ? ec.message() : context_ + ": " + ec.message()) {}

void throw_error(errc e, const std::string& context) { throw_error(make_error_code(e), context); }

void throw_error(const boost::system::error_code& ec, const std::string& context) { throw Error(ec, context); }

}  // namespace routecat
