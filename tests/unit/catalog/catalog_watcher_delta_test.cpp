// The watcher following the delta log (issue 12 item 2) on every backend: deltas keep the loads of
// routes they do not touch (a snapshot resets every load), random saves end in the same table as
// the spec's snapshot-only watcher, a gap falls back to one snapshot (or fails without the option),
// a reset or ephemeral routes take the snapshot path.

#include "support/catalog_fixture.hpp"

#include "routecat/catalog/catalog_watcher.hpp"
#include "routecat/error.hpp"

#include <boost/test/unit_test.hpp>

#include <random>

using namespace routecat;
using namespace routecat::test;

namespace {

struct DeltaWatcherFixture : CatalogFixture {
    CatalogStore logged{hooked, logging(kDefaultCatalogDeltaRetention)};
    std::shared_ptr<Engine> engine = std::make_shared<Engine>();

    static CatalogStoreOptions logging(std::uint64_t retention) {
        CatalogStoreOptions o;
        o.delta_log = true;
        o.delta_retention = retention;
        return o;
    }
    static CatalogWatcherOptions following(bool snapshot_on_gap = true) {
        CatalogWatcherOptions o;
        o.push = false;
        o.snapshot_on_gap = snapshot_on_gap;
        return o;
    }
    bool sync(CatalogWatcher& w) { return run(w.sync_once()); }
    // Routes as the engine serves them, loads left out.
    static std::vector<Route> shapes(const Engine& e) {
        auto routes = e.stats();
        for (auto& r : routes) r.load = 0;
        return routes;
    }
};

}  // namespace

BOOST_FIXTURE_TEST_SUITE(watcher_delta, DeltaWatcherFixture)

BOOST_AUTO_TEST_CASE(deltas_keep_the_loads_of_untouched_routes_a_snapshot_does_not) {
    run(logged.save(0, {rd(1, "", "m", 1), rd(2, "m", std::nullopt, 2)}));
    auto spec_engine = std::make_shared<Engine>();
    CatalogWatcher deltas(logged, engine, following());
    CatalogWatcher snapshots(logged, spec_engine, CatalogWatcherOptions::spec());
    BOOST_TEST(sync(deltas));
    BOOST_TEST(sync(snapshots));
    for (int i = 0; i < 4; ++i) {
        engine->record_access("z");
        spec_engine->record_access("z");
    }
    run(logged.save(1, {rd(1, "", "m", 7), rd(2, "m", std::nullopt, 2)}));  // only route 1 changes
    BOOST_TEST(sync(deltas));
    BOOST_TEST(sync(snapshots));
    BOOST_TEST(engine->version() == 2u);
    BOOST_TEST(engine->get_route("a")->group_id == 7u);
    BOOST_TEST(engine->get_route("z")->load == 4u);       // the delta left route 2 alone
    BOOST_TEST(spec_engine->get_route("z")->load == 0u);  // the snapshot rebuilt it
    BOOST_TEST((shapes(*engine) == shapes(*spec_engine)));
    BOOST_TEST(run(deltas.sync_once()) == false);  // nothing newer
}

BOOST_AUTO_TEST_CASE(random_saves_and_splits_end_in_the_same_table_as_the_snapshot_watcher) {
    std::mt19937 rng(12);
    auto spec_engine = std::make_shared<Engine>();
    CatalogWatcher deltas(logged, engine, following());
    CatalogWatcher snapshots(logged, spec_engine, CatalogWatcherOptions::spec());
    // Saves re-cut the keyspace into 1-6 routes (some ids kept, random groups); splits cut one route.
    std::uint64_t version = 0, next_id = 1;
    std::vector<RouteDescriptor> table{rd(next_id++, "", std::nullopt, 1)};
    for (int step = 0; step < 1000; ++step) {
        const auto pick = rng() % table.size();
        const std::string key = table[pick].start + "\x01";
        if (rng() % 4 == 0 && (!table[pick].end || key < *table[pick].end)) {
            const auto id = table[pick].route_id;
            auto split = run(logged.split(version, id, key));
            ++version;
            table.erase(table.begin() + static_cast<std::ptrdiff_t>(pick));
            table.push_back(split.left);
            table.push_back(split.right);
            next_id = split.right.route_id + 1;
        } else {
            // Re-cut the table into 1-6 routes, keeping some ids and groups.
            const int n = 1 + static_cast<int>(rng() % 6);
            std::vector<RouteDescriptor> next;
            for (int i = 0; i < n; ++i) {
                const std::string start = "k" + std::to_string(100 + i * 150);
                const std::string end = "k" + std::to_string(100 + (i + 1) * 150);
                const std::uint64_t id = i < static_cast<int>(table.size()) && rng() % 2 ? table[i].route_id : next_id++;
                next.push_back(rd(id, i == 0 ? "" : start, i + 1 == n ? std::nullopt : std::optional<std::string>(end),
                                  1 + rng() % 3));
            }
            run(logged.save(version, next));
            ++version;
            table = next;
        }
        if (rng() % 3 == 0) {
            sync(deltas);
            sync(snapshots);
            BOOST_TEST_REQUIRE((shapes(*engine) == shapes(*spec_engine)), "step " << step);
        }
    }
    sync(deltas);
    sync(snapshots);
    BOOST_TEST(engine->version() == version);
    BOOST_TEST((shapes(*engine) == shapes(*spec_engine)));
    BOOST_TEST(shapes(*engine).size() == table.size());
}

