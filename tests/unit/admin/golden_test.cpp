// Golden bytes of every admin API response that renders routes: status, Content-Type and the exact
// body (key order, number forms, base64, *_text and JSON escaping), written out as literals, so a new
// renderer is proven byte-identical to today's route_to_json + boost::json::serialize. The catalog is
// golden_fixture.hpp's; one route object per line.

#include "unit/admin/golden_fixture.hpp"

#include "support/collecting_writer.hpp"

#include <boost/test/unit_test.hpp>

#include <string>
#include <string_view>
#include <vector>

using namespace routecat;
using namespace routecat::test;
namespace asio = boost::asio;
namespace http = boost::beast::http;

namespace {

constexpr std::string_view kJson = "application/json; charset=utf-8";

// The reply's status, Content-Type and whole body, each exactly.
void expect(const ApiReply& r, unsigned status, std::string_view content_type, std::string_view body) {
    BOOST_TEST(r.status == status);
    BOOST_TEST(std::string(r.raw[http::field::content_type]) == content_type);
    BOOST_TEST(r.raw.body() == body);
}

// The first piece a stream reply writes (its first event).
std::string first_event(ApiFixture& f, ApiReply& r) {
    BOOST_TEST_REQUIRE(static_cast<bool>(r.stream));
    CollectingWriter client(1);
    BOOST_CHECK_THROW(run(f.io, r.stream(client)), boost::system::system_error);  // the client left after 1
    BOOST_TEST_REQUIRE(client.pieces.size() == 1u);
    return client.pieces[0];
}

}  // namespace

BOOST_FIXTURE_TEST_SUITE(admin_golden, GoldenFixture)

// POST /v1/routes/access: the reply that recorded the fixture's loads.
BOOST_AUTO_TEST_CASE(access_reply) {
    expect(access, 200, kJson,
           R"({"recorded":16,"generation":13})");
}

// GET /v1/routes/lookup: a bounded route with escaped keys and a load, and the unbounded one.
BOOST_AUTO_TEST_CASE(lookup_found) {
    expect(get("/v1/routes/lookup?key=b"), 200, kJson,
           R"({"version":12,"route":)"
           R"({"route_id":42,"start":"YSJiXGM=","start_text":"a\"b\\\\c","end":"awAff4D/","end_text":"k\\x00\\x1f\\x7f\\x80\\xff","group_id":12,"state":"write_fenced","load":12}})");
    expect(get("/v1/routes/lookup?key_hex=7a7aff"), 200, kJson,
           R"({"version":12,"route":)"
           R"({"route_id":1000,"start":"eno=","start_text":"zz","end":null,"end_text":null,"group_id":7,"state":"migrating_source","load":3}})");
}

// GET /v1/routes/lookup of a key in the gap [q, zz): the 404 body, the key's text escaped in the message.
BOOST_AUTO_TEST_CASE(lookup_miss_is_404) {
    expect(get("/v1/routes/lookup?key_hex=72225c01"), 404, kJson,
           R"({"error":{"code":"not_found","message":"no route holds key r\"\\\\\\x01"}})");
}

// POST /v1/routes/lookup: one entry per key in request order, the miss ("r") as null.
BOOST_AUTO_TEST_CASE(batch_lookup) {
    expect(post("/v1/routes/lookup", R"({"keys":["","YSJiXGM=","cg==","enr/"]})"), 200, kJson,
           R"({"version":12,"routes":[)"
           R"({"route_id":17,"start":"","start_text":"","end":"YSJiXGM=","end_text":"a\"b\\\\c","group_id":3,"state":"active","load":0},)"
           R"({"route_id":42,"start":"YSJiXGM=","start_text":"a\"b\\\\c","end":"awAff4D/","end_text":"k\\x00\\x1f\\x7f\\x80\\xff","group_id":12,"state":"write_fenced","load":12},)"
           R"(null,)"
           R"({"route_id":1000,"start":"eno=","start_text":"zz","end":null,"end_text":null,"group_id":7,"state":"migrating_source","load":3}]})");
}

