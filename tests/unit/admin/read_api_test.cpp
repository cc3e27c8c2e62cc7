// The admin API's read endpoints (DESIGN.md "Admin HTTP API"): GET /v1/routes (paging, filters,
// ETag, long poll), /v1/routes/lookup, /v1/routes/intersect, /v1/stats; exact statuses, JSON and
// error codes, called through handle_admin_request without sockets.

#include "unit/admin/api_fixture.hpp"

#include "routecat/base64.hpp"
#include "routecat/json/route_json.hpp"
#include "routecat/catalog/catalog_watcher.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/serialize.hpp>
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <map>
#include <random>
#include <regex>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace json = boost::json;
namespace asio = boost::asio;
namespace http = boost::beast::http;
using namespace routecat;
using namespace routecat::test;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

namespace {

// Percent-encodes every byte but the unreserved ones (RFC 3986), for building query strings.
std::string pct(std::string_view bytes) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : bytes) {
        if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
            out.push_back(static_cast<char>(c));
        } else {
            out.push_back('%');
            out.push_back(kHex[c >> 4]);
            out.push_back(kHex[c & 15]);
        }
    }
    return out;
}

std::string bytes(const char* data, std::size_t n) { return std::string(data, n); }

// The known table: keys with NUL and 0xFF bytes, three groups, two states.
//   1 ["", "a\0b")       group 1 active
//   2 ["a\0b", "m\xff")  group 2 write_fenced
//   3 ["m\xff", +inf)    group 1 active
std::vector<RouteDescriptor> known_routes() {
    return {rd(1, "", bytes("a\0b", 3), 1), rd(2, bytes("a\0b", 3), std::string("m\xff"), 2, RouteState::write_fenced),
            rd(3, std::string("m\xff"), std::nullopt, 1)};
}

// The expected JSON of the known table's routes.
json::value known_json(int id, std::uint64_t load = 0) {
    switch (id) {
        case 1:
            return json::parse(R"({"route_id":1,"start":"","start_text":"","end":"YQBi","end_text":"a\\x00b",)"
                               R"("group_id":1,"state":"active","load":)" +
                               std::to_string(load) + "}");
        case 2:
            return json::parse(R"({"route_id":2,"start":"YQBi","start_text":"a\\x00b","end":"bf8=",)"
                               R"("end_text":"m\\xff","group_id":2,"state":"write_fenced","load":)" +
                               std::to_string(load) + "}");
        default:
            return json::parse(R"({"route_id":3,"start":"bf8=","start_text":"m\\xff","end":null,"end_text":null,)"
                               R"("group_id":1,"state":"active","load":)" +
                               std::to_string(load) + "}");
    }
}

// n routes over the whole keyspace: route i+1 = [k(i), k(i+1)), the first from "", the last to +inf.
std::string pkey(std::size_t i) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "k%05zu", i);
    return buf;
}
std::vector<RouteDescriptor> many_routes(std::size_t n) {
    std::vector<RouteDescriptor> out;
    out.reserve(n);
    for (std::size_t i = 0; i < n; ++i) {
        std::optional<std::string> end;
        if (i + 1 < n) end = pkey(i + 1);
        out.push_back(rd(i + 1, i == 0 ? std::string() : pkey(i), end, 1 + i % 3));
    }
    return out;
}

std::vector<std::uint64_t> ids_of(const json::value& body) {
    std::vector<std::uint64_t> ids;
    for (const auto& r : body.at("routes").as_array()) ids.push_back(r.at("route_id").to_number<std::uint64_t>());
    return ids;
}

std::string header(const ApiReply& reply, boost::beast::http::field f) {
    auto it = reply.raw.find(f);
    return it == reply.raw.end() ? std::string() : std::string(it->value());
}

std::string message_of(const ApiReply& reply) {
    if (!reply.json.is_object() || !reply.json.as_object().contains("error")) return {};
    return std::string(reply.json.at("error").at("message").as_string());
}

// Pages through GET /v1/routes?<query>&limit=<limit> and returns every route id in order.
std::vector<std::uint64_t> page_all(ApiFixture& f, std::uint64_t limit, const std::string& query, std::size_t* pages) {
    std::vector<std::uint64_t> ids;
    std::string next;
    *pages = 0;
    for (;;) {
        std::string target = "/v1/routes?limit=" + std::to_string(limit) + query;
        if (!next.empty()) target += "&after=" + pct(next);
        auto reply = f.get(target);
        BOOST_REQUIRE_EQUAL(reply.status, 200u);
        ++*pages;
        for (auto id : ids_of(reply.json)) ids.push_back(id);
        BOOST_REQUIRE_LE(reply.json.at("routes").as_array().size(), limit);
        if (reply.json.at("next").is_null()) break;
        BOOST_REQUIRE_EQUAL(reply.json.at("routes").as_array().size(), limit);
        next = std::string(reply.json.at("next").as_string());
        BOOST_REQUIRE_LT(*pages, 100000u);
    }
    return ids;
}

// Saves routes as the next catalog version after `delay` and applies them; records when.
asio::awaitable<void> apply_later(ApiFixture* f, std::vector<RouteDescriptor> routes, std::chrono::milliseconds delay,
                                  Clock::time_point* applied_at) {
    asio::steady_timer timer(co_await asio::this_coro::executor, delay);
    co_await timer.async_wait(asio::use_awaitable);
    const std::uint64_t v = co_await f->ctx.catalog.version();
    auto saved = co_await f->ctx.catalog.save(v, std::move(routes));
    if (auto ec = f->ctx.engine->apply_snapshot(saved)) throw boost::system::system_error(ec);
    *applied_at = Clock::now();
}

void check_bad_request(ApiFixture& f, const std::string& target, const std::string& param) {
    BOOST_TEST_CONTEXT(target) {
        auto reply = f.get(target);
        BOOST_TEST(reply.status == 400u);
        BOOST_TEST(reply.error_code() == "bad_request");
        const std::string message = message_of(reply);
        BOOST_TEST(message.rfind(param + ":", 0) == 0, "message \"" << message << "\" names " << param);
    }
}

