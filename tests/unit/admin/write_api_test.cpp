// The admin API's mutations: PUT and PATCH /v1/catalog, POST /v1/catalog/split, POST /v1/routes/access,
// POST /v1/engine/snapshot (DESIGN.md "Admin HTTP API"), called through handle_admin_request.

#include "unit/admin/api_fixture.hpp"
#include "support/hooked_store.hpp"

#include "routecat/base64.hpp"
#include "routecat/error.hpp"
#include "routecat/json/route_json.hpp"

#include <boost/json/serialize.hpp>
#include <boost/test/unit_test.hpp>

#include <random>
#include <string>
#include <vector>

namespace json = boost::json;
using namespace routecat;
using namespace routecat::test;

namespace {

json::value parse(const std::string& text) { return json::parse(text); }

struct WriteFixture : ApiFixture {
    // The stored catalog (read from the store, whatever the router is given): equal before and after
    // a request that must not write.
    std::string catalog_body() { return json::serialize(snapshot_to_json(run(io, CatalogStore(store).snapshot()))); }
    // The spec's example catalog as version 2: 1:["",m)->1, 2:[m,inf)->2 (next route id 3).
    void example() {
        auto reply = put("/v1/catalog", R"({"expected_version":1,"routes":[
            {"route_id":1,"start_text":"","end_text":"m","group_id":1},
            {"route_id":2,"start_text":"m","group_id":2}]})");
        BOOST_TEST_REQUIRE(reply.status == 200u);
    }
    std::string message(const ApiReply& r) const {
        if (!r.json.is_object() || !r.json.as_object().contains("error")) return {};
        return std::string(r.json.at("error").at("message").as_string());
    }
};

// Checks that a rejected request answered status with a JSON error of code and wrote nothing.
#define CHECK_REJECTED(call_expr, expected_status, expected_code)                                 \
    do {                                                                                          \
        const std::string before_ = catalog_body();                                               \
        const std::uint64_t engine_before_ = ctx.engine->version();                               \
        const auto reply_ = (call_expr);                                                          \
        BOOST_TEST(reply_.status == static_cast<unsigned>(expected_status), #call_expr);          \
        BOOST_TEST(reply_.error_code() == std::string(expected_code), #call_expr);                \
        BOOST_TEST(reply_.raw[boost::beast::http::field::content_type] == "application/json; charset=utf-8"); \
        BOOST_TEST(catalog_body() == before_, #call_expr);                                        \
        BOOST_TEST(ctx.engine->version() == engine_before_);                                      \
    } while (0)

}  // namespace

BOOST_FIXTURE_TEST_SUITE(admin_write_api, WriteFixture)

// ---- PUT /v1/catalog ---------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(put_catalog_saves_and_answers_the_new_version_and_routes) {
    auto reply = put("/v1/catalog", R"({"expected_version":1,"routes":[
        {"route_id":2,"start":"bQ==","end":null,"group_id":2,"state":"write_fenced"},
        {"route_id":1,"start_text":"","end_text":"m","group_id":1}]})");
    BOOST_TEST(reply.status == 200u);
    BOOST_TEST(reply.json == parse(R"({"version":2,"routes":[
        {"route_id":1,"start":"","start_text":"","end":"bQ==","end_text":"m","group_id":1,"state":"active","parent_route_id":0},
        {"route_id":2,"start":"bQ==","start_text":"m","end":null,"end_text":null,"group_id":2,"state":"write_fenced","parent_route_id":0}]})"));

    auto catalog = get("/v1/catalog");
    BOOST_TEST(catalog.status == 200u);
    BOOST_TEST(catalog.json.at("version") == parse("2"));
    BOOST_TEST(catalog.json.at("next_route_id") == parse("3"));
    BOOST_TEST(catalog.json.at("routes") == reply.json.at("routes"));

    // Applied to the engine at once.
    BOOST_TEST(ctx.engine->version() == 2u);
    BOOST_TEST(ctx.engine->get_route("z")->route_id == 2u);
}

BOOST_AUTO_TEST_CASE(what_get_catalog_returns_can_be_put_back_unchanged) {
    example();
    const auto before = get("/v1/catalog").json;
    json::object body;
    body["expected_version"] = 2;
    body["routes"] = before.at("routes");
    auto reply = put("/v1/catalog", json::serialize(body));
    BOOST_TEST(reply.status == 200u);
    BOOST_TEST(reply.json.at("version") == parse("3"));
    BOOST_TEST(reply.json.at("routes") == before.at("routes"));
    BOOST_TEST(get("/v1/catalog").json.at("routes") == before.at("routes"));
}

BOOST_AUTO_TEST_CASE(an_empty_route_list_is_saved) {
    auto reply = put("/v1/catalog", R"({"expected_version":1,"routes":[]})");
    BOOST_TEST(reply.status == 200u);
    BOOST_TEST(reply.json == parse(R"({"version":2,"routes":[]})"));
    BOOST_TEST(get("/v1/catalog").json.at("next_route_id") == parse("2"));  // ids are never reused
    BOOST_TEST(ctx.engine->stats().empty());
}

BOOST_AUTO_TEST_CASE(a_stale_expected_version_is_409_with_the_current_version) {
    example();
    for (const char* body : {R"({"expected_version":1,"routes":[]})", R"({"expected_version":0,"routes":[]})",
                             R"({"expected_version":3,"routes":[]})"}) {
        CHECK_REJECTED(put("/v1/catalog", body), 409, "catalog_version_mismatch");
        auto reply = put("/v1/catalog", body);
        BOOST_TEST(reply.json.at("error").at("current_version") == parse("2"));
        BOOST_TEST(message(reply).find("catalog version mismatch") != std::string::npos);
    }
}

BOOST_AUTO_TEST_CASE(a_table_the_engine_would_refuse_is_not_saved) {
    // Save itself accepts overlaps (spec §6.5), but a stored catalog the engine refuses would stop every
    // daemon that loads it: the API checks the whole table as the engine will, before saving.
    CHECK_REJECTED(put("/v1/catalog", R"({"expected_version":1,"routes":[
        {"route_id":1,"start_text":"","end_text":"m","group_id":1},{"route_id":2,"start_text":"a","end_text":"z","group_id":1}]})"),
                   422, "engine_snapshot_route_overlap");
    CHECK_REJECTED(put("/v1/catalog", R"({"expected_version":1,"routes":[
        {"route_id":1,"start_text":"a","group_id":1},{"route_id":2,"start_text":"b","group_id":1}]})"),
                   422, "engine_snapshot_route_order");
    // The catalog's own errors still come first.
    CHECK_REJECTED(put("/v1/catalog", R"({"expected_version":1,"routes":[
        {"route_id":1,"start_text":"","end_text":"m","group_id":1},{"route_id":1,"start_text":"a","end_text":"z","group_id":1}]})"),
                   422, "catalog_duplicate_route_id");
    BOOST_TEST(get("/v1/catalog").json.at("version") == parse("1"));
    BOOST_TEST(ctx.engine->version() == 1u);
}

