// JsonWriter against boost::json::serialize, the serialiser it replaced on the admin API's response
// path: the same bytes for every escape, for random nested documents, and for every route object
// (compared with the route renderer as it was before the writer, rebuilt here from its parts).

#include <boost/test/unit_test.hpp>

#include "routecat/base64.hpp"
#include "routecat/json/route_json.hpp"
#include "routecat/key_text.hpp"
#include "support/printers.hpp"

#include <boost/json.hpp>

#include <cstdint>
#include <limits>
#include <random>
#include <string>

namespace routecat {
namespace {

namespace json = boost::json;

std::string random_bytes(std::mt19937_64& rng, std::size_t max_len) {
    std::string s(rng() % (max_len + 1), '\0');
    for (auto& c : s) {
        // Mostly the bytes that need care: controls, '"', '\', DEL and high bytes.
        switch (rng() % 4) {
            case 0: c = static_cast<char>(rng() % 0x20); break;
            case 1: c = "\"\\/\x7f\x80\xff"[rng() % 6]; break;
            default: c = static_cast<char>(rng() % 256); break;
        }
    }
    return s;
}

json::value random_value(std::mt19937_64& rng, int depth) {
    switch (rng() % (depth > 3 ? 4 : 6)) {
        case 0: return json::value(random_bytes(rng, 12));
        case 1: return json::value(static_cast<std::uint64_t>(rng() >> (rng() % 64)));
        case 2: return json::value(rng() % 2 == 0);
        case 3: return json::value(nullptr);
        case 4: {
            json::array a;
            for (std::size_t n = rng() % 5; n > 0; --n) a.emplace_back(random_value(rng, depth + 1));
            return a;
        }
        default: {
            json::object o;
            for (std::size_t n = rng() % 5; n > 0; --n) o[random_bytes(rng, 6)] = random_value(rng, depth + 1);
            return o;
        }
    }
}

// Writes v member by member with the writer's own calls (not value()).
void write_value(JsonWriter& w, const json::value& v) {
    if (v.is_string()) w.string(v.get_string());
    else if (v.is_uint64()) w.number(v.get_uint64());
    else if (v.is_bool()) w.boolean(v.get_bool());
    else if (v.is_null()) w.null();
    else if (v.is_array()) {
        w.begin_array();
        for (const auto& e : v.get_array()) write_value(w, e);
        w.end_array();
    } else {
        w.begin_object();
        for (const auto& [k, e] : v.get_object()) {
            w.key(k);
            write_value(w, e);
        }
        w.end_object();
    }
}

// The route renderer before JsonWriter: a boost::json object of the key's base64 and text.
json::object object_route(const RouteDescriptor& r) {
    json::object o;
    o["route_id"] = json::value(r.route_id);
    o["start"] = base64_encode(r.start);
    o["start_text"] = key_to_text(r.start);
    if (r.end) {
        o["end"] = base64_encode(*r.end);
        o["end_text"] = key_to_text(*r.end);
    } else {
        o["end"] = nullptr;
        o["end_text"] = nullptr;
    }
    o["group_id"] = json::value(r.group_id);
    o["state"] = to_string(r.state);
    o["parent_route_id"] = json::value(r.parent_route_id);
    return o;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(json_writer)

BOOST_AUTO_TEST_CASE(every_byte_is_escaped_as_boost_json_escapes_it) {
    for (int b = 0; b < 256; ++b) {
        const std::string one(1, static_cast<char>(b));
        std::string written;
        append_json_escaped(written, one);
        const std::string expected = json::serialize(json::string(one));
        BOOST_TEST("\"" + written + "\"" == expected, "byte " << b);
    }
    std::string s;
    append_json_escaped(s, "a\"b\\c\nd\x01" "e\x1f\x7f");
    BOOST_TEST(s == R"(a\"b\\c\nd\u0001e\u001f)" "\x7f");
}

BOOST_AUTO_TEST_CASE(random_documents_are_written_byte_for_byte_as_serialize_writes_them) {
    std::mt19937_64 rng(20261129);
    for (int i = 0; i < 3000; ++i) {
        const json::value v = random_value(rng, 0);
        std::string text;
        JsonWriter w(text);
        write_value(w, v);
        BOOST_TEST_REQUIRE(text == json::serialize(v));
        std::string via_value;
        JsonWriter(via_value).value(v);
        BOOST_TEST_REQUIRE(via_value == text);
    }
}

BOOST_AUTO_TEST_CASE(numbers_from_zero_to_the_largest_uint64) {
    std::string text;
    JsonWriter w(text);
    w.begin_array().number(0).number(9).number(10).number(std::numeric_limits<std::uint64_t>::max()).end_array();
    BOOST_TEST(text == "[0,9,10,18446744073709551615]");
}

BOOST_AUTO_TEST_CASE(members_and_elements_are_separated_at_every_depth) {
    std::string text;
    JsonWriter w(text);
    w.begin_object();
    w.key("a").begin_array().begin_object().end_object().begin_array().end_array().null().end_array();
    w.key("b").begin_object().key("c").begin_object().key("d").number(1).end_object().key("e").null().end_object();
    w.key("f").boolean(false);
    std::string& raw = w.key("g").raw_value();
    raw += "[1,2]";
    w.key("h").string("");
    w.end_object();
    BOOST_TEST(text == R"({"a":[{},[],null],"b":{"c":{"d":1},"e":null},"f":false,"g":[1,2],"h":""})");
}

BOOST_AUTO_TEST_CASE(written_route_objects_are_the_previous_renderer_s_bytes) {
    std::mt19937_64 rng(42);
    constexpr RouteState kStates[] = {RouteState::active, RouteState::write_fenced, RouteState::migrating_source,
                                      RouteState::migrating_target};
    for (int i = 0; i < 10'000; ++i) {
        RouteDescriptor d;
        d.route_id = rng() >> (rng() % 64);
        d.start = random_bytes(rng, 24);
        if (rng() % 5 != 0) d.end = random_bytes(rng, 24);
        d.group_id = rng() >> (rng() % 64);
        d.state = kStates[rng() % 4];
        d.parent_route_id = rng() % 3 == 0 ? 0 : rng();
        std::string text;
        JsonWriter w(text);
        write_route(w, d);
        BOOST_TEST_REQUIRE(text == json::serialize(object_route(d)));
        BOOST_TEST_REQUIRE(json::serialize(route_to_json(d)) == text);
    }
}

BOOST_AUTO_TEST_CASE(parsed_back_objects_hold_unsigned_numbers_only) {
    const json::object o = parse_written_object(R"({"a":1,"b":[0,{"c":18446744073709551615}],"d":"x"})");
    BOOST_TEST(o.at("a").is_uint64());
    BOOST_TEST(o.at("b").at(0).is_uint64());
    BOOST_TEST(o.at("b").at(1).at("c").get_uint64() == std::numeric_limits<std::uint64_t>::max());
    BOOST_TEST(json::serialize(o) == R"({"a":1,"b":[0,{"c":18446744073709551615}],"d":"x"})");
    BOOST_CHECK_THROW(parse_written_object("[1]"), std::exception);
    BOOST_CHECK_THROW(parse_written_object("{"), std::exception);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace routecat
