// The router itself: endpoint table, 404/405/OPTIONS, the bearer token on mutations, CORS, health.

#include "unit/admin/api_fixture.hpp"

#include "routecat/catalog/catalog_watcher.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/test/unit_test.hpp>

#include <boost/beast/http/write.hpp>

#include <sstream>
#include <thread>

using namespace routecat;
using namespace routecat::test;
namespace http = boost::beast::http;

BOOST_FIXTURE_TEST_SUITE(admin_router, ApiFixture)

BOOST_AUTO_TEST_CASE(healthz_answers_ok_as_json) {
    auto r = get("/healthz");
    BOOST_TEST(r.status == 200u);
    BOOST_TEST(r.raw.body() == R"({"status":"ok"})");
    BOOST_TEST(std::string(r.raw[http::field::content_type]) == "application/json; charset=utf-8");
}

BOOST_AUTO_TEST_CASE(readyz_without_a_watcher_checks_the_store) {
    auto r = get("/readyz");
    BOOST_TEST(r.status == 200u);
    BOOST_TEST(r.raw.body() == R"({"status":"ready","version":1})");
}

BOOST_AUTO_TEST_CASE(readyz_is_503_until_the_watcher_has_synced) {
    auto watcher = std::make_shared<CatalogWatcher>(ctx.catalog, ctx.engine, CatalogWatcherOptions::spec());
    ctx.watcher = watcher;
    auto before = get("/readyz");
    BOOST_TEST(before.status == 503u);
    BOOST_TEST(before.error_code() == "not_synced");  // one 503 code per cause (was store_unavailable)
    BOOST_TEST(before.json.at("error").at("message").as_string() == "engine not synced yet");
    run(io, watcher->sync_once());
    // sync_once alone does not count as a watcher sync: readiness follows the run loop's status.
    BOOST_TEST(get("/readyz").status == 503u);
}

BOOST_AUTO_TEST_CASE(readyz_is_503_once_the_watcher_has_stopped) {
    auto options = CatalogWatcherOptions::spec();
    options.interval = std::chrono::milliseconds(5);
    auto watcher = std::make_shared<CatalogWatcher>(ctx.catalog, ctx.engine, options);
    ctx.watcher = watcher;
    // On one io_context: the loop, and a coroutine that checks /readyz once it has synced, then stops it.
    auto loop = boost::asio::co_spawn(io, watcher->run(), boost::asio::use_future);
    auto check = [](ApiFixture& f, CatalogWatcher& w) -> boost::asio::awaitable<unsigned> {
        boost::asio::steady_timer tick(co_await boost::asio::this_coro::executor);
        for (int i = 0; i < 2000 && !w.status().last_sync; ++i) {
            tick.expires_after(std::chrono::milliseconds(5));
            co_await tick.async_wait(boost::asio::use_awaitable);
        }
        admin::Request req{http::verb::get, "/readyz", 11};
        admin::Reply reply = co_await admin::handle_admin_request(f.ctx, std::move(req));
        w.stop();
        co_return reply.response.result_int();
    };
    BOOST_TEST(run(io, check(*this, *watcher)) == 200u);
    loop.get();
    // Synced once, then stopped: the engine no longer follows the catalog.
    auto after = get("/readyz");
    BOOST_TEST(after.status == 503u);
    BOOST_TEST(after.error_code() == "store_unavailable");
    BOOST_TEST(after.json.at("error").at("message").as_string() == "catalog watcher is not running");
}

BOOST_AUTO_TEST_CASE(unknown_paths_are_404_and_wrong_methods_405_with_allow) {
    auto missing = get("/v2/routes");
    BOOST_TEST(missing.status == 404u);
    BOOST_TEST(missing.error_code() == "not_found");
    BOOST_TEST(missing.json.at("error").at("message").as_string() == "no such endpoint: /v2/routes");

    auto wrong = call(http::verb::delete_, "/v1/catalog");
    BOOST_TEST(wrong.status == 405u);
    BOOST_TEST(wrong.error_code() == "method_not_allowed");
    BOOST_TEST(std::string(wrong.raw[http::field::allow]) == "GET, PUT, PATCH");
    BOOST_TEST(std::string(call(http::verb::post, "/healthz").raw[http::field::allow]) == "GET");
}