// A Save whose commit answer is lost is decided by a re-read: landed -> 200 and applied; when even
// the re-read fails the client is told the outcome is unknown (503), not that it failed.
BOOST_AUTO_TEST_CASE(put_catalog_with_a_lost_commit_answer_is_decided_or_answered_503_commit_outcome_unknown) {
    auto hooked = std::make_shared<test::HookedStore>(store);
    ctx.catalog = CatalogStore(hooked);
    const std::string body = R"({"expected_version":1,"routes":[{"route_id":1,"start_text":"","group_id":4}]})";
    hooked->lose_next_answer(true);
    auto reply = put("/v1/catalog", body);
    BOOST_TEST(reply.status == 200u, reply.raw.body());
    BOOST_TEST(reply.json.at("version") == parse("2"));
    BOOST_TEST(ctx.engine->get_route("a")->group_id == 4u);

    hooked->before_apply([hooked](MvccStore&) -> boost::asio::awaitable<void> {
        hooked->fail_last_commit_ts(100, make_error_code(errc::store_unavailable));
        co_return;
    });
    hooked->lose_next_answer(true);
    reply = put("/v1/catalog", R"({"expected_version":2,"routes":[{"route_id":1,"start_text":"","group_id":5}]})");
    BOOST_TEST(reply.status == 503u, reply.raw.body());
    BOOST_TEST(reply.json.at("error").at("code") == parse(R"("commit_outcome_unknown")"));
    hooked->before_apply(nullptr);
    hooked->fail_last_commit_ts(0);
    BOOST_TEST(get("/v1/catalog").json.at("version") == parse("3"));  // it had landed
}

BOOST_AUTO_TEST_CASE(put_catalog_rejects_bad_input_with_4xx_and_writes_nothing) {
    const std::vector<std::tuple<std::string, unsigned, std::string>> cases{
        {"{", 400, "bad_request"},
        {"", 400, "bad_request"},
        {R"({"expected_version":1,"routes":[]} x)", 400, "bad_request"},
        {"[]", 400, "bad_request"},
        {"null", 400, "bad_request"},
        {"\"text\"", 400, "bad_request"},
        {"42", 400, "bad_request"},
        {R"({"routes":[]})", 400, "bad_request"},
        {R"({"expected_version":1})", 400, "bad_request"},
        {R"({"expected_version":"1","routes":[]})", 400, "bad_request"},
        {R"({"expected_version":-1,"routes":[]})", 400, "bad_request"},
        {R"({"expected_version":18446744073709551616,"routes":[]})", 400, "bad_request"},
        {R"({"expected_version":1.5,"routes":[]})", 400, "bad_request"},
        {R"({"expected_version":null,"routes":[]})", 400, "bad_request"},
        {R"({"expected_version":1,"routes":{}})", 400, "bad_request"},
        {R"({"expected_version":1,"routes":[1]})", 400, "bad_request"},
        {R"({"expected_version":1,"routes":[{"start_text":"","group_id":1}]})", 400, "bad_request"},
        {R"({"expected_version":1,"routes":[{"route_id":1,"start":"!!","group_id":1}]})", 400, "bad_request"},
        {R"({"expected_version":1,"routes":[{"route_id":1,"start":"Zh==","group_id":1}]})", 400, "bad_request"},
        {R"({"expected_version":1,"routes":[{"route_id":1,"group_id":1,"state":"hot"}]})", 400, "bad_request"},
        {R"({"expected_version":1,"routes":[{"route_id":1,"group_id":1,"state":1}]})", 400, "bad_request"},
        {R"({"expected_version":1,"routes":[{"route_id":-1,"group_id":1}]})", 400, "bad_request"},
        {R"({"expected_version":1,"routes":[{"route_id":1,"group_id":18446744073709551616}]})", 400, "bad_request"},
        {R"({"expected_version":1,"routes":[{"route_id":1,"group_id":1,"color":"red"}]})", 400, "bad_request"},
        {R"({"expected_version":1,"routes":[],"force":true})", 400, "bad_request"},
        // the spec's validation errors: 422 with their own codes
        {R"({"expected_version":1,"routes":[{"route_id":1,"group_id":1},{"route_id":1,"start_text":"m","group_id":2}]})",
         422, "catalog_duplicate_route_id"},
        {R"({"expected_version":1,"routes":[{"route_id":0,"group_id":1}]})", 422, "catalog_route_id_required"},
        {R"({"expected_version":1,"routes":[{"route_id":1,"group_id":0}]})", 422, "catalog_group_id_required"},
        {R"({"expected_version":1,"routes":[{"route_id":1,"group_id":1,"start_text":"b","end_text":"a"}]})", 422,
         "catalog_invalid_route_range"},
        {R"({"expected_version":1,"routes":[{"route_id":1,"group_id":1,"end":""}]})", 422, "catalog_invalid_route_range"},
        // validation wins over a stale version (spec §6.5 step 1)
        {R"({"expected_version":7,"routes":[{"route_id":0,"group_id":1}]})", 422, "catalog_route_id_required"},
    };
    for (const auto& [body, status, code] : cases) {
        BOOST_TEST_CONTEXT(body) { CHECK_REJECTED(put("/v1/catalog", body), status, code); }
    }
}

