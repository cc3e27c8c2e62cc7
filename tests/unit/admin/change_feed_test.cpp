// The change feed: GET /v1/catalog/changes (paging, resets, errors, the long poll) and its SSE form
// /v1/catalog/changes/stream, called through handle_admin_request without sockets.

#include "api_fixture.hpp"

#include "support/hooked_store.hpp"
#include "support/collecting_writer.hpp"

#include "routecat/admin/shutdown.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/serialize.hpp>
#include <boost/test/unit_test.hpp>

using namespace routecat;
using namespace routecat::test;
namespace asio = boost::asio;
namespace http = boost::beast::http;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

namespace {

std::string route_1(std::uint64_t group) {
    return R"({"route_id":1,"start":"","start_text":"","end":null,"end_text":null,"group_id":)" + std::to_string(group) +
           R"(,"state":"active","parent_route_id":0})";
}

// Delta v of route 1 moving to group g (what save_group writes).
std::string delta_json(std::uint64_t v, std::uint64_t group) {
    return R"({"previous_version":)" + std::to_string(v - 1) + R"(,"version":)" + std::to_string(v) +
           R"(,"mutations":[{"op":"upsert","route_id":1,"route":)" + route_1(group) + "}]}";
}

std::string delta_event(std::uint64_t v, std::uint64_t group) {
    return "event: delta\nid: " + std::to_string(v) + "\ndata: " + delta_json(v, group) + "\n\n";
}

struct ChangeFeedFixture : ApiFixture {
    // The fixture's catalog is at version 1, written without a log: the first logged Save starts
    // it at version 2 (§11.3). Four deltas are kept.
    ChangeFeedFixture() {
        CatalogStoreOptions logged;
        logged.delta_log = true;
        logged.delta_retention = 4;
        ctx.catalog = CatalogStore(store, logged);
    }

    // The next version: route 1 moved to group `group`, applied to the engine.
    void save_group(std::uint64_t group) { save_and_apply({rd(1, "", std::nullopt, group)}); }

    // The same from a coroutine on io (run() cannot nest in a handler of the same io_context).
    asio::awaitable<void> save_group_later(std::uint64_t group, std::chrono::milliseconds delay) {
        asio::steady_timer timer(co_await asio::this_coro::executor, delay);
        co_await timer.async_wait(asio::use_awaitable);
        const std::uint64_t v = co_await ctx.catalog.version();
        std::vector<RouteDescriptor> routes;
        routes.push_back(rd(1, "", std::nullopt, group));
        CatalogSnapshot saved = co_await ctx.catalog.save(v, std::move(routes));
        if (auto ec = ctx.engine->apply_snapshot(std::move(saved))) throw boost::system::system_error(ec);
    }

    // Saves route 1 in groups 2, 3, ... up to version `last`.
    void save_up_to(std::uint64_t last) {
        while (run(io, ctx.catalog.version()) < last) save_group(run(io, ctx.catalog.version()) + 1);
    }

    std::string message(const ApiReply& r) const { return std::string(r.json.at("error").at("message").as_string()); }
};

}  // namespace

BOOST_FIXTURE_TEST_SUITE(admin_changes, ChangeFeedFixture)

BOOST_AUTO_TEST_CASE(a_page_renders_its_deltas_exactly) {
    save_up_to(3);  // v2: group 2, v3: group 3
    const auto r = get("/v1/catalog/changes?after=1");
    BOOST_TEST(r.status == 200u);
    BOOST_TEST(std::string(r.raw[http::field::content_type]) == "application/json; charset=utf-8");
    BOOST_TEST(r.raw.body() == R"({"version":3,"floor":2,"reset":null,"deltas":[)" + delta_json(2, 2) + "," +
                                   delta_json(3, 3) + "]}");
    // A delete and upserts in route id order, as Save derives them.
    save_and_apply({rd(2, "", std::string("m"), 7), rd(3, "m", std::nullopt, 8)});
    const auto split = get("/v1/catalog/changes?after=3");
    BOOST_TEST(split.raw.body() ==
               R"({"version":4,"floor":2,"reset":null,"deltas":[{"previous_version":3,"version":4,"mutations":[)"
               R"({"op":"delete","route_id":1},)"
               R"({"op":"upsert","route_id":2,"route":{"route_id":2,"start":"","start_text":"","end":"bQ==","end_text":"m","group_id":7,"state":"active","parent_route_id":0}},)"
               R"({"op":"upsert","route_id":3,"route":{"route_id":3,"start":"bQ==","start_text":"m","end":null,"end_text":null,"group_id":8,"state":"active","parent_route_id":0}}]}]})");
}

