#include "api_fixture.hpp"
#include "support/builders.hpp"

#include <boost/test/unit_test.hpp>

#include "routecat/keyviz_clock.hpp"

#include <boost/json/serialize.hpp>

#include <cstdint>
#include <string>

// GET /v1/keyviz (the key visualizer's columns, raw and in bands) and "kind" on POST
// /v1/routes/access (issue 14 item 1); "store" in GET /v1/stats.

namespace routecat::test {
namespace {

namespace json = boost::json;

constexpr std::uint64_t kT0 = 1'700'000'000'000;  // a column boundary (a multiple of 10,000 ms)

struct KeyVizFixture : ApiFixture {
    // Routes ["", "m") group 1 and ["m", +inf) group 2 as catalog version 2; the clock started at kT0.
    KeyVizFixture() {
        save_and_apply({rd(1, "", "m", 1), rd(2, "m", std::nullopt, 2)});
        ctx.engine->advance_keyviz(kT0);
    }
    void access(const std::string& body) { BOOST_TEST_REQUIRE(post("/v1/routes/access", body).status == 200u); }
};

json::value row(std::uint64_t id, std::uint64_t group, std::string start_b64, std::string start_text, json::value end_b64,
                json::value end_text, std::uint64_t reads, std::uint64_t writes, std::uint64_t read_bytes,
                std::uint64_t write_bytes) {
    return json::object{{"route_id", id},         {"raft_group_id", group}, {"start", start_b64},   {"start_text", start_text},
                        {"end", end_b64},         {"end_text", end_text},   {"aggregate", false},   {"sub_bucket", 0},
                        {"sub_bucket_count", 1},  {"reads", reads},         {"writes", writes},     {"read_bytes", read_bytes},
                        {"write_bytes", write_bytes}};
}

BOOST_FIXTURE_TEST_SUITE(admin_keyviz, KeyVizFixture)

BOOST_AUTO_TEST_CASE(closed_columns_as_recorded) {
    access(R"({"keys_text":["a","bc"],"kind":"write"})");
    access(R"({"keys_text":["zz"]})");                // read by default
    access(R"({"keys_text":["zzz"],"kind":"read"})");
    BOOST_TEST(get("/v1/keyviz").json.at("columns").as_array().empty());  // the column is still open
    ctx.engine->advance_keyviz(kT0 + 10'000);

    const std::uint64_t before = unix_time_ms();
    auto reply = get("/v1/keyviz");
    const std::uint64_t after = unix_time_ms();
    BOOST_TEST_REQUIRE(reply.status == 200u);
    BOOST_TEST(reply.raw[boost::beast::http::field::content_type] == "application/json; charset=utf-8");
    json::object body = reply.json.as_object();
    const std::uint64_t now = body.at("now").to_number<std::uint64_t>();
    BOOST_TEST((now >= before && now <= after));
    body.erase("now");
    const json::value expected = json::object{
        {"column_ms", 10'000},
        {"max_columns", 360},
        {"max_rows_per_column", 1024},
        {"version", 2},
        {"columns", json::array{json::object{
                        {"window_start", kT0},
                        {"at", kT0 + 10'000},
                        {"rows", json::array{row(1, 1, "", "", "bQ==", "m", 0, 2, 0, 3),
                                             row(2, 2, "bQ==", "m", nullptr, nullptr, 2, 0, 5, 0)}}}}}};
    BOOST_TEST(json::value(body) == expected, json::serialize(body));
}

BOOST_AUTO_TEST_CASE(from_and_to_pick_columns_and_start_end_pick_rows) {
    access(R"({"keys_text":["a"]})");
    ctx.engine->advance_keyviz(kT0 + 10'000);
    access(R"({"keys_text":["a","x"]})");
    ctx.engine->advance_keyviz(kT0 + 20'000);

    auto columns_of = [&](const std::string& query) {
        auto reply = get("/v1/keyviz" + query);
        BOOST_TEST_REQUIRE(reply.status == 200u, query << ": " << reply.raw.body());
        return reply.json.at("columns").as_array();
    };
    BOOST_TEST(columns_of("").size() == 2u);
    const auto second = columns_of("?from=" + std::to_string(kT0 + 10'000));
    BOOST_TEST_REQUIRE(second.size() == 1u);
    BOOST_TEST(second[0].at("window_start").to_number<std::uint64_t>() == kT0 + 10'000);
    BOOST_TEST(columns_of("?to=" + std::to_string(kT0 + 10'000)).size() == 1u);
    BOOST_TEST(columns_of("?from=" + std::to_string(kT0 + 20'000)).empty());

    // Rows intersecting [start, end) only: "x" is on route 2.
    const auto only_2 = columns_of("?start=n");
    BOOST_TEST_REQUIRE(only_2[1].at("rows").as_array().size() == 1u);
    BOOST_TEST(only_2[1].at("rows").at(0).at("route_id").to_number<std::uint64_t>() == 2u);
    BOOST_TEST(only_2[0].at("rows").as_array().empty());
    const auto only_1 = columns_of("?end_hex=6d");  // "m"
    BOOST_TEST(only_1[1].at("rows").as_array().size() == 1u);
    BOOST_TEST(only_1[1].at("rows").at(0).at("route_id").to_number<std::uint64_t>() == 1u);
}

BOOST_AUTO_TEST_CASE(rows_downsample_into_bands_of_the_current_table) {
    // Ten routes [k0, k1), ..., [k9, +inf) in groups 1,1,1,1,2,2,2,2,2,3: rows=3 makes bands of
    // 4, 4 and 2 routes, the last of two groups (group_id 0).
    std::vector<RouteDescriptor> routes;
    for (int i = 0; i < 10; ++i)
        routes.push_back(rd(static_cast<std::uint64_t>(10 + i), "k" + std::to_string(i),
                            i < 9 ? std::optional<std::string>("k" + std::to_string(i + 1)) : std::nullopt,
                            i < 4 ? 1 : i < 9 ? 2 : 3));
    save_and_apply(routes);
    access(R"({"keys_text":["k0","k1","k9x"]})");
    access(R"({"keys_text":["k5"],"kind":"write"})");
    ctx.engine->advance_keyviz(kT0 + 10'000);

    auto reply = get("/v1/keyviz?rows=3");
    BOOST_TEST_REQUIRE(reply.status == 200u, reply.raw.body());
    const json::array& bands = reply.json.at("bands").as_array();
    BOOST_TEST_REQUIRE(bands.size() == 3u);
    auto band = [](std::string start, std::string start_text, json::value end, json::value end_text, std::uint64_t routes,
                   std::uint64_t id, std::uint64_t group, std::uint64_t load) {
        return json::value(json::object{{"start", start},   {"start_text", start_text}, {"end", end},     {"end_text", end_text},
                                        {"routes", routes}, {"route_id", id},           {"group_id", group}, {"state", "active"},
                                        {"load", load}});
    };
    BOOST_TEST(bands[0] == band("azA=", "k0", "azQ=", "k4", 4, 10, 1, 2), json::serialize(bands[0]));
    BOOST_TEST(bands[1] == band("azQ=", "k4", "azg=", "k8", 4, 14, 2, 1), json::serialize(bands[1]));
    BOOST_TEST(bands[2] == band("azg=", "k8", nullptr, nullptr, 2, 18, 0, 1), json::serialize(bands[2]));

    const json::array& columns = reply.json.at("columns").as_array();
    BOOST_TEST_REQUIRE(columns.size() == 1u);
    const json::value expected = json::array{
        json::object{{"band", 0}, {"reads", 2}, {"writes", 0}, {"read_bytes", 4}, {"write_bytes", 0}},
        json::object{{"band", 1}, {"reads", 0}, {"writes", 1}, {"read_bytes", 0}, {"write_bytes", 2}},
        json::object{{"band", 2}, {"reads", 1}, {"writes", 0}, {"read_bytes", 3}, {"write_bytes", 0}}};
    BOOST_TEST(columns[0].at("rows") == expected, json::serialize(columns[0].at("rows")));

    // A range zooms in: [k4, k8) in 10 bands is one route each.
    auto zoom = get("/v1/keyviz?rows=10&start=k4&end=k8");
    BOOST_TEST_REQUIRE(zoom.status == 200u);
    BOOST_TEST_REQUIRE(zoom.json.at("bands").as_array().size() == 4u);
    BOOST_TEST(zoom.json.at("bands").at(1).at("start_text").as_string() == "k5");
    BOOST_TEST(zoom.json.at("bands").at(1).at("routes").to_number<std::uint64_t>() == 1u);
    const json::value only_k5 =
        json::array{json::object{{"band", 1}, {"reads", 0}, {"writes", 1}, {"read_bytes", 0}, {"write_bytes", 2}}};
    BOOST_TEST(zoom.json.at("columns").at(0).at("rows") == only_k5);

    // No route in the range: no bands, no cells.
    save_and_apply({rd(1, "a", "b")});
    auto none = get("/v1/keyviz?rows=5&start=x");
    BOOST_TEST_REQUIRE(none.status == 200u);
    BOOST_TEST(none.json.at("bands").as_array().empty());
    BOOST_TEST(none.json.at("columns").at(0).at("rows").as_array().empty());
}

BOOST_AUTO_TEST_CASE(bad_parameters_are_400) {
    const std::pair<std::string, std::string> cases[] = {
        {"?rows=0", "rows: must be 1 to 10000"},
        {"?rows=10001", "rows: must be 1 to 10000"},
        {"?rows=x", "rows"},
        {"?rows=-1", "rows"},
        {"?from=abc", "from"},
        {"?from=18446744073709551616", "from"},
        {"?from=5&to=5", "to: must be above from"},
        {"?from=6&to=5", "to: must be above from"},
        {"?start=b&end=a", "end: must be above start"},
        {"?start=a&end=a", "end: must be above start"},
        {"?start_hex=zz", "start_hex"},
        {"?start_b64=@@", "start_b64"},
        {"?rows=1&rows=2", "rows"},
    };
    for (const auto& [query, message] : cases) {
        BOOST_TEST_CONTEXT(query) {
            auto reply = get("/v1/keyviz" + query);
            BOOST_TEST(reply.status == 400u);
            BOOST_TEST(reply.error_code() == "bad_request");
            const std::string text(reply.json.at("error").at("message").as_string());
            BOOST_TEST(text.rfind(message, 0) == 0u, text);
        }
    }
    BOOST_TEST(post("/v1/keyviz", "{}").status == 405u);
}

BOOST_AUTO_TEST_CASE(a_bad_kind_is_400_and_records_nothing) {
    const std::string bodies[] = {
        R"({"keys_text":["a"],"kind":"Read"})", R"({"keys_text":["a"],"kind":"delete"})", R"({"keys_text":["a"],"kind":1})",
        R"({"keys_text":["a"],"kind":null})",   R"({"keys_text":["a"],"kind":["read"]})",  R"({"keys_text":["a"],"kind":""})",
    };
    for (const auto& body : bodies) {
        BOOST_TEST_CONTEXT(body) {
            auto reply = post("/v1/routes/access", body);
            BOOST_TEST(reply.status == 400u);
            BOOST_TEST(reply.error_code() == "bad_request");
            BOOST_TEST(std::string(reply.json.at("error").at("message").as_string()).find("kind") != std::string::npos);
        }
    }
    BOOST_TEST(ctx.engine->get_route("a")->load == 0u);
    ctx.engine->advance_keyviz(kT0 + 10'000);
    BOOST_TEST(get("/v1/keyviz").json.at("columns").at(0).at("rows").as_array().empty());
}

BOOST_AUTO_TEST_CASE(stats_say_the_store) {
    BOOST_TEST(get("/v1/stats").json.at("store").is_null());
    ctx.store_kind = "rocksdb";
    BOOST_TEST(get("/v1/stats").json.at("store") == json::value("rocksdb"));
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace routecat::test
