// CatalogStore (spec §6, edge cases §16 items 8-15): runs once per backend.

#include "support/catalog_fixture.hpp"

#include "routecat/catalog/catalog_store.hpp"
#include "routecat/codec.hpp"
#include "routecat/error.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <chrono>

namespace asio = boost::asio;
using namespace routecat;
using namespace routecat::test;
using namespace std::chrono_literals;


BOOST_FIXTURE_TEST_SUITE(catalog, CatalogFixture)

BOOST_AUTO_TEST_CASE(an_empty_store_reads_as_version_zero_without_routes) {
    const auto snap = snapshot();
    BOOST_TEST(snap.version == 0u);
    BOOST_TEST(snap.routes.empty());
    BOOST_TEST(snap.read_ts == last());
    BOOST_TEST(run(catalog.version()) == 0u);
    BOOST_TEST(next_id() == 1u);
}

BOOST_AUTO_TEST_CASE(an_empty_store_snapshot_has_read_ts_zero, *boost::unit_test::precondition(exact_timestamps)) {
    BOOST_TEST(snapshot().read_ts == 0u);
}

BOOST_AUTO_TEST_CASE(the_first_save_returns_version_one_in_catalog_order_with_read_ts_zero) {
    std::vector<RouteDescriptor> routes{rd(2, "m", std::nullopt, 2), rd(1, "", "m", 1, RouteState::write_fenced)};
    const auto saved = save(0, routes);
    BOOST_TEST(saved.version == 1u);
    BOOST_TEST(saved.read_ts == 0u);
    BOOST_TEST((saved.routes == sorted(routes)));

    const auto snap = snapshot();
    BOOST_TEST(snap.version == 1u);
    BOOST_TEST((snap.routes == sorted(routes)));
    BOOST_TEST(snap.read_ts == last());
    BOOST_TEST(next_id() == 3u);
}

BOOST_AUTO_TEST_CASE(the_first_save_commits_at_ts_one_and_each_next_at_plus_one,
                     *boost::unit_test::precondition(exact_timestamps)) {
    save(0, {rd(1, "", std::nullopt, 1)});
    BOOST_TEST(snapshot().read_ts == 1u);
    save(1, {rd(1, "", std::nullopt, 1)});
    BOOST_TEST(last() == 2u);
    save(2, {});
    BOOST_TEST(snapshot().read_ts == 3u);
}

BOOST_AUTO_TEST_CASE(each_save_bumps_the_version_by_exactly_one) {
    for (std::uint64_t v = 0; v < 5; ++v) BOOST_TEST(save(v, {rd(1, "", std::nullopt, v + 1)}).version == v + 1);
    BOOST_TEST(run(catalog.version()) == 5u);
    BOOST_TEST(snapshot().routes.at(0).group_id == 5u);
}

BOOST_AUTO_TEST_CASE(a_stale_or_future_expected_version_is_a_mismatch_and_writes_nothing) {
    save(0, {rd(1, "", std::nullopt, 1)});
    save(1, {rd(1, "", std::nullopt, 2)});
    const std::uint64_t before = last();
    for (std::uint64_t expected : {0u, 1u, 3u, 100u}) {
        auto f = failure_of([&] { save(expected, {rd(9, "x", std::nullopt, 9)}); });
        BOOST_TEST(f.code == errc::catalog_version_mismatch);
        BOOST_TEST(f.what == "expected version " + std::to_string(expected) + ", durable version 2: catalog version mismatch");
    }
    BOOST_TEST(last() == before);
    BOOST_TEST(apply_calls() == 2u);
    BOOST_TEST((snapshot().routes == std::vector<RouteDescriptor>{rd(1, "", std::nullopt, 2)}));
}