BOOST_AUTO_TEST_CASE(pages_follow_the_limit_and_end_at_the_current_version) {
    save_up_to(6);  // deltas 3..6 kept (retention 4), floor 3
    auto page = get("/v1/catalog/changes?after=2&limit=2");
    BOOST_TEST(page.raw.body() == R"({"version":6,"floor":3,"reset":null,"deltas":[)" + delta_json(3, 3) + "," +
                                      delta_json(4, 4) + "]}");
    page = get("/v1/catalog/changes?after=4&limit=2");
    BOOST_TEST(page.raw.body() == R"({"version":6,"floor":3,"reset":null,"deltas":[)" + delta_json(5, 5) + "," +
                                      delta_json(6, 6) + "]}");
    page = get("/v1/catalog/changes?after=6&limit=2");
    BOOST_TEST(page.raw.body() == R"({"version":6,"floor":3,"reset":null,"deltas":[]})");
    // Above the spec's maximum the limit is lowered to it, not refused.
    page = get("/v1/catalog/changes?after=2&limit=18446744073709551615");
    BOOST_TEST(page.status == 200u);
    BOOST_TEST(page.json.at("deltas").as_array().size() == 4u);
}

BOOST_AUTO_TEST_CASE(a_reset_comes_exactly_when_after_plus_one_is_below_the_floor) {
    save_up_to(6);  // floor 3
    const auto catalog = get("/v1/catalog");
    for (std::uint64_t after : {0u, 1u}) {
        const auto r = get("/v1/catalog/changes?after=" + std::to_string(after));
        BOOST_TEST(r.status == 200u);
        BOOST_TEST(r.json.at("version").to_number<std::uint64_t>() == 6u);
        BOOST_TEST(r.json.at("floor").to_number<std::uint64_t>() == 3u);
        BOOST_TEST(r.json.at("deltas").as_array().empty());
        BOOST_TEST((r.json.at("reset") == catalog.json), "after " << after << ": the reset is GET /v1/catalog's body");
    }
    const auto from_floor = get("/v1/catalog/changes?after=2");
    BOOST_TEST(from_floor.json.at("reset").is_null());
    BOOST_TEST(from_floor.json.at("deltas").as_array().size() == 4u);
    BOOST_TEST(from_floor.json.at("deltas").at(0).at("version").to_number<std::uint64_t>() == 3u);
}

BOOST_AUTO_TEST_CASE(a_catalog_without_a_log_answers_with_a_reset) {
    // Version 1 was written without a log: floor 0, so any older cursor gets the whole catalog.
    const auto r = get("/v1/catalog/changes?after=0");
    BOOST_TEST(r.json.at("floor").to_number<std::uint64_t>() == 0u);
    BOOST_TEST((r.json.at("reset") == get("/v1/catalog").json));
    BOOST_TEST(get("/v1/catalog/changes?after=1").raw.body() == R"({"version":1,"floor":0,"reset":null,"deltas":[]})");
}

BOOST_AUTO_TEST_CASE(spec_errors_map_to_their_statuses) {
    save_up_to(2);
    auto r = get("/v1/catalog/changes?after=3");
    BOOST_TEST(r.status == 409u);
    BOOST_TEST(r.error_code() == "catalog_delta_version_future");
    BOOST_TEST(message(r) == "after 3, catalog version 2: catalog delta cursor is ahead of catalog version");
    r = get("/v1/catalog/changes?after=18446744073709551615");
    BOOST_TEST(r.status == 409u);
    for (const std::string limit : {"0", "-1", "-9223372036854775808"}) {
        r = get("/v1/catalog/changes?after=1&limit=" + limit);
        BOOST_TEST(r.status == 400u);
        BOOST_TEST(r.error_code() == "catalog_delta_limit_invalid");
        BOOST_TEST(message(r) == "limit " + limit + ": catalog delta limit must be positive");
    }
}

BOOST_AUTO_TEST_CASE(garbage_cursors_and_limits_are_400_json) {
    save_up_to(2);
    const std::vector<std::string> targets = {
        "/v1/catalog/changes",
        "/v1/catalog/changes?after=",
        "/v1/catalog/changes?after=x",
        "/v1/catalog/changes?after=-1",
        "/v1/catalog/changes?after=1.5",
        "/v1/catalog/changes?after=18446744073709551616",
        "/v1/catalog/changes?after=1&after=1",
        "/v1/catalog/changes?after=1&limit=",
        "/v1/catalog/changes?after=1&limit=ten",
        "/v1/catalog/changes?after=1&limit=-",
        "/v1/catalog/changes?after=1&limit=18446744073709551616",
        "/v1/catalog/changes?after=1&timeout=5",
        "/v1/catalog/changes?after=1&timeout=-1s",
        "/v1/catalog/changes/stream?after=abc",
        "/v1/catalog/changes/stream?after=1&limit=x",
    };
    for (const auto& target : targets) {
        const auto r = get(target);
        BOOST_TEST(r.status == 400u, target);
        BOOST_TEST(r.error_code() == "bad_request", target);
        BOOST_TEST(std::string(r.raw[http::field::content_type]) == "application/json; charset=utf-8", target);
    }
    const auto r = get("/v1/catalog/changes/stream", {{"Last-Event-ID", "v2"}});
    BOOST_TEST(r.status == 400u);
    BOOST_TEST(message(r).starts_with("Last-Event-ID: "));
}

