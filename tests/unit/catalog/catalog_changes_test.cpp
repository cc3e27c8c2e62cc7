// CatalogStore::apply_changes (issue 13: targeted catalog changes) and changes_and_apply on every
// backend: replace, create and delete in one transaction with Save's mutations, next id and delta;
// the errors and that nothing is written then; the whole-table check on the engine's table (reading
// only the named routes) and on a full read giving the same codes; the split's step 8 by delta.

#include "support/catalog_fixture.hpp"

#include "routecat/catalog/catalog_store.hpp"
#include "routecat/catalog/catalog_writes.hpp"
#include "routecat/codec.hpp"
#include "routecat/engine.hpp"
#include "routecat/error.hpp"

#include <boost/test/unit_test.hpp>

using namespace routecat;
using namespace routecat::test;

namespace {

using Ids = std::vector<std::uint64_t>;
using Routes = std::vector<RouteDescriptor>;

struct ChangesFixture : CatalogFixture {
    std::shared_ptr<Engine> engine = std::make_shared<Engine>();

    ChangesResult change(std::uint64_t expected, Routes upserts, Ids deletes,
                         std::shared_ptr<const RouteTable> table = nullptr) {
        return run(catalog.apply_changes(expected, std::move(upserts), std::move(deletes), std::move(table)));
    }
    // The catalog v1 = 1:["",g)->1, 2:[g,m)->1, 3:[m,inf)->2, served by the engine.
    void example() {
        save(0, {rd(1, "", "g", 1), rd(2, "g", "m", 1), rd(3, "m", std::nullopt, 2)});
        BOOST_TEST_REQUIRE(!engine->apply_snapshot(snapshot()));
    }
    // The error of a change checked on the engine's table, which must equal the full read's, and
    // that neither wrote anything.
    boost::system::error_code refused(Routes upserts, Ids deletes) {
        const std::size_t before = apply_calls();
        const auto on_table = error_of([&] { change(1, upserts, deletes, engine->table()); });
        const auto on_read = error_of([&] { change(1, upserts, deletes); });
        BOOST_TEST(on_table == on_read);
        BOOST_TEST(apply_calls() == before);
        return on_table;
    }
};

}  // namespace

BOOST_FIXTURE_TEST_SUITE(catalog_changes, ChangesFixture)

BOOST_AUTO_TEST_CASE(replaces_creates_and_deletes_in_one_transaction_as_save_would_write_them) {
    example();
    const std::size_t before = apply_calls();
    const auto r = change(1, {rd(3, "m", std::nullopt, 7), rd(5, "k", "m", 1), rd(4, "g", "k", 1)}, {2});
    BOOST_TEST(apply_calls() == before + 1);
    BOOST_TEST(r.version == 2u);
    BOOST_TEST((r.upserted == Routes{rd(4, "g", "k", 1), rd(5, "k", "m", 1), rd(3, "m", std::nullopt, 7)}));
    BOOST_TEST((r.deleted == Ids{2}));
    BOOST_TEST(r.commit_ts == last());
    BOOST_TEST((last_apply() == std::vector<Mutation>{del_route(2), put_route(rd(4, "g", "k", 1)),
                                                      put_route(rd(5, "k", "m", 1)),
                                                      put_route(rd(3, "m", std::nullopt, 7)), put_version(2),
                                                      put_next_id(6)}));
    BOOST_TEST((r.delta == delta_of(1, 2, {delete_of(2), upsert_of(rd(3, "m", std::nullopt, 7)),
                                           upsert_of(rd(4, "g", "k", 1)), upsert_of(rd(5, "k", "m", 1))})));
    const auto snap = snapshot();
    BOOST_TEST(snap.version == 2u);
    BOOST_TEST((snap.routes == Routes{rd(1, "", "g", 1), rd(4, "g", "k", 1), rd(5, "k", "m", 1),
                                      rd(3, "m", std::nullopt, 7)}));
}

BOOST_AUTO_TEST_CASE(an_unchanged_upsert_is_not_rewritten_and_the_version_still_moves) {
    example();
    const auto r = change(1, {rd(2, "g", "m", 1)}, {});
    BOOST_TEST(r.version == 2u);
    BOOST_TEST((last_apply() == std::vector<Mutation>{put_version(2), put_next_id(4)}));
    BOOST_TEST((r.delta == delta_of(1, 2)));
    BOOST_TEST(change(2, {}, {}).version == 3u);
}