BOOST_AUTO_TEST_CASE(a_malformed_target_is_400) {
    auto r = get("no-leading-slash");
    BOOST_TEST(r.status == 400u);
    BOOST_TEST(r.error_code() == "bad_request");
}

BOOST_AUTO_TEST_CASE(options_preflight_lists_the_methods) {
    auto r = call(http::verb::options, "/v1/catalog");
    BOOST_TEST(r.status == 204u);
    BOOST_TEST(std::string(r.raw[http::field::access_control_allow_methods]) == "GET, PUT, PATCH");
    BOOST_TEST(r.raw.body().empty());
}

BOOST_AUTO_TEST_CASE(mutations_need_the_bearer_token_and_reads_do_not) {
    ctx.options.token = "s3cret";
    const std::string body = R"({"expected_version":1,"routes":[]})";
    for (const auto& auth : std::vector<std::string>{"", "Bearer wrong", "Bearer s3cre", "Bearer s3cret2", "Basic s3cret",
                                                     "Bearer", "s3cret"}) {
        std::map<std::string, std::string> headers;
        if (!auth.empty()) headers["Authorization"] = auth;
        auto r = put("/v1/catalog", body, headers);
        BOOST_TEST_INFO("Authorization: " << auth);
        BOOST_TEST(r.status == 401u);
        BOOST_TEST(r.error_code() == "unauthorized");
        BOOST_TEST(std::string(r.raw[http::field::www_authenticate]) == "Bearer realm=\"routecat\"");
        BOOST_TEST(r.raw.body().find("s3cret") == std::string::npos);
    }
    BOOST_TEST(post("/v1/routes/access", R"({"keys":[]})").status == 401u);
    BOOST_TEST(post("/v1/engine/snapshot", "{}").status == 401u);
    BOOST_TEST(post("/v1/catalog/split", "{}").status == 401u);
    BOOST_TEST(run(io, ctx.catalog.version()) == 1u);  // nothing was saved

    BOOST_TEST(put("/v1/catalog", body, {{"Authorization", "Bearer s3cret"}}).status != 401u);
    BOOST_TEST(put("/v1/catalog", body, {{"Authorization", "bearer s3cret"}}).status != 401u);
    BOOST_TEST(get("/v1/catalog").status == 200u);
    BOOST_TEST(get("/healthz").status == 200u);
    // Decided per endpoint, not per method: a batch lookup is a POST and a read.
    auto batch = post("/v1/routes/lookup", R"({"keys_text":["a"]})");
    BOOST_TEST(batch.status == 200u);
    BOOST_TEST(batch.json.at("routes").as_array().size() == 1u);
}

BOOST_AUTO_TEST_CASE(cors_headers_only_for_configured_origins) {
    ctx.options.cors_origins = {"https://dash.example"};
    auto allowed = get("/healthz", {{"Origin", "https://dash.example"}});
    BOOST_TEST(std::string(allowed.raw[http::field::access_control_allow_origin]) == "https://dash.example");
    BOOST_TEST(std::string(allowed.raw[http::field::vary]) == "Origin");
    auto other = get("/healthz", {{"Origin", "https://evil.example"}});
    BOOST_TEST(other.raw.count(http::field::access_control_allow_origin) == 0u);
    auto none = get("/healthz");
    BOOST_TEST(none.raw.count(http::field::access_control_allow_origin) == 0u);
    ctx.options.cors_origins = {"*"};
    BOOST_TEST(std::string(get("/healthz", {{"Origin", "https://any.example"}}).raw[http::field::access_control_allow_origin]) == "*");
    // Errors carry the headers too, so browsers can read them.
    BOOST_TEST(std::string(get("/nope", {{"Origin", "https://any.example"}}).raw[http::field::access_control_allow_origin]) == "*");
}

