#pragma once
// routecat's error codes: one value per error of the spec (§15, tag C), the store's errors and the
// split errors of §10.3. Messages are the spec's, byte for byte. Context ("unsupported version 2")
// travels in a system_error's what(), never instead of the code.

#include <boost/system/error_code.hpp>
#include <boost/system/result.hpp>
#include <boost/system/system_error.hpp>

#include <string>
#include <string_view>
#include <type_traits>

namespace routecat {

enum class errc {
    // catalog (§15)
    catalog_store_required = 1,
    catalog_version_mismatch,
    catalog_version_overflow,
    catalog_route_id_overflow,
    catalog_route_id_required,
    catalog_group_id_required,
    catalog_duplicate_route_id,
    catalog_invalid_route_range,
    catalog_invalid_version_record,
    catalog_invalid_next_route_id,
    catalog_invalid_route_record,
    catalog_invalid_route_state,
    catalog_invalid_route_key,
    catalog_route_key_id_mismatch,
    // delta log (§11, [H])
    catalog_invalid_delta_record,
    catalog_invalid_delta_mutation,
    catalog_delta_version_gap,
    catalog_delta_base_mismatch,
    catalog_delta_version_future,
    catalog_delta_limit_invalid,
    // catalog mirror (§12, [H]; routecat's mirror follows the HTTP change feed)
    catalog_watch_client_required,
    catalog_watch_event_invalid,
    // engine (§15)
    engine_snapshot_version_stale,
    engine_snapshot_duplicate_id,
    engine_snapshot_route_overlap,
    engine_snapshot_route_order,
    engine_delta_version_gap,
    engine_required,
    // watcher validation (§9.1; unexported upstream)
    catalog_watcher_context_required,
    catalog_watcher_interval_invalid,
    catalog_watcher_logger_required,
    // split planning (§10.3)
    unknown_route,
    split_key_at_boundary,
    invalid_split_key,
    // store (§5)
    key_not_found,
    write_conflict,
    unknown_op,
    // store backends (not in the spec)
    store_locked,
    store_unavailable,
    store_request_too_large,  // a transaction over the store's size or operation-count limit
    read_ts_compacted,        // a read below the store's retention horizon (spec §5.2 [H] message)
    commit_outcome_unknown,   // a commit was sent and no answer came back: it may or may not have landed
    // engine snapshots pushed by a client, checked against the durable catalog (not in the spec)
    engine_snapshot_ahead_of_catalog,
    engine_snapshot_mismatch,
    // daemon configuration and admin API input (not in the spec)
    invalid_config,
    bad_request,
    too_many_keys,  // a batch over its key limit (admin API)
};

const boost::system::error_category& error_category() noexcept;

boost::system::error_code make_error_code(errc e) noexcept;

// The API name of a code: the spec's error name without "Err", in snake_case, "ID" as one word
// (ErrCatalogRouteIDRequired -> "catalog_route_id_required"). Empty for a foreign code.
std::string_view error_name(const boost::system::error_code& ec) noexcept;

// The exception every routecat coroutine throws: a system_error whose what() is the spec's
// "<context>: <message>" (or just the message), without Boost's " [category:value]" suffix.
class Error : public boost::system::system_error {
public:
    Error(boost::system::error_code ec, std::string context);
    const char* what() const noexcept override { return text_.c_str(); }
    const std::string& context() const noexcept { return context_; }

private:
    std::string context_;
    std::string text_;
};

// Throws Error(e, context).
[[noreturn]] void throw_error(errc e, const std::string& context = {});
[[noreturn]] void throw_error(const boost::system::error_code& ec, const std::string& context = {});

// The value of r, or throw_error(r.error(), context): how coroutines surface a synchronous result.
template <class T>
T value_or_throw(boost::system::result<T> r, const std::string& context = {}) {
    if (!r) throw_error(r.error(), context);
    return std::move(*r);
}

}  // namespace routecat

template <>
struct boost::system::is_error_code_enum<routecat::errc> : std::true_type {};
