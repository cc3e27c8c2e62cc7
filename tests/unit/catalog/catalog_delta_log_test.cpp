// The catalog's delta log (spec §11.3-11.4, [H]) on every backend: what Save and split write with
// delta_log on, retention and the floor (the spec's 1,025-Save example), a log started on a catalog
// written without one, and changes_since()'s answers and errors.

#include "support/catalog_fixture.hpp"

#include "routecat/catalog/catalog_store.hpp"
#include "routecat/catalog_delta.hpp"
#include "routecat/codec.hpp"
#include "routecat/error.hpp"

#include <boost/test/unit_test.hpp>

#include <limits>

using namespace routecat;
using namespace routecat::test;

namespace {

// A catalog with the delta log on, over the fixture's hooked store.
struct DeltaLogFixture : CatalogFixture {
    CatalogStore logged{hooked, logging()};

    static CatalogStoreOptions logging(std::uint64_t retention = kDefaultCatalogDeltaRetention) {
        CatalogStoreOptions o;
        o.delta_log = true;
        o.delta_retention = retention;
        return o;
    }
    CatalogSnapshot save_logged(std::uint64_t expected, std::vector<RouteDescriptor> routes) {
        return run(logged.save(expected, std::move(routes)));
    }
    CatalogChangeSet changes(std::uint64_t after, std::int64_t limit = kDefaultCatalogDeltaBatchSize) {
        return run(logged.changes_since(after, limit));
    }
    std::uint64_t floor() { return run(logged.delta_floor()); }
    bool has_delta(std::uint64_t v) { return run(store->get_at(codec::delta_key(v), last())).has_value(); }
};

}  // namespace

BOOST_FIXTURE_TEST_SUITE(catalog_delta_log, DeltaLogFixture)

BOOST_AUTO_TEST_CASE(save_writes_its_delta_and_floor_between_the_routes_and_the_meta_keys) {
    const std::vector<RouteDescriptor> first{rd(2, "m", std::nullopt, 2), rd(1, "", "m", 1)};
    save_logged(0, first);
    const CatalogDelta d1 = delta_of(0, 1, {upsert_of(rd(1, "", "m", 1)), upsert_of(rd(2, "m", std::nullopt, 2))});
    BOOST_TEST((last_apply() == std::vector<Mutation>{put_route(rd(1, "", "m", 1)), put_route(rd(2, "m", std::nullopt, 2)),
                                                      put_delta(d1), put_floor(1), put_version(1), put_next_id(3)}));

    // Route 1 dropped, route 2 changed, route 3 new; the delta lists them by route id.
    save_logged(1, {rd(3, "a", "m", 3), rd(2, "m", std::nullopt, 5)});
    const CatalogDelta d2 = delta_of(1, 2, {delete_of(1), upsert_of(rd(2, "m", std::nullopt, 5)), upsert_of(rd(3, "a", "m", 3))});
    BOOST_TEST((last_apply() == std::vector<Mutation>{del_route(1), put_route(rd(3, "a", "m", 3)),
                                                      put_route(rd(2, "m", std::nullopt, 5)), put_delta(d2), put_floor(1),
                                                      put_version(2), put_next_id(4)}));
    BOOST_TEST(floor() == 1u);
    const CatalogChangeSet all = changes(0);
    BOOST_TEST(!all.reset.has_value());
    BOOST_TEST((all.deltas == std::vector<CatalogDelta>{d1, d2}));
    // An unchanged Save still logs its (empty) delta.
    save_logged(2, {rd(3, "a", "m", 3), rd(2, "m", std::nullopt, 5)});
    BOOST_TEST((changes(2).deltas == std::vector<CatalogDelta>{delta_of(2, 3, {})}));
}

BOOST_AUTO_TEST_CASE(a_split_writes_its_delta_too) {
    save_logged(0, {rd(1, "", std::nullopt, 1)});
    const SplitResult r = run(logged.split(1, 1, "m"));
    const CatalogDelta d2 = delta_of(1, 2, {delete_of(1), upsert_of(r.left), upsert_of(r.right)});
    BOOST_TEST((changes(1).deltas == std::vector<CatalogDelta>{d2}));
    BOOST_TEST((last_apply() == std::vector<Mutation>{del_route(1), put_route(r.left), put_route(r.right), put_delta(d2),
                                                      put_floor(1), put_version(2), put_next_id(4)}));
}

BOOST_AUTO_TEST_CASE(after_1025_saves_from_empty_the_floor_is_2_and_delta_1_is_gone) {
    for (std::uint64_t v = 0; v < 1025; ++v) save_logged(v, {rd(1, "", std::nullopt, v + 1)});
    BOOST_TEST(run(logged.version()) == 1025u);
    BOOST_TEST(floor() == 2u);
    BOOST_TEST(!has_delta(1));
    BOOST_TEST(has_delta(2));
    BOOST_TEST(has_delta(1025));
    // after + 1 < floor: the whole catalog; after + 1 == floor: deltas from the floor on.
    const CatalogChangeSet from_0 = changes(0);
    BOOST_TEST_REQUIRE(from_0.reset.has_value());
    BOOST_TEST(from_0.reset->version == 1025u);
    BOOST_TEST((from_0.reset->routes == std::vector<RouteDescriptor>{rd(1, "", std::nullopt, 1025)}));
    BOOST_TEST(from_0.reset->read_ts == last());
    BOOST_TEST(from_0.version == 1025u);
    BOOST_TEST(from_0.floor == 2u);
    BOOST_TEST(from_0.deltas.empty());
    const CatalogChangeSet from_1 = changes(1, 3);
    BOOST_TEST(!from_1.reset.has_value());
    BOOST_TEST_REQUIRE(from_1.deltas.size() == 3u);
    BOOST_TEST(from_1.deltas[0].version == 2u);
    BOOST_TEST((from_1.deltas[2] == delta_of(3, 4, {upsert_of(rd(1, "", std::nullopt, 4))})));
    // The next Save deletes delta 2 and moves the floor to 3.
    save_logged(1025, {rd(1, "", std::nullopt, 1026)});
    BOOST_TEST(floor() == 3u);
    BOOST_TEST(!has_delta(2));
    BOOST_TEST((last_apply().at(3) == Mutation::del(codec::delta_key(2)).as_guarded()));
}