BOOST_AUTO_TEST_CASE(validation_runs_first_and_wins_over_a_mismatch) {
    const std::vector<std::pair<std::vector<RouteDescriptor>, errc>> cases{
        {{rd(0, "a", std::nullopt, 1)}, errc::catalog_route_id_required},
        {{rd(1, "a", std::nullopt, 0)}, errc::catalog_group_id_required},
        {{rd(0, "a", std::nullopt, 0)}, errc::catalog_route_id_required},
        {{rd(1, "a", std::nullopt, 1, static_cast<RouteState>(4))}, errc::catalog_invalid_route_state},
        {{rd(1, "b", "a", 1)}, errc::catalog_invalid_route_range},
        {{rd(1, "a", "a", 1)}, errc::catalog_invalid_route_range},
        {{rd(1, "a", "", 1)}, errc::catalog_invalid_route_range},
        {{rd(1, "", "", 1)}, errc::catalog_invalid_route_range},
        {{rd(1, "a", "b", 1), rd(1, "c", "d", 2)}, errc::catalog_duplicate_route_id},
        // input order decides which failure is reported
        {{rd(1, "z", std::nullopt, 1), rd(2, "a", "b", 0), rd(0, "", "a", 1)}, errc::catalog_group_id_required},
        {{rd(1, "a", "b", 1), rd(1, "c", "d", 2), rd(3, "", "a", 0)}, errc::catalog_duplicate_route_id},
    };
    for (const auto& [routes, expected] : cases) {
        BOOST_TEST(error_of([&] { save(42, routes); }) == expected);
        BOOST_TEST(error_of([&] { save(0, routes); }) == expected);
    }
    BOOST_TEST(apply_calls() == 0u);
    BOOST_TEST(run(catalog.version()) == 0u);
}

BOOST_AUTO_TEST_CASE(overlaps_gaps_and_any_input_order_are_accepted) {
    std::vector<RouteDescriptor> routes{rd(3, "m", std::nullopt, 1), rd(1, "a", "z", 2), rd(2, "c", "d", 3),
                                        rd(4, "a", "b", 4)};
    const auto saved = save(0, routes);
    BOOST_TEST((saved.routes == sorted(routes)));
    BOOST_TEST((snapshot().routes == sorted(routes)));
    BOOST_TEST(snapshot().routes.front().route_id == 4u);  // [a,b) before [a,z)
}

BOOST_AUTO_TEST_CASE(snapshots_list_routes_in_catalog_order) {
    std::vector<RouteDescriptor> routes{rd(5, "a", std::nullopt, 1), rd(4, "a", "c", 1), rd(3, "a", "b", 1),
                                        rd(2, "a", "b", 1), rd(1, "b", std::nullopt, 1), rd(6, "", "a", 1)};
    save(0, routes);
    std::vector<std::uint64_t> ids;
    for (const auto& r : snapshot().routes) ids.push_back(r.route_id);
    BOOST_TEST(ids == (std::vector<std::uint64_t>{6, 2, 3, 4, 5, 1}));
}

BOOST_AUTO_TEST_CASE(save_writes_deletes_then_changed_puts_then_the_two_meta_keys) {
    const auto r1 = rd(1, "", "g", 1);
    const auto r2 = rd(2, "g", "m", 1);
    const auto r3 = rd(3, "m", std::nullopt, 2);
    save(0, {r3, r1, r2});
    BOOST_TEST((last_apply() == std::vector<Mutation>{put_route(r1), put_route(r2), put_route(r3), put_version(1),
                                                       put_next_id(4)}));

    // r1 unchanged (not rewritten), r2 changed, r5 new, r3 dropped.
    const auto r2b = rd(2, "g", "m", 7, RouteState::migrating_source, 1);
    const auto r5 = rd(5, "m", std::nullopt, 2);
    save(1, {r5, r2b, r1});
    BOOST_TEST((last_apply() == std::vector<Mutation>{del_route(3), put_route(r2b), put_route(r5), put_version(2),
                                                       put_next_id(6)}));

    // Deletes come in the catalog order of the existing routes.
    save(2, {r2b});
    BOOST_TEST((last_apply() == std::vector<Mutation>{del_route(1), del_route(5), put_version(3), put_next_id(6)}));
}

BOOST_AUTO_TEST_CASE(an_identical_save_still_bumps_the_version_and_rewrites_only_the_meta_keys) {
    const std::vector<RouteDescriptor> routes{rd(1, "", "m", 1), rd(2, "m", std::nullopt, 2)};
    save(0, routes);
    const std::uint64_t first = last();
    const auto saved = save(1, routes);
    BOOST_TEST(saved.version == 2u);
    BOOST_TEST((last_apply() == std::vector<Mutation>{put_version(2), put_next_id(3)}));
    // The unchanged rows keep their first commit: visible already at the first commit's ts.
    const auto row = get(codec::route_key(1), first);
    BOOST_TEST(row == std::optional<std::string>(encoded(routes[0])));
}