BOOST_AUTO_TEST_CASE(bad_request_messages_name_the_field) {
    BOOST_TEST(message(put("/v1/catalog", R"({"expected_version":1,"routes":[],"force":true,"dry":1})")) ==
               "force, dry: unknown fields: bad request");
    BOOST_TEST(message(put("/v1/catalog", R"({"expected_version":1,"routes":[],"force":true})")) ==
               "force: unknown field: bad request");
    BOOST_TEST(message(put("/v1/catalog", R"({"expected_version":18446744073709551616,"routes":[]})")) ==
               "expected_version: out of range: at most 18446744073709551615: bad request");
    BOOST_TEST(message(put("/v1/catalog", R"({"expected_version":-1,"routes":[]})")) ==
               "expected_version: expected a non-negative integer: bad request");
    BOOST_TEST(message(put("/v1/catalog", R"({"expected_version":1,"routes":[{"route_id":1},{"route_id":2,"start":"%"}]})")) ==
               "routes[1].start: invalid base64: bad request");
    BOOST_TEST(message(put("/v1/catalog", R"({"routes":[]})")) == "expected_version: required: bad request");
    BOOST_TEST(message(put("/v1/catalog", "[1]")) == "body: expected a JSON object: bad request");
    BOOST_TEST(message(put("/v1/catalog", "{")).starts_with("body: invalid JSON: "));
}

// ---- PATCH /v1/catalog -------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(patch_catalog_upserts_and_deletes_and_the_engine_serves_the_new_version) {
    example();  // v2: 1:["",m)->1, 2:[m,inf)->2
    auto reply = patch("/v1/catalog", R"({"expected_version":2,"upserts":[
        {"route_id":1,"start_text":"","end_text":"g","group_id":1},
        {"route_id":3,"start_text":"g","end_text":"m","group_id":5,"state":"write_fenced"}],"deletes":[]})");
    BOOST_TEST_REQUIRE(reply.status == 200u);
    json::object expected;
    expected["version"] = 3;
    expected["upserted"] = json::array{route_to_json(rd(1, "", "g", 1)), route_to_json(rd(3, "g", "m", 5, RouteState::write_fenced))};
    expected["deleted"] = json::array{};
    BOOST_TEST(reply.json == json::value(expected));
    BOOST_TEST(ctx.engine->version() == 3u);
    BOOST_TEST(ctx.engine->get_route("h")->group_id == 5u);
    BOOST_TEST(get("/v1/catalog").json.at("next_route_id") == parse("4"));

    reply = patch("/v1/catalog", R"({"expected_version":3,"upserts":[
        {"route_id":1,"start_text":"","end_text":"m","group_id":1}],"deletes":[3]})");
    BOOST_TEST_REQUIRE(reply.status == 200u);
    BOOST_TEST(reply.json.at("deleted") == parse("[3]"));
    BOOST_TEST(ctx.engine->version() == 4u);
    BOOST_TEST(ctx.engine->get_route("h")->route_id == 1u);
    BOOST_TEST(get("/v1/catalog").json.at("routes").as_array().size() == 2u);
    BOOST_TEST(get("/v1/catalog").json.at("next_route_id") == parse("4"));  // never lowered
}

BOOST_AUTO_TEST_CASE(patch_takes_routes_as_get_catalog_renders_them) {
    example();
    const json::value route = get("/v1/catalog").json.at("routes").at(0);
    json::object body;
    body["expected_version"] = 2;
    body["upserts"] = json::array{route};
    body["deletes"] = json::array{};
    const auto reply = patch("/v1/catalog", json::serialize(body));
    BOOST_TEST_REQUIRE(reply.status == 200u);
    BOOST_TEST(reply.json.at("upserted").at(0) == route);
}

BOOST_AUTO_TEST_CASE(patch_a_stale_version_is_409_with_the_current_version) {
    example();
    for (const char* body : {R"({"expected_version":1,"upserts":[],"deletes":[2]})",
                             R"({"expected_version":3,"upserts":[],"deletes":[]})"}) {
        CHECK_REJECTED(patch("/v1/catalog", body), 409, "catalog_version_mismatch");
        const auto reply = patch("/v1/catalog", body);
        BOOST_TEST(reply.json.at("error").at("current_version") == parse("2"));
        BOOST_TEST(message(reply).find(", durable version 2: catalog version mismatch") != std::string::npos);
    }
}

BOOST_AUTO_TEST_CASE(patch_rejects_what_the_catalog_refuses_and_writes_nothing) {
    example();  // 1:["",m) 2:[m,inf)
    CHECK_REJECTED(patch("/v1/catalog", R"({"expected_version":2,"upserts":[],"deletes":[9]})"), 404, "unknown_route");
    CHECK_REJECTED(patch("/v1/catalog", R"({"expected_version":2,"upserts":[{"route_id":2,"start_text":"m","group_id":2}],
        "deletes":[2]})"), 400, "bad_request");
    CHECK_REJECTED(patch("/v1/catalog", R"({"expected_version":2,"upserts":[],"deletes":[1,1]})"), 400, "bad_request");
    CHECK_REJECTED(patch("/v1/catalog", R"({"expected_version":2,"upserts":[{"route_id":3,"start_text":"a","end_text":"b","group_id":1}],
        "deletes":[]})"), 422, "engine_snapshot_route_overlap");
    CHECK_REJECTED(patch("/v1/catalog", R"({"expected_version":2,"upserts":[{"route_id":3,"start_text":"m","end_text":"n","group_id":1}],
        "deletes":[]})"), 422, "engine_snapshot_route_order");
    CHECK_REJECTED(patch("/v1/catalog", R"({"expected_version":2,"upserts":[{"route_id":0,"group_id":1}],"deletes":[]})"), 422,
                   "catalog_route_id_required");
    CHECK_REJECTED(patch("/v1/catalog", R"({"expected_version":2,"upserts":[{"route_id":3,"start_text":"b","end_text":"a","group_id":1}],
        "deletes":[]})"), 422, "catalog_invalid_route_range");
    // validation wins over a stale version, as PUT's
    CHECK_REJECTED(patch("/v1/catalog", R"({"expected_version":7,"upserts":[{"route_id":3,"group_id":0}],"deletes":[]})"), 422,
                   "catalog_group_id_required");
}