BOOST_AUTO_TEST_CASE(a_gap_in_the_log_falls_back_to_one_snapshot_or_fails_without_the_option) {
    run(logged.save(0, {rd(1, "", std::nullopt, 1)}));
    CatalogWatcher w(logged, engine, following());
    BOOST_TEST(sync(w));
    run(logged.save(1, {rd(1, "", std::nullopt, 2)}));
    run(logged.save(2, {rd(1, "", std::nullopt, 3)}));
    std::vector<Mutation> lose;
    lose.push_back(Mutation::del(codec::delta_key(2)));
    run(store->apply(std::move(lose), last(), 0));

    auto strict_engine = std::make_shared<Engine>();
    CatalogSnapshot v1;
    v1.version = 1;
    v1.routes = {rd(1, "", std::nullopt, 1)};
    BOOST_REQUIRE(!strict_engine->apply_snapshot(v1));
    CatalogWatcher strict(logged, strict_engine, following(false));
    const auto f = failure_of([&] { sync(strict); });
    BOOST_TEST(f.code == errc::catalog_delta_version_gap, f.what);
    BOOST_TEST(strict_engine->version() == 1u);

    BOOST_TEST(sync(w));  // the gap: one snapshot instead
    BOOST_TEST(engine->version() == 3u);
    BOOST_TEST(engine->get_route("a")->group_id == 3u);
}

BOOST_AUTO_TEST_CASE(an_engine_older_than_the_floor_gets_the_reset_snapshot) {
    CatalogStore short_log(hooked, logging(2));
    run(short_log.save(0, {rd(1, "", std::nullopt, 1)}));
    CatalogWatcher w(short_log, engine, following());
    BOOST_TEST(sync(w));
    for (std::uint64_t v = 1; v < 5; ++v) run(short_log.save(v, {rd(1, "", std::nullopt, v + 1)}));
    BOOST_REQUIRE(run(short_log.delta_floor()) == 4u);
    BOOST_TEST(sync(w));
    BOOST_TEST(engine->version() == 5u);
    BOOST_TEST(engine->get_route("a")->group_id == 5u);
}

BOOST_AUTO_TEST_CASE(ephemeral_routes_from_access_splits_take_the_snapshot_path) {
    engine = Engine::with_threshold(2);
    run(logged.save(0, {rd(1, "a", "c", 1), rd(2, "c", std::nullopt, 2)}));
    CatalogWatcher w(logged, engine, following());
    BOOST_TEST(sync(w));
    for (int i = 0; i < 2; ++i) engine->record_access("b");  // [a, a\0) and [a\0, c), id 0
    BOOST_REQUIRE(engine->stats().size() == 3u);
    run(logged.save(1, {rd(1, "a", "c", 1), rd(2, "c", std::nullopt, 9)}));
    BOOST_TEST(sync(w));
    // A delta would have kept an id-0 route; the snapshot replaced them with the catalog's.
    BOOST_TEST((shapes(*engine) == std::vector<Route>{rt(1, "a", "c", 1), rt(2, "c", std::nullopt, 9)}));
}

BOOST_AUTO_TEST_SUITE_END()
