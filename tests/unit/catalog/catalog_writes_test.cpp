// save_and_apply and split_and_apply: a write commits, then the engine serves it before the call
// returns; a lost race is a conflict outcome with the durable version; an engine that refuses the
// committed catalog keeps its table and says why. Runs once per backend.

#include "support/catalog_fixture.hpp"

#include "routecat/catalog/catalog_writes.hpp"
#include "routecat/error.hpp"

#include <boost/test/unit_test.hpp>

using namespace routecat;
using namespace routecat::test;

namespace {

struct WritesFixture : CatalogFixture {
    std::shared_ptr<Engine> engine = Engine::with_default_route();

    CatalogWrite<CatalogSnapshot> save_write(std::uint64_t expected, std::vector<RouteDescriptor> routes) {
        return run(save_and_apply(catalog, engine, expected, std::move(routes)));
    }
    CatalogWrite<SplitResult> split_write(std::uint64_t expected, std::uint64_t route_id, std::string key) {
        return run(split_and_apply(catalog, engine, expected, route_id, std::move(key)));
    }
    // The spec's example catalog at version 1, applied: 1:["",m)->1, 2:[m,inf)->2.
    void example() {
        save(0, {rd(1, "", "m", 1), rd(2, "m", std::nullopt, 2)});
        BOOST_TEST_REQUIRE(!engine->apply_snapshot(snapshot()));
    }
};

}  // namespace

BOOST_FIXTURE_TEST_SUITE(catalog_writes, WritesFixture)

BOOST_AUTO_TEST_CASE(a_save_is_served_by_the_engine_when_it_returns) {
    const auto write = save_write(0, {rd(2, "m", std::nullopt, 2), rd(1, "", "m", 1)});
    BOOST_TEST((write.status() == WriteStatus::committed));
    BOOST_TEST_REQUIRE(write.committed.has_value());
    BOOST_TEST(write.committed->version == 1u);
    const std::vector<RouteDescriptor> expected{rd(1, "", "m", 1), rd(2, "m", std::nullopt, 2)};
    BOOST_TEST(write.committed->routes == expected, boost::test_tools::per_element());
    BOOST_TEST(write.engine_error.empty());
    BOOST_TEST(engine->version() == 1u);
    BOOST_TEST(engine->get_route("x")->group_id == 2u);
    BOOST_TEST(snapshot().version == 1u);
}

BOOST_AUTO_TEST_CASE(a_stale_save_is_a_conflict_with_the_durable_version) {
    example();
    const auto before = apply_calls();
    const auto write = save_write(0, {rd(7, "", std::nullopt, 7)});
    BOOST_TEST((write.status() == WriteStatus::conflict));
    BOOST_TEST(!write.committed.has_value());
    BOOST_TEST_REQUIRE(write.conflict.has_value());
    BOOST_TEST(write.conflict->message == "expected version 0, durable version 1: catalog version mismatch");
    BOOST_TEST(write.conflict->current_version == std::optional<std::uint64_t>(1));
    BOOST_TEST(apply_calls() == before);
    BOOST_TEST(engine->get_route("a")->group_id == 1u);
}

BOOST_AUTO_TEST_CASE(a_table_the_engine_would_refuse_is_not_saved) {
    example();
    const auto before = apply_calls();
    // CatalogStore::save accepts both (§6.5); the write checks the table as the engine will.
    BOOST_TEST(error_of([&] { save_write(1, {rd(1, "", "m", 1), rd(2, "a", "z", 1)}); }) ==
               errc::engine_snapshot_route_overlap);
    BOOST_TEST(error_of([&] { save_write(1, {rd(1, "a", std::nullopt, 1), rd(2, "b", std::nullopt, 1)}); }) ==
               errc::engine_snapshot_route_order);
    BOOST_TEST(apply_calls() == before);
    BOOST_TEST(snapshot().version == 1u);
    BOOST_TEST(engine->version() == 1u);
}

BOOST_AUTO_TEST_CASE(a_saved_version_the_engine_already_passed_is_no_engine_error) {
    example();
    BOOST_TEST_REQUIRE(!engine->apply_snapshot(CatalogSnapshot{9, {rd(1, "", std::nullopt, 5)}, 0}));
    const auto write = save_write(1, {rd(1, "", std::nullopt, 6)});
    BOOST_TEST(write.committed->version == 2u);
    BOOST_TEST(write.engine_error.empty());  // stale: the engine serves something newer
    BOOST_TEST(engine->version() == 9u);
}

BOOST_AUTO_TEST_CASE(without_an_engine_a_save_only_commits) {
    engine = nullptr;
    const auto write = save_write(0, {rd(1, "", std::nullopt, 3)});
    BOOST_TEST(write.committed->version == 1u);
    BOOST_TEST(write.engine_error.empty());
    BOOST_TEST(snapshot().routes.size() == 1u);
}

