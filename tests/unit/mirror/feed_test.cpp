// The mirror's pure parts, without sockets: endpoint URLs, and what an answer of routecatd stands
// for (a change set, a snapshot, or the error its status and body name).

#define BOOST_TEST_MODULE routecat mirror
#include "support/printers.hpp"

#include "mirror/feed_endpoint.hpp"
#include "mirror/feed_reply.hpp"

#include "routecat/error.hpp"

#include <boost/test/unit_test.hpp>

using namespace routecat;
using namespace routecat::mirror;

namespace {

std::string endpoint_error(std::string_view url) {
    std::string error;
    const auto endpoint = parse_feed_endpoint(url, error);
    BOOST_TEST(!endpoint);
    if (!endpoint) BOOST_TEST(endpoint.error() == errc::invalid_config);
    return error;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(mirror_feed)

BOOST_AUTO_TEST_CASE(endpoints_are_http_host_and_port) {
    std::string error;
    auto e = parse_feed_endpoint("http://127.0.0.1:8080", error);
    BOOST_TEST_REQUIRE(e.has_value());
    BOOST_TEST(e->url == "http://127.0.0.1:8080");
    BOOST_TEST(e->host == "127.0.0.1");
    BOOST_TEST(e->port == "8080");
    BOOST_TEST(e->host_header == "127.0.0.1:8080");

    e = parse_feed_endpoint("http://routecat.internal/", error);
    BOOST_TEST_REQUIRE(e.has_value());
    BOOST_TEST(e->host == "routecat.internal");
    BOOST_TEST(e->port == "80");
    BOOST_TEST(e->host_header == "routecat.internal");

    e = parse_feed_endpoint("http://[::1]:9000", error);
    BOOST_TEST_REQUIRE(e.has_value());
    BOOST_TEST(e->host == "::1");
    BOOST_TEST(e->port == "9000");
    BOOST_TEST(e->host_header == "[::1]:9000");
}

BOOST_AUTO_TEST_CASE(anything_else_is_invalid_config_saying_why) {
    BOOST_TEST(endpoint_error("127.0.0.1:8080") == "endpoint \"127.0.0.1:8080\": expected http://host:port");
    BOOST_TEST(endpoint_error("localhost") == "endpoint \"localhost\": expected http://host:port");
    BOOST_TEST(endpoint_error("https://h:1") == "endpoint \"https://h:1\": only http:// is supported");
    BOOST_TEST(endpoint_error("http://u:p@h:1") == "endpoint \"http://u:p@h:1\": a user is not supported");
    BOOST_TEST(endpoint_error("http://:1") == "endpoint \"http://:1\": no host");
    BOOST_TEST(endpoint_error("http://h:0") == "endpoint \"http://h:0\": the port must be 1-65535");
    BOOST_TEST(endpoint_error("http://h:65536") == "endpoint \"http://h:65536\": the port must be 1-65535");
    BOOST_TEST(endpoint_error("http://h:1/v1") ==
               "endpoint \"http://h:1/v1\": no path is allowed (the mirror asks for /v1/catalog...)");
    BOOST_TEST(endpoint_error("http://h:1/?a=b") == "endpoint \"http://h:1/?a=b\": no query or fragment is allowed");
    BOOST_TEST(endpoint_error("http://h:1#top") == "endpoint \"http://h:1#top\": no query or fragment is allowed");
}

BOOST_AUTO_TEST_CASE(a_200_is_the_change_set_or_snapshot_it_holds) {
    std::string error;
    const auto changes = changes_from_reply(
        {200, R"({"version":2,"floor":1,"reset":null,"deltas":[{"previous_version":1,"version":2,"mutations":[)"
              R"({"op":"delete","route_id":3},{"op":"upsert","route_id":4,"route":{"route_id":4,"start_text":"k","group_id":2}}]}],"future_field":1})"},
        error);
    BOOST_TEST_REQUIRE(changes.has_value(), error);
    BOOST_TEST(changes->version == 2u);
    BOOST_TEST(changes->floor == 1u);
    BOOST_TEST(!changes->reset);
    BOOST_TEST_REQUIRE(changes->deltas.size() == 1u);
    BOOST_TEST(changes->deltas[0].mutations.size() == 2u);
    BOOST_TEST(changes->deltas[0].mutations[1].route->start == "k");

    const auto snapshot = snapshot_from_reply(
        {200, R"({"version":5,"read_ts":9,"next_route_id":3,"routes":[{"route_id":2,"start_text":"","group_id":7}]})"}, error);
    BOOST_TEST_REQUIRE(snapshot.has_value(), error);
    BOOST_TEST(snapshot->version == 5u);
    BOOST_TEST(snapshot->read_ts == 9u);
    BOOST_TEST_REQUIRE(snapshot->routes.size() == 1u);
    BOOST_TEST(snapshot->routes[0].group_id == 7u);
}

BOOST_AUTO_TEST_CASE(a_200_that_is_not_one_is_an_invalid_event) {
    std::string error;
    auto changes = changes_from_reply({200, "<html>"}, error);
    BOOST_TEST(changes.error() == errc::catalog_watch_event_invalid);
    BOOST_TEST(error.starts_with("the answer is not JSON ("));
    changes = changes_from_reply({200, R"({"version":2,"floor":1,"deltas":[{"previous_version":1,"version":3,"mutations":[]}]})"}, error);
    BOOST_TEST(changes.error() == errc::catalog_delta_version_gap);  // §11.2's validation
    const auto snapshot = snapshot_from_reply({200, R"({"version":5})"}, error);
    BOOST_TEST(snapshot.error() == errc::catalog_watch_event_invalid);
    BOOST_TEST(error == "routes: expected an array");
}

BOOST_AUTO_TEST_CASE(other_statuses_are_the_error_their_body_names) {
    std::string error;
    BOOST_TEST(error_from_reply({409, R"({"error":{"code":"catalog_delta_version_future","message":"after 5, catalog version 1: catalog delta cursor is ahead of catalog version"}})"}, error) ==
               errc::catalog_delta_version_future);
    BOOST_TEST(error == "HTTP 409 catalog_delta_version_future (after 5, catalog version 1)");
    BOOST_TEST(error_from_reply({500, R"({"error":{"code":"catalog_delta_version_gap","message":"catalog delta version is not contiguous"}})"}, error) ==
               errc::catalog_delta_version_gap);
    BOOST_TEST(error == "HTTP 500 catalog_delta_version_gap");
    BOOST_TEST(error_from_reply({503, R"({"error":{"code":"shutting_down","message":"the server is shutting down"}})"}, error) ==
               errc::store_unavailable);
    BOOST_TEST(error == "HTTP 503 shutting_down (the server is shutting down)");
    BOOST_TEST(error_from_reply({503, "busy"}, error) == errc::store_unavailable);
    BOOST_TEST(error == "HTTP 503 without an error body");
    BOOST_TEST(error_from_reply({502, R"({"error":{"code":7}})"}, error) == errc::catalog_watch_event_invalid);
    BOOST_TEST(error == "HTTP 502 without an error body");
    BOOST_TEST(error_from_reply({401, R"({"error":{"code":"unauthorized","message":"m"}})"}, error) == errc::catalog_watch_event_invalid);
    BOOST_TEST(error == "HTTP 401 unauthorized (m)");
    const auto changes = changes_from_reply({400, R"({"error":{"code":"catalog_delta_limit_invalid","message":"limit 0"}})"}, error);
    BOOST_TEST(changes.error() == errc::catalog_delta_limit_invalid);
}

BOOST_AUTO_TEST_SUITE_END()