BOOST_AUTO_TEST_CASE(patch_garbage_bodies_are_400_and_write_nothing) {
    example();
    const std::vector<std::string> bodies{
        "{", "", "[]", "null", "42", R"({"expected_version":2,"upserts":[],"deletes":[]} x)",
        R"({"upserts":[],"deletes":[]})", R"({"expected_version":2,"deletes":[]})", R"({"expected_version":2,"upserts":[]})",
        R"({"expected_version":"2","upserts":[],"deletes":[]})", R"({"expected_version":-2,"upserts":[],"deletes":[]})",
        R"({"expected_version":2.0,"upserts":[],"deletes":[]})", R"({"expected_version":null,"upserts":[],"deletes":[]})",
        R"({"expected_version":18446744073709551618,"upserts":[],"deletes":[]})",
        R"({"expected_version":2,"upserts":{},"deletes":[]})", R"({"expected_version":2,"upserts":null,"deletes":[]})",
        R"({"expected_version":2,"upserts":[],"deletes":1})", R"({"expected_version":2,"upserts":[],"deletes":{"1":1}})",
        R"({"expected_version":2,"upserts":[],"deletes":[-1]})", R"({"expected_version":2,"upserts":[],"deletes":["1"]})",
        R"({"expected_version":2,"upserts":[],"deletes":[1.5]})", R"({"expected_version":2,"upserts":[],"deletes":[null]})",
        R"({"expected_version":2,"upserts":[],"deletes":[[1]]})",
        R"({"expected_version":2,"upserts":[],"deletes":[18446744073709551616]})",
        R"({"expected_version":2,"upserts":[1],"deletes":[]})", R"({"expected_version":2,"upserts":[[]],"deletes":[]})",
        R"({"expected_version":2,"upserts":[{"start_text":"x","group_id":1}],"deletes":[]})",
        R"({"expected_version":2,"upserts":[{"route_id":-3,"group_id":1}],"deletes":[]})",
        R"({"expected_version":2,"upserts":[{"route_id":18446744073709551616,"group_id":1}],"deletes":[]})",
        R"({"expected_version":2,"upserts":[{"route_id":3,"group_id":1,"start":"!!"}],"deletes":[]})",
        R"({"expected_version":2,"upserts":[{"route_id":3,"group_id":1,"state":"hot"}],"deletes":[]})",
        R"({"expected_version":2,"upserts":[{"route_id":3,"group_id":1,"color":"red"}],"deletes":[]})",
        R"({"expected_version":2,"upserts":[],"deletes":[],"routes":[]})",
        R"({"expected_version":2,"upserts":[],"deletes":[],"force":true})",
    };
    for (const auto& body : bodies) {
        BOOST_TEST_CONTEXT(body) { CHECK_REJECTED(patch("/v1/catalog", body), 400, "bad_request"); }
    }
}

BOOST_AUTO_TEST_CASE(patch_with_an_upsert_id_twice_is_a_422_like_put) {
    // The same rule and code as PUT /v1/catalog: the routes are well-formed, the table is not.
    CHECK_REJECTED(patch("/v1/catalog", R"({"expected_version":1,"upserts":[{"route_id":4,"start_text":"a","end_text":"b","group_id":1},
        {"route_id":4,"start_text":"m","group_id":1}],"deletes":[]})"),
                   422, "catalog_duplicate_route_id");
    CHECK_REJECTED(put("/v1/catalog", R"({"expected_version":1,"routes":[{"route_id":4,"start_text":"a","end_text":"b","group_id":1},
        {"route_id":4,"start_text":"m","group_id":1}]})"),
                   422, "catalog_duplicate_route_id");
}

BOOST_AUTO_TEST_CASE(patch_bad_request_messages_name_the_field) {
    const std::string ok = R"("expected_version":1,"upserts":[])";
    BOOST_TEST(message(patch("/v1/catalog", "{" + ok + R"(,"deletes":[2,-1]})")) ==
               "deletes[1]: expected a non-negative integer: bad request");
    BOOST_TEST(message(patch("/v1/catalog", "{" + ok + "}")) == "deletes: required: bad request");
    BOOST_TEST(message(patch("/v1/catalog", R"({"expected_version":1,"upserts":[{"route_id":4,"group_id":1}],"deletes":[4]})")) ==
               "route id 4 is both upserted and deleted: bad request");
}

BOOST_AUTO_TEST_CASE(patch_is_a_mutation_for_the_token_and_the_body_type) {
    ctx.options.token = "s3cret";
    const std::string body = R"({"expected_version":1,"upserts":[{"route_id":1,"group_id":7}],"deletes":[]})";
    for (const std::string auth : {"", "Bearer wrong", "Basic s3cret"}) {
        std::map<std::string, std::string> headers;
        if (!auth.empty()) headers["Authorization"] = auth;
        BOOST_TEST_CONTEXT(auth) { CHECK_REJECTED(patch("/v1/catalog", body, headers), 401, "unauthorized"); }
    }
    for (const std::string type : {"text/plain", "application/x-www-form-urlencoded", "", "application/jsonx"}) {
        BOOST_TEST_CONTEXT(type) {
            CHECK_REJECTED(patch("/v1/catalog", body, {{"Authorization", "Bearer s3cret"}, {"Content-Type", type}}), 415,
                           "unsupported_media_type");
        }
    }
    const auto reply = patch("/v1/catalog", body, {{"Authorization", "Bearer s3cret"}, {"Content-Type", "Application/JSON; x=y"}});
    BOOST_TEST(reply.status == 200u);
    BOOST_TEST(ctx.engine->get_route("a")->group_id == 7u);
}

BOOST_AUTO_TEST_CASE(patch_brings_a_lagging_engine_to_the_new_version) {
    example();
    run(io, ctx.catalog.save(2, {rd(1, "", std::nullopt, 4)}));  // the engine stays at 2
    const auto reply = patch("/v1/catalog", R"({"expected_version":3,"upserts":[{"route_id":1,"group_id":6}],"deletes":[]})");
    BOOST_TEST(reply.status == 200u);
    BOOST_TEST(ctx.engine->version() == 4u);
    BOOST_TEST(ctx.engine->get_route("z")->group_id == 6u);
}