BOOST_AUTO_TEST_CASE(an_empty_save_deletes_every_route) {
    save(0, {rd(1, "", "m", 1), rd(2, "m", std::nullopt, 2)});
    const auto saved = save(1, {});
    BOOST_TEST(saved.version == 2u);
    BOOST_TEST(saved.routes.empty());
    const auto snap = snapshot();
    BOOST_TEST(snap.version == 2u);
    BOOST_TEST(snap.routes.empty());
    BOOST_TEST(next_id() == 3u);
}

BOOST_AUTO_TEST_CASE(route_ids_are_never_reallocated_after_deletes) {
    save(0, {rd(1, "", "g", 1), rd(2, "g", "m", 1), rd(3, "m", std::nullopt, 1)});
    BOOST_TEST(next_id() == 4u);
    save(1, {rd(1, "", std::nullopt, 1)});  // drops the highest id
    BOOST_TEST(next_id() == 4u);
    save(2, {rd(1, "", "x", 1), rd(10, "x", std::nullopt, 1)});  // a higher id raises it to id + 1
    BOOST_TEST(next_id() == 11u);
    save(3, {});
    BOOST_TEST(next_id() == 11u);
    save(4, {rd(2, "", std::nullopt, 1)});  // Save itself accepts a caller-chosen, earlier-deleted id
    BOOST_TEST(next_id() == 11u);
    BOOST_TEST(snapshot().routes.at(0).route_id == 2u);
}

BOOST_AUTO_TEST_CASE(next_route_id_is_returned_as_stored_without_looking_at_routes) {
    apply({put_route(rd(10, "", std::nullopt, 1)), put_next_id(3)});
    BOOST_TEST(next_id() == 3u);
    BOOST_TEST(run(catalog.next_route_id_at(last())) == 3u);
}

BOOST_AUTO_TEST_CASE(a_missing_counter_falls_back_to_the_route_floor) {
    const std::uint64_t t1 = apply({put_route(rd(10, "", "m", 1)), put_route(rd(4, "m", std::nullopt, 1))});
    BOOST_TEST(next_id() == 11u);
    const std::uint64_t t2 = apply({put_next_id(20)});
    BOOST_TEST(run(catalog.next_route_id_at(t1)) == 11u);
    BOOST_TEST(run(catalog.next_route_id_at(t2)) == 20u);
}

BOOST_AUTO_TEST_CASE(save_takes_the_max_of_the_counter_and_both_floors) {
    apply({put_version(1), put_route(rd(10, "", std::nullopt, 1)), put_next_id(2)});
    save(1, {rd(5, "", std::nullopt, 1)});
    BOOST_TEST(next_id() == 11u);  // the existing route 10 wins over counter 2 and desired floor 6
    save(2, {rd(30, "", std::nullopt, 1)});
    BOOST_TEST(next_id() == 31u);
    apply({put_next_id(100)});
    save(3, {rd(1, "", std::nullopt, 1)});
    BOOST_TEST(next_id() == 100u);
}

BOOST_AUTO_TEST_CASE(legacy_rows_without_a_version_key_read_as_version_zero) {
    apply({put_route(rd(1, "", std::nullopt, 1))});
    const auto snap = snapshot();
    BOOST_TEST(snap.version == 0u);
    BOOST_TEST(snap.routes.size() == 1u);
    save(0, {rd(2, "", std::nullopt, 1)});
    BOOST_TEST((last_apply() == std::vector<Mutation>{del_route(1), put_route(rd(2, "", std::nullopt, 1)),
                                                       put_version(1), put_next_id(3)}));
}

BOOST_AUTO_TEST_CASE(a_stored_version_zero_is_legal) {
    apply({put_version(0)});
    BOOST_TEST(run(catalog.version()) == 0u);
    BOOST_TEST(save(0, {}).version == 1u);
}

