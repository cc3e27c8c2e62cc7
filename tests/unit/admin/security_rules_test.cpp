// Requests from browsers that were not invited are refused: Host (DNS rebinding), Origin (cross-site
// pages) and the JSON body type of mutations (cross-site "simple" requests), through the router
// without sockets. The same attacks against a running daemon: integration/daemon/security_test.cpp.

#include "unit/admin/api_fixture.hpp"

#include "admin/browser_guard.hpp"

#include <boost/test/unit_test.hpp>

#include <optional>
#include <string>

using namespace routecat;
using namespace routecat::test;
namespace http = boost::beast::http;

namespace {

struct SecurityFixture : ApiFixture {
    // The stored catalog and the engine's table, to prove a refused request changed neither.
    std::string state() {
        return std::to_string(run(io, ctx.catalog.version())) + "/" + std::to_string(ctx.engine->version()) + "/" +
               std::to_string(ctx.engine->generation());
    }
    ApiReply snapshot_attack(const std::map<std::string, std::string>& headers) {
        return post("/v1/engine/snapshot", R"({"version":18446744073709551615,"routes":[]})", headers);
    }
};

std::optional<std::string> host(std::string_view h) { return admin::guard::host_of(h); }

}  // namespace

BOOST_FIXTURE_TEST_SUITE(admin_security_rules, SecurityFixture)

BOOST_AUTO_TEST_CASE(the_host_part_of_a_host_header) {
    BOOST_TEST(host("localhost") == std::optional<std::string>("localhost"));
    BOOST_TEST(host("LocalHost:8080") == std::optional<std::string>("localhost"));
    BOOST_TEST(host("localhost.") == std::optional<std::string>("localhost"));
    BOOST_TEST(host("localhost.:80") == std::optional<std::string>("localhost"));
    BOOST_TEST(host(" 127.0.0.1:8080 ") == std::optional<std::string>("127.0.0.1"));
    BOOST_TEST(host("[::1]") == std::optional<std::string>("::1"));
    BOOST_TEST(host("[::1]:8080") == std::optional<std::string>("::1"));
    BOOST_TEST(host("[FE80::1]:1") == std::optional<std::string>("fe80::1"));
    BOOST_TEST(host("::1") == std::optional<std::string>("::1"));  // unbracketed IPv6, no port
    for (std::string_view bad : {"", ":8080", "[::1", "[::1]x", "[::1]:", "[::1]:port", "host:", "host:80a", "host:123456", "."})
        BOOST_TEST(!host(bad).has_value(), "\"" << bad << "\"");
}

BOOST_AUTO_TEST_CASE(allowed_hosts) {
    admin::AdminOptions o;
    o.listen_address = "10.0.0.7";
    o.allowed_hosts = {"Routecat.Internal.", "192.168.1.9"};
    for (std::string_view ok : {"localhost", "127.0.0.1", "127.8.9.10", "::1", "10.0.0.7", "routecat.internal", "192.168.1.9"})
        BOOST_TEST(admin::guard::host_allowed(o, ok), ok);
    for (std::string_view no : {"evil.example", "10.0.0.8", "0.0.0.0", "localhost.evil.example", "routecat", "::2", "127.0.0.1.nip.io"})
        BOOST_TEST(!admin::guard::host_allowed(o, no), no);
    o.listen_address = "::";  // an address listened on is allowed literally, IPv6 spelled any way
    BOOST_TEST(admin::guard::host_allowed(o, "0::0"));
}

BOOST_AUTO_TEST_CASE(a_rebinding_host_is_421_on_every_endpoint_but_the_health_checks) {
    const std::map<std::string, std::string> evil{{"Host", "attacker.example:8080"}};
    const std::string before = state();
    for (const auto& target : {"/v1/routes", "/v1/catalog", "/v1/stats", "/v1/routes/lookup?key=a", "/metrics", "/nope"}) {
        auto reply = get(target, evil);
        BOOST_TEST(reply.status == 421u, target);
        BOOST_TEST(reply.error_code() == "misdirected_request", target);
    }
    auto put_reply = put("/v1/catalog", R"({"expected_version":1,"routes":[]})", evil);
    BOOST_TEST(put_reply.status == 421u);
    BOOST_TEST(std::string(put_reply.json.at("error").at("message").as_string()) ==
               "this server does not answer for host \"attacker.example:8080\" (add it to admin.allowed_hosts)");
    BOOST_TEST(snapshot_attack(evil).status == 421u);
    BOOST_TEST(state() == before);
    BOOST_TEST(get("/healthz", evil).status == 200u);
    BOOST_TEST(get("/readyz", evil).status == 200u);
    // Allowed once configured, in any case and with a trailing dot.
    ctx.options.allowed_hosts = {"attacker.example"};
    BOOST_TEST(get("/v1/routes", {{"Host", "ATTACKER.example.:8080"}}).status == 200u);
}