// ---- POST /v1/catalog/split --------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(the_spec_split_example_end_to_end) {
    example();  // version 2
    auto reply = post("/v1/catalog/split", R"({"expected_version":2,"route_id":1,"split_key_text":"g"})");
    BOOST_TEST(reply.status == 200u);
    BOOST_TEST(reply.json == parse(R"({"version":3,
        "left":{"route_id":3,"start":"","start_text":"","end":"Zw==","end_text":"g","group_id":1,"state":"active","parent_route_id":1},
        "right":{"route_id":4,"start":"Zw==","start_text":"g","end":"bQ==","end_text":"m","group_id":1,"state":"active","parent_route_id":1}})"));

    auto catalog = get("/v1/catalog");
    BOOST_TEST(catalog.json.at("version") == parse("3"));
    BOOST_TEST(catalog.json.at("next_route_id") == parse("5"));
    std::vector<std::uint64_t> ids;
    for (const auto& r : catalog.json.at("routes").as_array()) ids.push_back(r.at("route_id").to_number<std::uint64_t>());
    BOOST_TEST((ids == std::vector<std::uint64_t>{3, 4, 2}));

    // Step 8: the engine already has it.
    BOOST_TEST(ctx.engine->version() == 3u);
    BOOST_TEST(ctx.engine->get_route("h")->route_id == 4u);
    BOOST_TEST(ctx.engine->get_route("a")->route_id == 3u);

    // A Save that drops route 4 does not make 5 and 6 reusable... nor 4.
    auto saved = put("/v1/catalog", R"({"expected_version":3,"routes":[
        {"route_id":3,"start_text":"","end_text":"g","group_id":1,"parent_route_id":1},
        {"route_id":2,"start_text":"m","group_id":2}]})");
    BOOST_TEST(saved.status == 200u);
    auto again = post("/v1/catalog/split", R"({"expected_version":4,"route_id":2,"split_key":"dA=="})");
    BOOST_TEST(again.status == 200u);
    BOOST_TEST(again.json.at("left").at("route_id") == parse("5"));
    BOOST_TEST(again.json.at("right").at("route_id") == parse("6"));
    BOOST_TEST(again.json.at("right").at("start_text") == parse("\"t\""));
    BOOST_TEST(ctx.engine->version() == 5u);
}

BOOST_AUTO_TEST_CASE(a_split_key_with_any_bytes_goes_through_base64) {
    const std::string key("\x00\xff\x01", 3);
    auto reply = post("/v1/catalog/split", R"({"expected_version":1,"route_id":1,"split_key":")" + base64_encode(key) + "\"}");
    BOOST_TEST(reply.status == 200u);
    BOOST_TEST(reply.json.at("left").at("end_text") == parse(R"("\\x00\\xff\\x01")"));
    BOOST_TEST(reply.json.at("right").at("end") == json::value(nullptr));
    BOOST_TEST(ctx.engine->get_route(key)->route_id == 3u);
    BOOST_TEST(ctx.engine->get_route(std::string("\x00\xff", 2))->route_id == 2u);
}

BOOST_AUTO_TEST_CASE(split_errors_answer_their_status_and_write_nothing) {
    example();
    const std::vector<std::tuple<std::string, unsigned, std::string>> cases{
        {R"({"expected_version":2,"route_id":9,"split_key_text":"g"})", 404, "unknown_route"},
        {R"({"expected_version":2,"route_id":1,"split_key_text":""})", 400, "split_key_at_boundary"},
        {R"({"expected_version":2,"route_id":1,"split_key_text":"m"})", 400, "split_key_at_boundary"},
        {R"({"expected_version":2,"route_id":2,"split_key":"bQ=="})", 400, "split_key_at_boundary"},
        {R"({"expected_version":2,"route_id":1,"split_key_text":"x"})", 400, "invalid_split_key"},
        {R"({"expected_version":2,"route_id":2,"split_key_text":"a"})", 400, "invalid_split_key"},
        {R"({"expected_version":1,"route_id":1,"split_key_text":"g"})", 409, "catalog_version_mismatch"},
        {R"({"expected_version":3,"route_id":1,"split_key_text":"g"})", 409, "catalog_version_mismatch"},
        // bad input
        {R"({"expected_version":2,"route_id":1,"split_key":"Zw==","split_key_text":"g"})", 400, "bad_request"},
        {R"({"expected_version":2,"route_id":1})", 400, "bad_request"},
        {R"({"expected_version":2,"route_id":1,"split_key":"Zw="})", 400, "bad_request"},
        {R"({"expected_version":2,"route_id":1,"split_key":7})", 400, "bad_request"},
        {R"({"expected_version":2,"route_id":1,"split_key_text":null})", 400, "bad_request"},
        {R"({"expected_version":2,"route_id":"1","split_key_text":"g"})", 400, "bad_request"},
        {R"({"expected_version":2,"route_id":-1,"split_key_text":"g"})", 400, "bad_request"},
        {R"({"expected_version":2,"route_id":18446744073709551616,"split_key_text":"g"})", 400, "bad_request"},
        {R"({"expected_version":-1,"route_id":1,"split_key_text":"g"})", 400, "bad_request"},
        {R"({"route_id":1,"split_key_text":"g"})", 400, "bad_request"},
        {R"({"expected_version":2,"split_key_text":"g"})", 400, "bad_request"},
        {R"({"expected_version":2,"route_id":1,"split_key_text":"g","parent":1})", 400, "bad_request"},
        {R"({"expected_version":2,"route_id":1,"split_key_text":"g")", 400, "bad_request"},
        {R"(["expected_version",2])", 400, "bad_request"},
    };
    for (const auto& [body, status, code] : cases) {
        BOOST_TEST_CONTEXT(body) { CHECK_REJECTED(post("/v1/catalog/split", body), status, code); }
    }
    auto conflict = post("/v1/catalog/split", R"({"expected_version":1,"route_id":1,"split_key_text":"g"})");
    BOOST_TEST(conflict.json.at("error").at("current_version") == parse("2"));
    BOOST_TEST(message(conflict).find("catalog version conflict") != std::string::npos);
    BOOST_TEST(message(post("/v1/catalog/split", R"({"expected_version":2,"route_id":9,"split_key_text":"g"})")) ==
               "route id 9: unknown route");
    BOOST_TEST(message(post("/v1/catalog/split", R"({"expected_version":2,"route_id":1,"split_key":"Zw==","split_key_text":"g"})")) ==
               "split_key, split_key_text: give exactly one: bad request");
}

BOOST_AUTO_TEST_CASE(an_engine_that_refuses_the_split_catalog_is_a_500_after_the_commit) {
    // Overlapping routes are saved (the engine keeps version 1); after the split the engine still
    // refuses the catalog: step 8 fails with "apply engine snapshot: ...".
    run(io, ctx.catalog.save(1, {rd(1, "a", "z", 1), rd(2, "b", "c", 1)}));  // CatalogStore::save keeps §6.5
    auto reply = post("/v1/catalog/split", R"({"expected_version":2,"route_id":1,"split_key_text":"m"})");
    BOOST_TEST(reply.status == 500u);
    BOOST_TEST(reply.error_code() == "internal");
    BOOST_TEST(message(reply) == "apply engine snapshot: engine snapshot has overlapping routes");
    BOOST_TEST(get("/v1/catalog").json.at("version") == parse("3"));  // the split itself committed
    BOOST_TEST(ctx.engine->version() == 1u);
}