BOOST_AUTO_TEST_CASE(version_overflow_is_refused) {
    apply({put_version(kMaxU64)});
    BOOST_TEST(run(catalog.version()) == kMaxU64);
    BOOST_TEST(error_of([&] { save(kMaxU64, {}); }) == errc::catalog_version_overflow);
    BOOST_TEST(error_of([&] { save(kMaxU64 - 1, {}); }) == errc::catalog_version_mismatch);
    BOOST_TEST(apply_calls() == 0u);
}

BOOST_AUTO_TEST_CASE(a_read_ts_of_u64_max_is_a_version_overflow, *boost::unit_test::precondition(exact_timestamps)) {
    const std::uint64_t t = apply({Mutation::put("unrelated", "x")}, kMaxU64);
    BOOST_TEST(t == kMaxU64);
    BOOST_TEST(error_of([&] { save(0, {}); }) == errc::catalog_version_overflow);
    BOOST_TEST(apply_calls() == 0u);
}

BOOST_AUTO_TEST_CASE(a_watermark_at_u64_max_before_commit_is_a_version_overflow,
                     *boost::unit_test::precondition(exact_timestamps)) {
    // Step 8 re-reads the watermark (the 2nd last_commit_ts of a Save); push it to u64 max just before.
    hooked->before_last_commit_ts(2, [](MvccStore& inner) -> asio::awaitable<void> {
        const std::uint64_t start = co_await inner.last_commit_ts();
        std::vector<Mutation> unrelated{Mutation::put("unrelated", "x")};  // (g++ 12: no braced list inside co_await)
        co_await inner.apply(std::move(unrelated), start, kMaxU64);
    });
    BOOST_TEST(error_of([&] { save(0, {}); }) == errc::catalog_version_overflow);
    BOOST_TEST(apply_calls() == 0u);
    BOOST_TEST(!get(std::string(codec::kVersionKey)).has_value());
}

BOOST_AUTO_TEST_CASE(a_route_id_of_u64_max_is_a_route_id_overflow) {
    BOOST_TEST(error_of([&] { save(0, {rd(kMaxU64, "", std::nullopt, 1)}); }) == errc::catalog_route_id_overflow);
    apply({put_route(rd(kMaxU64, "", std::nullopt, 1))});
    BOOST_TEST(error_of([&] { next_id(); }) == errc::catalog_route_id_overflow);
    BOOST_TEST(error_of([&] { save(0, {rd(1, "", std::nullopt, 1)}); }) == errc::catalog_route_id_overflow);
}

BOOST_AUTO_TEST_CASE(an_unrelated_write_between_read_and_commit_pushes_the_commit_above_it) {
    save(0, {rd(1, "", std::nullopt, 1)});
    std::uint64_t unrelated_ts = 0;
    hooked->before_apply([&unrelated_ts](MvccStore& inner) -> asio::awaitable<void> {
        const std::uint64_t start = co_await inner.last_commit_ts();
        std::vector<Mutation> unrelated{Mutation::put("unrelated", "x")};
        unrelated_ts = co_await inner.apply(std::move(unrelated), start, 0);
    });
    const auto saved = save(1, {rd(1, "", std::nullopt, 2)});
    BOOST_TEST(saved.version == 2u);
    BOOST_TEST(last() > unrelated_ts);
    BOOST_TEST(get(std::string(codec::kVersionKey), unrelated_ts) == std::optional<std::string>(codec::encode_version(1)));
    BOOST_TEST(get(std::string(codec::kVersionKey)) == std::optional<std::string>(codec::encode_version(2)));
}

BOOST_AUTO_TEST_CASE(the_commit_ts_is_max_of_read_ts_plus_one_and_the_reread_watermark_plus_one,
                     *boost::unit_test::precondition(exact_timestamps)) {
    save(0, {rd(1, "", std::nullopt, 1)});  // commits at 1
    // An unrelated write lands at 7 between the read (step 2) and the watermark re-read (step 8).
    hooked->before_last_commit_ts(2 + 2, [](MvccStore& inner) -> asio::awaitable<void> {
        const std::uint64_t start = co_await inner.last_commit_ts();
        std::vector<Mutation> unrelated{Mutation::put("unrelated", "x")};
        co_await inner.apply(std::move(unrelated), start, 7);
    });
    save(1, {rd(1, "", std::nullopt, 2)});
    BOOST_TEST(last() == 8u);
    BOOST_TEST(snapshot().read_ts == 8u);
}

