// CatalogStore::split (spec 10.3 steps 2-7): runs once per backend.

#include "support/catalog_fixture.hpp"

#include "routecat/catalog/catalog_store.hpp"
#include "routecat/codec.hpp"
#include "routecat/error.hpp"

#include <boost/asio/use_awaitable.hpp>
#include <boost/test/unit_test.hpp>

namespace asio = boost::asio;
using namespace routecat;
using namespace routecat::test;

namespace {

struct SplitFixture : CatalogFixture {
    SplitResult split(std::uint64_t expected, std::uint64_t route_id, std::string key) {
        return run(catalog.split(expected, route_id, std::move(key)));
    }
    std::vector<std::uint64_t> ids() {
        std::vector<std::uint64_t> out;
        for (const auto& r : snapshot().routes) out.push_back(r.route_id);
        return out;
    }
    // The spec's example catalog: v1 = 1:["",m)->1, 2:[m,inf)->2.
    void example() { save(0, {rd(1, "", "m", 1), rd(2, "m", std::nullopt, 2)}); }
};

}  // namespace

BOOST_FIXTURE_TEST_SUITE(catalog_split, SplitFixture)

BOOST_AUTO_TEST_CASE(the_spec_example_exactly) {
    example();
    const auto r = split(1, 1, "g");
    BOOST_TEST(r.version == 2u);
    BOOST_TEST(r.left == rd(3, "", "g", 1, RouteState::active, 1));
    BOOST_TEST(r.right == rd(4, "g", "m", 1, RouteState::active, 1));
    BOOST_TEST(r.commit_ts == last());

    const auto snap = snapshot();
    BOOST_TEST(snap.version == 2u);
    const std::vector<RouteDescriptor> expected{rd(3, "", "g", 1, RouteState::active, 1),
                                                rd(4, "g", "m", 1, RouteState::active, 1), rd(2, "m", std::nullopt, 2)};
    BOOST_TEST(snap.routes == expected, boost::test_tools::per_element());
    BOOST_TEST((ids() == std::vector<std::uint64_t>{3, 4, 2}));
    BOOST_TEST(next_id() == 5u);
    BOOST_TEST(run(catalog.stored_next_route_id_at(last())) == 5u);
}

BOOST_AUTO_TEST_CASE(a_save_that_drops_a_child_does_not_make_its_id_reusable) {
    example();
    split(1, 1, "g");
    save(2, {rd(3, "", "g", 1, RouteState::active, 1), rd(2, "m", std::nullopt, 2)});  // drops route 4
    BOOST_TEST(next_id() == 5u);
    const auto r = split(3, 2, "t");
    BOOST_TEST(r.version == 4u);
    BOOST_TEST(r.left == rd(5, "m", "t", 2, RouteState::active, 2));
    BOOST_TEST(r.right == rd(6, "t", std::nullopt, 2, RouteState::active, 2));
    BOOST_TEST(next_id() == 7u);
    BOOST_TEST((ids() == std::vector<std::uint64_t>{3, 5, 6}));
}

BOOST_AUTO_TEST_CASE(the_mutations_are_delete_parent_put_left_put_right_version_next_id_in_order) {
    example();
    const std::size_t before = apply_calls();
    const auto r = split(1, 1, "g");
    BOOST_TEST(apply_calls() == before + 1);
    const std::vector<Mutation> expected{del_route(1), put_route(rd(3, "", "g", 1, RouteState::active, 1)),
                                         put_route(rd(4, "g", "m", 1, RouteState::active, 1)), put_version(2),
                                         put_next_id(5)};
    BOOST_TEST(last_apply() == expected, boost::test_tools::per_element());
    BOOST_TEST(r.commit_ts == last());
}

BOOST_AUTO_TEST_CASE(the_split_commits_at_the_next_ts, *boost::unit_test::precondition(exact_timestamps)) {
    example();  // commits at 1
    BOOST_TEST(split(1, 1, "g").commit_ts == 2u);
    BOOST_TEST(snapshot().read_ts == 2u);
    BOOST_TEST(split(2, 3, "c").commit_ts == 3u);
}

