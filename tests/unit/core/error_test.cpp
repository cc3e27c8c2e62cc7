#include <boost/test/unit_test.hpp>

#include "routecat/error.hpp"

#include <boost/system/errc.hpp>
#include <boost/system/error_code.hpp>
#include <boost/system/system_error.hpp>

#include <exception>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace routecat {
namespace {

struct Expected {
    errc code;
    const char* name;
    const char* message;
};

// Written out literally from spec §15 (catalog, engine, watcher, store errors) and §10.3 (split
// errors). Deliberately not derived from the implementation's own table.
const std::vector<Expected>& expected_table() {
    static const std::vector<Expected> table{
        {errc::catalog_store_required, "catalog_store_required", "catalog store is required"},
        {errc::catalog_version_mismatch, "catalog_version_mismatch", "catalog version mismatch"},
        {errc::catalog_version_overflow, "catalog_version_overflow", "catalog version overflow"},
        {errc::catalog_route_id_overflow, "catalog_route_id_overflow", "catalog route id overflow"},
        {errc::catalog_route_id_required, "catalog_route_id_required", "catalog route id is required"},
        {errc::catalog_group_id_required, "catalog_group_id_required", "catalog group id is required"},
        {errc::catalog_duplicate_route_id, "catalog_duplicate_route_id", "catalog route id must be unique"},
        {errc::catalog_invalid_route_range, "catalog_invalid_route_range", "catalog route range is invalid"},
        {errc::catalog_invalid_version_record, "catalog_invalid_version_record", "catalog version record is invalid"},
        {errc::catalog_invalid_next_route_id, "catalog_invalid_next_route_id", "catalog next route id record is invalid"},
        {errc::catalog_invalid_route_record, "catalog_invalid_route_record", "catalog route record is invalid"},
        {errc::catalog_invalid_route_state, "catalog_invalid_route_state", "catalog route state is invalid"},
        {errc::catalog_invalid_route_key, "catalog_invalid_route_key", "catalog route key is invalid"},
        {errc::catalog_route_key_id_mismatch, "catalog_route_key_id_mismatch", "catalog route key and record route id mismatch"},
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
        {errc::catalog_watcher_context_required, "catalog_watcher_context_required", "catalog watcher context is required"},
        {errc::catalog_watcher_interval_invalid, "catalog_watcher_interval_invalid", "catalog watcher interval must be positive"},
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
        {errc::engine_snapshot_ahead_of_catalog, "engine_snapshot_ahead_of_catalog", "engine snapshot is ahead of the durable catalog"},
        {errc::engine_snapshot_mismatch, "engine_snapshot_mismatch", "engine snapshot does not match the durable catalog"},
        {errc::invalid_config, "invalid_config", "invalid configuration"},
        {errc::bad_request, "bad_request", "bad request"},
        {errc::too_many_keys, "too_many_keys", "too many keys in one request"},
    };
    return table;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(errors)

BOOST_AUTO_TEST_CASE(category_name_is_routecat) {
    BOOST_TEST(std::string(error_category().name()) == "routecat");
    boost::system::error_code ec = make_error_code(errc::catalog_version_mismatch);
    BOOST_TEST(std::string(ec.category().name()) == "routecat");
    BOOST_TEST((ec.category() == error_category()));
    BOOST_TEST((ec.category() != boost::system::generic_category()));
}

BOOST_AUTO_TEST_CASE(table_covers_every_code) {
    // errc values run from catalog_store_required = 1 to too_many_keys without gaps; the literal table
    // above lists each of them exactly once, in declaration order.
    BOOST_TEST(static_cast<int>(errc::catalog_store_required) == 1);
    BOOST_TEST(expected_table().size() == static_cast<std::size_t>(errc::too_many_keys));
    for (std::size_t i = 0; i < expected_table().size(); ++i)
        BOOST_TEST(static_cast<std::size_t>(expected_table()[i].code) == i + 1);
}

// One line per code, literal (spec §15).
BOOST_AUTO_TEST_CASE(messages_match_spec_exactly) {
    auto msg = [](errc e) { return make_error_code(e).message(); };
    BOOST_TEST(msg(errc::catalog_store_required) == "catalog store is required");
    BOOST_TEST(msg(errc::catalog_version_mismatch) == "catalog version mismatch");
    BOOST_TEST(msg(errc::catalog_version_overflow) == "catalog version overflow");
    BOOST_TEST(msg(errc::catalog_route_id_overflow) == "catalog route id overflow");
    BOOST_TEST(msg(errc::catalog_route_id_required) == "catalog route id is required");
    BOOST_TEST(msg(errc::catalog_group_id_required) == "catalog group id is required");
    BOOST_TEST(msg(errc::catalog_duplicate_route_id) == "catalog route id must be unique");
    BOOST_TEST(msg(errc::catalog_invalid_route_range) == "catalog route range is invalid");
    BOOST_TEST(msg(errc::catalog_invalid_version_record) == "catalog version record is invalid");
    BOOST_TEST(msg(errc::catalog_invalid_next_route_id) == "catalog next route id record is invalid");
    BOOST_TEST(msg(errc::catalog_invalid_route_record) == "catalog route record is invalid");
    BOOST_TEST(msg(errc::catalog_invalid_route_state) == "catalog route state is invalid");
    BOOST_TEST(msg(errc::catalog_invalid_route_key) == "catalog route key is invalid");
    BOOST_TEST(msg(errc::catalog_route_key_id_mismatch) == "catalog route key and record route id mismatch");
    BOOST_TEST(msg(errc::engine_snapshot_version_stale) == "engine snapshot version is stale");
    BOOST_TEST(msg(errc::engine_snapshot_duplicate_id) == "engine snapshot has duplicate route id");
    BOOST_TEST(msg(errc::engine_snapshot_route_overlap) == "engine snapshot has overlapping routes");
    BOOST_TEST(msg(errc::engine_snapshot_route_order) == "engine snapshot has invalid route order");
    BOOST_TEST(msg(errc::engine_required) == "engine is required");
    BOOST_TEST(msg(errc::catalog_watcher_context_required) == "catalog watcher context is required");
    BOOST_TEST(msg(errc::catalog_watcher_interval_invalid) == "catalog watcher interval must be positive");
    BOOST_TEST(msg(errc::catalog_watcher_logger_required) == "catalog watcher logger is required");
    BOOST_TEST(msg(errc::unknown_route) == "unknown route");
    BOOST_TEST(msg(errc::split_key_at_boundary) == "split key at route boundary");
    BOOST_TEST(msg(errc::invalid_split_key) == "invalid split key");
    BOOST_TEST(msg(errc::key_not_found) == "not found");
    BOOST_TEST(msg(errc::write_conflict) == "write conflict");
    BOOST_TEST(msg(errc::unknown_op) == "unknown op");
}

BOOST_AUTO_TEST_CASE(category_message_by_value_matches) {
    for (const Expected& e : expected_table()) {
        BOOST_TEST_CONTEXT("code " << e.name) {
            BOOST_TEST(error_category().message(static_cast<int>(e.code)) == std::string(e.message));
            // The error_code's message is the bare spec text (no category or value suffix).
            boost::system::error_code ec = e.code;
            BOOST_TEST(ec.message() == std::string(e.message));
        }
    }
}

// error_name(): the spec's name without "Err", snake_case, "ID" as one word.
BOOST_AUTO_TEST_CASE(error_names_are_snake_case) {
    auto name = [](errc e) { return std::string(error_name(make_error_code(e))); };
    BOOST_TEST(name(errc::catalog_store_required) == "catalog_store_required");
    BOOST_TEST(name(errc::catalog_version_mismatch) == "catalog_version_mismatch");
    BOOST_TEST(name(errc::catalog_version_overflow) == "catalog_version_overflow");
    BOOST_TEST(name(errc::catalog_route_id_overflow) == "catalog_route_id_overflow");
    BOOST_TEST(name(errc::catalog_route_id_required) == "catalog_route_id_required");
    BOOST_TEST(name(errc::catalog_group_id_required) == "catalog_group_id_required");
    BOOST_TEST(name(errc::catalog_duplicate_route_id) == "catalog_duplicate_route_id");
    BOOST_TEST(name(errc::catalog_invalid_route_range) == "catalog_invalid_route_range");
    BOOST_TEST(name(errc::catalog_invalid_version_record) == "catalog_invalid_version_record");
    BOOST_TEST(name(errc::catalog_invalid_next_route_id) == "catalog_invalid_next_route_id");
    BOOST_TEST(name(errc::catalog_invalid_route_record) == "catalog_invalid_route_record");
    BOOST_TEST(name(errc::catalog_invalid_route_state) == "catalog_invalid_route_state");
    BOOST_TEST(name(errc::catalog_invalid_route_key) == "catalog_invalid_route_key");
    BOOST_TEST(name(errc::catalog_route_key_id_mismatch) == "catalog_route_key_id_mismatch");
    BOOST_TEST(name(errc::engine_snapshot_version_stale) == "engine_snapshot_version_stale");
    BOOST_TEST(name(errc::engine_snapshot_duplicate_id) == "engine_snapshot_duplicate_id");
    BOOST_TEST(name(errc::engine_snapshot_route_overlap) == "engine_snapshot_route_overlap");
    BOOST_TEST(name(errc::engine_snapshot_route_order) == "engine_snapshot_route_order");
    BOOST_TEST(name(errc::engine_required) == "engine_required");
    BOOST_TEST(name(errc::unknown_route) == "unknown_route");
    BOOST_TEST(name(errc::split_key_at_boundary) == "split_key_at_boundary");
    BOOST_TEST(name(errc::invalid_split_key) == "invalid_split_key");
    BOOST_TEST(name(errc::key_not_found) == "key_not_found");
    BOOST_TEST(name(errc::write_conflict) == "write_conflict");
    BOOST_TEST(name(errc::unknown_op) == "unknown_op");
}

BOOST_AUTO_TEST_CASE(error_names_cover_every_code) {
    for (const Expected& e : expected_table())
        BOOST_TEST(std::string(error_name(make_error_code(e.code))) == std::string(e.name));
}

BOOST_AUTO_TEST_CASE(error_name_is_empty_for_foreign_or_unknown_codes) {
    using boost::system::error_code;
    // Same numeric values as routecat codes, other categories.
    BOOST_TEST(error_name(error_code(1, boost::system::generic_category())).empty());
    BOOST_TEST(error_name(error_code(5, boost::system::system_category())).empty());
    BOOST_TEST(error_name(boost::system::errc::make_error_code(boost::system::errc::invalid_argument)).empty());
    // Success and out-of-range values of our own category.
    BOOST_TEST(error_name(error_code()).empty());
    BOOST_TEST(error_name(error_code(0, error_category())).empty());
    BOOST_TEST(error_name(error_code(static_cast<int>(errc::too_many_keys) + 1, error_category())).empty());
    BOOST_TEST(error_name(error_code(-1, error_category())).empty());
}

BOOST_AUTO_TEST_CASE(is_error_code_enum_conversions) {
    static_assert(boost::system::is_error_code_enum<errc>::value);
    static_assert(std::is_convertible_v<errc, boost::system::error_code>);

    boost::system::error_code ec = errc::catalog_invalid_route_record;
    BOOST_TEST(static_cast<bool>(ec));
    BOOST_TEST((ec == errc::catalog_invalid_route_record));
    BOOST_TEST((errc::catalog_invalid_route_record == ec));
    BOOST_TEST((ec != errc::catalog_invalid_route_range));
    BOOST_TEST(ec.value() == static_cast<int>(errc::catalog_invalid_route_record));
    BOOST_TEST((ec.category() == error_category()));
    BOOST_TEST((ec == make_error_code(errc::catalog_invalid_route_record)));

    // Same numeric value in another category is a different error.
    boost::system::error_code foreign(static_cast<int>(errc::catalog_invalid_route_record),
                                      boost::system::generic_category());
    BOOST_TEST((foreign != errc::catalog_invalid_route_record));
    BOOST_TEST((foreign != ec));

    // Assignment from the enum.
    boost::system::error_code other;
    BOOST_TEST(!other);
    other = errc::write_conflict;
    BOOST_TEST((other == errc::write_conflict));
    BOOST_TEST(other.message() == "write conflict");
}

BOOST_AUTO_TEST_CASE(throw_error_with_context) {
    bool caught = false;
    try {
        throw_error(errc::engine_snapshot_version_stale, "snapshot version 1 is older than engine catalog version 2");
    } catch (const Error& e) {
        caught = true;
        BOOST_TEST((e.code() == errc::engine_snapshot_version_stale));
        BOOST_TEST(std::string(e.what()) ==
                   "snapshot version 1 is older than engine catalog version 2: engine snapshot version is stale");
        BOOST_TEST(e.context() == "snapshot version 1 is older than engine catalog version 2");
    }
    BOOST_TEST(caught);
}

BOOST_AUTO_TEST_CASE(throw_error_without_context_is_just_the_message) {
    bool caught = false;
    try {
        throw_error(errc::catalog_version_mismatch);
    } catch (const Error& e) {
        caught = true;
        BOOST_TEST((e.code() == errc::catalog_version_mismatch));
        BOOST_TEST(std::string(e.what()) == "catalog version mismatch");
        BOOST_TEST(e.context().empty());
    }
    BOOST_TEST(caught);

    caught = false;
    try {
        throw_error(errc::catalog_route_key_id_mismatch, "");
    } catch (const Error& e) {
        caught = true;
        BOOST_TEST(std::string(e.what()) == "catalog route key and record route id mismatch");
    }
    BOOST_TEST(caught);
}

BOOST_AUTO_TEST_CASE(error_is_a_boost_system_error) {
    static_assert(std::is_base_of_v<boost::system::system_error, Error>);
    static_assert(std::is_base_of_v<std::exception, Error>);

    bool caught = false;
    try {
        throw_error(errc::catalog_invalid_route_record, "unsupported version 2");
    } catch (const boost::system::system_error& e) {
        caught = true;
        BOOST_TEST((e.code() == errc::catalog_invalid_route_record));
        // The virtual what() is Error's: no " [routecat:N]" suffix.
        BOOST_TEST(std::string(e.what()) == "unsupported version 2: catalog route record is invalid");
    }
    BOOST_TEST(caught);

    caught = false;
    try {
        throw_error(errc::write_conflict, "key: k");
    } catch (const std::exception& e) {
        caught = true;
        BOOST_TEST(std::string(e.what()) == "key: k: write conflict");
    }
    BOOST_TEST(caught);
}

BOOST_AUTO_TEST_CASE(throw_error_with_error_code_overload) {
    bool caught = false;
    try {
        throw_error(make_error_code(errc::catalog_duplicate_route_id), "route id 7");
    } catch (const Error& e) {
        caught = true;
        BOOST_TEST((e.code() == errc::catalog_duplicate_route_id));
        BOOST_TEST(std::string(e.what()) == "route id 7: catalog route id must be unique");
        BOOST_TEST(e.context() == "route id 7");
    }
    BOOST_TEST(caught);

    // A foreign code travels unchanged; what() uses its own message.
    const auto foreign = boost::system::errc::make_error_code(boost::system::errc::invalid_argument);
    caught = false;
    try {
        throw_error(foreign, "ctx");
    } catch (const Error& e) {
        caught = true;
        BOOST_TEST((e.code() == foreign));
        BOOST_TEST(std::string(e.what()) == "ctx: " + foreign.message());
    }
    BOOST_TEST(caught);

    caught = false;
    try {
        throw_error(foreign);
    } catch (const Error& e) {
        caught = true;
        BOOST_TEST(std::string(e.what()) == foreign.message());
    }
    BOOST_TEST(caught);
}

BOOST_AUTO_TEST_CASE(error_constructed_directly) {
    const Error e(errc::engine_snapshot_route_overlap, "routes 1 and 2");
    BOOST_TEST((e.code() == errc::engine_snapshot_route_overlap));
    BOOST_TEST(std::string(e.what()) == "routes 1 and 2: engine snapshot has overlapping routes");
    BOOST_TEST(e.context() == "routes 1 and 2");

    const Error plain(errc::engine_required, {});
    BOOST_TEST(std::string(plain.what()) == "engine is required");
    BOOST_TEST(plain.context().empty());

    // Copies keep the text.
    const Error copy = e;  // NOLINT(performance-unnecessary-copy-initialization)
    BOOST_TEST(std::string(copy.what()) == "routes 1 and 2: engine snapshot has overlapping routes");
    BOOST_TEST((copy.code() == errc::engine_snapshot_route_overlap));
}

BOOST_AUTO_TEST_CASE(every_code_throws_with_exact_text) {
    for (const Expected& x : expected_table()) {
        BOOST_TEST_CONTEXT("code " << x.name) {
            bool caught = false;
            try {
                throw_error(x.code, "ctx");
            } catch (const Error& e) {
                caught = true;
                BOOST_TEST((e.code() == x.code));
                BOOST_TEST(std::string(e.what()) == std::string("ctx: ") + x.message);
            }
            BOOST_TEST(caught);
        }
    }
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace routecat