// GET /v1/routes: a first page with its next cursor, then the last page (next null); both ETags.
BOOST_AUTO_TEST_CASE(routes_pages) {
    const auto first = get("/v1/routes?limit=2");
    expect(first, 200, kJson,
           R"({"version":12,"generation":13,"count":4,"routes":[)"
           R"({"route_id":17,"start":"","start_text":"","end":"YSJiXGM=","end_text":"a\"b\\\\c","group_id":3,"state":"active","load":0},)"
           R"({"route_id":42,"start":"YSJiXGM=","start_text":"a\"b\\\\c","end":"awAff4D/","end_text":"k\\x00\\x1f\\x7f\\x80\\xff","group_id":12,"state":"write_fenced","load":12}],"next":"1.1.YSJiXGM"})");
    BOOST_TEST(std::string(first.raw[http::field::etag]) == R"("12.13")");
    const auto last = get("/v1/routes?limit=2&after=1.1.YSJiXGM");
    expect(last, 200, kJson,
           R"({"version":12,"generation":13,"count":4,"routes":[)"
           R"({"route_id":305,"start":"awAff4D/","start_text":"k\\x00\\x1f\\x7f\\x80\\xff","end":"cQ==","end_text":"q","group_id":3,"state":"active","load":1},)"
           R"({"route_id":1000,"start":"eno=","start_text":"zz","end":null,"end_text":null,"group_id":7,"state":"migrating_source","load":3}],"next":null})");
    BOOST_TEST(std::string(last.raw[http::field::etag]) == R"("12.13")");
}

// GET /v1/routes/intersect: the three routes [b, zz\x00) meets across the gap, the last unbounded.
BOOST_AUTO_TEST_CASE(intersect) {
    expect(get("/v1/routes/intersect?start=b&end_hex=7a7a00"), 200, kJson,
           R"({"version":12,"routes":[)"
           R"({"route_id":42,"start":"YSJiXGM=","start_text":"a\"b\\\\c","end":"awAff4D/","end_text":"k\\x00\\x1f\\x7f\\x80\\xff","group_id":12,"state":"write_fenced","load":12},)"
           R"({"route_id":305,"start":"awAff4D/","start_text":"k\\x00\\x1f\\x7f\\x80\\xff","end":"cQ==","end_text":"q","group_id":3,"state":"active","load":1},)"
           R"({"route_id":1000,"start":"eno=","start_text":"zz","end":null,"end_text":null,"group_id":7,"state":"migrating_source","load":3}]})");
}

// GET /v1/stats?top=2: the two most loaded routes highest first, totals, "watcher":null and "store":null (none set).
BOOST_AUTO_TEST_CASE(stats) {
    expect(get("/v1/stats?top=2"), 200, kJson,
           R"({"version":12,"generation":13,"routes":4,"total_load":16,"top":[)"
           R"({"route_id":42,"start":"YSJiXGM=","start_text":"a\"b\\\\c","end":"awAff4D/","end_text":"k\\x00\\x1f\\x7f\\x80\\xff","group_id":12,"state":"write_fenced","load":12},)"
           R"({"route_id":1000,"start":"eno=","start_text":"zz","end":null,"end_text":null,"group_id":7,"state":"migrating_source","load":3}],"watcher":null,"store":null})");
}

// GET /v1/catalog: the durable snapshot, descriptors with parent_route_id, next_route_id last.
BOOST_AUTO_TEST_CASE(catalog) {
    expect(get("/v1/catalog"), 200, kJson,
           R"({"version":12,"read_ts":12,"routes":[)"
           R"({"route_id":17,"start":"","start_text":"","end":"YSJiXGM=","end_text":"a\"b\\\\c","group_id":3,"state":"active","parent_route_id":0},)"
           R"({"route_id":42,"start":"YSJiXGM=","start_text":"a\"b\\\\c","end":"awAff4D/","end_text":"k\\x00\\x1f\\x7f\\x80\\xff","group_id":12,"state":"write_fenced","parent_route_id":17},)"
           R"({"route_id":305,"start":"awAff4D/","start_text":"k\\x00\\x1f\\x7f\\x80\\xff","end":"cQ==","end_text":"q","group_id":3,"state":"active","parent_route_id":0},)"
           R"({"route_id":1000,"start":"eno=","start_text":"zz","end":null,"end_text":null,"group_id":7,"state":"migrating_source","parent_route_id":0}],"next_route_id":1001})");
}