BOOST_AUTO_TEST_CASE(a_split_keeps_the_parent_state_in_catalog_and_engine) {
    put("/v1/catalog", R"({"expected_version":1,"routes":[{"route_id":1,"group_id":3,"state":"migrating_source"}]})");
    auto reply = post("/v1/catalog/split", R"({"expected_version":2,"route_id":1,"split_key_text":"k"})");
    BOOST_TEST(reply.status == 200u);
    BOOST_TEST(reply.json.at("left").at("state") == parse("\"migrating_source\""));
    BOOST_TEST(reply.json.at("right").at("group_id") == parse("3"));
    BOOST_TEST((ctx.engine->get_route("z")->state == RouteState::migrating_source));
}

// ---- POST /v1/routes/access --------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(accesses_are_recorded_and_can_split_a_hot_route) {
    example();
    ctx.engine = Engine::with_threshold(2);
    BOOST_TEST_REQUIRE(!ctx.engine->apply_snapshot(run(io, ctx.catalog.snapshot())));
    const std::uint64_t g = ctx.engine->generation();
    const std::string catalog = catalog_body();

    auto one = post("/v1/routes/access", R"({"keys_text":["b"]})");
    BOOST_TEST(one.status == 200u);
    BOOST_TEST(one.json == json::value({{"recorded", 1}, {"generation", g}}));
    BOOST_TEST(ctx.engine->get_route("b")->load == 1u);

    auto two = post("/v1/routes/access", R"({"keys":["Yg=="]})");  // "b" again: the threshold splits ["",m)
    BOOST_TEST(two.status == 200u);
    BOOST_TEST(two.json == json::value({{"recorded", 1}, {"generation", g + 1}}));
    const std::vector<Route> expected{rt(0, "", std::string(1, '\0'), 1), rt(0, std::string(1, '\0'), "m", 1),
                                      rt(2, "m", std::nullopt, 2)};
    BOOST_TEST(ctx.engine->stats() == expected, boost::test_tools::per_element());
    BOOST_TEST(ctx.engine->version() == 2u);
    BOOST_TEST(catalog_body() == catalog);  // the catalog is never written by accesses
}