BOOST_AUTO_TEST_CASE(children_inherit_group_and_state_and_name_the_parent) {
    for (auto state : {RouteState::active, RouteState::write_fenced, RouteState::migrating_source,
                       RouteState::migrating_target}) {
        const std::uint64_t v = run(catalog.version());
        save(v, {rd(10, "a", "z", 7, state, 3)});
        const std::uint64_t n = next_id();
        const auto r = split(v + 1, 10, "k");
        BOOST_TEST(r.left == rd(n, "a", "k", 7, state, 10));
        BOOST_TEST(r.right == rd(n + 1, "k", "z", 7, state, 10));
        BOOST_TEST((snapshot().routes == std::vector<RouteDescriptor>{r.left, r.right}));
    }
}

BOOST_AUTO_TEST_CASE(a_write_fenced_parent_gives_write_fenced_children_as_stored) {
    save(0, {rd(1, "", std::nullopt, 4, RouteState::write_fenced)});
    split(1, 1, "m");
    const auto snap = snapshot();
    BOOST_TEST(snap.routes.size() == 2u);
    for (const auto& r : snap.routes) {
        BOOST_TEST((r.state == RouteState::write_fenced));
        BOOST_TEST(r.group_id == 4u);
        BOOST_TEST(r.parent_route_id == 1u);
    }
}

BOOST_AUTO_TEST_CASE(an_unbounded_parent_splits_at_any_key_above_its_start) {
    save(0, {rd(1, "m", std::nullopt, 1)});
    const auto r = split(1, 1, std::string(1000, '\xff'));
    BOOST_TEST(r.left == rd(2, "m", std::string(1000, '\xff'), 1, RouteState::active, 1));
    BOOST_TEST(r.right == rd(3, std::string(1000, '\xff'), std::nullopt, 1, RouteState::active, 1));
    const auto r2 = split(2, 2, std::string("m\0", 2));  // the smallest key above the start
    BOOST_TEST(r2.left == rd(4, "m", std::string("m\0", 2), 1, RouteState::active, 2));
    BOOST_TEST(r2.right == rd(5, std::string("m\0", 2), std::string(1000, '\xff'), 1, RouteState::active, 2));
    BOOST_TEST((ids() == std::vector<std::uint64_t>{4, 5, 3}));
}

BOOST_AUTO_TEST_CASE(keys_with_nul_and_ff_bytes_round_trip) {
    const std::string start("\x00\x01", 2), end("\xff\xff\x00", 3), key("\x00\xff\x00", 3);
    save(0, {rd(1, start, end, 9)});
    const auto r = split(1, 1, key);
    BOOST_TEST(r.left == rd(2, start, key, 9, RouteState::active, 1));
    BOOST_TEST(r.right == rd(3, key, end, 9, RouteState::active, 1));
    BOOST_TEST((snapshot().routes == std::vector<RouteDescriptor>{r.left, r.right}));
    // The full keyspace at NUL: "" < "\0".
    save(2, {rd(7, "", std::nullopt, 1)});
    const auto r2 = split(3, 7, std::string(1, '\0'));
    BOOST_TEST(r2.left == rd(8, "", std::string(1, '\0'), 1, RouteState::active, 7));
    BOOST_TEST(r2.right == rd(9, std::string(1, '\0'), std::nullopt, 1, RouteState::active, 7));
    const auto r3 = split(4, 9, std::string("\xff", 1));
    BOOST_TEST(r3.right == rd(11, std::string("\xff", 1), std::nullopt, 1, RouteState::active, 9));
}

BOOST_AUTO_TEST_CASE(a_stale_or_future_expected_version_is_a_mismatch_and_writes_nothing) {
    example();
    const std::size_t calls = apply_calls();
    const std::uint64_t before = last();
    for (std::uint64_t expected : {0u, 2u, 100u}) {
        auto f = failure_of([&] { split(expected, 1, "g"); });
        BOOST_TEST(f.code == errc::catalog_version_mismatch);
        BOOST_TEST(f.what == "catalog version conflict: expected version " + std::to_string(expected) +
                                 ", durable version 1: catalog version mismatch");
    }
    BOOST_TEST(apply_calls() == calls);
    BOOST_TEST(last() == before);
}