BOOST_AUTO_TEST_CASE(a_smaller_retention_keeps_that_many_versions) {
    CatalogStore short_log(hooked, logging(3));
    for (std::uint64_t v = 0; v < 6; ++v) run(short_log.save(v, {rd(1, "", std::nullopt, v + 1)}));
    BOOST_TEST(run(short_log.delta_floor()) == 4u);  // versions 4, 5, 6 kept
    for (std::uint64_t v = 1; v <= 6; ++v) BOOST_TEST(has_delta(v) == (v >= 4), "delta " << v);
    BOOST_TEST(run(short_log.changes_since(2)).reset.has_value());
    BOOST_TEST(run(short_log.changes_since(3)).deltas.size() == 3u);
}

BOOST_AUTO_TEST_CASE(a_catalog_written_without_a_log_starts_one_at_its_next_save) {
    save(0, {rd(1, "", std::nullopt, 1)});  // the spec's C catalog: no delta, no floor
    save(1, {rd(1, "", std::nullopt, 2)});
    BOOST_TEST(floor() == 0u);
    const CatalogChangeSet none = changes(1);
    BOOST_TEST_REQUIRE(none.reset.has_value());  // floor 0: nothing is logged, the whole catalog
    BOOST_TEST(none.reset->version == 2u);

    save_logged(2, {rd(1, "", std::nullopt, 3)});
    BOOST_TEST(floor() == 3u);  // the log starts at the delta's own version
    BOOST_TEST((changes(2).deltas == std::vector<CatalogDelta>{delta_of(2, 3, {upsert_of(rd(1, "", std::nullopt, 3))})}));
    BOOST_TEST(changes(1).reset.has_value());
    // And the spec's C catalog keeps writing nothing of it.
    save(3, {rd(1, "", std::nullopt, 4)});
    BOOST_TEST((last_apply() == std::vector<Mutation>{put_route(rd(1, "", std::nullopt, 4)), put_version(4), put_next_id(2)}));
}

BOOST_AUTO_TEST_CASE(changes_since_answers_and_errors_as_11_4_says) {
    save_logged(0, {rd(1, "", std::nullopt, 1)});
    save_logged(1, {rd(1, "", std::nullopt, 2)});
    // after == current: nothing, with the version and floor of the read.
    BOOST_TEST((changes(2) == CatalogChangeSet{std::nullopt, {}, 2, 1}));
    const CatalogChangeSet one = changes(1);
    BOOST_TEST(one.version == 2u);
    BOOST_TEST(one.floor == 1u);
    BOOST_TEST(one.deltas.size() == 1u);
    auto f = failure_of([&] { changes(3); });
    BOOST_TEST(f.code == errc::catalog_delta_version_future);
    BOOST_TEST(f.what == "after 3, catalog version 2: catalog delta cursor is ahead of catalog version");
    for (std::int64_t bad : {std::int64_t{0}, std::int64_t{-1}, std::numeric_limits<std::int64_t>::min()}) {
        f = failure_of([&] { changes(0, bad); });
        BOOST_TEST(f.code == errc::catalog_delta_limit_invalid);
    }
    BOOST_TEST(changes(0, 1).deltas.size() == 1u);
    BOOST_TEST(changes(0, 100000).deltas.size() == 2u);  // lowered to the batch maximum, then what there is

    // A retained delta missing or holding another version is a gap; a floor above the version is invalid.
    std::vector<Mutation> lose;
    lose.push_back(Mutation::del(codec::delta_key(2)));
    run(store->apply(std::move(lose), last(), 0));
    f = failure_of([&] { changes(0); });
    BOOST_TEST(f.code == errc::catalog_delta_version_gap);
    BOOST_TEST(f.what == "missing version 2: catalog delta version is not contiguous");
    std::vector<Mutation> misfiled;
    misfiled.push_back(put_delta(delta_of(0, 1, {})));
    misfiled.back().key = codec::delta_key(2);
    run(store->apply(std::move(misfiled), last(), 0));
    BOOST_TEST(failure_of([&] { changes(1); }).code == errc::catalog_delta_version_gap);
    std::vector<Mutation> high_floor;
    high_floor.push_back(put_floor(9));
    run(store->apply(std::move(high_floor), last(), 0));
    f = failure_of([&] { changes(0); });
    BOOST_TEST(f.code == errc::catalog_invalid_delta_record);
    BOOST_TEST(f.what == "delta floor 9 exceeds catalog version 2: catalog delta record is invalid");
}

BOOST_AUTO_TEST_SUITE_END()
