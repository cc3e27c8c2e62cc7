// The attacks of the trust issue, sent to a running routecatd as a client (or a web page) would send
// them: each is refused with its status and code, the catalog and the engine are unchanged, and the
// daemon keeps serving. The rules themselves: unit/admin/security_rules_test.cpp.

#include "support/daemon_fixture.hpp"
#include "support/printers.hpp"

#include <boost/asio/write.hpp>
#include <boost/test/unit_test.hpp>

#include <cstdio>
#include <map>
#include <random>

using namespace routecat;
using namespace routecat::test;
using boost::beast::http::verb;

namespace {

struct SecurityFixture : DaemonFixture {
    Daemon d = start_default();  // the default config: loopback, no token

    HttpReply send(verb method, const std::string& target, const std::string& body,
                   const std::map<std::string, std::string>& headers, const std::string& type = "application/json") {
        HttpConnection conn("127.0.0.1", d.port);
        return conn.request(method, target, body, type, headers);
    }
    // What a refused request must leave as it was: the catalog, the engine's table, a lookup.
    std::string state() {
        return http_get("127.0.0.1", d.port, "/v1/catalog").body + http_get("127.0.0.1", d.port, "/v1/routes").body +
               http_get("127.0.0.1", d.port, "/v1/routes/lookup?key=user").body;
    }
    void check_refused(const HttpReply& reply, unsigned status, const std::string& code) {
        BOOST_TEST(reply.status == status);
        BOOST_TEST(std::string(reply.raw[boost::beast::http::field::content_type]) == "application/json; charset=utf-8");
        BOOST_TEST(json_of(reply).at("error").at("code").as_string() == code);
    }
    void check_serving() {
        BOOST_TEST(http_get("127.0.0.1", d.port, "/readyz").status == 200u);
        BOOST_TEST(http_get("127.0.0.1", d.port, "/v1/routes/lookup?key=user").status == 200u);
    }
};

const std::string kEmptyingSnapshot = R"({"version":18446744073709551615,"routes":[]})";

}  // namespace

BOOST_FIXTURE_TEST_SUITE(admin_security, SecurityFixture)

BOOST_AUTO_TEST_CASE(a_cross_site_simple_post_never_reaches_a_handler) {
    const std::string before = state();
    // What a page's <form> or fetch(..., {mode: "no-cors"}) can send without a preflight.
    for (const char* type : {"text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=b"}) {
        check_refused(send(verb::post, "/v1/engine/snapshot", kEmptyingSnapshot, {{"Origin", "http://attacker.example"}}, type),
                      403, "forbidden_origin");
        check_refused(send(verb::post, "/v1/engine/snapshot", kEmptyingSnapshot, {}, type), 415, "unsupported_media_type");
        check_refused(send(verb::put, "/v1/catalog", R"({"expected_version":1,"routes":[]})", {}, type), 415,
                      "unsupported_media_type");
    }
    BOOST_TEST(state() == before);
    check_serving();
}

BOOST_AUTO_TEST_CASE(a_foreign_origin_is_refused_even_with_json) {
    const std::string before = state();
    const std::map<std::string, std::string> page{{"Origin", "http://attacker.example"}};
    check_refused(send(verb::post, "/v1/engine/snapshot", kEmptyingSnapshot, page), 403, "forbidden_origin");
    check_refused(send(verb::get, "/v1/catalog", "", page), 403, "forbidden_origin");
    check_refused(send(verb::options, "/v1/catalog", "", page), 403, "forbidden_origin");
    BOOST_TEST(state() == before);
    check_serving();
}

BOOST_AUTO_TEST_CASE(dns_rebinding_is_421) {
    const std::string before = state();
    const std::map<std::string, std::string> rebound{{"Host", "attacker.example:" + std::to_string(d.port)}};
    check_refused(send(verb::get, "/v1/catalog", "", rebound), 421, "misdirected_request");
    check_refused(send(verb::get, "/v1/routes", "", rebound), 421, "misdirected_request");
    check_refused(send(verb::put, "/v1/catalog", R"({"expected_version":1,"routes":[]})", rebound), 421, "misdirected_request");
    check_refused(send(verb::post, "/v1/engine/snapshot", kEmptyingSnapshot, rebound), 421, "misdirected_request");
    BOOST_TEST(send(verb::get, "/healthz", "", rebound).status == 200u);  // health checks answer any Host
    BOOST_TEST(state() == before);
    check_serving();
}

BOOST_AUTO_TEST_CASE(an_http_1_1_request_without_host_is_400) {
    HttpConnection conn("127.0.0.1", d.port);
    boost::asio::write(conn.stream(), boost::asio::buffer(std::string("GET /v1/catalog HTTP/1.1\r\n\r\n")));
    boost::beast::flat_buffer buffer;
    boost::beast::http::response<boost::beast::http::string_body> res;
    boost::beast::http::read(conn.stream(), buffer, res);
    BOOST_TEST(res.result_int() == 400u);
    BOOST_TEST(res.body() == R"({"error":{"code":"bad_request","message":"an HTTP/1.1 request needs a Host header"}})");
    check_serving();
}

BOOST_AUTO_TEST_CASE(an_engine_snapshot_ahead_of_the_catalog_is_409_and_the_engine_keeps_following) {
    const std::string before = state();
    check_refused(send(verb::post, "/v1/engine/snapshot", kEmptyingSnapshot, {}), 409, "engine_snapshot_ahead_of_catalog");
    check_refused(send(verb::post, "/v1/engine/snapshot", R"({"version":1,"routes":[]})", {}), 409, "engine_snapshot_mismatch");
    BOOST_TEST(state() == before);
    // A later Save still reaches the engine: it was never pushed past the catalog.
    BOOST_TEST(send(verb::put, "/v1/catalog", R"({"expected_version":1,"routes":[{"route_id":1,"group_id":9}]})", {}).status == 200u);
    BOOST_TEST(json_of(http_get("127.0.0.1", d.port, "/v1/routes/lookup?key=user")).at("route").at("group_id") == 9);
    check_serving();
}

