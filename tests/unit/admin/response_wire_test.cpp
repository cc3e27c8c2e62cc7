// The server's own response head against Beast's serializer: the same bytes for every status code,
// both HTTP versions, keep-alive either way, any fields in any order; anything that is not a
// whole response with a matching Content-Length is left to Beast.

#include "admin/response_wire.hpp"

#include "routecat/admin/responses.hpp"

#include <boost/asio/buffers_iterator.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/beast/http/serializer.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/json/object.hpp>
#include <boost/test/unit_test.hpp>

#include <random>
#include <sstream>

namespace http = boost::beast::http;
using namespace routecat;
using routecat::admin::Response;

namespace {

std::string beast_bytes(const Response& res) {
    std::ostringstream out;
    out << res;  // Beast's serializer, as http::write sends it
    return out.str();
}

std::string our_bytes(const Response& res) {
    std::string head = "left alone";  // append_head appends
    BOOST_TEST_REQUIRE(admin::wire::append_head(head, res));
    return head.substr(10) + res.body();
}

}  // namespace

BOOST_AUTO_TEST_SUITE(admin_wire)

BOOST_AUTO_TEST_CASE(every_status_and_version_is_written_as_beast_writes_it) {
    for (unsigned version : {10u, 11u}) {
        for (unsigned code = 100; code <= 999; ++code) {
            Response res;
            res.version(version);
            res.result(code);
            res.keep_alive(code % 2 == 0);
            res.set(http::field::content_type, admin::kJsonContentType);
            const bool bodiless = code < 200 || code == 204 || code == 304;  // prepare_payload refuses a body
            if (!bodiless) res.body() = R"({"a":)" + std::to_string(code) + "}";
            res.prepare_payload();
            BOOST_TEST_REQUIRE(our_bytes(res) == beast_bytes(res), "HTTP/" << version << " status " << code);
        }
    }
}

BOOST_AUTO_TEST_CASE(api_responses_with_extra_fields_and_reasons) {
    Response lookup = admin::json_text_response(11, true, http::status::ok, R"({"version":1})");
    BOOST_TEST(our_bytes(lookup) ==
               "HTTP/1.1 200 OK\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: 13\r\n\r\n"
               R"({"version":1})");
    BOOST_TEST(our_bytes(lookup) == beast_bytes(lookup));

    Response old_keep_alive = admin::json_error(10, true, http::status::not_found, "not_found", "no");
    BOOST_TEST(our_bytes(old_keep_alive) == beast_bytes(old_keep_alive));
    BOOST_TEST(our_bytes(old_keep_alive).find("Connection: keep-alive\r\n") != std::string::npos);

    Response custom = admin::json_text_response(11, false, http::status::method_not_allowed, "{}");
    custom.set(http::field::allow, "GET, POST");
    custom.set(http::field::etag, "\"3.1\"");
    custom.set("X-Accel-Buffering", "no");
    custom.reason("Not Here");
    BOOST_TEST(our_bytes(custom) == beast_bytes(custom));
    BOOST_TEST(our_bytes(custom).starts_with("HTTP/1.1 405 Not Here\r\n"));

    Response empty{http::status::not_modified, 11};
    empty.set(http::field::etag, "\"1.1\"");
    empty.prepare_payload();
    BOOST_TEST(our_bytes(empty) == beast_bytes(empty));
}

BOOST_AUTO_TEST_CASE(random_fields_are_written_in_order) {
    std::mt19937 rng(7);
    for (int i = 0; i < 500; ++i) {
        Response res{http::status::ok, 11};
        for (int f = static_cast<int>(rng() % 8); f > 0; --f)
            res.insert("X-F" + std::to_string(rng() % 5), std::string(rng() % 20, static_cast<char>('a' + rng() % 26)));
        res.body() = std::string(rng() % 300, 'b');
        res.prepare_payload();
        BOOST_TEST_REQUIRE(our_bytes(res) == beast_bytes(res));
    }
}

BOOST_AUTO_TEST_CASE(responses_without_a_matching_length_are_left_to_beast) {
    std::string head;
    Response no_length{http::status::ok, 11};
    no_length.body() = "x";
    BOOST_TEST(!admin::wire::append_head(head, no_length));
    Response wrong_length{http::status::ok, 11};
    wrong_length.body() = "xy";
    wrong_length.set(http::field::content_length, "3");
    BOOST_TEST(!admin::wire::append_head(head, wrong_length));
    wrong_length.set(http::field::content_length, "2x");
    BOOST_TEST(!admin::wire::append_head(head, wrong_length));
    Response chunked{http::status::ok, 11};
    chunked.chunked(true);
    BOOST_TEST(!admin::wire::append_head(head, chunked));
    BOOST_TEST(head.empty());
}

BOOST_AUTO_TEST_SUITE_END()