BOOST_AUTO_TEST_CASE(a_commit_of_another_writer_between_read_and_commit_is_a_mismatch) {
    save(0, {rd(1, "", std::nullopt, 1)});
    hooked->before_apply([](MvccStore& inner) -> asio::awaitable<void> {
        CatalogStore other(std::shared_ptr<MvccStore>(&inner, [](MvccStore*) {}));
        std::vector<RouteDescriptor> theirs{rd(7, "", std::nullopt, 7)};
        co_await other.save(1, theirs);
    });
    auto f = failure_of([&] { save(1, {rd(1, "", std::nullopt, 2)}); });
    BOOST_TEST(f.code == errc::catalog_version_mismatch);
    hooked->before_apply(nullptr);
    const auto snap = snapshot();
    BOOST_TEST(snap.version == 2u);
    BOOST_TEST((snap.routes == std::vector<RouteDescriptor>{rd(7, "", std::nullopt, 7)}));
}

BOOST_AUTO_TEST_CASE(a_store_error_other_than_a_conflict_is_passed_through) {
    hooked->before_apply([](MvccStore&) -> asio::awaitable<void> {
        throw boost::system::system_error(make_error_code(boost::system::errc::io_error));
        co_return;
    });
    BOOST_TEST(error_of([&] { save(0, {}); }) == boost::system::errc::io_error);
}

// A commit whose answer is lost (commit_outcome_unknown from the store) is decided by a re-read: the
// catalog at expected + 1 holding exactly the saved routes means it landed.
BOOST_AUTO_TEST_CASE(a_save_whose_answer_is_lost_after_it_landed_succeeds_once) {
    save(0, {rd(1, "", std::nullopt, 1)});
    hooked->lose_next_answer(true);
    const std::vector<RouteDescriptor> ours{rd(2, "m", std::nullopt, 2), rd(1, "", "m", 1)};
    const auto saved = save(1, ours);
    BOOST_TEST(saved.version == 2u);
    BOOST_TEST((saved.routes == sorted(ours)));
    BOOST_TEST(apply_calls() == 2u);  // never re-applied
    const auto snap = snapshot();
    BOOST_TEST(snap.version == 2u);
    BOOST_TEST((snap.routes == sorted(ours)));
    BOOST_TEST(save(2, ours).version == 3u);  // and the next save builds on it
}

BOOST_AUTO_TEST_CASE(a_save_whose_answer_is_lost_without_landing_is_a_mismatch) {
    save(0, {rd(1, "", std::nullopt, 1)});
    // Another writer saved other routes at the same version meanwhile: ours lost.
    hooked->before_apply([](MvccStore& inner) -> asio::awaitable<void> {
        CatalogStore other(std::shared_ptr<MvccStore>(&inner, [](MvccStore*) {}));
        std::vector<RouteDescriptor> theirs{rd(7, "", std::nullopt, 7)};
        co_await other.save(1, theirs);
    });
    hooked->lose_next_answer(false);
    auto f = failure_of([&] { save(1, {rd(1, "", std::nullopt, 2)}); });
    BOOST_TEST(f.code == errc::catalog_version_mismatch, f.what);
    hooked->before_apply(nullptr);
    auto snap = snapshot();
    BOOST_TEST(snap.version == 2u);
    BOOST_TEST((snap.routes == std::vector<RouteDescriptor>{rd(7, "", std::nullopt, 7)}));

    // Nobody else wrote: the catalog is still at the expected version, so ours did not land either.
    hooked->lose_next_answer(false);
    f = failure_of([&] { save(2, {rd(1, "", std::nullopt, 3)}); });
    BOOST_TEST(f.code == errc::catalog_version_mismatch, f.what);
    snap = snapshot();
    BOOST_TEST(snap.version == 2u);
    BOOST_TEST(save(2, {rd(1, "", std::nullopt, 3)}).version == 3u);  // a retry on a fresh read succeeds
}