BOOST_AUTO_TEST_CASE(many_keys_in_one_request) {
    std::string body = R"({"keys_text":[)";
    for (int i = 0; i < 10'000; ++i) body += (i ? ",\"k" : "\"k") + std::to_string(i) + "\"";
    body += "]}";
    auto reply = post("/v1/routes/access", body);
    BOOST_TEST(reply.status == 200u);
    BOOST_TEST(reply.json.at("recorded") == parse("10000"));
    BOOST_TEST(ctx.engine->stats().at(0).load == 10'000u);

    auto empty = post("/v1/routes/access", R"({"keys":[]})");
    BOOST_TEST(empty.status == 200u);
    BOOST_TEST(empty.json.at("recorded") == parse("0"));
}

BOOST_AUTO_TEST_CASE(bad_access_bodies_are_400_and_record_nothing) {
    std::string too_many = R"({"keys":[)";
    for (int i = 0; i < 10'001; ++i) too_many += i ? ",\"\"" : "\"\"";
    too_many += "]}";
    const std::vector<std::string> cases{
        too_many,
        R"({"keys":["Yg=="],"keys_text":["b"]})",
        R"({})",
        R"({"keys":"Yg=="})",
        R"({"keys":null})",
        R"({"keys":["Yg==",1]})",
        R"({"keys":["Yg==","b"]})",  // not base64
        R"({"keys_text":["b",null]})",
        R"({"keys_text":["b"],"key":"b"})",
        R"(["b"])",
        R"({"keys_text":["b"])",
    };
    for (const auto& body : cases) {
        BOOST_TEST_CONTEXT(body.substr(0, 80)) { CHECK_REJECTED(post("/v1/routes/access", body), 400, "bad_request"); }
    }
    BOOST_TEST(ctx.engine->stats().at(0).load == 0u);
    BOOST_TEST(message(post("/v1/routes/access", too_many)) == "keys: at most 10000 keys per request: bad request");
    BOOST_TEST(message(post("/v1/routes/access", R"({"keys":["Yg==","b"]})")) == "keys[1]: invalid base64: bad request");
}

// ---- POST /v1/engine/snapshot ------------------------------------------------------------------

// Without a catalog store (an embedder's router), a snapshot is the engine's alone to judge.
BOOST_AUTO_TEST_CASE(an_engine_snapshot_is_applied) {
    ctx.catalog = CatalogStore(nullptr);
    auto reply = post("/v1/engine/snapshot", R"({"version":7,"read_ts":3,"routes":[
        {"route_id":5,"start_text":"m","group_id":2,"parent_route_id":1,"load":99},
        {"route_id":4,"start_text":"","end_text":"m","group_id":1,"state":"write_fenced"}]})");
    BOOST_TEST(reply.status == 200u);
    BOOST_TEST(reply.json == parse(R"({"version":7})"));
    const std::vector<Route> expected{rt(4, "", "m", 1, RouteState::write_fenced), rt(5, "m", std::nullopt, 2)};
    BOOST_TEST(ctx.engine->stats() == expected, boost::test_tools::per_element());
    BOOST_TEST(ctx.engine->version() == 7u);
    BOOST_TEST(run(io, CatalogStore(store).version()) == 1u);  // the catalog is not touched
}

BOOST_AUTO_TEST_CASE(an_equal_version_is_a_200_no_op_even_when_invalid) {
    ctx.catalog = CatalogStore(nullptr);
    const auto before = ctx.engine->stats();
    auto reply = post("/v1/engine/snapshot", R"({"version":1,"routes":[
        {"route_id":5,"start_text":"a","group_id":2},{"route_id":5,"start_text":"b","group_id":2}]})");
    BOOST_TEST(reply.status == 200u);
    BOOST_TEST(reply.json == parse(R"({"version":1})"));
    BOOST_TEST(ctx.engine->stats() == before, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(engine_snapshot_errors) {
    ctx.catalog = CatalogStore(nullptr);
    post("/v1/engine/snapshot", R"({"version":5,"routes":[{"route_id":1,"group_id":1}]})");
    BOOST_TEST_REQUIRE(ctx.engine->version() == 5u);
    const std::vector<std::tuple<std::string, unsigned, std::string>> cases{
        {R"({"version":4,"routes":[]})", 409, "engine_snapshot_version_stale"},
        {R"({"version":0,"routes":[{"route_id":0,"group_id":1}]})", 409, "engine_snapshot_version_stale"},
        {R"({"version":6,"routes":[{"route_id":1,"start_text":"a","end_text":"c","group_id":1},{"route_id":2,"start_text":"b","group_id":1}]})",
         422, "engine_snapshot_route_overlap"},
        {R"({"version":6,"routes":[{"route_id":1,"start_text":"a","group_id":1},{"route_id":1,"start_text":"b","group_id":1}]})",
         422, "engine_snapshot_duplicate_id"},
        {R"({"version":6,"routes":[{"route_id":1,"start_text":"a","group_id":1},{"route_id":2,"start_text":"b","group_id":1}]})",
         422, "engine_snapshot_route_order"},
        {R"({"version":6,"routes":[{"route_id":0,"group_id":1}]})", 422, "catalog_route_id_required"},
        {R"({"version":6,"routes":[{"route_id":1,"group_id":0}]})", 422, "catalog_group_id_required"},
        {R"({"version":6,"routes":[{"route_id":1,"group_id":1,"start_text":"b","end_text":"b"}]})", 422,
         "catalog_invalid_route_range"},
        {R"({"version":6,"routes":[{"route_id":1,"group_id":1,"state":"sleeping"}]})", 400, "bad_request"},
        {R"({"version":6,"routes":[{"group_id":1}]})", 400, "bad_request"},
        {R"({"version":6,"routes":[],"read_ts":-1})", 400, "bad_request"},
        {R"({"version":6,"routes":[],"read_ts":"3"})", 400, "bad_request"},
        {R"({"version":18446744073709551616,"routes":[]})", 400, "bad_request"},
        {R"({"version":-1,"routes":[]})", 400, "bad_request"},
        {R"({"version":6})", 400, "bad_request"},
        {R"({"routes":[]})", 400, "bad_request"},
        {R"({"version":6,"routes":[],"generation":1})", 400, "bad_request"},
        {R"({"version":6,"routes":"none"})", 400, "bad_request"},
        {"{\"version\":6,", 400, "bad_request"},
        {"true", 400, "bad_request"},
    };
    const auto before = ctx.engine->stats();
    for (const auto& [body, status, code] : cases) {
        BOOST_TEST_CONTEXT(body) { CHECK_REJECTED(post("/v1/engine/snapshot", body), status, code); }
    }
    BOOST_TEST(ctx.engine->stats() == before, boost::test_tools::per_element());
    BOOST_TEST(message(post("/v1/engine/snapshot", R"({"version":4,"routes":[]})")) ==
               "snapshot version 4 is older than engine catalog version 5: engine snapshot version is stale");
}

// With a catalog store, only what the durable catalog holds reaches the engine.
BOOST_AUTO_TEST_CASE(a_snapshot_ahead_of_the_catalog_is_refused) {
    // The cross-site attack: an engine at u64 max would never follow the catalog again.
    for (const char* body : {R"({"version":18446744073709551615,"routes":[]})", R"({"version":2,"routes":[]})"}) {
        CHECK_REJECTED(post("/v1/engine/snapshot", body), 409, "engine_snapshot_ahead_of_catalog");
    }
    BOOST_TEST(message(post("/v1/engine/snapshot", R"({"version":2,"routes":[]})")) ==
               "snapshot version 2, durable catalog version 1: engine snapshot is ahead of the durable catalog");
    BOOST_TEST(ctx.engine->version() == 1u);
    BOOST_TEST(get("/v1/routes/lookup?key=x").status == 200u);
}

BOOST_AUTO_TEST_CASE(a_snapshot_at_the_durable_version_must_carry_its_routes) {
    CHECK_REJECTED(post("/v1/engine/snapshot", R"({"version":1,"routes":[]})"), 409, "engine_snapshot_mismatch");
    CHECK_REJECTED(post("/v1/engine/snapshot", R"({"version":1,"routes":[{"route_id":1,"group_id":2}]})"), 409,
                   "engine_snapshot_mismatch");
    CHECK_REJECTED(post("/v1/engine/snapshot", R"({"version":1,"routes":[{"route_id":1,"group_id":1,"parent_route_id":7}]})"),
                   409, "engine_snapshot_mismatch");
    // Exactly the catalog's routes: what GET /v1/catalog answers can be pushed back.
    auto reply = post("/v1/engine/snapshot", R"({"version":1,"routes":[{"route_id":1,"start_text":"","group_id":1}]})");
    BOOST_TEST(reply.status == 200u);
    BOOST_TEST(reply.json == parse(R"({"version":1})"));
}

BOOST_AUTO_TEST_CASE(a_lagging_engine_takes_the_durable_catalog_and_nothing_older) {
    run(io, ctx.catalog.save(1, {rd(2, "", "m", 3), rd(3, "m", std::nullopt, 4, RouteState::active, 1)}));  // engine at 1
    BOOST_TEST_REQUIRE(ctx.engine->version() == 1u);
    CHECK_REJECTED(post("/v1/engine/snapshot", R"({"version":1,"routes":[{"route_id":1,"group_id":1}]})"), 409,
                   "engine_snapshot_version_stale");
    auto reply = post("/v1/engine/snapshot", R"({"version":2,"routes":[
        {"route_id":3,"start_text":"m","group_id":4,"parent_route_id":1},{"route_id":2,"start_text":"","end_text":"m","group_id":3}]})");
    BOOST_TEST(reply.status == 200u);
    BOOST_TEST(reply.json == parse(R"({"version":2})"));
    BOOST_TEST(ctx.engine->version() == 2u);
    BOOST_TEST(ctx.engine->get_route("x")->group_id == 4u);
}

// ---- garbage -----------------------------------------------------------------------------------

namespace {

// Random request bodies that can never be an accepted mutation here: numbers avoid 1 (the catalog
// version) and anything at or above 2^63 (the engine version set up), and key lists always hold a
// non-key. Route lists are often well-formed, so validation (422) and conflicts (409) are reached.
class Garbage {
public:
    explicit Garbage(std::uint32_t seed) : rng_(seed) {}