// Runs the watcher, waits for its first sync, answers GET /v1/stats while it runs, then stops it.
asio::awaitable<admin::Response> stats_while_watching(admin::AdminContext* ctx, std::shared_ptr<CatalogWatcher> watcher,
                                                      CatalogWatcherStatus* status) {
    auto ex = co_await asio::this_coro::executor;
    asio::co_spawn(ex, watcher->run(), asio::detached);
    asio::steady_timer timer(ex);
    for (int i = 0; i < 500 && watcher->status().syncs == 0; ++i) {
        timer.expires_after(2ms);
        co_await timer.async_wait(asio::use_awaitable);
    }
    *status = watcher->status();
    admin::Request req{boost::beast::http::verb::get, "/v1/stats", 11};
    req.set(boost::beast::http::field::host, "localhost");
    admin::Reply reply = co_await admin::handle_admin_request(*ctx, std::move(req));
    watcher->stop();
    co_return reply.response;
}

}  // namespace

BOOST_FIXTURE_TEST_SUITE(admin_read_api, ApiFixture)

// ---- GET /v1/routes ---------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(routes_lists_the_table_with_base64_and_text_keys) {
    save_and_apply(known_routes());
    auto reply = get("/v1/routes");
    BOOST_TEST(reply.status == 200u);
    BOOST_TEST(header(reply, boost::beast::http::field::content_type) == "application/json; charset=utf-8");
    const std::uint64_t gen = ctx.engine->generation();
    json::object expected;
    expected["version"] = 2u;
    expected["generation"] = gen;
    expected["count"] = 3u;
    expected["routes"] = json::array{known_json(1), known_json(2), known_json(3)};
    expected["next"] = nullptr;
    BOOST_TEST(reply.json == json::value(expected), reply.raw.body());
    BOOST_TEST(header(reply, boost::beast::http::field::etag) == "\"2." + std::to_string(gen) + "\"");

    // Field order and bytes are those of route_to_json(Route).
    std::string direct = "[";
    auto table = ctx.engine->table();
    for (std::size_t i = 0; i < table->size(); ++i) {
        if (i) direct += ",";
        direct += json::serialize(route_to_json(table->route(i)));
    }
    direct += "]";
    BOOST_TEST(json::serialize(reply.json.at("routes")) == direct);
    BOOST_TEST(reply.raw.body().find("\"routes\":" + direct) != std::string::npos);
}

BOOST_AUTO_TEST_CASE(routes_on_the_default_table) {
    auto reply = get("/v1/routes");
    BOOST_TEST(reply.status == 200u);
    BOOST_TEST(reply.json.at("version") == 1u);
    BOOST_TEST(reply.json.at("count") == 1u);
    BOOST_TEST(reply.json.at("routes").as_array().size() == 1u);
    BOOST_TEST(reply.json.at("routes").at(0).at("start") == "");
    BOOST_TEST(reply.json.at("routes").at(0).at("end").is_null());
}