BOOST_AUTO_TEST_CASE(metrics_count_requests_and_show_the_engine) {
    BOOST_TEST(get("/metrics").status == 404u);  // not enabled
    ctx.metrics = std::make_shared<admin::Metrics>();
    get("/healthz");
    get("/healthz");
    get("/nope?x=1");
    call(http::verb::delete_, "/v1/catalog");
    {
        admin::Request custom{http::verb::unknown, "/healthz", 11};
        custom.method_string("FROBNICATE");
        run(io, admin::handle_admin_request(ctx, std::move(custom)));
    }
    auto r = get("/metrics");
    BOOST_TEST(r.status == 200u);
    BOOST_TEST(std::string(r.raw[http::field::content_type]) == "text/plain; version=0.0.4; charset=utf-8");
    const std::string& text = r.raw.body();
    BOOST_TEST(text.find(R"(routecat_http_requests_total{endpoint="/healthz",method="GET",status="200"} 2)") != std::string::npos, text);
    BOOST_TEST(text.find(R"(routecat_http_requests_total{endpoint="other",method="GET",status="404"} 1)") != std::string::npos);
    BOOST_TEST(text.find(R"(routecat_http_requests_total{endpoint="/v1/catalog",method="DELETE",status="405"} 1)") != std::string::npos);
    BOOST_TEST(text.find(R"(routecat_http_requests_total{endpoint="/healthz",method="other",status="405"} 1)") != std::string::npos);
    BOOST_TEST(text.find("FROBNICATE") == std::string::npos);
    BOOST_TEST(text.find(R"(routecat_engine{what="version"} 1)") != std::string::npos);
    BOOST_TEST(text.find(R"(routecat_engine{what="routes"} 1)") != std::string::npos);
    BOOST_TEST(text.find("routecat_http_request_duration_seconds_bucket{endpoint=\"/healthz\"") != std::string::npos);
}

// handle_admin_request_now answers exactly what the coroutine answers (status, every header, body)
// for requests that need no waiting, refusals included, and leaves the rest to the coroutine.
BOOST_AUTO_TEST_CASE(requests_that_need_no_waiting_are_answered_at_once_and_identically) {
    save_and_apply({{1, "", "m", 1}, {2, "m", std::nullopt, 2}});
    ctx.options.token = "secret";
    ctx.options.cors_origins = {"https://dash.example"};
    auto request = [](http::verb method, std::string target, std::string body = {},
                      std::map<std::string, std::string> headers = {}) {
        admin::Request req{method, target, 11};
        req.set(http::field::host, "localhost");
        if (!body.empty()) req.set(http::field::content_type, "application/json");
        for (const auto& [k, v] : headers) req.set(k, v);
        req.body() = std::move(body);
        req.prepare_payload();
        return req;
    };
    const std::vector<admin::Request> quick{
        request(http::verb::get, "/v1/routes/lookup?key=a"),
        request(http::verb::get, "/v1/routes/lookup?key_hex=ff", {}, {{"Origin", "https://dash.example"}}),
        request(http::verb::get, "/v1/routes/lookup?key_hex=zz"),  // 400
        request(http::verb::post, "/v1/routes/lookup", R"({"keys_text":["a","z",""]})"),
        request(http::verb::post, "/v1/routes/lookup", R"({"keys_text":7})"),  // 400
        request(http::verb::get, "/v1/routes/intersect?start=a&end=n"),
        request(http::verb::get, "/v1/stats?top=1"),
        request(http::verb::get, "/healthz"),
        request(http::verb::get, "/metrics"),  // 404: not enabled
        request(http::verb::get, "/nope"),
        request(http::verb::delete_, "/v1/catalog"),
        request(http::verb::options, "/v1/catalog"),
        request(http::verb::put, "/v1/catalog", "{}"),  // 401: no token
        request(http::verb::post, "/v1/catalog/split", "{}", {{"Authorization", "Bearer secret"}, {"Content-Type", "text/plain"}}),  // 415
        request(http::verb::get, "/v1/routes", {}, {{"Host", "evil.example"}}),  // 421
    };
    for (const auto& req : quick) {
        const std::optional<admin::Reply> now = admin::handle_admin_request_now(ctx, req);
        BOOST_TEST_REQUIRE(now.has_value(), req.method_string() << " " << req.target());
        const admin::Reply awaited = run(io, admin::handle_admin_request(ctx, req));
        std::ostringstream a, b;
        a << now->response;
        b << awaited.response;
        BOOST_TEST(a.str() == b.str(), req.method_string() << " " << req.target());
    }
    for (const auto& req : {request(http::verb::get, "/v1/routes"), request(http::verb::get, "/v1/catalog"),
                            request(http::verb::get, "/readyz"), request(http::verb::get, "/v1/catalog/changes?after=0"),
                            request(http::verb::post, "/v1/routes/access", R"({"keys_text":["a"]})",
                                    {{"Authorization", "Bearer secret"}})})
        BOOST_TEST(!admin::handle_admin_request_now(ctx, req).has_value(), req.method_string() << " " << req.target());
}