// PUT /v1/catalog: the reply's routes as saved (the request mixes base64, text and null fields).
BOOST_AUTO_TEST_CASE(put_catalog_reply) {
    const auto reply = put("/v1/catalog", R"({"expected_version":12,"routes":[
        {"route_id":17,"start":"","end":"YSJiXGM=","group_id":3},
        {"route_id":99,"start":"YSJiXGM=","end_text":"q","group_id":12,"state":"write_fenced","parent_route_id":42},
        {"route_id":1000,"start_text":"zz","end":null,"group_id":7,"state":"migrating_source"}]})");
    expect(reply, 200, kJson,
           R"({"version":13,"routes":[)"
           R"({"route_id":17,"start":"","start_text":"","end":"YSJiXGM=","end_text":"a\"b\\\\c","group_id":3,"state":"active","parent_route_id":0},)"
           R"({"route_id":99,"start":"YSJiXGM=","start_text":"a\"b\\\\c","end":"cQ==","end_text":"q","group_id":12,"state":"write_fenced","parent_route_id":42},)"
           R"({"route_id":1000,"start":"eno=","start_text":"zz","end":null,"end_text":null,"group_id":7,"state":"migrating_source","parent_route_id":0}]})");
}

// PATCH /v1/catalog: the reply of an upsert into the gap and a delete.
BOOST_AUTO_TEST_CASE(patch_catalog_reply) {
    const auto reply = patch("/v1/catalog", R"({"expected_version":12,"upserts":[
        {"route_id":2024,"start_text":"q","end_text":"zz","group_id":9,"state":"migrating_target","parent_route_id":305}],
        "deletes":[17]})");
    expect(reply, 200, kJson,
           R"({"version":13,"upserted":[)"
           R"({"route_id":2024,"start":"cQ==","start_text":"q","end":"eno=","end_text":"zz","group_id":9,"state":"migrating_target","parent_route_id":305}],"deleted":[17]})");
}

// POST /v1/catalog/split: route 42 split at e\x00"\ (children 1001 and 1002 inherit write_fenced, parent 42).
BOOST_AUTO_TEST_CASE(split_reply) {
    const auto reply = post("/v1/catalog/split", R"({"expected_version":12,"route_id":42,"split_key":"ZQAiXA=="})");
    expect(reply, 200, kJson,
           R"({"version":13,"left":)"
           R"({"route_id":1001,"start":"YSJiXGM=","start_text":"a\"b\\\\c","end":"ZQAiXA==","end_text":"e\\x00\"\\\\","group_id":12,"state":"write_fenced","parent_route_id":42},"right":)"
           R"({"route_id":1002,"start":"ZQAiXA==","start_text":"e\\x00\"\\\\","end":"awAff4D/","end_text":"k\\x00\\x1f\\x7f\\x80\\xff","group_id":12,"state":"write_fenced","parent_route_id":42}})");
}

// GET /v1/catalog/changes: the ops delta of version 12 (a delete, then upserts), then the reset form
// (after 0 is below the floor 9: GET /v1/catalog's object).
BOOST_AUTO_TEST_CASE(changes) {
    expect(get("/v1/catalog/changes?after=11"), 200, kJson,
           R"({"version":12,"floor":9,"reset":null,"deltas":[{"previous_version":11,"version":12,"mutations":[)"
           R"({"op":"delete","route_id":1},)"
           R"({"op":"upsert","route_id":17,"route":)"
           R"({"route_id":17,"start":"","start_text":"","end":"YSJiXGM=","end_text":"a\"b\\\\c","group_id":3,"state":"active","parent_route_id":0}},)"
           R"({"op":"upsert","route_id":42,"route":)"
           R"({"route_id":42,"start":"YSJiXGM=","start_text":"a\"b\\\\c","end":"awAff4D/","end_text":"k\\x00\\x1f\\x7f\\x80\\xff","group_id":12,"state":"write_fenced","parent_route_id":17}},)"
           R"({"op":"upsert","route_id":305,"route":)"
           R"({"route_id":305,"start":"awAff4D/","start_text":"k\\x00\\x1f\\x7f\\x80\\xff","end":"cQ==","end_text":"q","group_id":3,"state":"active","parent_route_id":0}},)"
           R"({"op":"upsert","route_id":1000,"route":)"
           R"({"route_id":1000,"start":"eno=","start_text":"zz","end":null,"end_text":null,"group_id":7,"state":"migrating_source","parent_route_id":0}}]}]})");
    expect(get("/v1/catalog/changes?after=0"), 200, kJson,
           R"({"version":12,"floor":9,"reset":{"version":12,"read_ts":12,"routes":[)"
           R"({"route_id":17,"start":"","start_text":"","end":"YSJiXGM=","end_text":"a\"b\\\\c","group_id":3,"state":"active","parent_route_id":0},)"
           R"({"route_id":42,"start":"YSJiXGM=","start_text":"a\"b\\\\c","end":"awAff4D/","end_text":"k\\x00\\x1f\\x7f\\x80\\xff","group_id":12,"state":"write_fenced","parent_route_id":17},)"
           R"({"route_id":305,"start":"awAff4D/","start_text":"k\\x00\\x1f\\x7f\\x80\\xff","end":"cQ==","end_text":"q","group_id":3,"state":"active","parent_route_id":0},)"
           R"({"route_id":1000,"start":"eno=","start_text":"zz","end":null,"end_text":null,"group_id":7,"state":"migrating_source","parent_route_id":0}],"next_route_id":1001},"deltas":[]})");
}