// Other writers may save on top of a commit whose answer was lost before its writer re-reads: the
// catalog at the version the commit made decides, not the current one.
BOOST_AUTO_TEST_CASE(a_save_whose_answer_is_lost_after_it_landed_succeeds_though_others_saved_since) {
    save(0, {rd(1, "", std::nullopt, 1)});
    hooked->on_lost_answer([](MvccStore& inner) -> asio::awaitable<void> {
        CatalogStore other(std::shared_ptr<MvccStore>(&inner, [](MvccStore*) {}));
        for (std::uint64_t v = 2; v < 5; ++v) {
            std::vector<RouteDescriptor> theirs{rd(7, "", std::nullopt, v + 10)};
            co_await other.save(v, theirs);
        }
    });
    hooked->lose_next_answer(true);
    const std::vector<RouteDescriptor> ours{rd(2, "m", std::nullopt, 2), rd(1, "", "m", 1)};
    const auto saved = save(1, ours);
    BOOST_TEST(saved.version == 2u);
    BOOST_TEST((saved.routes == sorted(ours)));
    hooked->on_lost_answer(nullptr);
    const auto snap = snapshot();
    BOOST_TEST(snap.version == 5u);
    BOOST_TEST((snap.routes == std::vector<RouteDescriptor>{rd(7, "", std::nullopt, 14)}));
}

BOOST_AUTO_TEST_CASE(a_save_whose_answer_is_lost_without_landing_is_a_mismatch_though_others_saved_since) {
    save(0, {rd(1, "", std::nullopt, 1)});
    // The other writer takes version 2 (and 3) while ours is lost: ours never landed.
    hooked->on_lost_answer([](MvccStore& inner) -> asio::awaitable<void> {
        CatalogStore other(std::shared_ptr<MvccStore>(&inner, [](MvccStore*) {}));
        std::vector<RouteDescriptor> theirs{rd(7, "", std::nullopt, 7)};
        co_await other.save(1, theirs);
        co_await other.save(2, theirs);
    });
    hooked->lose_next_answer(false);
    const auto f = failure_of([&] { save(1, {rd(1, "", std::nullopt, 2)}); });
    BOOST_TEST(f.code == errc::catalog_version_mismatch, f.what);
    hooked->on_lost_answer(nullptr);
    BOOST_TEST(snapshot().version == 3u);
}

BOOST_AUTO_TEST_CASE(a_lost_answer_that_cannot_be_re_read_stays_commit_outcome_unknown) {
    save(0, {rd(1, "", std::nullopt, 1)});
    // The commit's own watermark read has happened by the time the apply runs: fail the re-read's.
    hooked->before_apply([this](MvccStore&) -> asio::awaitable<void> {
        hooked->fail_last_commit_ts(100, make_error_code(errc::store_unavailable));
        co_return;
    });
    hooked->lose_next_answer(true);
    const auto f = failure_of([&] { save(1, {rd(1, "", std::nullopt, 2)}); });
    BOOST_TEST(f.code == errc::commit_outcome_unknown, f.what);
    BOOST_TEST(f.what == "test: answer lost after the commit: commit outcome is unknown");
    hooked->before_apply(nullptr);
    hooked->fail_last_commit_ts(0);
    BOOST_TEST(snapshot().version == 2u);  // it had landed
}

BOOST_AUTO_TEST_CASE(a_split_whose_answer_is_lost_after_it_landed_succeeds_once) {
    save(0, {rd(1, "", std::nullopt, 1)});
    hooked->lose_next_answer(true);
    const SplitResult result = run(catalog.split(1, 1, "m"));
    BOOST_TEST(result.version == 2u);
    BOOST_TEST((result.left == rd(2, "", "m", 1, RouteState::active, 1)));
    BOOST_TEST((result.right == rd(3, "m", std::nullopt, 1, RouteState::active, 1)));
    BOOST_TEST(result.commit_ts > 0u);
    BOOST_TEST(result.commit_ts == last());  // the re-read's ts: nothing was written after the split
    BOOST_TEST(apply_calls() == 2u);
    BOOST_TEST((snapshot().routes == std::vector<RouteDescriptor>{rd(2, "", "m", 1, RouteState::active, 1),
                                                                  rd(3, "m", std::nullopt, 1, RouteState::active, 1)}));
}