BOOST_AUTO_TEST_CASE(an_http_1_1_request_without_host_is_400) {
    admin::Request req{http::verb::get, "/v1/routes", 11};
    auto reply = run(io, admin::handle_admin_request(ctx, std::move(req))).response;
    BOOST_TEST(reply.result_int() == 400u);
    BOOST_TEST(reply.body() == R"({"error":{"code":"bad_request","message":"an HTTP/1.1 request needs a Host header"}})");
    admin::Request old{http::verb::get, "/v1/routes", 10};  // HTTP/1.0 has no Host to check
    BOOST_TEST(run(io, admin::handle_admin_request(ctx, std::move(old))).response.result_int() == 200u);
    admin::Request health{http::verb::get, "/healthz", 11};
    BOOST_TEST(run(io, admin::handle_admin_request(ctx, std::move(health))).response.result_int() == 200u);
}

BOOST_AUTO_TEST_CASE(a_foreign_origin_is_403_for_every_method) {
    const std::map<std::string, std::string> page{{"Origin", "http://attacker.example"}};
    const std::string before = state();
    for (auto method : {http::verb::get, http::verb::put, http::verb::post, http::verb::options}) {
        auto reply = call(method, "/v1/catalog", method == http::verb::get ? "" : R"({"expected_version":1,"routes":[]})", page);
        BOOST_TEST(reply.status == 403u);
        BOOST_TEST(reply.error_code() == "forbidden_origin");
    }
    BOOST_TEST(snapshot_attack(page).status == 403u);
    BOOST_TEST(get("/healthz", page).status == 403u);
    BOOST_TEST(state() == before);
    // "null" (sandboxed frames, file: pages) is foreign too; the server's own origin is not.
    BOOST_TEST(get("/v1/routes", {{"Origin", "null"}}).status == 403u);
    BOOST_TEST(get("/v1/routes", {{"Origin", "http://localhost"}}).status == 200u);
    BOOST_TEST(get("/v1/routes", {{"Host", "127.0.0.1:8080"}, {"Origin", "http://127.0.0.1:8080"}}).status == 200u);
    BOOST_TEST(get("/v1/routes", {{"Host", "127.0.0.1:8080"}, {"Origin", "http://127.0.0.1:9999"}}).status == 403u);
    BOOST_TEST(get("/v1/routes", {{"Host", "127.0.0.1:8080"}, {"Origin", "https://127.0.0.1:8080"}}).status == 403u);
    // An invited origin gets CORS headers.
    ctx.options.cors_origins = {"http://attacker.example"};
    auto invited = get("/v1/routes", page);
    BOOST_TEST(invited.status == 200u);
    BOOST_TEST(std::string(invited.raw[http::field::access_control_allow_origin]) == "http://attacker.example");
}

BOOST_AUTO_TEST_CASE(a_mutation_without_a_json_body_type_is_415) {
    const std::string before = state();
    for (const char* type : {"text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x",
                             "application/jsonx", "", "text/json"}) {
        for (const auto& [target, body] :
             std::vector<std::pair<std::string, std::string>>{{"/v1/engine/snapshot", R"({"version":18446744073709551615,"routes":[]})"},
                                                              {"/v1/routes/access", R"({"keys_text":["a"]})"},
                                                              {"/v1/catalog/split", R"({"expected_version":1,"route_id":1,"split_key_text":"m"})"}}) {
            auto reply = post(target, body, {{"Content-Type", type}});
            BOOST_TEST(reply.status == 415u, target << " " << type);
            BOOST_TEST(reply.error_code() == "unsupported_media_type");
        }
        BOOST_TEST(put("/v1/catalog", R"({"expected_version":1,"routes":[]})", {{"Content-Type", type}}).status == 415u);
    }
    BOOST_TEST(state() == before);
    BOOST_TEST(ctx.engine->get_route("a").has_value());
    for (const char* type : {"application/json", "Application/JSON", "application/json; charset=utf-8", " application/json ;x=y"})
        BOOST_TEST(post("/v1/routes/access", R"({"keys_text":["a"]})", {{"Content-Type", type}}).status == 200u, type);
}

BOOST_AUTO_TEST_SUITE_END()
