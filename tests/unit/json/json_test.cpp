#include <boost/test/unit_test.hpp>

#include "routecat/base64.hpp"
#include "routecat/json/route_json.hpp"
#include "routecat/error.hpp"
#include "support/printers.hpp"

#include <boost/json.hpp>

#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace routecat {
namespace {

namespace json = boost::json;
using namespace std::string_literals;

constexpr std::uint64_t kMax = std::numeric_limits<std::uint64_t>::max();

RouteDescriptor known_descriptor() {
    return RouteDescriptor{7, "a\x00"s "b\\", "m\xff"s, 3, RouteState::write_fenced, 2};
}

// Parses `text` as JSON and then as a route object.
boost::system::result<RouteDescriptor> parse_route(std::string_view text, std::string& error, bool require_id = true,
                                                   std::string_view path = "routes[3]") {
    return route_from_json(json::parse(text), require_id, error, path);
}

RouteDescriptor parse_ok(std::string_view text, bool require_id = true) {
    std::string error;
    auto r = parse_route(text, error, require_id);
    BOOST_TEST_REQUIRE(r.has_value(), "unexpected error: " << error << " for " << text);
    BOOST_TEST(error.empty());
    return *r;
}

// The failure of `text` as routes[3]: code bad_request and the exact message.
void expect_error(std::string_view text, std::string_view message, bool require_id = true) {
    std::string error;
    auto r = parse_route(text, error, require_id);
    BOOST_TEST_REQUIRE(!r.has_value(), "accepted: " << text);
    BOOST_TEST(r.error() == make_error_code(errc::bad_request));
    BOOST_TEST(error == message, "for " << text);
}

BOOST_AUTO_TEST_SUITE(admin_json)

BOOST_AUTO_TEST_CASE(descriptor_emits_exact_json) {
    BOOST_TEST(json::serialize(route_to_json(known_descriptor())) ==
               R"({"route_id":7,"start":"YQBiXA==","start_text":"a\\x00b\\\\","end":"bf8=","end_text":"m\\xff",)"
               R"("group_id":3,"state":"write_fenced","parent_route_id":2})");
}

BOOST_AUTO_TEST_CASE(route_emits_exact_json) {
    const Route r{9, "user/42", std::nullopt, 1, RouteState::migrating_target, 12345};
    BOOST_TEST(json::serialize(route_to_json(r)) ==
               R"({"route_id":9,"start":"dXNlci80Mg==","start_text":"user/42","end":null,"end_text":null,)"
               R"("group_id":1,"state":"migrating_target","load":12345})");
}

BOOST_AUTO_TEST_CASE(a_table_row_emits_the_same_bytes_as_its_route) {
    const std::vector<RouteDescriptor> rows{{4, std::string("a\0b", 3), "m\xff", 3, RouteState::write_fenced, 0},
                                            {9, "m\xff", std::nullopt, 1, RouteState::migrating_target, 0}};
    const auto table = RouteTable::from_sorted(rows, 5, 1);
    auto written = [](auto&&... route) {
        std::string text;
        JsonWriter w(text);
        write_route(w, route...);
        return text;
    };
    BOOST_TEST(written(*table, 0, 77) ==
               R"({"route_id":4,"start":"YQBi","start_text":"a\\x00b","end":"bf8=","end_text":"m\\xff",)"
               R"("group_id":3,"state":"write_fenced","load":77})");
    for (std::size_t i = 0; i < table->size(); ++i) {
        Route r = table->route(i);
        r.load = 12345;
        BOOST_TEST(written(*table, i, 12345) == json::serialize(route_to_json(r)));
        BOOST_TEST(written(*table, i, 12345) == written(r));
    }
}

BOOST_AUTO_TEST_CASE(unbounded_end_and_every_state) {
    RouteDescriptor d{1, "", std::nullopt, 1, RouteState::active, 0};
    json::object o = route_to_json(d);
    BOOST_TEST(o.at("start").as_string() == "");
    BOOST_TEST(o.at("start_text").as_string() == "");
    BOOST_TEST(o.at("end").is_null());
    BOOST_TEST(o.at("end_text").is_null());
    const std::pair<RouteState, std::string_view> states[] = {{RouteState::active, "active"},
                                                              {RouteState::write_fenced, "write_fenced"},
                                                              {RouteState::migrating_source, "migrating_source"},
                                                              {RouteState::migrating_target, "migrating_target"}};
    for (auto [state, name] : states) {
        d.state = state;
        BOOST_TEST(route_to_json(d).at("state").as_string() == name);
    }
}

BOOST_AUTO_TEST_CASE(numbers_are_unsigned_integers) {
    RouteDescriptor d{kMax, "a", "b", kMax, RouteState::active, kMax};
    json::object o = route_to_json(d);
    BOOST_TEST(o.at("route_id").is_uint64());
    BOOST_TEST(o.at("group_id").is_uint64());
    BOOST_TEST(o.at("parent_route_id").is_uint64());
    BOOST_TEST(json::serialize(o.at("route_id")) == "18446744073709551615");
    const Route r{1, "a", std::nullopt, 1, RouteState::active, 0};
    BOOST_TEST(route_to_json(r).at("load").is_uint64());
    BOOST_TEST(route_to_json(r).at("route_id").is_uint64());
    // And it round-trips through text.
    std::string error;
    auto back = route_from_json(json::parse(json::serialize(o)), true, error);
    BOOST_TEST_REQUIRE(back.has_value());
    BOOST_TEST(*back == d);
}

BOOST_AUTO_TEST_CASE(snapshot_emits_exact_json) {
    CatalogSnapshot s;
    s.version = 4;
    s.read_ts = 17;
    s.routes = {RouteDescriptor{1, "", "m", 1, RouteState::active, 0},
                RouteDescriptor{2, "m", std::nullopt, 2, RouteState::migrating_source, 1}};
    BOOST_TEST(json::serialize(snapshot_to_json(s)) ==
               R"({"version":4,"read_ts":17,"routes":[)"
               R"({"route_id":1,"start":"","start_text":"","end":"bQ==","end_text":"m","group_id":1,"state":"active","parent_route_id":0},)"
               R"({"route_id":2,"start":"bQ==","start_text":"m","end":null,"end_text":null,"group_id":2,"state":"migrating_source","parent_route_id":1}]})");
    BOOST_TEST(json::serialize(snapshot_to_json(CatalogSnapshot{})) == R"({"version":0,"read_ts":0,"routes":[]})");
}

BOOST_AUTO_TEST_CASE(emitted_json_round_trips_exactly) {
    const RouteDescriptor d = known_descriptor();
    std::string error;
    // From the object itself and from its serialized text.
    auto a = route_from_json(route_to_json(d), true, error);
    BOOST_TEST_REQUIRE(a.has_value());
    BOOST_TEST(*a == d);
    BOOST_TEST(a->end.has_value());
    BOOST_TEST(parse_ok(json::serialize(route_to_json(d))) == d);

    const RouteDescriptor unbounded{5, "\xff\xfe"s, std::nullopt, 8, RouteState::migrating_source, 0};
    auto b = parse_ok(json::serialize(route_to_json(unbounded)));
    BOOST_TEST(b == unbounded);
    BOOST_TEST(!b.end.has_value());

    // An engine route's JSON (with "load") reads back as the descriptor it came from, parent 0.
    const Route r{6, "k\x00"s, "l"s, 4, RouteState::write_fenced, 99};
    auto c = parse_ok(json::serialize(route_to_json(r)));
    BOOST_TEST(c == (RouteDescriptor{6, "k\x00"s, "l"s, 4, RouteState::write_fenced, 0}));

    // A whole snapshot's routes.
    CatalogSnapshot s{3, {d, unbounded}, 11};
    const json::value v = json::parse(json::serialize(snapshot_to_json(s)));
    const json::array& routes = v.at("routes").as_array();
    BOOST_TEST_REQUIRE(routes.size() == 2u);
    for (std::size_t i = 0; i < routes.size(); ++i) {
        auto x = route_from_json(routes[i], true, error, "routes[" + std::to_string(i) + "]");
        BOOST_TEST_REQUIRE(x.has_value());
        BOOST_TEST(*x == s.routes[i]);
    }
}

BOOST_AUTO_TEST_CASE(defaults_of_missing_fields) {
    const RouteDescriptor r = parse_ok(R"({"route_id":4})");
    BOOST_TEST(r.route_id == 4u);
    BOOST_TEST(r.start == "");
    BOOST_TEST(!r.end.has_value());
    BOOST_TEST(r.group_id == 0u);
    BOOST_TEST((r.state == RouteState::active));
    BOOST_TEST(r.parent_route_id == 0u);
    // route_id may be missing when not required: 0.
    BOOST_TEST(parse_ok(R"({"group_id":2})", false) == (RouteDescriptor{0, "", std::nullopt, 2, RouteState::active, 0}));
    BOOST_TEST(parse_ok("{}", false) == RouteDescriptor{});
    // route_id still accepted (and type-checked) when not required.
    BOOST_TEST(parse_ok(R"({"route_id":8})", false).route_id == 8u);
    // A null end (and end_text) is unbounded.
    BOOST_TEST(!parse_ok(R"({"route_id":1,"end":null,"end_text":null})").end.has_value());
    BOOST_TEST(!parse_ok(R"({"route_id":1,"end_text":null})").end.has_value());
    // "load" is ignored.
    BOOST_TEST(parse_ok(R"({"route_id":1,"load":18446744073709551615})") == (RouteDescriptor{1, "", std::nullopt, 0, RouteState::active, 0}));
    // Non-negative integers in every form Boost.JSON produces: int64 (0, -0) and uint64.
    BOOST_TEST(parse_ok(R"({"route_id":-0})").route_id == 0u);
    BOOST_TEST(parse_ok(R"({"route_id":9223372036854775807})").route_id == 9223372036854775807u);
    BOOST_TEST(parse_ok(R"({"route_id":9223372036854775808})").route_id == 9223372036854775808u);
}

BOOST_AUTO_TEST_CASE(base64_wins_over_text) {
    const RouteDescriptor r = parse_ok(R"({"route_id":1,"start":"YQ==","start_text":"zzz","end":"Yg==","end_text":"q"})");
    BOOST_TEST(r.start == "a");
    BOOST_TEST(r.end == std::optional<std::string>("b"));
    // A null "end" is present: it wins over an end_text string (unbounded).
    BOOST_TEST(!parse_ok(R"({"route_id":1,"end":null,"end_text":"q"})").end.has_value());
    // Text fields decide when the base64 fields are absent.
    const RouteDescriptor t = parse_ok(R"({"route_id":1,"start_text":"user/1","end_text":"user/9"})");
    BOOST_TEST(t.start == "user/1");
    BOOST_TEST(t.end == std::optional<std::string>("user/9"));
    // An empty base64 string is the empty key, and an empty end is kept (validation rejects it later).
    BOOST_TEST(parse_ok(R"({"route_id":1,"start":"","end":""})").end == std::optional<std::string>(""));
}

BOOST_AUTO_TEST_CASE(text_fields_are_literal) {
    // No unescaping of key_to_text's escapes: "\\x00" is four bytes '\', 'x', '0', '0'.
    const RouteDescriptor r = parse_ok(R"({"route_id":1,"start_text":"a\\x00\\\\","end_text":"\\xff"})");
    BOOST_TEST(r.start == "a\\x00\\\\");
    BOOST_TEST(r.start.size() == 7u);
    BOOST_TEST(r.end == std::optional<std::string>("\\xff"));
    // JSON's own escapes are JSON's: \u00e9 is the UTF-8 bytes of U+00E9, \u0000 a NUL.
    const RouteDescriptor u = parse_ok(R"({"route_id":1,"start_text":"caf\u00e9\u0000"})");
    BOOST_TEST(u.start == "caf\xc3\xa9\x00"s);
}

BOOST_AUTO_TEST_CASE(rejections_name_the_field) {
    const std::vector<std::pair<std::string_view, std::string_view>> cases{
        {R"({"route_id":1,"foo":1})", "routes[3].foo: unknown field"},
        {R"({"route_id":1,"Start":"YQ=="})", "routes[3].Start: unknown field"},
        {R"({"route_id":1,"next_route_id":2})", "routes[3].next_route_id: unknown field"},
        {R"({"group_id":1})", "routes[3].route_id: required"},
        {R"({"route_id":"1"})", "routes[3].route_id: expected a non-negative integer"},
        {R"({"route_id":null})", "routes[3].route_id: expected a non-negative integer"},
        {R"({"route_id":true})", "routes[3].route_id: expected a non-negative integer"},
        {R"({"route_id":[1]})", "routes[3].route_id: expected a non-negative integer"},
        {R"({"route_id":-1})", "routes[3].route_id: expected a non-negative integer"},
        {R"({"route_id":-9223372036854775809})", "routes[3].route_id: expected a non-negative integer"},
        {R"({"route_id":1.5})", "routes[3].route_id: expected a non-negative integer"},
        {R"({"route_id":1.0})", "routes[3].route_id: expected a non-negative integer"},
        {R"({"route_id":1e3})", "routes[3].route_id: expected a non-negative integer"},
        {R"({"route_id":-0.0})", "routes[3].route_id: expected a non-negative integer"},
        {R"({"route_id":18446744073709551616})", "routes[3].route_id: out of range: at most 18446744073709551615"},
        {R"({"route_id":1e30})", "routes[3].route_id: out of range: at most 18446744073709551615"},
        {R"({"route_id":1,"group_id":-2})", "routes[3].group_id: expected a non-negative integer"},
        {R"({"route_id":1,"group_id":"1"})", "routes[3].group_id: expected a non-negative integer"},
        {R"({"route_id":1,"group_id":18446744073709551616})",
         "routes[3].group_id: out of range: at most 18446744073709551615"},
        {R"({"route_id":1,"parent_route_id":0.5})", "routes[3].parent_route_id: expected a non-negative integer"},
        {R"({"route_id":1,"load":"hot"})", "routes[3].load: expected a non-negative integer"},
        {R"({"route_id":1,"load":-1})", "routes[3].load: expected a non-negative integer"},
        {R"({"route_id":1,"start":5})", "routes[3].start: expected a base64 string"},
        {R"({"route_id":1,"start":null})", "routes[3].start: expected a base64 string"},
        {R"({"route_id":1,"start":"YQ="})", "routes[3].start: invalid base64"},
        {R"({"route_id":1,"start":"Zh=="})", "routes[3].start: invalid base64"},
        {R"({"route_id":1,"start":"user/1"})", "routes[3].start: invalid base64"},
        {R"({"route_id":1,"end":5})", "routes[3].end: expected a base64 string or null"},
        {R"({"route_id":1,"end":{}})", "routes[3].end: expected a base64 string or null"},
        {R"({"route_id":1,"end":"a=b="})", "routes[3].end: invalid base64"},
        {R"({"route_id":1,"start_text":5})", "routes[3].start_text: expected a string"},
        {R"({"route_id":1,"start_text":null})", "routes[3].start_text: expected a string"},
        {R"({"route_id":1,"start":"YQ==","start_text":7})", "routes[3].start_text: expected a string"},
        {R"({"route_id":1,"end_text":false})", "routes[3].end_text: expected a string or null"},
        {R"({"route_id":1,"end":"YQ==","end_text":[]})", "routes[3].end_text: expected a string or null"},
        {R"({"route_id":1,"state":1})", "routes[3].state: expected a string"},
        {R"({"route_id":1,"state":null})", "routes[3].state: expected a string"},
        {R"({"route_id":1,"state":"Active"})",
         "routes[3].state: unknown state (expected active, write_fenced, migrating_source or migrating_target)"},
        {R"({"route_id":1,"state":"fenced"})",
         "routes[3].state: unknown state (expected active, write_fenced, migrating_source or migrating_target)"},
        {R"({"route_id":1,"state":""})",
         "routes[3].state: unknown state (expected active, write_fenced, migrating_source or migrating_target)"},
        {"[]", "routes[3]: expected an object"},
        {"null", "routes[3]: expected an object"},
        {"\"route\"", "routes[3]: expected an object"},
    };
    for (const auto& [text, message] : cases) expect_error(text, message);
}

BOOST_AUTO_TEST_CASE(unknown_field_reported_before_other_errors) {
    expect_error(R"({"route_id":"x","zzz":1})", "routes[3].zzz: unknown field");
}

BOOST_AUTO_TEST_CASE(empty_path_names_the_bare_field) {
    std::string error;
    auto r = route_from_json(json::parse(R"({"route_id":1,"start":"!"})"), true, error);
    BOOST_TEST(!r.has_value());
    BOOST_TEST(error == "start: invalid base64");
    r = route_from_json(json::parse("5"), true, error);
    BOOST_TEST(!r.has_value());
    BOOST_TEST(error == "route: expected an object");
    r = route_from_json(json::parse("{}"), true, error);
    BOOST_TEST(error == "route_id: required");
}

BOOST_AUTO_TEST_CASE(u64_from_json_cases) {
    std::string error;
    BOOST_TEST(u64_from_json(json::value(std::int64_t{0}), "n", error).value() == 0u);
    BOOST_TEST(u64_from_json(json::value(std::int64_t{42}), "n", error).value() == 42u);
    BOOST_TEST(u64_from_json(json::value(kMax), "n", error).value() == kMax);
    BOOST_TEST(u64_from_json(json::parse("18446744073709551615"), "n", error).value() == kMax);
    BOOST_TEST(error.empty());
    auto bad = u64_from_json(json::value(std::int64_t{-1}), "expected_version", error);
    BOOST_TEST(bad.error() == make_error_code(errc::bad_request));
    BOOST_TEST(error == "expected_version: expected a non-negative integer");
    bad = u64_from_json(json::value(2.0), "expected_version", error);
    BOOST_TEST(!bad.has_value());
    BOOST_TEST(error == "expected_version: expected a non-negative integer");
    bad = u64_from_json(json::value("1"), "v", error);
    BOOST_TEST(error == "v: expected a non-negative integer");
    bad = u64_from_json(json::parse("18446744073709551616"), "v", error);
    BOOST_TEST(error == "v: out of range: at most 18446744073709551615");
}

// Random JSON-ish values: trees of every kind, objects mostly using the real field names with values of
// random kinds and base64-ish strings. Nothing crashes; a failure is bad_request with a message that
// names the path; a success round-trips through route_to_json.
json::value random_value(std::mt19937_64& rng, int depth) {
    static constexpr std::string_view kFieldNames[] = {"route_id", "start",           "start_text", "end",
                                                       "end_text", "group_id",        "state",      "load",
                                                       "parent_route_id", "bogus", ""};
    static constexpr const char* kStrings[] = {"",       "YQ==",  "Zh==",  "active", "write_fenced",
                                                    "bQ==",   "\\x00", "AAAA",  "====",   "migrating_target",
                                                    "=",      "user",  "/w==",  "Zm9v",   "migrating_source"};
    std::uniform_int_distribution<int> kind(0, depth > 0 ? 9 : 6);
    switch (kind(rng)) {
        case 0: return nullptr;
        case 1: return std::uniform_int_distribution<int>(0, 1)(rng) == 1;
        case 2: return std::uniform_int_distribution<std::int64_t>(-3, 5)(rng);
        case 3: return std::uniform_int_distribution<std::uint64_t>(0, kMax)(rng);
        case 4: return std::uniform_real_distribution<double>(-1e20, 1e20)(rng);
        case 5:
        case 6: return kStrings[std::uniform_int_distribution<std::size_t>(0, std::size(kStrings) - 1)(rng)];
        case 7: {
            json::array a;
            const int n = std::uniform_int_distribution<int>(0, 3)(rng);
            for (int i = 0; i < n; ++i) a.push_back(random_value(rng, depth - 1));
            return a;
        }
        default: {
            json::object o;
            const int n = std::uniform_int_distribution<int>(0, 6)(rng);
            for (int i = 0; i < n; ++i) {
                const auto name = kFieldNames[std::uniform_int_distribution<std::size_t>(0, std::size(kFieldNames) - 1)(rng)];
                o[name] = random_value(rng, depth - 1);
            }
            return o;
        }
    }
}

BOOST_AUTO_TEST_CASE(random_garbage_never_crashes) {
    std::mt19937_64 rng(99);
    int accepted = 0;
    for (int i = 0; i < 10000; ++i) {
        const json::value v = random_value(rng, 2);
        const bool require = (i % 2) == 0;
        std::string error;
        auto r = route_from_json(v, require, error, "routes[0]");
        if (r) {
            ++accepted;
            std::string again_error;
            auto again = route_from_json(route_to_json(*r), true, again_error);
            BOOST_REQUIRE(again.has_value());
            BOOST_REQUIRE(*again == *r);
        } else {
            BOOST_REQUIRE(r.error() == make_error_code(errc::bad_request));
            BOOST_REQUIRE(error.starts_with("routes[0]"));
        }
    }
    BOOST_TEST(accepted > 50);
}

BOOST_AUTO_TEST_CASE(value_from_and_value_to_use_the_api_mapping) {
    const routecat::RouteDescriptor r{7, std::string("a\0", 2), std::string("m"), 3, routecat::RouteState::write_fenced, 2};
    const boost::json::value v = boost::json::value_from(r);
    BOOST_TEST((v.as_object() == routecat::route_to_json(r)));
    BOOST_TEST((boost::json::value_to<routecat::RouteDescriptor>(v) == r));
    const std::vector<routecat::RouteDescriptor> routes{r};
    BOOST_TEST(boost::json::value_from(routes).as_array().size() == 1u);
    BOOST_TEST((boost::json::value_from(routecat::CatalogSnapshot{4, routes, 9}).as_object() ==
                routecat::snapshot_to_json(routecat::CatalogSnapshot{4, routes, 9})));
    try {
        (void)boost::json::value_to<routecat::RouteDescriptor>(boost::json::parse(R"({"route_id":1,"start":"!"})"));
        BOOST_FAIL("bad base64 accepted");
    } catch (const boost::system::system_error& e) {
        BOOST_TEST((e.code() == routecat::errc::bad_request));
        BOOST_TEST(std::string(e.what()) == "start: invalid base64: bad request");
    }
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace routecat