BOOST_AUTO_TEST_CASE(a_long_poll_wakes_on_the_next_version) {
    save_up_to(2);
    Clock::time_point saved, answered;
    ApiReply reply;
    auto poll = [&]() -> asio::awaitable<void> {
        admin::Request req{http::verb::get, "/v1/catalog/changes?after=2&timeout=5s", 11};
        req.set(http::field::host, "localhost");
        admin::Reply r = co_await admin::handle_admin_request(ctx, std::move(req));
        answered = Clock::now();
        reply.raw = std::move(r.response);
    };
    auto save_later = [&]() -> asio::awaitable<void> {
        co_await save_group_later(3, 50ms);
        saved = Clock::now();
    };
    asio::co_spawn(io, poll(), asio::detached);
    asio::co_spawn(io, save_later(), asio::detached);
    io.restart();
    io.run();
    BOOST_TEST(reply.raw.body() == R"({"version":3,"floor":2,"reset":null,"deltas":[)" + delta_json(3, 3) + "]}");
    BOOST_TEST(std::chrono::duration_cast<std::chrono::milliseconds>(answered - saved).count() < 100);
}

BOOST_AUTO_TEST_CASE(a_long_poll_without_news_answers_empty_at_its_timeout) {
    save_up_to(2);
    const auto started = Clock::now();
    const auto r = get("/v1/catalog/changes?after=2&timeout=150ms");
    const auto waited = Clock::now() - started;
    BOOST_TEST(r.raw.body() == R"({"version":2,"floor":2,"reset":null,"deltas":[]})");
    BOOST_TEST((waited >= 150ms));
    BOOST_TEST((waited < 2s));
    // Without timeout= nothing waits; with news the timeout is not waited for either.
    const auto at_once = Clock::now();
    get("/v1/catalog/changes?after=2");
    get("/v1/catalog/changes?after=1&timeout=60s");
    BOOST_TEST((Clock::now() - at_once < 100ms));
}

BOOST_AUTO_TEST_CASE(a_long_poll_ends_at_once_when_a_shutdown_has_begun) {
    save_up_to(2);
    ctx.shutdown = std::make_shared<admin::Shutdown>();
    ctx.shutdown->begin();
    const auto started = Clock::now();
    const auto r = get("/v1/catalog/changes?after=2&timeout=30s");
    BOOST_TEST(r.raw.body() == R"({"version":2,"floor":2,"reset":null,"deltas":[]})");
    BOOST_TEST((Clock::now() - started < 1s));
}

// ---- the SSE stream -------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(the_stream_sends_each_version_as_an_event) {
    save_up_to(3);
    auto r = get("/v1/catalog/changes/stream?after=1");
    BOOST_TEST(r.status == 200u);
    BOOST_TEST(std::string(r.raw[http::field::content_type]) == "text/event-stream; charset=utf-8");
    BOOST_TEST(std::string(r.raw[http::field::cache_control]) == "no-cache");
    BOOST_TEST(r.raw.body().empty());
    BOOST_TEST_REQUIRE(static_cast<bool>(r.stream));
    CollectingWriter client(2);
    BOOST_CHECK_THROW(run(io, r.stream(client)), boost::system::system_error);  // the client left after 2
    BOOST_TEST((client.pieces == std::vector<std::string>{delta_event(2, 2), delta_event(3, 3)}));
}

BOOST_AUTO_TEST_CASE(last_event_id_wins_over_after) {
    save_up_to(4);
    auto r = get("/v1/catalog/changes/stream?after=1", {{"Last-Event-ID", "3"}});
    CollectingWriter client(1);
    BOOST_CHECK_THROW(run(io, r.stream(client)), boost::system::system_error);
    BOOST_TEST((client.pieces == std::vector<std::string>{delta_event(4, 4)}));
}