BOOST_AUTO_TEST_CASE(the_next_route_id_is_raised_past_new_ids_and_never_lowered) {
    example();
    change(1, {rd(3, "m", "t", 2), rd(50, "t", std::nullopt, 2)}, {}, engine->table());
    BOOST_TEST(next_id() == 51u);
    change(2, {rd(3, "m", std::nullopt, 2)}, {50});
    BOOST_TEST(next_id() == 51u);
    BOOST_TEST((last_apply() == std::vector<Mutation>{del_route(50), put_route(rd(3, "m", std::nullopt, 2)), put_version(3),
                                                      put_next_id(51)}));
    // A deleted id may be created again (as Save allows); the counter stays.
    change(3, {rd(3, "m", "t", 2), rd(50, "t", std::nullopt, 9)}, {});
    BOOST_TEST(next_id() == 51u);
    BOOST_TEST(error_of([&] { change(4, {rd(kMaxU64, "t", std::nullopt, 9)}, {50}); }) ==
               errc::catalog_route_id_overflow);
}

BOOST_AUTO_TEST_CASE(a_counter_below_a_stored_id_or_unset_takes_the_floor_of_every_route) {
    save(0, {rd(1, "", "k", 1), rd(8, "k", std::nullopt, 1)});
    apply({put_next_id(2)});  // a counter below the routes (not written by routecat)
    change(1, {rd(1, "", "c", 1), rd(3, "c", "k", 1)}, {});
    BOOST_TEST(next_id() == 9u);
    apply({Mutation::del(std::string(codec::kNextRouteIdKey))});  // a legacy catalog
    change(2, {rd(4, "c", "e", 1), rd(3, "e", "k", 1)}, {});
    BOOST_TEST(run(catalog.stored_next_route_id_at(last())) == 9u);
}

BOOST_AUTO_TEST_CASE(input_errors_come_first_and_write_nothing) {
    example();
    const std::size_t before = apply_calls();
    // Save's validation, before the version is looked at.
    BOOST_TEST(error_of([&] { change(9, {rd(4, "b", "a", 1)}, {}); }) == errc::catalog_invalid_route_range);
    BOOST_TEST(error_of([&] { change(9, {rd(4, "a", "b", 0)}, {}); }) == errc::catalog_group_id_required);
    BOOST_TEST(error_of([&] { change(9, {rd(0, "a", "b", 1)}, {}); }) == errc::catalog_route_id_required);
    BOOST_TEST(error_of([&] { change(9, {rd(4, "a", "b"), rd(4, "c", "d")}, {}); }) == errc::catalog_duplicate_route_id);
    const auto both = failure_of([&] { change(9, {rd(2, "g", "h")}, {2}); });
    BOOST_TEST(both.code == errc::bad_request);
    BOOST_TEST(both.what == "route id 2 is both upserted and deleted: bad request");
    BOOST_TEST(error_of([&] { change(9, {}, {1, 1}); }) == errc::bad_request);
    BOOST_TEST(apply_calls() == before);
    BOOST_TEST(snapshot().version == 1u);
}

BOOST_AUTO_TEST_CASE(a_stale_version_or_a_concurrent_commit_is_a_mismatch_and_writes_nothing) {
    example();
    const std::size_t before = apply_calls();
    const auto stale = failure_of([&] { change(5, {}, {2}); });
    BOOST_TEST(stale.code == errc::catalog_version_mismatch);
    BOOST_TEST(stale.what == "expected version 5, durable version 1: catalog version mismatch");
    BOOST_TEST(apply_calls() == before);

    hooked->before_apply([](MvccStore& inner) -> boost::asio::awaitable<void> {
        CatalogStore other(std::shared_ptr<MvccStore>(&inner, [](MvccStore*) {}));
        Routes theirs{rd(1, "", std::nullopt, 4)};
        co_await other.save(1, std::move(theirs));
    });
    const auto raced = failure_of([&] { change(1, {rd(2, "g", "m", 3)}, {}, engine->table()); });
    hooked->before_apply(nullptr);
    BOOST_TEST(raced.code == errc::catalog_version_mismatch);
    BOOST_TEST(raced.what == "concurrent commit: catalog version mismatch");
    BOOST_TEST((snapshot().routes == Routes{rd(1, "", std::nullopt, 4)}));
}