BOOST_AUTO_TEST_CASE(the_version_check_comes_before_the_route_and_key_checks) {
    example();
    BOOST_TEST(error_of([&] { split(5, 99, "g"); }) == errc::catalog_version_mismatch);
    BOOST_TEST(error_of([&] { split(5, 1, ""); }) == errc::catalog_version_mismatch);
}

BOOST_AUTO_TEST_CASE(an_unknown_route_id_is_unknown_route) {
    example();
    for (std::uint64_t id : {0ull, 3ull, 99ull, static_cast<unsigned long long>(kMaxU64)}) {
        auto f = failure_of([&] { split(1, id, "g"); });
        BOOST_TEST(f.code == errc::unknown_route);
        BOOST_TEST(f.what == "route id " + std::to_string(id) + ": unknown route");
    }
    BOOST_TEST(apply_calls() == 1u);
}

BOOST_AUTO_TEST_CASE(an_empty_catalog_has_no_route_to_split) {
    BOOST_TEST(error_of([&] { split(0, 1, "a"); }) == errc::unknown_route);
    BOOST_TEST(apply_calls() == 0u);
}

BOOST_AUTO_TEST_CASE(a_key_at_a_boundary_or_outside_the_range_is_rejected) {
    save(0, {rd(1, "c", "m", 1), rd(2, "m", std::nullopt, 2)});
    const std::vector<std::pair<std::pair<std::uint64_t, std::string>, errc>> cases{
        {{1, "c"}, errc::split_key_at_boundary},
        {{1, "m"}, errc::split_key_at_boundary},
        {{2, "m"}, errc::split_key_at_boundary},
        {{1, "b"}, errc::invalid_split_key},
        {{1, ""}, errc::invalid_split_key},
        {{1, "bz"}, errc::invalid_split_key},
        {{1, std::string("m\0", 2)}, errc::invalid_split_key},
        {{1, "z"}, errc::invalid_split_key},
        {{2, "a"}, errc::invalid_split_key},
        {{2, std::string("l\xff", 2)}, errc::invalid_split_key},
    };
    for (const auto& [args, expected] : cases) {
        auto f = failure_of([&] { split(1, args.first, args.second); });
        BOOST_TEST(f.code == expected, "route " << args.first << " key " << key_to_text(args.second));
    }
    BOOST_TEST(failure_of([&] { split(1, 1, "c"); }).what == "split key c: split key at route boundary");
    BOOST_TEST(failure_of([&] { split(1, 1, "z"); }).what == "split key z: invalid split key");
    BOOST_TEST(apply_calls() == 1u);
    BOOST_TEST(run(catalog.version()) == 1u);
    // Just inside either end is fine.
    const auto r = split(1, 1, std::string("c\0", 2));
    BOOST_TEST(r.left == rd(3, "c", std::string("c\0", 2), 1, RouteState::active, 1));
    const auto r2 = split(2, 4, std::string("l\xff\xff", 3));
    BOOST_TEST(r2.right == rd(6, std::string("l\xff\xff", 3), "m", 1, RouteState::active, 4));
}

BOOST_AUTO_TEST_CASE(the_empty_start_is_a_boundary) {
    example();
    BOOST_TEST(error_of([&] { split(1, 1, ""); }) == errc::split_key_at_boundary);
}

BOOST_AUTO_TEST_CASE(child_ids_take_the_stored_counter_when_it_is_higher) {
    save(0, {rd(1, "", std::nullopt, 1)});
    save(1, {rd(1, "", std::nullopt, 1), rd(50, "x", "y", 1)});
    save(2, {rd(1, "", std::nullopt, 1)});  // next-route-id stays 51
    const auto r = split(3, 1, "k");
    BOOST_TEST(r.left.route_id == 51u);
    BOOST_TEST(r.right.route_id == 52u);
    BOOST_TEST(next_id() == 53u);
}