// GET /v1/catalog/changes/stream: the head, and the first event of a delta stream and of a reset stream.
BOOST_AUTO_TEST_CASE(changes_stream) {
    auto r = get("/v1/catalog/changes/stream?after=11");
    BOOST_TEST(r.status == 200u);
    BOOST_TEST(std::string(r.raw[http::field::content_type]) == "text/event-stream; charset=utf-8");
    BOOST_TEST(std::string(r.raw[http::field::cache_control]) == "no-cache");
    BOOST_TEST(std::string(r.raw["X-Accel-Buffering"]) == "no");
    BOOST_TEST(first_event(*this, r) ==
               "event: delta\nid: 12\ndata: "
               R"({"previous_version":11,"version":12,"mutations":[)"
               R"({"op":"delete","route_id":1},)"
               R"({"op":"upsert","route_id":17,"route":)"
               R"({"route_id":17,"start":"","start_text":"","end":"YSJiXGM=","end_text":"a\"b\\\\c","group_id":3,"state":"active","parent_route_id":0}},)"
               R"({"op":"upsert","route_id":42,"route":)"
               R"({"route_id":42,"start":"YSJiXGM=","start_text":"a\"b\\\\c","end":"awAff4D/","end_text":"k\\x00\\x1f\\x7f\\x80\\xff","group_id":12,"state":"write_fenced","parent_route_id":17}},)"
               R"({"op":"upsert","route_id":305,"route":)"
               R"({"route_id":305,"start":"awAff4D/","start_text":"k\\x00\\x1f\\x7f\\x80\\xff","end":"cQ==","end_text":"q","group_id":3,"state":"active","parent_route_id":0}},)"
               R"({"op":"upsert","route_id":1000,"route":)"
               R"({"route_id":1000,"start":"eno=","start_text":"zz","end":null,"end_text":null,"group_id":7,"state":"migrating_source","parent_route_id":0}}]})"
               "\n\n");

    auto reset = get("/v1/catalog/changes/stream?after=0");
    BOOST_TEST(reset.status == 200u);
    BOOST_TEST(first_event(*this, reset) ==
               "event: reset\nid: 12\ndata: "
               R"({"version":12,"read_ts":12,"routes":[)"
               R"({"route_id":17,"start":"","start_text":"","end":"YSJiXGM=","end_text":"a\"b\\\\c","group_id":3,"state":"active","parent_route_id":0},)"
               R"({"route_id":42,"start":"YSJiXGM=","start_text":"a\"b\\\\c","end":"awAff4D/","end_text":"k\\x00\\x1f\\x7f\\x80\\xff","group_id":12,"state":"write_fenced","parent_route_id":17},)"
               R"({"route_id":305,"start":"awAff4D/","start_text":"k\\x00\\x1f\\x7f\\x80\\xff","end":"cQ==","end_text":"q","group_id":3,"state":"active","parent_route_id":0},)"
               R"({"route_id":1000,"start":"eno=","start_text":"zz","end":null,"end_text":null,"group_id":7,"state":"migrating_source","parent_route_id":0}],"next_route_id":1001})"
               "\n\n");
}

BOOST_AUTO_TEST_SUITE_END()