    std::string body(const std::vector<std::string>& fields) {
        switch (pick(6)) {
            case 0:
                return random_bytes();
            case 1: {  // a truncated structured body
                std::string s = json::serialize(object(fields, 0));
                return s.substr(0, pick(s.size() + 1));
            }
            default:
                return json::serialize(pick(10) == 0 ? value(0) : json::value(object(fields, 0)));
        }
    }

private:
    std::size_t pick(std::size_t n) { return std::uniform_int_distribution<std::size_t>(0, n - 1)(rng_); }

    std::string random_bytes() {
        static constexpr char kAlphabet[] = "{}[]\":,0123456789-.eE+ truefalsn\\\x00\xff\x7f abc";
        static const std::string alphabet(kAlphabet, sizeof kAlphabet - 1);
        std::string s(pick(40), ' ');
        for (auto& c : s) c = pick(3) ? alphabet[pick(alphabet.size())] : static_cast<char>(pick(256));
        return s;
    }

    json::value number() {
        static const std::vector<std::string> numbers{"0",   "2",   "7",   "3",  "-1", "1.5", "1e3", "18446744073709551616",
                                                      "-9223372036854775809", "9223372036854775807", "4294967296",
                                                      "-0",  "0.0", "1E400"};
        boost::system::error_code ec;
        auto v = json::parse(numbers[pick(numbers.size())], ec);
        return ec ? json::value(0) : v;
    }

    json::value key_string() {
        static const std::vector<std::string> strings{"", "Zw==", "bQ==", "g", "!!", "Zh==", "=", "\xff", "AA==",
                                                      "active", "hot", "write_fenced", "m"};
        return json::value(strings[pick(strings.size())]);
    }

    json::value value(int depth) {
        switch (pick(depth > 2 ? 4 : 7)) {
            case 0: return number();
            case 1: return key_string();
            case 2: return json::value(nullptr);
            case 3: return json::value(pick(2) == 0);
            case 4: {
                json::array a;
                const std::size_t n = pick(4);
                for (std::size_t i = 0; i < n; ++i) a.push_back(value(depth + 1));
                return a;
            }
            case 5: return route(depth + 1);
            default: return object({"x"}, depth + 1);
        }
    }

    json::value route(int depth) {
        static const std::vector<std::string> fields{"route_id", "start", "start_text", "end", "end_text",
                                                     "group_id", "state", "parent_route_id", "load"};
        static const char* const valid_b64[] = {"", "Zw==", "bQ==", "AA=="};
        json::object o;
        for (const auto& f : fields) {
            if (pick(2)) continue;
            if (f == "state") o[f] = pick(2) ? json::value("active") : key_string();
            else if (f == "route_id" || f == "group_id" || f == "parent_route_id" || f == "load")
                o[f] = pick(8) ? json::value(pick(5)) : value(depth + 1);
            else if ((f == "start" || f == "end") && pick(2)) o[f] = valid_b64[pick(4)];
            else o[f] = pick(8) ? key_string() : value(depth + 1);
        }
        if (pick(20) == 0) o["bogus"] = value(depth + 1);
        return o;
    }

    json::value field_value(const std::string& field, int depth) {
        if ((field == "routes" || field == "upserts") && pick(3)) {
            json::array a;
            const std::size_t n = pick(4);
            for (std::size_t i = 0; i < n; ++i) a.push_back(pick(16) ? route(depth + 1) : value(depth + 1));
            return a;
        }
        const bool numeric = field == "expected_version" || field == "route_id" || field == "version" || field == "read_ts";
        json::value v = numeric && pick(4) ? number() : value(depth + 1);
        if ((field == "keys" || field == "keys_text") && v.is_array()) v.get_array().push_back(number());
        if ((field == "split_key" || field == "split_key_text") && pick(2)) v = key_string();
        return v;
    }

    json::object object(const std::vector<std::string>& fields, int depth) {
        json::object o;
        for (const auto& f : fields)
            if (pick(3)) o[f] = field_value(f, depth);
        if (pick(8) == 0) o["unknown"] = value(depth + 1);
        return o;
    }

    std::mt19937 rng_;
};

}  // namespace

BOOST_AUTO_TEST_CASE(random_garbage_never_crashes_answers_4xx_and_writes_nothing) {
    // Engine at a version above every number the generator makes, so no snapshot is newer.
    BOOST_TEST_REQUIRE(!ctx.engine->apply_snapshot(CatalogSnapshot{9'223'372'036'854'775'808ull, {}, 0}));
    const std::string catalog = catalog_body();
    const std::uint64_t generation = ctx.engine->generation();
    struct Target {
        boost::beast::http::verb method;
        std::string path;
        std::vector<std::string> fields;
    };
    const std::vector<Target> targets{
        {boost::beast::http::verb::put, "/v1/catalog", {"expected_version", "routes"}},
        {boost::beast::http::verb::patch, "/v1/catalog", {"expected_version", "upserts", "deletes"}},
        {boost::beast::http::verb::post, "/v1/catalog/split", {"expected_version", "route_id", "split_key", "split_key_text"}},
        {boost::beast::http::verb::post, "/v1/routes/access", {"keys", "keys_text"}},
        {boost::beast::http::verb::post, "/v1/engine/snapshot", {"version", "routes", "read_ts"}},
    };
    Garbage garbage(20240601);
    std::map<unsigned, int> statuses;
    for (const auto& t : targets) {
        for (int i = 0; i < 5'000; ++i) {
            const std::string body = garbage.body(t.fields);
            const auto reply = call(t.method, t.path, body);
            ++statuses[reply.status];
            if (reply.status < 400 || reply.status >= 500 || reply.error_code().empty()) {
                BOOST_ERROR(t.path << " answered " << reply.status << " to " << body << ": " << reply.raw.body());
                break;
            }
        }
    }
    BOOST_TEST(catalog_body() == catalog);
    BOOST_TEST(ctx.engine->generation() == generation);
    BOOST_TEST_MESSAGE("garbage statuses: " << [&] {
        std::string s;
        for (auto [status, n] : statuses) s += std::to_string(status) + "x" + std::to_string(n) + " ";
        return s;
    }());
    BOOST_TEST(statuses[400] > 0);
    BOOST_TEST(statuses[409] > 0);
    BOOST_TEST(statuses[422] > 0);
}

BOOST_AUTO_TEST_SUITE_END()
