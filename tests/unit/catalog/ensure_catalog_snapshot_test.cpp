// ensure_catalog_snapshot (spec §8, edge cases §16 items 20-21): runs once per backend.

#include "support/catalog_fixture.hpp"

#include "routecat/catalog/ensure_catalog_snapshot.hpp"
#include "routecat/error.hpp"

#include <boost/test/unit_test.hpp>

using namespace routecat;
using namespace routecat::test;

namespace {

struct BootstrapFixture : CatalogFixture {
    CatalogSnapshot ensure(std::shared_ptr<Engine> engine) { return run(ensure_catalog_snapshot(catalog, std::move(engine))); }
};

std::vector<Route> routes_of(const Engine& e) { return e.stats(); }

}  // namespace

BOOST_FIXTURE_TEST_SUITE(engine_bootstrap, BootstrapFixture)

BOOST_AUTO_TEST_CASE(a_brand_new_catalog_is_seeded_from_the_default_route) {
    auto engine = Engine::with_default_route();
    const auto snap = ensure(engine);
    BOOST_TEST(snap.version == 1u);
    BOOST_TEST(snap.read_ts == 0u);
    BOOST_TEST((snap.routes == std::vector<RouteDescriptor>{rd(1, "", std::nullopt, 1)}));
    BOOST_TEST(engine->version() == 1u);
    BOOST_TEST((routes_of(*engine) == std::vector<Route>{rt(1, "", std::nullopt, 1)}));
    BOOST_TEST((snapshot().routes == snap.routes));
    BOOST_TEST(next_id() == 2u);
}

BOOST_AUTO_TEST_CASE(seeds_take_ids_one_to_n_in_engine_start_order) {
    auto engine = std::make_shared<Engine>();
    engine->update_route("m", std::string("t"), 5);
    engine->update_route("t", std::nullopt, 6);
    engine->update_route("", std::string("m"), 4);
    const auto snap = ensure(engine);
    BOOST_TEST((snap.routes == std::vector<RouteDescriptor>{rd(1, "", "m", 4), rd(2, "m", "t", 5),
                                                             rd(3, "t", std::nullopt, 6)}));
    BOOST_TEST((routes_of(*engine) == std::vector<Route>{rt(1, "", "m", 4), rt(2, "m", "t", 5),
                                                          rt(3, "t", std::nullopt, 6)}));
}

BOOST_AUTO_TEST_CASE(seeding_copies_states_and_propagates_a_stale_engine) {
    auto engine = std::make_shared<Engine>();
    BOOST_TEST(!engine->apply_snapshot({3, {rd(9, "", std::nullopt, 2, RouteState::write_fenced)}, 0}));
    auto f = failure_of([&] { ensure(engine); });
    BOOST_TEST(f.code == errc::engine_snapshot_version_stale);
    BOOST_TEST(f.what == "snapshot version 1 is older than engine catalog version 3: engine snapshot version is stale");
    // The seed was saved before the apply failed, with the engine's state and a fresh id.
    const auto snap = snapshot();
    BOOST_TEST(snap.version == 1u);
    BOOST_TEST((snap.routes == std::vector<RouteDescriptor>{rd(1, "", std::nullopt, 2, RouteState::write_fenced)}));
}

BOOST_AUTO_TEST_CASE(an_existing_catalog_replaces_the_engine_routes) {
    save(0, {rd(10, "", "m", 7, RouteState::write_fenced), rd(11, "m", std::nullopt, 9)});
    const std::size_t applies = apply_calls();
    auto engine = Engine::with_default_route();
    const auto snap = ensure(engine);
    BOOST_TEST(snap.version == 1u);
    BOOST_TEST(snap.read_ts == last());
    BOOST_TEST(apply_calls() == applies);
    BOOST_TEST((routes_of(*engine) == std::vector<Route>{rt(10, "", "m", 7, RouteState::write_fenced),
                                                          rt(11, "m", std::nullopt, 9)}));
    BOOST_TEST(engine->version() == 1u);
}

BOOST_AUTO_TEST_CASE(legacy_rows_without_a_version_neither_write_nor_change_the_engine) {
    apply({put_route(rd(4, "", std::nullopt, 8))});
    auto engine = Engine::with_default_route();
    const auto snap = ensure(engine);
    BOOST_TEST(snap.version == 0u);
    BOOST_TEST(snap.routes.size() == 1u);
    BOOST_TEST(apply_calls() == 0u);
    BOOST_TEST(engine->version() == 0u);
    BOOST_TEST((routes_of(*engine) == std::vector<Route>{rt(0, "", std::nullopt, 1)}));
}

BOOST_AUTO_TEST_CASE(a_versioned_catalog_without_routes_clears_the_engine) {
    save(0, {});
    auto engine = Engine::with_default_route();
    BOOST_TEST(ensure(engine).version == 1u);
    BOOST_TEST(routes_of(*engine).empty());
    BOOST_TEST(engine->version() == 1u);
}

BOOST_AUTO_TEST_CASE(overlapping_engine_routes_leave_a_saved_catalog_and_an_overlap_error) {
    auto engine = std::make_shared<Engine>();
    engine->update_route("", std::string("m"), 1);
    engine->update_route("c", std::string("z"), 2);
    BOOST_TEST(error_of([&] { ensure(engine); }) == errc::engine_snapshot_route_overlap);
    BOOST_TEST(snapshot().version == 1u);
    BOOST_TEST(snapshot().routes.size() == 2u);
    BOOST_TEST(engine->version() == 0u);
}

BOOST_AUTO_TEST_CASE(an_engine_route_without_a_group_fails_the_seed_save) {
    auto engine = std::make_shared<Engine>();
    engine->update_route("", std::nullopt, 0);
    BOOST_TEST(error_of([&] { ensure(engine); }) == errc::catalog_group_id_required);
    BOOST_TEST(apply_calls() == 0u);
    BOOST_TEST(snapshot().version == 0u);
}

BOOST_AUTO_TEST_CASE(an_empty_engine_saves_version_one_without_routes) {
    auto engine = std::make_shared<Engine>();
    const auto snap = ensure(engine);
    BOOST_TEST(snap.version == 1u);
    BOOST_TEST(snap.routes.empty());
    BOOST_TEST(engine->version() == 1u);
}

BOOST_AUTO_TEST_CASE(running_it_again_writes_nothing) {
    auto engine = Engine::with_default_route();
    ensure(engine);
    BOOST_TEST(apply_calls() == 1u);
    const auto again = ensure(Engine::with_default_route());
    BOOST_TEST(again.version == 1u);
    BOOST_TEST(apply_calls() == 1u);
}

BOOST_AUTO_TEST_CASE(a_missing_store_or_engine_is_reported_store_first) {
    CatalogStore none(nullptr);
    BOOST_TEST(error_of([&] { run(ensure_catalog_snapshot(none, nullptr)); }) == errc::catalog_store_required);
    BOOST_TEST(error_of([&] { run(ensure_catalog_snapshot(none, Engine::with_default_route())); }) ==
               errc::catalog_store_required);
    BOOST_TEST(error_of([&] { run(ensure_catalog_snapshot(catalog, nullptr)); }) == errc::engine_required);
    BOOST_TEST(apply_calls() == 0u);
}

BOOST_AUTO_TEST_SUITE_END()