BOOST_AUTO_TEST_CASE(routes_paging_through_10000_routes_returns_each_once_in_order) {
    save_and_apply(many_routes(10'000));
    std::vector<std::uint64_t> all(10'000);
    for (std::size_t i = 0; i < all.size(); ++i) all[i] = i + 1;

    std::size_t pages = 0;
    BOOST_TEST(page_all(*this, 1000, "", &pages) == all, boost::test_tools::per_element());
    BOOST_TEST(pages == 10u);
    BOOST_TEST(page_all(*this, 777, "", &pages) == all, boost::test_tools::per_element());
    BOOST_TEST(pages == 13u);  // 12 * 777 = 9324, then 676
    BOOST_TEST(page_all(*this, 10'000, "", &pages) == all, boost::test_tools::per_element());
    BOOST_TEST(pages == 1u);

    auto first = get("/v1/routes");  // default limit 1000
    BOOST_TEST(first.json.at("routes").as_array().size() == 1000u);
    BOOST_TEST(first.json.at("count") == 10'000u);
    BOOST_TEST(first.json.at("next").is_string());
}

BOOST_AUTO_TEST_CASE(routes_paging_stays_correct_when_the_table_changes_between_pages) {
    auto routes = many_routes(100);  // route i+1 = [k(i), k(i+1))
    save_and_apply(routes);

    auto p1 = get("/v1/routes?limit=10");
    BOOST_TEST(ids_of(p1.json) == (std::vector<std::uint64_t>{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}),
               boost::test_tools::per_element());
    const std::string c1(p1.json.at("next").as_string());

    // A new catalog version between pages: route 3 (before the cursor) and route 10 (the cursor's
    // own route) are split; the right half of 10 comes next, nothing already seen comes again.
    auto changed = routes;
    changed[2].end = pkey(2) + "m";
    changed[9].end = pkey(9) + "m";
    changed.push_back(rd(102, pkey(2) + "m", pkey(3), 1));
    changed.push_back(rd(101, pkey(9) + "m", pkey(10), 1));
    std::sort(changed.begin(), changed.end(), [](const auto& a, const auto& b) { return a.start < b.start; });
    save_and_apply(changed);

    auto p2 = get("/v1/routes?limit=10&after=" + pct(c1));
    BOOST_TEST(p2.status == 200u);
    BOOST_TEST(p2.json.at("version") == 3u);
    BOOST_TEST(p2.json.at("count") == 102u);
    BOOST_TEST(ids_of(p2.json) == (std::vector<std::uint64_t>{101, 11, 12, 13, 14, 15, 16, 17, 18, 19}),
               boost::test_tools::per_element());
    const std::string c2(p2.json.at("next").as_string());

    // An ephemeral route with the same start as route 20 (update_route puts it after route 20):
    // one route per page walks 20, the ephemeral one (id 0), then 21.
    ctx.engine->update_route(pkey(19), pkey(19) + "z", 7);
    auto p3 = get("/v1/routes?limit=1&after=" + pct(c2));
    BOOST_TEST(ids_of(p3.json) == (std::vector<std::uint64_t>{20}), boost::test_tools::per_element());
    auto p4 = get("/v1/routes?limit=1&after=" + pct(std::string(p3.json.at("next").as_string())));
    BOOST_TEST(ids_of(p4.json) == (std::vector<std::uint64_t>{0}), boost::test_tools::per_element());
    BOOST_TEST(p4.json.at("routes").at(0).at("group_id") == 7u);
    auto p5 = get("/v1/routes?limit=1&after=" + pct(std::string(p4.json.at("next").as_string())));
    BOOST_TEST(ids_of(p5.json) == (std::vector<std::uint64_t>{21}), boost::test_tools::per_element());
    const std::string c5(p5.json.at("next").as_string());

    // The cursor's route disappears (merged into its left neighbour): the next page starts at the
    // first route after its start.
    auto merged = changed;
    std::erase_if(merged, [](const RouteDescriptor& r) { return r.route_id == 21 || r.route_id == 22; });
    for (auto& r : merged)
        if (r.route_id == 20) r.end = pkey(22);
    save_and_apply(merged);
    std::string next = c5;
    std::vector<std::uint64_t> rest;
    for (;;) {
        auto page = get("/v1/routes?limit=7&after=" + pct(next));
        BOOST_REQUIRE_EQUAL(page.status, 200u);
        for (auto id : ids_of(page.json)) rest.push_back(id);
        if (page.json.at("next").is_null()) break;
        next = std::string(page.json.at("next").as_string());
    }
    std::vector<std::uint64_t> expected;
    for (std::uint64_t id = 23; id <= 100; ++id) expected.push_back(id);
    BOOST_TEST(rest == expected, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(routes_filters_by_group_and_state) {
    save_and_apply(known_routes());
    auto g1 = get("/v1/routes?group_id=1");
    BOOST_TEST(g1.status == 200u);
    BOOST_TEST(g1.json.at("count") == 2u);
    BOOST_TEST(g1.json.at("routes") == (json::array{known_json(1), known_json(3)}));
    BOOST_TEST(g1.json.at("next").is_null());

    auto fenced = get("/v1/routes?state=write_fenced");
    BOOST_TEST(fenced.json.at("count") == 1u);
    BOOST_TEST(fenced.json.at("routes") == (json::array{known_json(2)}));

    auto both = get("/v1/routes?group_id=1&state=active");
    BOOST_TEST(both.json.at("count") == 2u);
    auto none = get("/v1/routes?group_id=2&state=active");
    BOOST_TEST(none.status == 200u);
    BOOST_TEST(none.json.at("count") == 0u);
    BOOST_TEST(none.json.at("routes").as_array().empty());
    BOOST_TEST(none.json.at("next").is_null());
    auto max = get("/v1/routes?group_id=18446744073709551615");
    BOOST_TEST(max.status == 200u);
    BOOST_TEST(max.json.at("count") == 0u);
    auto migrating = get("/v1/routes?state=migrating_target");
    BOOST_TEST(migrating.json.at("count") == 0u);

    // Paging with a filter: next only while more matching routes follow.
    auto p1 = get("/v1/routes?group_id=1&limit=1");
    BOOST_TEST(p1.json.at("routes") == (json::array{known_json(1)}));
    BOOST_TEST(p1.json.at("count") == 2u);
    BOOST_REQUIRE(p1.json.at("next").is_string());
    auto p2 = get("/v1/routes?group_id=1&limit=1&after=" + pct(std::string(p1.json.at("next").as_string())));
    BOOST_TEST(p2.json.at("routes") == (json::array{known_json(3)}));
    BOOST_TEST(p2.json.at("next").is_null());
    auto exact = get("/v1/routes?limit=3");
    BOOST_TEST(exact.json.at("routes").as_array().size() == 3u);
    BOOST_TEST(exact.json.at("next").is_null());

    // Filtered paging over 10,000 routes (group = 1 + i % 3).
    save_and_apply(many_routes(10'000));
    std::size_t pages = 0;
    auto g2 = page_all(*this, 777, "&group_id=2", &pages);
    std::vector<std::uint64_t> expected;
    for (std::uint64_t id = 1; id <= 10'000; ++id)
        if (1 + (id - 1) % 3 == 2) expected.push_back(id);
    BOOST_TEST(g2 == expected, boost::test_tools::per_element());
    BOOST_TEST(get("/v1/routes?group_id=2&limit=1").json.at("count") == expected.size());
}

BOOST_AUTO_TEST_CASE(routes_etag_and_if_none_match) {
    save_and_apply(known_routes());
    auto first = get("/v1/routes");
    const std::string etag = header(first, boost::beast::http::field::etag);
    BOOST_TEST(etag == "\"2." + std::to_string(ctx.engine->generation()) + "\"");

    auto same = get("/v1/routes", {{"If-None-Match", etag}});
    BOOST_TEST(same.status == 304u);
    BOOST_TEST(same.raw.body().empty());
    BOOST_TEST(header(same, boost::beast::http::field::etag) == etag);
    BOOST_TEST(get("/v1/routes", {{"If-None-Match", "\"x\", W/" + etag}}).status == 304u);
    BOOST_TEST(get("/v1/routes", {{"If-None-Match", "*"}}).status == 304u);

    auto other = get("/v1/routes", {{"If-None-Match", "\"1.1\""}});
    BOOST_TEST(other.status == 200u);
    BOOST_TEST(header(other, boost::beast::http::field::etag) == etag);

    // A new table (a split without a version change bumps the generation too) → 200, new ETag.
    ctx.engine->update_route("q", "r", 5);
    auto changed = get("/v1/routes", {{"If-None-Match", etag}});
    BOOST_TEST(changed.status == 200u);
    BOOST_TEST(header(changed, boost::beast::http::field::etag) == "\"2." + std::to_string(ctx.engine->generation()) + "\"");
    BOOST_TEST(header(changed, boost::beast::http::field::etag) != etag);
    save_and_apply(known_routes());
    auto applied = get("/v1/routes", {{"If-None-Match", etag}});
    BOOST_TEST(applied.status == 200u);
    BOOST_TEST(applied.json.at("version") == 3u);
}

BOOST_AUTO_TEST_CASE(routes_long_poll_answers_within_100ms_of_a_newer_apply) {
    const std::uint64_t v = ctx.engine->version();
    Clock::time_point applied_at{};
    asio::co_spawn(io, apply_later(this, known_routes(), 50ms, &applied_at), asio::detached);
    const auto t0 = Clock::now();
    auto reply = get("/v1/routes?wait_version=" + std::to_string(v) + "&timeout=10s");
    const auto t1 = Clock::now();
    BOOST_TEST(reply.status == 200u);
    BOOST_TEST(reply.json.at("version") == v + 1);
    BOOST_TEST(reply.json.at("routes") == (json::array{known_json(1), known_json(2), known_json(3)}));
    BOOST_REQUIRE(applied_at.time_since_epoch().count() != 0);
    BOOST_TEST((t1 - t0 >= 40ms));
    BOOST_TEST((t1 - applied_at < 100ms), "answered "
                                            << std::chrono::duration_cast<std::chrono::microseconds>(t1 - applied_at).count()
                                            << " us after the apply");

    // Already newer than wait_version: at once.
    const auto t2 = Clock::now();
    auto at_once = get("/v1/routes?wait_version=" + std::to_string(v) + "&timeout=10s");
    BOOST_TEST(at_once.status == 200u);
    BOOST_TEST((Clock::now() - t2 < 50ms));
}

BOOST_AUTO_TEST_CASE(a_shutdown_answers_open_long_polls_at_once_with_the_current_table) {
    ctx.shutdown = std::make_shared<admin::Shutdown>();
    const std::uint64_t v = ctx.engine->version();
    auto begin_later = [](std::shared_ptr<admin::Shutdown> shutdown) -> asio::awaitable<void> {
        asio::steady_timer timer(co_await asio::this_coro::executor, 50ms);
        co_await timer.async_wait(asio::use_awaitable);
        shutdown->begin();
    };
    asio::co_spawn(io, begin_later(ctx.shutdown), asio::detached);
    const auto t0 = Clock::now();
    auto reply = get("/v1/routes?wait_version=" + std::to_string(v) + "&timeout=10s");
    BOOST_TEST(reply.status == 200u);
    BOOST_TEST(reply.json.at("version") == v);
    BOOST_TEST((Clock::now() - t0 >= 40ms));
    BOOST_TEST((Clock::now() - t0 < 1s));
    // Once begun, a new long poll does not wait at all.
    const auto t1 = Clock::now();
    BOOST_TEST(get("/v1/routes?wait_version=" + std::to_string(v) + "&timeout=10s").status == 200u);
    BOOST_TEST((Clock::now() - t1 < 50ms));
}

BOOST_AUTO_TEST_CASE(routes_long_poll_timeout_answers_304_or_the_unchanged_table) {
    save_and_apply(known_routes());
    const std::string v = std::to_string(ctx.engine->version());
    const std::string etag = header(get("/v1/routes"), boost::beast::http::field::etag);

    auto t0 = Clock::now();
    auto unchanged = get("/v1/routes?wait_version=" + v + "&timeout=200ms", {{"If-None-Match", etag}});
    auto waited = Clock::now() - t0;
    BOOST_TEST(unchanged.status == 304u);
    BOOST_TEST(unchanged.raw.body().empty());
    BOOST_TEST(header(unchanged, boost::beast::http::field::etag) == etag);
    BOOST_TEST((waited >= 190ms));
    BOOST_TEST((waited < 1s));

    t0 = Clock::now();
    auto plain = get("/v1/routes?wait_version=" + v + "&timeout=1s");
    waited = Clock::now() - t0;
    BOOST_TEST(plain.status == 200u);
    BOOST_TEST(plain.json.at("version") == 2u);
    BOOST_TEST(plain.json.at("routes") == (json::array{known_json(1), known_json(2), known_json(3)}));
    BOOST_TEST((waited >= 990ms));
    BOOST_TEST((waited < 2s));

    // A stale If-None-Match at the timeout: the table changed generation meanwhile → 200.
    ctx.engine->update_route("zz", std::nullopt, 9);
    auto stale = get("/v1/routes?wait_version=" + v + "&timeout=50ms", {{"If-None-Match", etag}});
    BOOST_TEST(stale.status == 200u);
    BOOST_TEST(stale.json.at("count") == 4u);
}

BOOST_AUTO_TEST_CASE(routes_long_poll_timeout_is_capped) {
    ctx.options.max_long_poll = 150ms;
    const std::string v = std::to_string(ctx.engine->version());
    for (const std::string& target : {"/v1/routes?wait_version=" + v + "&timeout=30s", "/v1/routes?wait_version=" + v,
                                     "/v1/routes?wait_version=" + v + "&timeout=99999999999999999s"}) {
        BOOST_TEST_CONTEXT(target) {
            const auto t0 = Clock::now();
            auto reply = get(target);
            const auto waited = Clock::now() - t0;
            BOOST_TEST(reply.status == 200u);
            BOOST_TEST((waited >= 140ms));
            BOOST_TEST((waited < 1s));
        }
    }
    const auto t0 = Clock::now();
    BOOST_TEST(get("/v1/routes?wait_version=" + v + "&timeout=0ms").status == 200u);
    BOOST_TEST((Clock::now() - t0 < 100ms));
}

// ---- GET /v1/routes/lookup --------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(lookup_in_three_spellings) {
    save_and_apply(known_routes());
    auto by_text = get("/v1/routes/lookup?key=" + pct(bytes("a\0", 2)));
    BOOST_TEST(by_text.status == 200u);
    json::object expected;
    expected["version"] = 2u;
    expected["route"] = known_json(1);
    BOOST_TEST(by_text.json == json::value(expected), by_text.raw.body());

    BOOST_TEST(get("/v1/routes/lookup?key_hex=610062").json.at("route") == known_json(2));
    BOOST_TEST(get("/v1/routes/lookup?key_hex=6D4f").json.at("route") == known_json(2));  // "mO" < "m\xff"
    BOOST_TEST(get("/v1/routes/lookup?key_b64=YQBi").json.at("route") == known_json(2));
    BOOST_TEST(get("/v1/routes/lookup?key=" + pct("m\xff")).json.at("route") == known_json(3));
    BOOST_TEST(get("/v1/routes/lookup?key_hex=ffff").json.at("route") == known_json(3));
    BOOST_TEST(get("/v1/routes/lookup?key=").json.at("route") == known_json(1));  // the empty key
    BOOST_TEST(get("/v1/routes/lookup?key_b64=").json.at("route") == known_json(1));
    // '+' is literal in both text and base64: "++8=" is the bytes fb ef ff.
    BOOST_TEST(get("/v1/routes/lookup?key_b64=++8=").json.at("route") == known_json(3));
    BOOST_TEST(get("/v1/routes/lookup?key_b64=%2B%2B8%3D").json.at("route") == known_json(3));
    BOOST_TEST(get("/v1/routes/lookup?key=a+b").json.at("route") == known_json(2));  // "a+b" > "a\0b"
    BOOST_TEST(get("/v1/routes/lookup?key=a%20b").json.at("route") == known_json(2));
}

BOOST_AUTO_TEST_CASE(lookup_miss_is_404_not_found) {
    save_and_apply({rd(1, "b", std::string("c"), 1)});
    auto miss = get("/v1/routes/lookup?key=a");
    BOOST_TEST(miss.status == 404u);
    BOOST_TEST(miss.error_code() == "not_found");
    auto past = get("/v1/routes/lookup?key=c");
    BOOST_TEST(past.status == 404u);
    BOOST_TEST(past.error_code() == "not_found");
    auto hit = get("/v1/routes/lookup?key=bz");
    BOOST_TEST(hit.status == 200u);
    BOOST_TEST(hit.json.at("route").at("route_id") == 1u);
    check_bad_request(*this, "/v1/routes/lookup", "key");
    check_bad_request(*this, "/v1/routes/lookup?start=a", "key");
}

// ---- POST /v1/routes/lookup (a batch) -------------------------------------------------------------

// Routes with gaps: [b, d) group 1, [f, h) group 2, [k, m) group 3; nothing holds a, d, e, m, z.
std::vector<RouteDescriptor> gapped_routes() {
    return {rd(1, "b", std::string("d"), 1), rd(2, "f", std::string("h"), 2), rd(3, "k", std::string("m"), 3)};
}

json::value batch_of(const std::string& field, const std::vector<std::string>& keys) {
    json::array list;
    for (const auto& k : keys) list.emplace_back(k);
    return json::object{{field, std::move(list)}};
}

BOOST_AUTO_TEST_CASE(batch_lookup_answers_every_key_in_order_inside_between_and_beyond_routes) {
    save_and_apply(gapped_routes());
    const std::vector<std::string> keys{"c", "a", "e", "g", "b", "d", "l", "z", "m", "k", "c"};
    // The single lookup's route object for each key that has one; null for the others.
    json::array expected;
    for (const auto& k : keys) {
        auto one = get("/v1/routes/lookup?key=" + pct(k));
        if (one.status == 200) expected.push_back(one.json.at("route"));
        else expected.emplace_back(nullptr);
    }
    const std::vector<std::uint64_t> ids{1, 0, 0, 2, 1, 0, 3, 0, 0, 3, 1};  // 0: null
    for (std::size_t i = 0; i < ids.size(); ++i)
        BOOST_TEST((ids[i] == 0 ? expected[i].is_null() : expected[i].at("route_id") == ids[i]), "key " << keys[i]);

    const json::value want = json::object{{"version", 2u}, {"routes", expected}};
    const auto text = post("/v1/routes/lookup", json::serialize(batch_of("keys_text", keys)));
    BOOST_TEST(text.status == 200u);
    BOOST_TEST(text.json == want, text.raw.body());
    std::vector<std::string> b64, hex;
    for (const auto& k : keys) {
        b64.push_back(base64_encode(k));
        std::string h;
        for (unsigned char c : k) {
            char buf[3];
            std::snprintf(buf, sizeof buf, "%02X", c);
            h += buf;
        }
        hex.push_back(h);
    }
    BOOST_TEST(post("/v1/routes/lookup", json::serialize(batch_of("keys", b64))).json == want);
    BOOST_TEST(post("/v1/routes/lookup", json::serialize(batch_of("keys_hex", hex))).json == want);
    // Bytes outside ASCII and the empty key.
    save_and_apply(known_routes());
    const auto bytes_reply = post("/v1/routes/lookup", R"({"keys_hex":["","610062","6D4f","ffff","61"]})");
    BOOST_TEST(bytes_reply.json == json::value(json::object{
                                      {"version", 3u},
                                      {"routes", json::array{known_json(1), known_json(2), known_json(2), known_json(3), known_json(1)}}}),
               bytes_reply.raw.body());
}

BOOST_AUTO_TEST_CASE(batch_lookup_of_no_keys_and_of_10000_keys_and_10001_is_too_many_keys) {
    save_and_apply(many_routes(1000));
    const auto empty = post("/v1/routes/lookup", R"({"keys":[]})");
    BOOST_TEST(empty.status == 200u);
    BOOST_TEST(empty.raw.body() == R"({"version":2,"routes":[]})");

    // 10,000 keys over the 1,000 routes (k00000 .. k00999 are their starts): key j falls in route
    // j / 10 + 1 (route ids are 1-based), or in route 1 for the keys below "k00001".
    std::vector<std::string> keys;
    for (std::size_t j = 0; j < 10'000; ++j) keys.push_back(pkey(j / 10) + std::string(j % 10, 'x'));
    const auto full = post("/v1/routes/lookup", json::serialize(batch_of("keys_text", keys)));
    BOOST_TEST_REQUIRE(full.status == 200u);
    const json::array& routes = full.json.at("routes").as_array();
    BOOST_TEST_REQUIRE(routes.size() == 10'000u);
    for (std::size_t j = 0; j < keys.size(); ++j)
        BOOST_TEST_REQUIRE(routes[j].at("route_id") == j / 10 + 1, "key " << keys[j]);

    keys.push_back("k00001");
    const auto over = post("/v1/routes/lookup", json::serialize(batch_of("keys_text", keys)));
    BOOST_TEST(over.status == 400u);
    BOOST_TEST(over.error_code() == "too_many_keys");
    BOOST_TEST(std::string(over.json.at("error").at("message").as_string()) ==
               "keys_text: at most 10000 keys per request: too many keys in one request");
}

BOOST_AUTO_TEST_CASE(batch_lookup_garbage_is_400_bad_request_naming_the_field) {
    save_and_apply(gapped_routes());
    const std::vector<std::pair<std::string, std::string>> cases{
        {"", "body: invalid JSON"},
        {"[]", "body: expected a JSON object"},
        {"{\"keys\":[\"YQ==\"]", "body: invalid JSON"},
        {"{}", "keys: required (or keys_text, keys_hex)"},
        {R"({"keys":[],"keys_text":[]})", "keys, keys_text, keys_hex: give exactly one"},
        {R"({"keys_text":[],"keys_hex":[]})", "keys, keys_text, keys_hex: give exactly one"},
        {R"({"keys":"YQ=="})", "keys: expected an array"},
        {R"({"keys_text":{"a":1}})", "keys_text: expected an array"},
        {R"({"keys":[1]})", "keys[0]: expected a base64 string"},
        {R"({"keys":["YQ==","!!!"]})", "keys[1]: invalid base64"},
        {R"({"keys":["YQ"]})", "keys[0]: invalid base64"},
        {R"({"keys_text":["a",null]})", "keys_text[1]: expected a string"},
        {R"({"keys_hex":["zz"]})", "keys_hex[0]: invalid hex"},
        {R"({"keys_hex":["abc"]})", "keys_hex[0]: invalid hex"},
        {R"({"keys_hex":[true]})", "keys_hex[0]: expected a hex string"},
        {R"({"keys":[],"key":"a"})", "key: unknown field"},
    };
    for (const auto& [body, message] : cases) {
        const auto r = post("/v1/routes/lookup", body);
        BOOST_TEST(r.status == 400u, body);
        BOOST_TEST(r.error_code() == "bad_request", body);
        BOOST_TEST(std::string(r.json.at("error").at("message").as_string()).starts_with(message), body << ": " << r.raw.body());
    }
    // The body type rule of every request with a body; GET keeps its own (a key parameter).
    BOOST_TEST(post("/v1/routes/lookup", R"({"keys":[]})", {{"Content-Type", "text/plain"}}).status == 415u);
    BOOST_TEST(call(http::verb::delete_, "/v1/routes/lookup").status == 405u);
    BOOST_TEST(std::string(call(http::verb::delete_, "/v1/routes/lookup").raw[http::field::allow]) == "GET, POST");

    // Random bodies: a JSON error or an answer, never anything else.
    std::mt19937 rng(77);
    const std::vector<std::string> parts{"{", "}", "[", "]", ",", ":", "\"keys\"", "\"keys_text\"", "\"keys_hex\"",
                                         "\"YQ==\"", "\"6162\"", "\"a\"", "null", "1", "-1", "true", "\"\\u0000\"", " "};
    std::set<unsigned> seen;
    for (int i = 0; i < 3000; ++i) {
        std::string body;
        if (i % 3 == 0) {
            body = R"({"keys_text":[)";
            const int n = static_cast<int>(rng() % 4);
            for (int k = 0; k < n; ++k) body += std::string(k ? "," : "") + parts[rng() % parts.size()];
            body += rng() % 5 ? "]}" : "]";
        } else {
            const int n = static_cast<int>(rng() % 12);
            for (int k = 0; k < n; ++k) body += rng() % 6 ? parts[rng() % parts.size()] : std::string(1, static_cast<char>(rng()));
        }
        const auto r = post("/v1/routes/lookup", body);
        seen.insert(r.status);
        BOOST_TEST((r.status == 200u || r.status == 400u), body << " -> " << r.status);
        BOOST_TEST(r.json.is_object(), body << " -> " << r.raw.body());
        if (r.status == 400u) BOOST_TEST(r.error_code() == "bad_request", body);
        if (r.status == 200u) BOOST_TEST(r.json.at("routes").is_array(), body);
    }
    BOOST_TEST(seen.count(200u) == 1u);
    BOOST_TEST(seen.count(400u) == 1u);
}

BOOST_AUTO_TEST_CASE(batch_lookup_answers_from_one_table_while_snapshots_are_applied) {
    // Snapshot v puts every route in group v: a batch whose routes carry two groups, or a group that
    // is not its version, read two tables.
    auto routes_at = [](std::uint64_t v) {
        auto routes = many_routes(2000);
        for (auto& r : routes) r.group_id = v;
        return routes;
    };
    BOOST_TEST_REQUIRE(!ctx.engine->apply_snapshot(CatalogSnapshot{2, routes_at(2), 0}));
    std::atomic<bool> stop{false};
    std::atomic<std::uint64_t> applied{0};
    std::thread writer([&] {
        for (std::uint64_t v = 3; !stop.load(); ++v) {
            if (ctx.engine->apply_snapshot(CatalogSnapshot{v, routes_at(v), 0})) return;
            ++applied;
        }
    });
    std::vector<std::string> keys;
    for (std::size_t j = 0; j < 2000; ++j) keys.push_back(pkey(j) + "x");
    const std::string body = json::serialize(batch_of("keys_text", keys));
    std::set<std::uint64_t> versions;
    for (int i = 0; i < 200; ++i) {
        const auto r = post("/v1/routes/lookup", body);
        BOOST_TEST_REQUIRE(r.status == 200u);
        const std::uint64_t version = r.json.at("version").to_number<std::uint64_t>();
        versions.insert(version);
        const json::array& routes = r.json.at("routes").as_array();
        BOOST_TEST_REQUIRE(routes.size() == keys.size());
        for (std::size_t j = 0; j < routes.size(); ++j)
            BOOST_TEST_REQUIRE(routes[j].at("group_id") == version, "batch " << i << " key " << j);
    }
    stop = true;
    writer.join();
    BOOST_TEST(applied.load() > 0u);
    BOOST_TEST(versions.size() > 1u);  // the batches did run across applies
}

// ---- GET /v1/routes/intersect -----------------------------------------------------------------

BOOST_AUTO_TEST_CASE(intersect_in_table_order) {
    save_and_apply(known_routes());
    auto all = get("/v1/routes/intersect");
    BOOST_TEST(all.status == 200u);
    json::object expected;
    expected["version"] = 2u;
    expected["routes"] = json::array{known_json(1), known_json(2), known_json(3)};
    BOOST_TEST(all.json == json::value(expected), all.raw.body());

    auto mid = get("/v1/routes/intersect?start=" + pct(bytes("a\0", 2)) + "&end=m");
    BOOST_TEST(mid.json.at("routes") == (json::array{known_json(1), known_json(2)}));
    BOOST_TEST(get("/v1/routes/intersect?start_b64=YQBi&end_hex=6d").json.at("routes") == (json::array{known_json(2)}));
    BOOST_TEST(get("/v1/routes/intersect?start_hex=ff").json.at("routes") == (json::array{known_json(3)}));
    BOOST_TEST(get("/v1/routes/intersect?end_b64=YQBi").json.at("routes") == (json::array{known_json(1)}));
    BOOST_TEST(get("/v1/routes/intersect?start=" + pct("m\xff") + "&end=" + pct("m\xff") + "%00").json.at("routes") ==
               (json::array{known_json(3)}));
    BOOST_TEST(get("/v1/routes/intersect?end=").json.at("routes").as_array().empty());  // [ "", "" ) is empty
    check_bad_request(*this, "/v1/routes/intersect?start_b64=!!!", "start_b64");
    check_bad_request(*this, "/v1/routes/intersect?end_hex=0", "end_hex");
    check_bad_request(*this, "/v1/routes/intersect?end=a&end_hex=61", "end");
}

// ---- GET /v1/stats ----------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(stats_loads_totals_and_top) {
    save_and_apply(known_routes());
    for (int i = 0; i < 2; ++i) ctx.engine->record_access(std::string(1, '\x01'));
    for (int i = 0; i < 5; ++i) ctx.engine->record_access("b");
    for (int i = 0; i < 2; ++i) ctx.engine->record_access("z");

    auto reply = get("/v1/stats");
    BOOST_TEST(reply.status == 200u);
    json::object expected;
    expected["version"] = 2u;
    expected["generation"] = ctx.engine->generation();
    expected["routes"] = 3u;
    expected["total_load"] = 9u;
    expected["top"] = json::array{known_json(2, 5), known_json(1, 2), known_json(3, 2)};  // ties: table order
    expected["watcher"] = nullptr;
    expected["store"] = nullptr;  // the context does not say (routecatd does)
    BOOST_TEST(reply.json == json::value(expected), reply.raw.body());

    BOOST_TEST(get("/v1/stats?top=1").json.at("top") == (json::array{known_json(2, 5)}));
    BOOST_TEST(get("/v1/stats?top=0").json.at("top").as_array().empty());
    BOOST_TEST(get("/v1/stats?top=1000").json.at("top").as_array().size() == 3u);
    check_bad_request(*this, "/v1/stats?top=1001", "top");
    check_bad_request(*this, "/v1/stats?top=x", "top");

    // The default top is 10.
    save_and_apply(many_routes(50));
    BOOST_TEST(get("/v1/stats").json.at("top").as_array().size() == 10u);
    BOOST_TEST(get("/v1/stats").json.at("routes") == 50u);
}

BOOST_AUTO_TEST_CASE(stats_shows_the_watcher) {
    auto watcher = std::make_shared<CatalogWatcher>(ctx.catalog, ctx.engine, CatalogWatcherOptions::spec(1h));
    ctx.watcher = watcher;
    auto before = get("/v1/stats");
    BOOST_TEST(before.json.at("watcher") ==
               json::parse(R"({"running":false,"syncs":0,"failures":0,"consecutive_failures":0,)"
                           R"("last_applied_version":0,"last_read_ts":0,"last_sync":null,"last_error":null})"));

    // A newer catalog the engine has not seen; the running watcher applies it.
    (void)run(io, ctx.catalog.save(1, known_routes()));
    CatalogWatcherStatus status;
    auto raw = run(io, stats_while_watching(&ctx, watcher, &status));
    const json::value body = json::parse(raw.body());
    const json::value& w = body.at("watcher");
    BOOST_TEST(body.at("version") == 2u);
    BOOST_TEST(w.at("running") == true);
    BOOST_TEST(w.at("syncs") == 1u);
    BOOST_TEST(w.at("failures") == 0u);
    BOOST_TEST(w.at("consecutive_failures") == 0u);
    BOOST_TEST(w.at("last_applied_version") == 2u);
    BOOST_TEST(w.at("last_read_ts") == status.last_read_ts);
    BOOST_TEST(w.at("last_read_ts") != 0u);
    BOOST_TEST(w.at("last_error").is_null());
    BOOST_REQUIRE(status.last_sync.has_value());
    BOOST_REQUIRE(w.at("last_sync").is_string());
    const std::string ts(w.at("last_sync").as_string());
    BOOST_TEST(std::regex_match(ts, std::regex(R"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z)")), ts);
    // The same instant, to the millisecond (checked independently through time_t / gmtime_r).
    const auto ms = std::chrono::floor<std::chrono::milliseconds>(*status.last_sync).time_since_epoch().count();
    const std::time_t secs = static_cast<std::time_t>(ms / 1000);
    std::tm tm{};
    gmtime_r(&secs, &tm);
    char buf[64];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                  tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms % 1000));
    BOOST_TEST(ts == buf);

    // After it stopped: running false, the rest kept.
    auto after = get("/v1/stats");
    BOOST_TEST(after.json.at("watcher").at("running") == false);
    BOOST_TEST(after.json.at("watcher").at("last_sync") == json::value(ts));
}

// ---- bad input --------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(bad_parameters_are_400_bad_request_naming_the_parameter) {
    check_bad_request(*this, "/v1/routes?limit=abc", "limit");
    check_bad_request(*this, "/v1/routes?limit=0", "limit");
    check_bad_request(*this, "/v1/routes?limit=10001", "limit");
    check_bad_request(*this, "/v1/routes?limit=", "limit");
    check_bad_request(*this, "/v1/routes?limit=1&limit=2", "limit");
    check_bad_request(*this, "/v1/routes?limit=+5", "limit");
    check_bad_request(*this, "/v1/routes?group_id=-1", "group_id");
    check_bad_request(*this, "/v1/routes?group_id=18446744073709551616", "group_id");
    check_bad_request(*this, "/v1/routes?group_id=1.5", "group_id");
    check_bad_request(*this, "/v1/routes?state=bogus", "state");
    check_bad_request(*this, "/v1/routes?state=Active", "state");
    check_bad_request(*this, "/v1/routes?after=garbage", "after");
    check_bad_request(*this, "/v1/routes?after=1.0.YQ", "after");
    check_bad_request(*this, "/v1/routes?after=1.1.YR", "after");  // non-zero unused bits
    check_bad_request(*this, "/v1/routes?after=1.1.YQ==", "after");
    check_bad_request(*this, "/v1/routes?wait_version=0&timeout=5", "timeout");
    check_bad_request(*this, "/v1/routes?timeout=5", "timeout");
    check_bad_request(*this, "/v1/routes?wait_version=1&timeout=5m", "timeout");
    check_bad_request(*this, "/v1/routes?wait_version=1&timeout=ms", "timeout");
    check_bad_request(*this, "/v1/routes?wait_version=1&timeout=-1s", "timeout");
    check_bad_request(*this, "/v1/routes?wait_version=x", "wait_version");
    check_bad_request(*this, "/v1/routes/lookup?key_b64=!!!", "key_b64");
    check_bad_request(*this, "/v1/routes/lookup?key_b64=YQ", "key_b64");  // unpadded
    check_bad_request(*this, "/v1/routes/lookup?key_hex=zz", "key_hex");
    check_bad_request(*this, "/v1/routes/lookup?key_hex=abc", "key_hex");
    check_bad_request(*this, "/v1/routes/lookup?key=a&key_b64=YQ==", "key");
    check_bad_request(*this, "/v1/routes/lookup?key=&key_b64=", "key");
    check_bad_request(*this, "/v1/routes/lookup?key_hex=61&key_b64=YQ==", "key");
    check_bad_request(*this, "/v1/routes/lookup?key=a&key=b", "key");

    // A valid cursor for a key beyond every route: an empty last page.
    auto beyond = get("/v1/routes?after=1.1." + std::string("_w"));  // base64url of 0xff
    BOOST_TEST(beyond.status == 200u);
    BOOST_TEST(beyond.json.at("routes").as_array().empty());
    BOOST_TEST(beyond.json.at("next").is_null());
    BOOST_TEST(beyond.json.at("count") == 1u);
}

BOOST_AUTO_TEST_CASE(random_query_strings_never_crash) {
    save_and_apply(known_routes());
    ctx.options.max_long_poll = 1ms;  // a long poll among the random queries must not stall the test
    std::mt19937 rng(20240501);
    const std::vector<std::string> endpoints{"/v1/routes", "/v1/routes/lookup", "/v1/routes/intersect", "/v1/stats"};
    const std::vector<std::string> names{"limit",   "after",   "group_id", "state",     "wait_version", "timeout",
                                         "key",     "key_b64", "key_hex",  "start",     "start_b64",    "start_hex",
                                         "end",     "end_b64", "end_hex",  "top",       "x",            "",
                                         "limit%00", "key+",   "%6bey",   "state%3D"};
    const std::vector<std::string> values{"",      "0",         "1",       "10000",   "10001",  "18446744073709551615",
                                          "18446744073709551616", "-1",  "abc",     "YQ==",   "YQBi",
                                          "!!!",   "zz",        "6100",    "%00",     "%FF%FE", "+",
                                          "a+b",   "30s",       "0ms",     "5",       "1ms",    "active",
                                          "bogus", "1.1.YQ",    "1.1._w",  "garbage", "%",      "%zz",
                                          "a b",   "=",         "&",       "1.2.",    "9999999999999999999999s"};
    const std::string alphabet = "abc019_-.~!$'()*+,;=:@/?%&";
    std::set<unsigned> seen;
    for (int i = 0; i < 10'000; ++i) {
        std::string target = endpoints[rng() % endpoints.size()];
        const int n = static_cast<int>(rng() % 5);
        for (int p = 0; p < n; ++p) {
            target += p == 0 ? "?" : "&";
            target += names[rng() % names.size()];
            if (rng() % 8 == 0) continue;  // no '='
            target += "=";
            if (rng() % 4 == 0) {
                const int len = static_cast<int>(rng() % 8);
                for (int c = 0; c < len; ++c) target += alphabet[rng() % alphabet.size()];
            } else {
                target += values[rng() % values.size()];
            }
        }
        if (rng() % 10 == 0) target += "#frag";
        std::map<std::string, std::string> headers;
        if (rng() % 5 == 0) headers["If-None-Match"] = rng() % 2 ? "\"2." + std::to_string(ctx.engine->generation()) + "\"" : "*";
        ApiReply reply;
        try {
            reply = get(target, headers);
        } catch (const std::exception& e) {
            BOOST_FAIL(target << " threw " << e.what());
        }
        seen.insert(reply.status);
        const bool allowed = reply.status == 200 || reply.status == 304 || reply.status == 400 || reply.status == 404;
        BOOST_TEST(allowed, target << " answered " << reply.status << " " << reply.raw.body());
        if (reply.status == 304) {
            BOOST_TEST(reply.raw.body().empty());
        } else {
            BOOST_TEST(reply.json.is_object(), target << " answered " << reply.raw.body());
        }
        if (reply.status == 400) BOOST_TEST(reply.error_code() == "bad_request", target);
        if (reply.status == 404) BOOST_TEST(reply.error_code() == "not_found", target);
    }
    BOOST_TEST(seen.count(200u) == 1u);
    BOOST_TEST(seen.count(400u) == 1u);
}

BOOST_AUTO_TEST_SUITE_END()