BOOST_AUTO_TEST_CASE(rows_are_paged_in_256s_and_all_returned) {
    for (std::size_t count : {255u, 256u, 257u, 512u, 600u}) {
        std::vector<RouteDescriptor> routes;
        // Ids ascend while starts descend, so catalog order differs from key order.
        for (std::size_t i = 0; i < count; ++i) {
            char start[32];
            std::snprintf(start, sizeof start, "k%06zu", count - i);
            routes.push_back(rd(i + 1, start, std::nullopt, 1));
        }
        const std::uint64_t v = run(catalog.version());
        save(v, routes);
        const auto snap = snapshot();
        BOOST_TEST_REQUIRE(snap.routes.size() == count);
        BOOST_TEST((snap.routes == sorted(routes)));
    }
}

BOOST_AUTO_TEST_CASE(keys_with_nul_and_ff_bytes_round_trip) {
    const std::string a("\0", 1), b("a\0\xff", 3), c("\xff\xff", 2);
    std::vector<RouteDescriptor> routes{rd(1, "", a, 1), rd(2, a, b, 2), rd(3, b, c, 3), rd(4, c, std::nullopt, 4)};
    save(0, routes);
    BOOST_TEST((snapshot().routes == routes));
}

BOOST_AUTO_TEST_CASE(a_route_key_without_an_eight_byte_id_fails_every_read_and_save) {
    save(0, {rd(1, "", std::nullopt, 1)});
    apply({Mutation::put(std::string(codec::kRoutePrefix) + "abc", encoded(rd(2, "x", std::nullopt, 1)))});
    BOOST_TEST(error_of([&] { snapshot(); }) == errc::catalog_invalid_route_key);
    BOOST_TEST(error_of([&] { save(1, {}); }) == errc::catalog_invalid_route_key);
    BOOST_TEST(run(catalog.version()) == 1u);  // the version alone still reads
}

BOOST_AUTO_TEST_CASE(a_record_whose_id_differs_from_its_key_fails) {
    apply({Mutation::put(codec::route_key(5), encoded(rd(6, "", std::nullopt, 1)))});
    auto f = failure_of([&] { snapshot(); });
    BOOST_TEST(f.code == errc::catalog_route_key_id_mismatch);
    BOOST_TEST(f.what == "key id 5, record id 6: catalog route key and record route id mismatch");
    BOOST_TEST(error_of([&] { save(0, {}); }) == errc::catalog_route_key_id_mismatch);
}

BOOST_AUTO_TEST_CASE(an_undecodable_or_invalid_record_fails_with_its_decode_error) {
    const std::string bad_version_byte = "\x02" + encoded(rd(1, "", std::nullopt, 1)).substr(1);
    apply({Mutation::put(codec::route_key(1), bad_version_byte)});
    auto f = failure_of([&] { snapshot(); });
    BOOST_TEST(f.code == errc::catalog_invalid_route_record);
    BOOST_TEST(f.what == "route key !dist|route|\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x01: unsupported version 2: "
                         "catalog route record is invalid");

    std::string group_zero = encoded(rd(1, "", std::nullopt, 1));
    group_zero[16] = 0;  // last byte of the group id
    apply({Mutation::put(codec::route_key(1), group_zero)});
    BOOST_TEST(error_of([&] { snapshot(); }) == errc::catalog_group_id_required);
    BOOST_TEST(error_of([&] { save(0, {}); }) == errc::catalog_group_id_required);
}

BOOST_AUTO_TEST_CASE(a_corrupt_version_record_fails_reads_and_saves) {
    apply({Mutation::put(std::string(codec::kVersionKey), "\x01\x02")});
    BOOST_TEST(error_of([&] { snapshot(); }) == errc::catalog_invalid_version_record);
    BOOST_TEST(error_of([&] { run(catalog.version()); }) == errc::catalog_invalid_version_record);
    BOOST_TEST(error_of([&] { save(0, {}); }) == errc::catalog_invalid_version_record);
}

BOOST_AUTO_TEST_CASE(a_corrupt_or_zero_next_route_id_is_its_own_error) {
    apply({put_version(1), Mutation::put(std::string(codec::kNextRouteIdKey), "\x01\x02\x03")});
    auto f = failure_of([&] { next_id(); });
    BOOST_TEST(f.code == errc::catalog_invalid_next_route_id);
    BOOST_TEST(f.what.starts_with("decode next route id: "));
    BOOST_TEST(error_of([&] { save(1, {}); }) == errc::catalog_invalid_next_route_id);
    apply({put_next_id(0)});
    BOOST_TEST(error_of([&] { next_id(); }) == errc::catalog_invalid_next_route_id);
    BOOST_TEST(error_of([&] { save(1, {}); }) == errc::catalog_invalid_next_route_id);
    BOOST_TEST(snapshot().version == 1u);  // Snapshot does not read the counter
}

