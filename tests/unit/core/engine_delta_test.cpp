// Engine::apply_delta (spec §11.5): version rules with their contexts, routes taken by id, loads kept
// by the routes a delta replaces, the order check, and nothing changed on any error.

#include "support/builders.hpp"
#include "support/printers.hpp"

#include "routecat/catalog_delta.hpp"
#include "routecat/engine.hpp"
#include "routecat/error.hpp"

#include <boost/test/unit_test.hpp>

#include <memory>
#include <string>
#include <vector>

namespace routecat {
using test::delete_of;
using test::delta_of;
using test::rd;
using test::upsert_of;
using test::rt;
using std::nullopt;
namespace {

// An engine at version 1 with [,"g") id 1 group 1, ["g","p") id 2 group 2, ["p",) id 3 group 3.
std::shared_ptr<Engine> three_routes() {
    auto e = std::make_shared<Engine>();
    CatalogSnapshot snap;
    snap.version = 1;
    snap.routes = {rd(1, "", "g", 1), rd(2, "g", "p", 2), rd(3, "p", nullopt, 3)};
    BOOST_REQUIRE(!e->apply_snapshot(snap));
    return e;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(engine_delta)

BOOST_AUTO_TEST_CASE(a_delta_from_version_0_drops_the_default_route_and_sets_its_routes) {
    auto e = Engine::with_default_route();
    BOOST_REQUIRE(e->stats().size() == 1u);
    BOOST_TEST(!e->apply_delta(delta_of(0, 1, {upsert_of(rd(2, "m", nullopt, 7)), upsert_of(rd(1, "", "m", 5))})));
    BOOST_TEST(e->version() == 1u);
    BOOST_TEST((e->stats() == std::vector<Route>{rt(1, "", "m", 5), rt(2, "m", nullopt, 7)}));
    BOOST_TEST(e->get_route("z")->group_id == 7u);
    BOOST_TEST(e->snapshot_at(1).has_value());  // recorded in the history like a snapshot
}

BOOST_AUTO_TEST_CASE(upserts_replace_by_id_keeping_loads_and_deletes_remove) {
    auto e = three_routes();
    for (int i = 0; i < 3; ++i) e->record_access("h");  // route 2
    e->record_access("a");                               // route 1
    const std::uint64_t generation = e->generation();
    // Route 1 is deleted, route 2 moves to group 9 and widens, route 4 is new.
    BOOST_TEST(!e->apply_delta(delta_of(1, 2, {delete_of(1), upsert_of(rd(2, "", "p", 9)), upsert_of(rd(4, "z", nullopt, 4)),
                                            upsert_of(rd(3, "p", "z", 3))})));
    BOOST_TEST(e->version() == 2u);
    BOOST_TEST(e->generation() == generation + 1);
    BOOST_TEST((e->stats() == std::vector<Route>{rt(2, "", "p", 9, RouteState::active, 3), rt(3, "p", "z", 3),
                                                rt(4, "z", nullopt, 4)}));
    // Deleting an id the table does not hold is fine; an empty delta moves the version only.
    BOOST_TEST(!e->apply_delta(delta_of(2, 3, {delete_of(77)})));
    BOOST_TEST(!e->apply_delta(delta_of(3, 4)));
    BOOST_TEST(e->version() == 4u);
    BOOST_TEST(e->stats().size() == 3u);
}

BOOST_AUTO_TEST_CASE(versions_stale_equal_and_gaps_follow_the_spec) {
    auto e = three_routes();
    BOOST_TEST(!e->apply_delta(delta_of(1, 2, {delete_of(3)})));
    const auto before = e->stats();
    std::string context;
    BOOST_TEST(e->apply_delta(delta_of(0, 1, {delete_of(1)}), &context) == errc::engine_snapshot_version_stale);
    BOOST_TEST(context == "snapshot version 1 is older than engine catalog version 2");
    // The current version again: success, nothing applied (not even an invalid-looking table).
    BOOST_TEST(!e->apply_delta(delta_of(1, 2, {upsert_of(rd(9, "", nullopt, 9))}), &context));
    BOOST_TEST((e->stats() == before));
    BOOST_TEST(e->apply_delta(delta_of(3, 4), &context) == errc::engine_delta_version_gap);
    BOOST_TEST(context == "delta 4 follows 3, engine is at 2");
    // The delta itself is validated first, whatever the engine's version.
    BOOST_TEST(e->apply_delta(delta_of(2, 4), &context) == errc::catalog_delta_version_gap);
    BOOST_TEST(context == "delta 4 follows 2");
    BOOST_TEST(e->apply_delta(delta_of(2, 3, {delete_of(0)}), &context) == errc::catalog_invalid_delta_mutation);
    BOOST_TEST(e->version() == 2u);
    BOOST_TEST((e->stats() == before));
}

BOOST_AUTO_TEST_CASE(a_delta_that_would_overlap_or_misorder_changes_nothing) {
    auto e = three_routes();
    const auto before = e->stats();
    const std::uint64_t generation = e->generation();
    BOOST_TEST(e->apply_delta(delta_of(1, 2, {upsert_of(rd(4, "h", "k", 4))})) == errc::engine_snapshot_route_overlap);
    BOOST_TEST(e->apply_delta(delta_of(1, 2, {upsert_of(rd(1, "", nullopt, 1))})) == errc::engine_snapshot_route_order);
    BOOST_TEST(e->apply_delta(delta_of(1, 2, {upsert_of(rd(4, "g", "h", 4))})) == errc::engine_snapshot_route_order);
    BOOST_TEST(e->version() == 1u);
    BOOST_TEST(e->generation() == generation);
    BOOST_TEST((e->stats() == before));
}

BOOST_AUTO_TEST_CASE(ephemeral_routes_stay_after_version_0_keyed_as_one_id) {
    // Access splits create id-0 routes; a delta after version 0 takes the table by id, so they
    // collapse to the last one in start order (the spec's map keyed by RouteID).
    auto e = Engine::with_threshold(2);
    CatalogSnapshot snap;
    snap.version = 1;
    snap.routes = {rd(1, "a", "c", 1), rd(2, "c", nullopt, 2)};
    BOOST_REQUIRE(!e->apply_snapshot(snap));
    for (int i = 0; i < 2; ++i) e->record_access("b");  // split: [a, a\0) and [a\0, c), both id 0
    BOOST_REQUIRE(e->stats().size() == 3u);
    BOOST_TEST(!e->apply_delta(delta_of(1, 2, {upsert_of(rd(2, "c", "x", 2)), upsert_of(rd(5, "x", nullopt, 5))})));
    BOOST_TEST((e->stats() == std::vector<Route>{rt(0, std::string("a\0", 2), "c", 1), rt(2, "c", "x", 2),
                                                 rt(5, "x", nullopt, 5)}));
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace routecat