// Threads count into per-thread caches of the counters: from four threads at once, into two
// instances, every request is counted exactly once in its own instance, and an instance made after
// another is gone (perhaps at its address) starts from zero.
BOOST_AUTO_TEST_CASE(metrics_count_exactly_from_many_threads_and_instances) {
    auto count_of = [&](admin::Metrics& m, const std::string& series) {
        const std::string text = m.render(ctx);
        const auto at = text.find(series + " ");
        return at == std::string::npos ? std::string("absent") : text.substr(at + series.size() + 1, text.find('\n', at) - at - series.size() - 1);
    };
    const std::string healthz = R"(routecat_http_requests_total{endpoint="/healthz",method="GET",status="200"})";
    const std::string lookup_404 = R"(routecat_http_requests_total{endpoint="/v1/routes/lookup",method="GET",status="404"})";
    auto first = std::make_unique<admin::Metrics>();
    admin::Metrics second;
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
        threads.emplace_back([&, t] {
            for (int i = 0; i < 10'000; ++i) {
                first->observe_request("/healthz", "GET", 200, std::chrono::microseconds(5));
                if (i % 2 == t % 2) second.observe_request("/healthz", "GET", 200, std::chrono::microseconds(5));
                first->observe_request("/v1/routes/lookup", "GET", 404, std::chrono::microseconds(5));
                for (unsigned s = 500; s < 512; ++s)  // more keys than a thread's cache holds
                    if (i % 1000 == 0) first->observe_request("/v1/stats", "GET", s, std::chrono::microseconds(5));
            }
        });
    for (auto& t : threads) t.join();
    BOOST_TEST(count_of(*first, healthz) == "40000");
    BOOST_TEST(count_of(*first, lookup_404) == "40000");
    BOOST_TEST(count_of(*first, R"(routecat_http_requests_total{endpoint="/v1/stats",method="GET",status="507"})") == "40");
    BOOST_TEST(count_of(second, healthz) == "20000");
    first.reset();
    auto third = std::make_unique<admin::Metrics>();
    third->observe_request("/healthz", "GET", 200, std::chrono::microseconds(5));
    BOOST_TEST(count_of(*third, healthz) == "1");
}