BOOST_AUTO_TEST_CASE(an_old_cursor_gets_a_reset_event_then_deltas) {
    save_up_to(6);  // floor 3
    auto r = get("/v1/catalog/changes/stream?after=0");
    CollectingWriter client(1);
    BOOST_CHECK_THROW(run(io, r.stream(client)), boost::system::system_error);
    const auto catalog = get("/v1/catalog");
    BOOST_TEST(client.pieces.at(0) == "event: reset\nid: 6\ndata: " + boost::json::serialize(catalog.json) + "\n\n");
}

BOOST_AUTO_TEST_CASE(without_a_cursor_the_stream_starts_at_the_current_version) {
    save_up_to(3);
    auto r = get("/v1/catalog/changes/stream");
    CollectingWriter client(1);
    auto follow = [&]() -> asio::awaitable<void> {
        try {
            co_await r.stream(client);
        } catch (const boost::system::system_error&) {
        }
    };
    asio::co_spawn(io, follow(), asio::detached);
    asio::co_spawn(io, save_group_later(4, 30ms), asio::detached);
    io.restart();
    io.run();
    BOOST_TEST((client.pieces == std::vector<std::string>{delta_event(4, 4)}));
}

BOOST_AUTO_TEST_CASE(an_idle_stream_sends_heartbeats) {
    save_up_to(2);
    ctx.options.stream_heartbeat = 20ms;
    auto r = get("/v1/catalog/changes/stream?after=2");
    CollectingWriter client(2);
    const auto started = Clock::now();
    BOOST_CHECK_THROW(run(io, r.stream(client)), boost::system::system_error);
    BOOST_TEST((client.pieces == std::vector<std::string>{": heartbeat\n\n", ": heartbeat\n\n"}));
    BOOST_TEST((Clock::now() - started >= 40ms));
}

BOOST_AUTO_TEST_CASE(a_shutdown_ends_the_stream) {
    save_up_to(2);
    ctx.shutdown = std::make_shared<admin::Shutdown>();
    auto r = get("/v1/catalog/changes/stream?after=2");
    CollectingWriter client(100);
    auto stop_later = [&]() -> asio::awaitable<void> {
        asio::steady_timer timer(co_await asio::this_coro::executor, 30ms);
        co_await timer.async_wait(asio::use_awaitable);
        ctx.shutdown->begin();
    };
    asio::co_spawn(io, stop_later(), asio::detached);
    const auto started = Clock::now();
    run(io, r.stream(client));  // returns: the body ends normally
    BOOST_TEST(client.pieces.empty());
    BOOST_TEST((Clock::now() - started < 1s));
}

BOOST_AUTO_TEST_CASE(a_cursor_ahead_of_the_catalog_is_409_before_any_stream) {
    save_up_to(2);
    const auto r = get("/v1/catalog/changes/stream?after=5");
    BOOST_TEST(r.status == 409u);
    BOOST_TEST(r.error_code() == "catalog_delta_version_future");
    BOOST_TEST(!r.stream);
}

BOOST_AUTO_TEST_CASE(a_failed_read_mid_stream_sends_an_error_event_and_ends) {
    save_up_to(2);
    auto hooked = std::make_shared<HookedStore>(store);
    CatalogStoreOptions logged = ctx.catalog.options();
    ctx.catalog = CatalogStore(hooked, logged);
    ctx.options.stream_heartbeat = 10ms;
    auto r = get("/v1/catalog/changes/stream?after=2");
    hooked->fail_last_commit_ts(1);  // the read after the first heartbeat fails
    CollectingWriter client(100);
    run(io, r.stream(client));
    BOOST_TEST_REQUIRE(client.pieces.size() == 2u);
    BOOST_TEST(client.pieces[0] == ": heartbeat\n\n");
    BOOST_TEST(client.pieces[1].starts_with("event: error\nid: 2\ndata: {\"error\":{\"code\":\"store_unavailable\",\"message\":"));
}

BOOST_AUTO_TEST_CASE(both_endpoints_pass_the_host_and_origin_checks) {
    save_up_to(2);
    for (const std::string target : {"/v1/catalog/changes?after=1", "/v1/catalog/changes/stream?after=1"}) {
        auto r = get(target, {{"Host", "evil.example"}});
        BOOST_TEST(r.status == 421u, target);
        BOOST_TEST(r.error_code() == "misdirected_request", target);
        r = get(target, {{"Origin", "http://evil.example"}});
        BOOST_TEST(r.status == 403u, target);
        BOOST_TEST(r.error_code() == "forbidden_origin", target);
        BOOST_TEST(!r.stream, target);
        r = get(target, {{"Origin", "http://localhost"}});  // this server itself
        BOOST_TEST(r.status == 200u, target);
    }
}

BOOST_AUTO_TEST_SUITE_END()
