// The change feed's JSON both ways (change_json.hpp): exact bytes out, round trips, and every shape
// error and §11.2 error on the way in; random damage to a valid document never crashes the parser.

#include <boost/test/unit_test.hpp>

#include "routecat/error.hpp"
#include "routecat/json/change_json.hpp"
#include "support/printers.hpp"

#include <boost/json.hpp>

#include <random>
#include <string>

namespace routecat {
namespace {

namespace json = boost::json;
using namespace std::string_literals;

RouteDescriptor route(std::uint64_t id, std::string start, std::optional<std::string> end, std::uint64_t group) {
    RouteDescriptor r;
    r.route_id = id;
    r.start = std::move(start);
    r.end = std::move(end);
    r.group_id = group;
    return r;
}

CatalogDelta split_delta() {
    CatalogDelta d;
    d.previous_version = 3;
    d.version = 4;
    d.mutations.push_back(CatalogRouteMutation{CatalogMutationOp::del, 1, std::nullopt});
    d.mutations.push_back(CatalogRouteMutation{CatalogMutationOp::upsert, 2, route(2, "", "m\xff"s, 7)});
    d.mutations.push_back(CatalogRouteMutation{CatalogMutationOp::upsert, 3, route(3, "m\xff"s, std::nullopt, 8)});
    return d;
}

constexpr std::string_view kSplitDeltaJson =
    R"({"previous_version":3,"version":4,"mutations":[{"op":"delete","route_id":1},)"
    R"({"op":"upsert","route_id":2,"route":{"route_id":2,"start":"","start_text":"","end":"bf8=","end_text":"m\\xff","group_id":7,"state":"active","parent_route_id":0}},)"
    R"({"op":"upsert","route_id":3,"route":{"route_id":3,"start":"bf8=","start_text":"m\\xff","end":null,"end_text":null,"group_id":8,"state":"active","parent_route_id":0}}]})";

// The failure of parsing `text` as a change set.
std::pair<boost::system::error_code, std::string> change_set_error(std::string_view text) {
    std::string error;
    auto r = change_set_from_json(json::parse(text), error);
    BOOST_TEST_REQUIRE(!r.has_value(), "accepted: " << text);
    return {r.error(), error};
}

}  // namespace

BOOST_AUTO_TEST_SUITE(change_json)

BOOST_AUTO_TEST_CASE(a_delta_renders_exactly) {
    BOOST_TEST(json::serialize(delta_to_json(split_delta())) == kSplitDeltaJson);
    BOOST_TEST(json::serialize(delta_to_json(CatalogDelta{0, 1, {}})) ==
               R"({"previous_version":0,"version":1,"mutations":[]})");
}

BOOST_AUTO_TEST_CASE(a_change_set_renders_exactly_and_round_trips) {
    CatalogChangeSet deltas;
    deltas.version = 4;
    deltas.floor = 2;
    deltas.deltas.push_back(split_delta());
    const std::string text = json::serialize(change_set_to_json(deltas));
    BOOST_TEST(text == R"({"version":4,"floor":2,"reset":null,"deltas":[)" + std::string(kSplitDeltaJson) + "]}");
    std::string error;
    auto back = change_set_from_json(json::parse(text), error);
    BOOST_TEST_REQUIRE(back.has_value(), error);
    BOOST_TEST((*back == deltas));

    CatalogChangeSet reset;
    reset.version = 9;
    reset.floor = 5;
    reset.reset = CatalogSnapshot{9, {route(4, "", "k"s, 1), route(5, "k", std::nullopt, 2)}, 77};
    auto reset_back = change_set_from_json(change_set_to_json(reset), error);
    BOOST_TEST_REQUIRE(reset_back.has_value(), error);
    BOOST_TEST((*reset_back == reset));
}

BOOST_AUTO_TEST_CASE(fields_it_does_not_know_are_ignored) {
    // A newer server may add some: the reset's next_route_id is one such field already.
    std::string error;
    auto r = change_set_from_json(
        json::parse(R"({"version":2,"floor":1,"extra":[1],"reset":{"version":2,"read_ts":3,"next_route_id":9,"routes":[]},)"
                    R"("deltas":[{"previous_version":1,"version":2,"mutations":[],"why":"x"}]})"),
        error);
    BOOST_TEST_REQUIRE(r.has_value(), error);
    BOOST_TEST(r->reset->version == 2u);
    BOOST_TEST(r->reset->read_ts == 3u);
    BOOST_TEST(r->deltas.size() == 1u);
}

BOOST_AUTO_TEST_CASE(wrong_shapes_are_invalid_events_naming_the_field) {
    const std::vector<std::pair<std::string, std::string>> cases = {
        {R"([])", "changes: expected an object"},
        {R"({"floor":0,"reset":null,"deltas":[]})", "version: required"},
        {R"({"version":-1,"floor":0,"reset":null,"deltas":[]})", "version: expected a non-negative integer"},
        {R"({"version":1,"floor":"0","reset":null,"deltas":[]})", "floor: expected a non-negative integer"},
        {R"({"version":1,"floor":0,"reset":null})", "deltas: expected an array"},
        {R"({"version":1,"floor":0,"reset":5,"deltas":[]})", "reset: expected an object"},
        {R"({"version":1,"floor":0,"reset":{"routes":[]},"deltas":[]})", "reset.version: required"},
        {R"({"version":1,"floor":0,"reset":{"version":1,"routes":{}},"deltas":[]})", "reset.routes: expected an array"},
        {R"({"version":1,"floor":0,"reset":{"version":1,"routes":[{"start":""}]},"deltas":[]})",
         "reset.routes[0].route_id: required"},
        {R"({"version":1,"floor":0,"reset":null,"deltas":[7]})", "deltas[0]: expected an object"},
        {R"({"version":1,"floor":0,"reset":null,"deltas":[{"version":1,"mutations":[]}]})",
         "deltas[0].previous_version: required"},
        {R"({"version":1,"floor":0,"reset":null,"deltas":[{"previous_version":0,"version":1,"mutations":[{"route_id":1}]}]})",
         R"(deltas[0].mutations[0].op: expected "upsert" or "delete")"},
        {R"({"version":1,"floor":0,"reset":null,"deltas":[{"previous_version":0,"version":1,"mutations":[{"op":"merge","route_id":1}]}]})",
         R"(deltas[0].mutations[0].op: expected "upsert" or "delete")"},
        {R"({"version":1,"floor":0,"reset":null,"deltas":[{"previous_version":0,"version":1,"mutations":[{"op":"upsert","route_id":1}]}]})",
         "deltas[0].mutations[0].route: required for an upsert"},
        {R"({"version":1,"floor":0,"reset":null,"deltas":[{"previous_version":0,"version":1,"mutations":[{"op":"delete","route_id":1,"route":{}}]}]})",
         "deltas[0].mutations[0].route: a delete carries no route"},
        {R"({"version":1,"floor":0,"reset":null,"deltas":[{"previous_version":0,"version":1,"mutations":[{"op":"delete"}]}]})",
         "deltas[0].mutations[0].route_id: required"},
    };
    for (const auto& [text, message] : cases) {
        const auto [code, error] = change_set_error(text);
        BOOST_TEST(code == make_error_code(errc::catalog_watch_event_invalid), text);
        BOOST_TEST(error == message, text);
    }
}

BOOST_AUTO_TEST_CASE(deltas_are_validated_as_11_2_says) {
    auto [gap, gap_context] = change_set_error(
        R"({"version":3,"floor":1,"reset":null,"deltas":[{"previous_version":1,"version":3,"mutations":[]}]})");
    BOOST_TEST(gap == make_error_code(errc::catalog_delta_version_gap));
    auto [repeated, repeated_context] = change_set_error(
        R"({"version":2,"floor":1,"reset":null,"deltas":[{"previous_version":1,"version":2,"mutations":[)"
        R"({"op":"delete","route_id":4},{"op":"delete","route_id":4}]}]})");
    BOOST_TEST(repeated == make_error_code(errc::catalog_invalid_delta_mutation));
    auto [other_id, other_context] = change_set_error(
        R"({"version":2,"floor":1,"reset":null,"deltas":[{"previous_version":1,"version":2,"mutations":[)"
        R"({"op":"upsert","route_id":4,"route":{"route_id":5,"group_id":1}}]}]})");
    BOOST_TEST(other_id == make_error_code(errc::catalog_invalid_delta_mutation));
    auto [no_group, no_group_context] = change_set_error(
        R"({"version":2,"floor":1,"reset":null,"deltas":[{"previous_version":1,"version":2,"mutations":[)"
        R"({"op":"upsert","route_id":4,"route":{"route_id":4}}]}]})");
    BOOST_TEST(no_group == make_error_code(errc::catalog_group_id_required));
}

BOOST_AUTO_TEST_CASE(damaged_documents_never_crash_the_parser) {
    CatalogChangeSet changes;
    changes.version = 4;
    changes.floor = 1;
    changes.reset = CatalogSnapshot{4, {route(2, "", "m"s, 7), route(3, "m", std::nullopt, 8)}, 12};
    changes.deltas.push_back(split_delta());
    const std::string valid = json::serialize(change_set_to_json(changes));
    std::mt19937_64 rng(12);
    const std::string alphabet = "{}[]\":,0123456789-aeflnrstu \\";
    int parsed = 0, refused = 0;
    for (int i = 0; i < 20'000; ++i) {
        std::string text = valid;
        const int edits = 1 + static_cast<int>(rng() % 4);
        for (int e = 0; e < edits; ++e) {
            const std::size_t at = rng() % text.size();
            switch (rng() % 3) {
                case 0: text[at] = alphabet[rng() % alphabet.size()]; break;
                case 1: text.erase(at, 1 + rng() % 8); break;
                default: text.insert(at, 1, alphabet[rng() % alphabet.size()]); break;
            }
            if (text.empty()) text = "{";
        }
        boost::system::error_code ec;
        const json::value v = json::parse(text, ec);
        if (ec) continue;
        std::string error;
        auto r = change_set_from_json(v, error);
        if (r) {
            ++parsed;
            // What parses is well formed: every delta validates.
            for (const auto& d : r->deltas) BOOST_TEST(!validate_delta(d));
        } else {
            ++refused;
            BOOST_TEST(!error.empty());
        }
    }
    BOOST_TEST(refused > 0);
    BOOST_TEST_MESSAGE(parsed << " damaged documents parsed, " << refused << " refused");
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace routecat