BOOST_AUTO_TEST_CASE(invalid_routes_throw_and_write_nothing) {
    example();
    const auto before = apply_calls();
    BOOST_TEST(error_of([&] { save_write(1, {rd(1, "b", "a", 1)}); }) == errc::catalog_invalid_route_range);
    BOOST_TEST(error_of([&] { save_write(1, {rd(1, "", "b"), rd(1, "b", std::nullopt)}); }) ==
               errc::catalog_duplicate_route_id);
    BOOST_TEST(apply_calls() == before);
}

BOOST_AUTO_TEST_CASE(a_split_is_served_by_the_engine_when_it_returns) {
    example();
    const auto write = split_write(1, 1, "g");
    BOOST_TEST((write.status() == WriteStatus::committed));
    BOOST_TEST(write.engine_error.empty());
    BOOST_TEST(write.committed->version == 2u);
    BOOST_TEST(write.committed->left == rd(3, "", "g", 1, RouteState::active, 1));
    BOOST_TEST(write.committed->right == rd(4, "g", "m", 1, RouteState::active, 1));
    BOOST_TEST(engine->version() == 2u);
    BOOST_TEST(engine->get_route("h")->route_id == 4u);
    BOOST_TEST(engine->get_route("a")->route_id == 3u);
}

BOOST_AUTO_TEST_CASE(a_stale_split_is_a_conflict_with_the_durable_version) {
    example();
    const auto write = split_write(5, 1, "g");
    BOOST_TEST((write.status() == WriteStatus::conflict));
    BOOST_TEST(write.conflict->message ==
               "catalog version conflict: expected version 5, durable version 1: catalog version mismatch");
    BOOST_TEST(write.conflict->current_version == std::optional<std::uint64_t>(1));
    BOOST_TEST(engine->version() == 1u);
}

BOOST_AUTO_TEST_CASE(a_split_the_engine_refuses_is_committed_with_the_reason) {
    example();
    save(1, {rd(1, "a", "z", 1), rd(2, "b", "c", 1)});  // overlapping, so the engine stays at version 1
    const auto write = split_write(2, 1, "m");
    BOOST_TEST((write.status() == WriteStatus::committed));
    BOOST_TEST(write.engine_error == "apply engine snapshot: engine snapshot has overlapping routes");
    BOOST_TEST(snapshot().version == 3u);
    BOOST_TEST(engine->version() == 1u);
}

BOOST_AUTO_TEST_CASE(split_errors_throw_and_write_nothing) {
    example();
    const auto before = apply_calls();
    BOOST_TEST(error_of([&] { split_write(1, 9, "g"); }) == errc::unknown_route);
    BOOST_TEST(error_of([&] { split_write(1, 1, "m"); }) == errc::split_key_at_boundary);
    BOOST_TEST(error_of([&] { split_write(1, 2, "a"); }) == errc::invalid_split_key);
    engine = nullptr;
    BOOST_TEST(error_of([&] { split_write(1, 1, "g"); }) == errc::engine_required);
    BOOST_TEST(apply_calls() == before);
    BOOST_TEST(snapshot().version == 1u);
}

BOOST_AUTO_TEST_CASE(a_pushed_snapshot_applies_only_what_the_catalog_holds) {
    example();
    save(1, {rd(5, "", std::nullopt, 7, RouteState::active, 1)});  // version 2, not applied: the engine lags
    const auto before = engine->stats();
    auto push = [&](CatalogSnapshot snap) { return run(apply_durable_snapshot(catalog, engine, std::move(snap))); };
    const auto ahead = failure_of([&] { push(CatalogSnapshot{3, {}, 0}); });
    BOOST_TEST(ahead.code == errc::engine_snapshot_ahead_of_catalog);
    BOOST_TEST(ahead.what == "snapshot version 3, durable catalog version 2: engine snapshot is ahead of the durable catalog");
    BOOST_TEST(error_of([&] { push(CatalogSnapshot{1, {rd(1, "", "m", 1), rd(2, "m", std::nullopt, 2)}, 0}); }) ==
               errc::engine_snapshot_version_stale);
    BOOST_TEST(error_of([&] { push(CatalogSnapshot{2, {rd(5, "", std::nullopt, 7)}, 0}); }) ==
               errc::engine_snapshot_mismatch);  // the parent id differs
    BOOST_TEST(error_of([&] { push(CatalogSnapshot{2, {}, 0}); }) == errc::engine_snapshot_mismatch);
    BOOST_TEST(engine->stats() == before, boost::test_tools::per_element());
    BOOST_TEST(push(CatalogSnapshot{2, {rd(5, "", std::nullopt, 7, RouteState::active, 1)}, 0}) == 2u);
    BOOST_TEST(engine->get_route("a")->group_id == 7u);
    engine = nullptr;
    BOOST_TEST(error_of([&] { push(CatalogSnapshot{2, {}, 0}); }) == errc::engine_required);
}

BOOST_AUTO_TEST_SUITE_END()