BOOST_AUTO_TEST_CASE(child_ids_take_the_route_floor_when_the_stored_counter_is_lower) {
    save(0, {rd(1, "", "k", 1), rd(8, "k", std::nullopt, 1)});
    apply({put_next_id(2)});  // a counter below the routes (not written by routecat)
    BOOST_TEST(next_id() == 2u);
    const auto r = split(1, 1, "c");
    BOOST_TEST(r.left.route_id == 9u);
    BOOST_TEST(r.right.route_id == 10u);
    BOOST_TEST(next_id() == 11u);
}

BOOST_AUTO_TEST_CASE(a_legacy_catalog_without_a_counter_uses_the_route_floor) {
    apply({put_route(rd(4, "", "k", 1)), put_route(rd(6, "k", std::nullopt, 2)), put_version(3)});
    const auto r = split(3, 6, "p");
    BOOST_TEST(r.version == 4u);
    BOOST_TEST(r.left == rd(7, "k", "p", 2, RouteState::active, 6));
    BOOST_TEST(r.right == rd(8, "p", std::nullopt, 2, RouteState::active, 6));
    BOOST_TEST(run(catalog.stored_next_route_id_at(last())) == 9u);
}

BOOST_AUTO_TEST_CASE(route_id_overflow) {
    // A route with id u64 max: the floor itself overflows.
    apply({put_route(rd(kMaxU64, "", "k", 1)), put_route(rd(1, "k", std::nullopt, 1)), put_version(1)});
    BOOST_TEST(error_of([&] { split(1, 1, "p"); }) == errc::catalog_route_id_overflow);
    // next = u64 max: no room for two ids.
    apply({del_route(kMaxU64), put_route(rd(kMaxU64 - 1, "", "k", 1))});
    BOOST_TEST(error_of([&] { split(1, 1, "p"); }) == errc::catalog_route_id_overflow);
    // next = u64 max - 1: right would be u64 max and next-route-id would wrap.
    apply({del_route(kMaxU64 - 1), put_route(rd(kMaxU64 - 2, "", "k", 1))});
    BOOST_TEST(error_of([&] { split(1, 1, "p"); }) == errc::catalog_route_id_overflow);
    // A stored counter of u64 max overflows too.
    apply({del_route(kMaxU64 - 2), put_route(rd(2, "", "k", 1)), put_next_id(kMaxU64)});
    BOOST_TEST(error_of([&] { split(1, 1, "p"); }) == errc::catalog_route_id_overflow);
    const std::size_t calls = apply_calls();
    // next = u64 max - 2 is the last that fits.
    apply({put_next_id(kMaxU64 - 2)});
    const auto r = split(1, 1, "p");
    BOOST_TEST(r.left.route_id == kMaxU64 - 2);
    BOOST_TEST(r.right.route_id == kMaxU64 - 1);
    BOOST_TEST(run(catalog.stored_next_route_id_at(last())) == kMaxU64);
    BOOST_TEST(apply_calls() == calls + 1);  // the fixture's own writes bypass the hook
}

BOOST_AUTO_TEST_CASE(an_expected_version_of_u64_max_is_a_version_overflow) {
    apply({put_route(rd(1, "", std::nullopt, 1)), put_version(kMaxU64)});
    const std::size_t calls = apply_calls();
    BOOST_TEST(error_of([&] { split(kMaxU64, 1, "p"); }) == errc::catalog_version_overflow);
    BOOST_TEST(apply_calls() == calls);
}

BOOST_AUTO_TEST_CASE(a_watermark_at_u64_max_is_a_version_overflow, *boost::unit_test::precondition(exact_timestamps)) {
    example();
    apply({Mutation::put("unrelated", "x")}, kMaxU64);
    const std::size_t calls = apply_calls();
    BOOST_TEST(error_of([&] { split(1, 1, "g"); }) == errc::catalog_version_overflow);
    BOOST_TEST(apply_calls() == calls);
}