BOOST_AUTO_TEST_CASE(deleting_an_absent_id_is_unknown_route_and_writes_nothing) {
    example();
    const std::size_t before = apply_calls();
    const auto f = failure_of([&] { change(1, {rd(2, "g", "k", 1)}, {9}, engine->table()); });
    BOOST_TEST(f.code == errc::unknown_route);
    BOOST_TEST(f.what == "route id 9: unknown route");
    BOOST_TEST(error_of([&] { change(1, {}, {0}); }) == errc::unknown_route);
    BOOST_TEST(apply_calls() == before);
}

BOOST_AUTO_TEST_CASE(the_result_is_checked_as_a_whole_table_on_the_engine_table_and_on_a_read_alike) {
    example();  // 1:["",g) 2:[g,m) 3:[m,inf)
    BOOST_TEST(refused({rd(4, "a", "h")}, {}) == errc::engine_snapshot_route_overlap);          // over 1 and 2
    BOOST_TEST(refused({rd(1, "", "h")}, {}) == errc::engine_snapshot_route_overlap);          // 1 grows into 2
    BOOST_TEST(refused({rd(2, "f", "m")}, {}) == errc::engine_snapshot_route_overlap);         // 2 grows into 1
    BOOST_TEST(refused({rd(4, "g", "h")}, {}) == errc::engine_snapshot_route_order);           // 2's start
    BOOST_TEST(refused({rd(1, "", std::nullopt)}, {}) == errc::engine_snapshot_route_order);   // unbounded, not last
    BOOST_TEST(refused({rd(4, "h", "i")}, {}) == errc::engine_snapshot_route_overlap);         // inside 2
    BOOST_TEST(refused({rd(4, "x", "z")}, {}) == errc::engine_snapshot_route_order);           // after unbounded 3
    BOOST_TEST(refused({rd(4, "g", "i"), rd(5, "h", "m")}, {2}) == errc::engine_snapshot_route_overlap);  // each other
    BOOST_TEST(refused({rd(4, "g", "i"), rd(5, "g", "h")}, {2}) == errc::engine_snapshot_route_order);
    // The first failure in start order wins, as in the whole table.
    BOOST_TEST(refused({rd(4, "a", "b"), rd(5, "m", "n")}, {}) == errc::engine_snapshot_route_overlap);
    BOOST_TEST(refused({rd(2, "g", std::nullopt), rd(4, "x", "y")}, {3}) == errc::engine_snapshot_route_order);

    // Freed ranges can be taken, by new ids or by moving routes; gaps are fine.
    change(1, {rd(4, "g", "i"), rd(5, "i", "m")}, {2}, engine->table());
    change(2, {rd(1, "", "b"), rd(3, "n", std::nullopt, 2)}, {});
    BOOST_TEST((snapshot().routes == Routes{rd(1, "", "b"), rd(4, "g", "i"), rd(5, "i", "m"), rd(3, "n", std::nullopt, 2)}));
}

BOOST_AUTO_TEST_CASE(on_the_engine_table_only_the_named_routes_are_read) {
    Routes routes;
    for (std::uint64_t id = 1; id <= 100; ++id)
        routes.push_back(rd(id, std::string(1, static_cast<char>(id)), std::string(1, static_cast<char>(id + 1))));
    save(0, routes);
    BOOST_TEST_REQUIRE(!engine->apply_snapshot(snapshot()));

    const int before = hooked->route_rows_read();
    // Replace 10, delete 11, create 101 over 11's range: two stored rows named, the new id not read.
    const auto r = change(1, {rd(10, "\x0a", "\x0b", 3), rd(101, "\x0b", "\x0c", 3)}, {11}, engine->table());
    BOOST_TEST(r.version == 2u);
    BOOST_TEST(hooked->route_rows_read() - before == 2);

    // An engine at another version: the check reads every route.
    const int again = hooked->route_rows_read();
    change(2, {rd(10, "\x0a", "\x0b", 4)}, {}, engine->table());
    BOOST_TEST(hooked->route_rows_read() - again >= 100);
}