BOOST_AUTO_TEST_CASE(a_missing_store_fails_every_call_first) {
    CatalogStore none(nullptr);
    BOOST_TEST(error_of([&] { run(none.snapshot()); }) == errc::catalog_store_required);
    BOOST_TEST(error_of([&] { run(none.version()); }) == errc::catalog_store_required);
    BOOST_TEST(error_of([&] { run(none.next_route_id()); }) == errc::catalog_store_required);
    BOOST_TEST(error_of([&] { run(none.next_route_id_at(1)); }) == errc::catalog_store_required);
    BOOST_TEST(error_of([&] { run(none.routes_at(1)); }) == errc::catalog_store_required);
    BOOST_TEST(error_of([&] { run(none.save(0, {rd(0, "", "", 0)})); }) == errc::catalog_store_required);
}

namespace {

// Each writer saves its own route set (group = writer index + 1) from the same expected version.
asio::awaitable<std::optional<CatalogSnapshot>> contend(CatalogStore& catalog, std::uint64_t expected, int writer) {
    std::vector<RouteDescriptor> routes{rd(1, "", "m", static_cast<std::uint64_t>(writer) + 1),
                                        rd(static_cast<std::uint64_t>(writer) + 2, "m", std::nullopt, 1)};
    try {
        co_return co_await catalog.save(expected, routes);
    } catch (const boost::system::system_error& e) {
        if (e.code() != errc::catalog_version_mismatch) throw;
    }
    co_return std::nullopt;
}

void check_exactly_one_winner(CatalogFixture& f, std::vector<std::future<std::optional<CatalogSnapshot>>>& futures,
                              std::uint64_t from) {
    std::vector<CatalogSnapshot> winners;
    for (auto& fut : futures)
        if (auto won = fut.get()) winners.push_back(*won);
    BOOST_TEST_REQUIRE(winners.size() == 1u);
    BOOST_TEST(winners[0].version == from + 1);
    const auto snap = f.snapshot();
    BOOST_TEST(snap.version == from + 1);
    BOOST_TEST((snap.routes == winners[0].routes));
}

}  // namespace

BOOST_AUTO_TEST_CASE(eight_concurrent_saves_from_one_version_have_exactly_one_winner) {
    save(0, {rd(1, "", std::nullopt, 1)});
    for (int round = 0; round < 10; ++round) {
        const std::uint64_t from = run(catalog.version());
        std::vector<std::future<std::optional<CatalogSnapshot>>> futures;
        for (int w = 0; w < 8; ++w) futures.push_back(asio::co_spawn(io, contend(catalog, from, w), asio::use_future));
        run_on_threads(io, 2);
        check_exactly_one_winner(*this, futures, from);
    }
}

BOOST_AUTO_TEST_CASE(eight_saves_that_all_read_before_any_commits_conflict_at_the_store) {
    save(0, {rd(1, "", std::nullopt, 1)});
    // Hold every writer at its commit until all eight have read version 1: seven must lose on the
    // store's first-committer-wins check, not on the version comparison.
    auto arrived = std::make_shared<std::atomic<int>>(0);
    hooked->before_apply([arrived](MvccStore&) -> asio::awaitable<void> {
        ++*arrived;
        asio::steady_timer timer(co_await asio::this_coro::executor);
        while (arrived->load() < 8) {
            timer.expires_after(1ms);
            co_await timer.async_wait(asio::use_awaitable);
        }
    });
    std::vector<std::future<std::optional<CatalogSnapshot>>> futures;
    for (int w = 0; w < 8; ++w) futures.push_back(asio::co_spawn(io, contend(catalog, 1, w), asio::use_future));
    run_on_threads(io, 2);
    BOOST_TEST(arrived->load() == 8);
    check_exactly_one_winner(*this, futures, 1);
}

BOOST_AUTO_TEST_SUITE_END()