BOOST_AUTO_TEST_CASE(an_overlapping_put_is_422_and_a_restart_still_loads_the_catalog) {
    const std::string before = state();
    check_refused(send(verb::put, "/v1/catalog", R"({"expected_version":1,"routes":[
        {"route_id":1,"start_text":"","end_text":"m","group_id":1},{"route_id":2,"start_text":"a","end_text":"z","group_id":1}]})", {}),
                  422, "engine_snapshot_route_overlap");
    BOOST_TEST(state() == before);
    check_serving();
    d.process->signal(SIGTERM);
    BOOST_TEST(d.process->wait_exit(10s) == std::optional<int>(0));
    d = start_default();
    check_serving();
}

BOOST_AUTO_TEST_CASE(a_non_loopback_listen_address_needs_a_token_and_allowed_hosts) {
    auto [no_hosts, no_hosts_out] = run_to_exit(
        {"--config", config_file(R"({"admin":{"token":"t"}})"), "--listen", "0.0.0.0:0", "--check-config"});
    BOOST_TEST(no_hosts == 2);
    BOOST_TEST(no_hosts_out.find("admin.allowed_hosts: refusing to listen on 0.0.0.0") != std::string::npos, no_hosts_out);
    auto [ok, ok_out] = run_to_exit({"--config", config_file(R"({"admin":{"token":"t","allowed_hosts":["routecat.internal"]}})"),
                                     "--listen", "0.0.0.0:0", "--check-config"});
    BOOST_TEST(ok == 0, ok_out);
    auto [bad, bad_out] = run_to_exit({"--config", config_file(R"({"admin":{"allowed_hosts":["a b"]}})"), "--check-config"});
    BOOST_TEST(bad == 2);
    BOOST_TEST(bad_out.find("admin.allowed_hosts[0]: expected a host name") != std::string::npos, bad_out);
}

BOOST_AUTO_TEST_SUITE_END()

// Bounded resources: accesses at threshold 1 cannot grow the table (or its keys) without bound.
BOOST_FIXTURE_TEST_SUITE(admin_security_resources, DaemonFixture)

BOOST_AUTO_TEST_CASE(ten_thousand_hot_keys_in_one_request_finish_within_1_s_and_stay_under_the_caps) {
    // 100 bounded routes ["k000", "k001"), ..., then one unbounded: every access splits the route it hits.
    std::string routes = R"({"end_text":"k000","group_id":1})";
    for (int i = 0; i < 100; ++i) {
        char start[8], end[8];
        std::snprintf(start, sizeof start, "k%03d", i);
        std::snprintf(end, sizeof end, "k%03d", i + 1);
        routes += std::string(R"(,{"start_text":")") + start + R"(","end_text":")" + end + R"(","group_id":1})";
    }
    routes += R"(,{"start_text":"k100","group_id":1})";
    const auto config = config_file(R"({"engine":{"hotspot_threshold":1,"bootstrap_routes":[)" + routes + "]}}");
    Daemon d = start({"--config", config, "--listen", "127.0.0.1:0", "--data-dir", data});
    std::mt19937 rng(3);
    std::uniform_int_distribution<int> route(0, 99), tail(0, 25);
    std::string body = R"({"keys_text":[)";
    for (int i = 0; i < 10'000; ++i) {
        char key[16];
        std::snprintf(key, sizeof key, "k%03d%c%c", route(rng), 'a' + tail(rng), 'a' + tail(rng));
        body += std::string(i ? "," : "") + "\"" + key + "\"";
    }
    body += "]}";
    HttpConnection conn("127.0.0.1", d.port);
    const auto started = std::chrono::steady_clock::now();
    auto reply = conn.request(boost::beast::http::verb::post, "/v1/routes/access", body);
    const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
    BOOST_TEST(reply.status == 200u, reply.body);
    BOOST_TEST(json_of(reply).at("recorded") == 10000);
#if defined(__SANITIZE_ADDRESS__)
    // ~7.5 s here: ASan checks every element each split copies (the release build's bound is the
    // issue's); this one only catches a hang or a blow-up.
    BOOST_TEST(took.count() < 20000, took.count() << " ms under ASan");
#else
    BOOST_TEST(took.count() < 1000, took.count() << " ms");
#endif
    const auto stats = json_of(http_get("127.0.0.1", d.port, "/v1/stats"));
    const auto table_routes = stats.at("routes").to_number<std::uint64_t>();
    BOOST_TEST(table_routes <= 102u + 10'000u);
    const std::string metrics = http_get("127.0.0.1", d.port, "/metrics").body;
    BOOST_TEST(metrics.find(R"(routecat_engine{what="access_split_routes"} 10000)") != std::string::npos, metrics.substr(0, 2000));
    BOOST_TEST(metrics.find(R"(routecat_engine{what="skipped_splits"} 0)") == std::string::npos);
    BOOST_TEST_MESSAGE("10,000 hot keys in " << took.count() << " ms; " << table_routes << " routes");
    d.process->signal(SIGTERM);
    BOOST_TEST(d.process->wait_exit(10s) == std::optional<int>(0));
    BOOST_TEST(d.process->log().find("hotspot split skipped: access splits have created 10000 routes, the cap is 10000") !=
               std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