BOOST_AUTO_TEST_CASE(a_save_landing_between_read_and_commit_is_a_mismatch_and_nothing_of_the_split_is_written) {
    example();
    hooked->before_apply([](MvccStore& inner) -> asio::awaitable<void> {
        CatalogStore other(std::shared_ptr<MvccStore>(&inner, [](MvccStore*) {}));
        std::vector<RouteDescriptor> theirs{rd(1, "", "m", 5), rd(2, "m", std::nullopt, 6)};
        co_await other.save(1, theirs);
    });
    auto f = failure_of([&] { split(1, 1, "g"); });
    BOOST_TEST(f.code == errc::catalog_version_mismatch);
    BOOST_TEST(f.what == "catalog version conflict: concurrent commit: catalog version mismatch");
    hooked->before_apply(nullptr);

    const auto snap = snapshot();
    BOOST_TEST(snap.version == 2u);
    BOOST_TEST((snap.routes == std::vector<RouteDescriptor>{rd(1, "", "m", 5), rd(2, "m", std::nullopt, 6)}));
    BOOST_TEST(next_id() == 3u);
    BOOST_TEST(!get(codec::route_key(3)).has_value());
    BOOST_TEST(!get(codec::route_key(4)).has_value());
}

BOOST_AUTO_TEST_CASE(a_split_landing_between_read_and_commit_is_a_mismatch_for_the_second_split) {
    example();
    hooked->before_apply([](MvccStore& inner) -> asio::awaitable<void> {
        CatalogStore other(std::shared_ptr<MvccStore>(&inner, [](MvccStore*) {}));
        co_await other.split(1, 2, "t");
    });
    BOOST_TEST(error_of([&] { split(1, 1, "g"); }) == errc::catalog_version_mismatch);
    hooked->before_apply(nullptr);
    BOOST_TEST((ids() == std::vector<std::uint64_t>{1, 3, 4}));
    BOOST_TEST(run(catalog.version()) == 2u);
}

BOOST_AUTO_TEST_CASE(an_unrelated_write_between_read_and_commit_pushes_the_commit_above_it) {
    example();
    std::uint64_t unrelated_ts = 0;
    hooked->before_apply([&unrelated_ts](MvccStore& inner) -> asio::awaitable<void> {
        const std::uint64_t start = co_await inner.last_commit_ts();
        std::vector<Mutation> unrelated{Mutation::put("unrelated", "x")};
        unrelated_ts = co_await inner.apply(std::move(unrelated), start, 0);
    });
    const auto r = split(1, 1, "g");
    BOOST_TEST(r.version == 2u);
    BOOST_TEST(r.commit_ts > unrelated_ts);
    BOOST_TEST(r.commit_ts == last());
}

BOOST_AUTO_TEST_CASE(a_store_error_other_than_a_conflict_is_passed_through) {
    example();
    hooked->before_apply([](MvccStore&) -> asio::awaitable<void> {
        throw boost::system::system_error(make_error_code(boost::system::errc::io_error));
        co_return;
    });
    BOOST_TEST(error_of([&] { split(1, 1, "g"); }) == boost::system::errc::io_error);
}

BOOST_AUTO_TEST_CASE(a_null_store_is_catalog_store_required) {
    CatalogStore none(nullptr);
    BOOST_TEST(error_of([&] { run(none.split(0, 1, "a")); }) == errc::catalog_store_required);
}

BOOST_AUTO_TEST_CASE(repeated_splits_keep_the_catalog_covering_and_ids_increasing) {
    save(0, {rd(1, "", std::nullopt, 1)});
    std::uint64_t v = 1;
    std::uint64_t target = 1;
    std::string key = "z";
    for (int i = 0; i < 20; ++i) {
        const auto r = split(v, target, key);
        BOOST_TEST(r.version == v + 1);
        BOOST_TEST(r.left.route_id == 2u + 2u * i);
        BOOST_TEST(r.right.route_id == 3u + 2u * i);
        v = r.version;
        target = r.left.route_id;
        key = std::string(1, static_cast<char>('z' - 1 - i));  // inside the left child
    }
    const auto snap = snapshot();
    BOOST_TEST(snap.version == 21u);
    BOOST_TEST(snap.routes.size() == 21u);
    BOOST_TEST(snap.routes.front().start == "");
    BOOST_TEST(!snap.routes.back().end.has_value());
    for (std::size_t i = 1; i < snap.routes.size(); ++i) BOOST_TEST(*snap.routes[i - 1].end == snap.routes[i].start);
    BOOST_TEST(next_id() == 42u);
}

BOOST_AUTO_TEST_SUITE_END()