BOOST_AUTO_TEST_CASE(metrics_count_catalog_writes_by_outcome) {
    ctx.metrics = std::make_shared<admin::Metrics>();
    BOOST_TEST(put("/v1/catalog", R"({"expected_version":1,"routes":[{"route_id":1,"group_id":1}]})").status == 200u);
    BOOST_TEST(put("/v1/catalog", R"({"expected_version":1,"routes":[]})").status == 409u);
    BOOST_TEST(post("/v1/catalog/split", R"({"expected_version":2,"route_id":1,"split_key_text":"g"})").status == 200u);
    BOOST_TEST(post("/v1/catalog/split", R"({"expected_version":2,"route_id":1,"split_key_text":"g"})").status == 409u);
    BOOST_TEST(post("/v1/catalog/split", R"({"expected_version":3,"route_id":9,"split_key_text":"g"})").status == 404u);
    BOOST_TEST(put("/v1/catalog", R"({"expected_version":3,"routes":[{"route_id":0,"group_id":1}]})").status == 422u);
    const std::string text = get("/metrics").raw.body();
    // Writes that never reached a commit attempt (404, 422) are not writes.
    BOOST_TEST(text.find(R"(routecat_catalog_saves_total{outcome="saved"} 2)") != std::string::npos, text);
    BOOST_TEST(text.find(R"(routecat_catalog_saves_total{outcome="conflict"} 2)") != std::string::npos, text);
}

BOOST_AUTO_TEST_SUITE_END()

// ---- the catalog's start-up load -----------------------------------------------------------------

BOOST_FIXTURE_TEST_SUITE(admin_router_startup, ApiFixture)

BOOST_AUTO_TEST_CASE(while_the_catalog_loads_routes_are_503_not_synced_never_the_placeholder) {
    auto fresh_store = std::make_shared<MemoryStore>();
    ctx.catalog = CatalogStore(fresh_store);
    ctx.engine = Engine::with_default_route();  // the placeholder: one route in group 1
    ctx.loader = std::make_shared<CatalogLoader>(ctx.catalog, ctx.engine);  // not run yet: loading
    auto ready = get("/readyz");
    BOOST_TEST(ready.status == 503u);
    BOOST_TEST(ready.error_code() == "not_synced");
    for (const char* target : {"/v1/routes", "/v1/routes/lookup?key=a", "/v1/routes/intersect?start=a"}) {
        auto reply = get(target);
        BOOST_TEST(reply.status == 503u, target);
        BOOST_TEST(reply.error_code() == "not_synced", target);
    }
    BOOST_TEST(post("/v1/routes/access", R"({"keys_text":["a"]})").error_code() == "not_synced");
    BOOST_TEST(get("/healthz").status == 200u);
    BOOST_TEST(get("/v1/catalog").status == 200u);
}

BOOST_AUTO_TEST_CASE(an_invalid_stored_catalog_is_served_said_and_repaired_by_a_put) {
    auto fresh_store = std::make_shared<MemoryStore>();
    ctx.catalog = CatalogStore(fresh_store);
    ctx.engine = Engine::with_default_route();
    run(io, ctx.catalog.save(0, {rd(1, "", "m", 1), rd(2, "a", "z", 1)}));  // written by an older build
    auto loader = std::make_shared<CatalogLoader>(ctx.catalog, ctx.engine);
    BOOST_TEST_REQUIRE((run(io, loader->run()) == CatalogLoader::State::invalid));
    ctx.loader = loader;
    auto ready = get("/readyz");
    BOOST_TEST(ready.status == 503u);
    BOOST_TEST(ready.error_code() == "catalog_invalid");
    BOOST_TEST(ready.json.at("error").at("message").as_string() ==
               "the stored catalog cannot be loaded: engine snapshot has overlapping routes (PUT /v1/catalog with a valid "
               "table repairs it)");
    BOOST_TEST(get("/v1/routes").error_code() == "not_synced");
    auto stored = get("/v1/catalog");
    BOOST_TEST(stored.status == 200u);
    BOOST_TEST(stored.json.at("routes").as_array().size() == 2u);
    BOOST_TEST(put("/v1/catalog", R"({"expected_version":1,"routes":[{"route_id":3,"group_id":5}]})").status == 200u);
    BOOST_TEST(get("/readyz").status == 200u);
    auto lookup = get("/v1/routes/lookup?key=a");
    BOOST_TEST(lookup.status == 200u);
    BOOST_TEST(lookup.json.at("route").at("group_id") == 5u);
}

BOOST_AUTO_TEST_SUITE_END()