BOOST_AUTO_TEST_CASE(an_engine_table_with_ephemeral_routes_falls_back_to_a_full_read) {
    EngineOptions options;
    options.hotspot_threshold = 1;
    engine = std::make_shared<Engine>(options);
    example();
    engine->record_access("h");  // route 2 is now two ephemeral (id 0) routes in the table
    BOOST_TEST_REQUIRE(engine->get_route("h")->route_id == 0u);
    BOOST_TEST(refused({rd(4, "h", "i")}, {}) == errc::engine_snapshot_route_overlap);
    const int before = hooked->route_rows_read();
    const auto r = change(1, {rd(2, "g", "k"), rd(4, "k", "m")}, {}, engine->table());
    BOOST_TEST(r.version == 2u);
    BOOST_TEST(hooked->route_rows_read() - before >= 3);  // every route
}

BOOST_AUTO_TEST_CASE(with_the_delta_log_the_delta_and_floor_join_the_transaction) {
    CatalogStoreOptions logging;
    logging.delta_log = true;
    CatalogStore logged{hooked, logging};
    run(logged.save(0, {rd(1, "", "m"), rd(2, "m", std::nullopt)}));
    const auto r = run(logged.apply_changes(1, {rd(3, "m", "t"), rd(4, "t", std::nullopt)}, {2}));
    const CatalogDelta d2 = delta_of(1, 2, {delete_of(2), upsert_of(rd(3, "m", "t")), upsert_of(rd(4, "t", std::nullopt))});
    BOOST_TEST((r.delta == d2));
    BOOST_TEST((last_apply() == std::vector<Mutation>{del_route(2), put_route(rd(3, "m", "t")),
                                                      put_route(rd(4, "t", std::nullopt)), put_delta(d2), put_floor(1),
                                                      put_version(2), put_next_id(5)}));
    BOOST_TEST((run(logged.changes_since(1)).deltas == std::vector<CatalogDelta>{d2}));
}

BOOST_AUTO_TEST_CASE(a_lost_answer_is_decided_by_reading_the_named_routes) {
    example();
    hooked->lose_next_answer(true);
    const auto r = change(1, {rd(4, "g", "k"), rd(5, "k", "m")}, {2}, engine->table());
    BOOST_TEST(r.version == 2u);
    BOOST_TEST(r.commit_ts == last());
    hooked->lose_next_answer(false);
    BOOST_TEST(error_of([&] { change(2, {rd(4, "g", "k", 2)}, {}); }) == errc::catalog_version_mismatch);
    BOOST_TEST(snapshot().version == 2u);
}

BOOST_AUTO_TEST_CASE(changes_and_apply_leaves_the_engine_at_the_new_version_by_delta) {
    example();
    engine->record_access("h");  // a load the delta keeps (a snapshot would reset it)
    const auto write = run(changes_and_apply(catalog, engine, 1, {rd(2, "g", "m", 9)}, {}));
    BOOST_TEST((write.status() == WriteStatus::committed));
    BOOST_TEST(write.engine_error.empty());
    BOOST_TEST(engine->version() == 2u);
    BOOST_TEST(engine->get_route("h")->group_id == 9u);
    BOOST_TEST(engine->get_route("h")->load == 1u);

    const auto stale = run(changes_and_apply(catalog, engine, 1, {rd(2, "g", "m", 8)}, {}));
    BOOST_TEST((stale.status() == WriteStatus::conflict));
    BOOST_TEST(stale.conflict->current_version == std::optional<std::uint64_t>(2));

    // An engine behind the catalog catches up by a re-read.
    save(2, {rd(1, "", std::nullopt)});
    const auto behind = run(changes_and_apply(catalog, engine, 3, {rd(1, "", "z")}, {}));
    BOOST_TEST(behind.engine_error.empty());
    BOOST_TEST(engine->version() == 4u);
}

BOOST_AUTO_TEST_CASE(a_split_reaches_the_engine_by_its_delta_without_reading_the_catalog) {
    example();
    engine->record_access("h");
    const int before = hooked->route_rows_read();
    const auto write = run(split_and_apply(catalog, engine, 1, 2, "k"));
    BOOST_TEST(write.engine_error.empty());
    BOOST_TEST(hooked->route_rows_read() - before == 1);  // the parent
    BOOST_TEST(engine->version() == 2u);
    BOOST_TEST(engine->get_route("h")->route_id == 4u);
    BOOST_TEST(engine->get_route("k")->route_id == 5u);
    BOOST_TEST(engine->get_route("a")->route_id == 1u);
}

BOOST_AUTO_TEST_SUITE_END()
