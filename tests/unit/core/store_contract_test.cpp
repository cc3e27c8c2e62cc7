// The MvccStore contract (spec §5.2, §5.3) that every backend honours; runs once per backend.

#include "support/store_fixture.hpp"

#include "routecat/error.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <set>

namespace asio = boost::asio;
using namespace routecat;
using namespace routecat::test;
using namespace std::chrono_literals;

namespace {

std::vector<std::string> keys_of(const std::vector<KeyValue>& rows) {
    std::vector<std::string> keys;
    for (const auto& r : rows) keys.push_back(r.key);
    return keys;
}

}  // namespace

BOOST_FIXTURE_TEST_SUITE(store_contract, StoreFixture)

BOOST_AUTO_TEST_CASE(fresh_store_starts_at_ts_zero, *boost::unit_test::precondition(exact_timestamps)) {
    BOOST_TEST(last() == 0u);
}

BOOST_AUTO_TEST_CASE(fresh_store_is_empty) {
    BOOST_TEST(!get("k").has_value());
    BOOST_TEST(run(store->scan_at("", std::nullopt, 100, last())).empty());
}

BOOST_AUTO_TEST_CASE(a_put_is_visible_from_its_commit_ts_on) {
    const std::uint64_t before = last();
    const std::uint64_t ts = put("k", "v1");
    BOOST_TEST(ts > before);
    BOOST_TEST(last() == ts);
    BOOST_TEST(get("k", ts) == std::optional<std::string>("v1"));
    BOOST_TEST(!get("k", ts - 1).has_value());
    BOOST_TEST(get("k", kMaxU64) == std::optional<std::string>("v1"));
}

BOOST_AUTO_TEST_CASE(reads_at_a_ts_see_the_newest_version_at_or_below_it) {
    const std::uint64_t t1 = put("k", "v1");
    const std::uint64_t t2 = put("k", "v2");
    const std::uint64_t t3 = put("other", "x");
    BOOST_TEST(t1 < t2);
    BOOST_TEST(get("k", t1) == std::optional<std::string>("v1"));
    BOOST_TEST(get("k", t2) == std::optional<std::string>("v2"));
    BOOST_TEST(get("k", t3) == std::optional<std::string>("v2"));
}

BOOST_AUTO_TEST_CASE(a_tombstone_hides_the_key_from_its_ts_on) {
    const std::uint64_t t1 = put("k", "v1");
    const std::uint64_t t2 = del("k");
    BOOST_TEST(get("k", t1) == std::optional<std::string>("v1"));
    BOOST_TEST(!get("k", t2).has_value());
    BOOST_TEST(run(store->scan_at("", std::nullopt, 10, t2)).empty());
    BOOST_TEST(run(store->scan_at("", std::nullopt, 10, t1)).size() == 1u);
    const std::uint64_t t3 = put("k", "v3");
    BOOST_TEST(get("k", t3) == std::optional<std::string>("v3"));
}

BOOST_AUTO_TEST_CASE(deleting_an_absent_key_commits) {
    const std::uint64_t t = del("never-written");
    BOOST_TEST(last() == t);
    BOOST_TEST(!get("never-written").has_value());
}

BOOST_AUTO_TEST_CASE(values_and_keys_are_bytes) {
    const std::string key("\0k\xff", 3);
    const std::string value("\0\x01\xfe\xff", 4);
    put(key, value);
    BOOST_TEST(get(key) == std::optional<std::string>(value));
    BOOST_TEST(!get(std::string("\0k", 2)).has_value());
    put("empty-value", "");
    BOOST_TEST(get("empty-value") == std::optional<std::string>(""));
}

BOOST_AUTO_TEST_CASE(a_multi_key_apply_is_atomic) {
    const std::uint64_t ts = apply({Mutation::put("a", "1"), Mutation::put("b", "2"), Mutation::put("c", "3")});
    BOOST_TEST(run(store->scan_at("", std::nullopt, 10, ts - 1)).empty());
    auto rows = run(store->scan_at("", std::nullopt, 10, ts));
    BOOST_TEST(rows == (std::vector<KeyValue>{{"a", "1"}, {"b", "2"}, {"c", "3"}}));
}

BOOST_AUTO_TEST_CASE(commit_ts_is_above_every_earlier_commit) {
    const std::uint64_t t1 = put("a", "1");
    const std::uint64_t t2 = apply({Mutation::put("b", "2")}, 1);  // a low minimum never goes back
    BOOST_TEST(t2 > t1);
    BOOST_TEST(last() == t2);
    const std::uint64_t t3 = apply({Mutation::put("c", "3")}, t2 + 1);
    BOOST_TEST(t3 > t2);
    BOOST_TEST(last() == t3);
}

// etcd picks revisions itself: a minimum far above the current revision cannot be honoured there.
BOOST_AUTO_TEST_CASE(commit_ts_honours_a_min_commit_ts_far_ahead, *boost::unit_test::precondition(exact_timestamps)) {
    const std::uint64_t t1 = put("a", "1");
    const std::uint64_t t2 = apply({Mutation::put("b", "2")}, t1 + 1000);
    BOOST_TEST(t2 >= t1 + 1000);
    BOOST_TEST(last() == t2);
}

BOOST_AUTO_TEST_CASE(commit_ts_is_exactly_max_of_last_plus_one_and_min, *boost::unit_test::precondition(exact_timestamps)) {
    BOOST_TEST(put("a", "1") == 1u);
    BOOST_TEST(put("a", "2") == 2u);
    BOOST_TEST(apply({Mutation::put("b", "1")}, 10) == 10u);
    BOOST_TEST(apply({Mutation::put("b", "2")}, 5) == 11u);
    BOOST_TEST(last() == 11u);
}

BOOST_AUTO_TEST_CASE(a_key_written_after_start_ts_conflicts) {
    const std::uint64_t t0 = put("k", "v0");
    put("k", "v1");
    auto f = failure_of([&] { run(store->apply({Mutation::put("k", "mine")}, t0, 0)); });
    BOOST_TEST(f.code == errc::write_conflict);
    BOOST_TEST(std::string(f.what).find("write conflict") != std::string::npos);
    BOOST_TEST(get("k") == std::optional<std::string>("v1"));
}

BOOST_AUTO_TEST_CASE(a_delete_conflicts_too_both_ways) {
    const std::uint64_t t0 = put("k", "v0");
    del("k");  // a tombstone after start_ts conflicts with a put
    BOOST_TEST(error_of([&] { run(store->apply({Mutation::put("k", "mine")}, t0, 0)); }) == errc::write_conflict);
    const std::uint64_t t1 = put("j", "v0");
    put("j", "v1");  // a put after start_ts conflicts with a delete
    BOOST_TEST(error_of([&] { run(store->apply({Mutation::del("j")}, t1, 0)); }) == errc::write_conflict);
    BOOST_TEST(get("j") == std::optional<std::string>("v1"));
}

BOOST_AUTO_TEST_CASE(only_written_keys_conflict) {
    const std::uint64_t t0 = put("read-only", "v0");
    put("read-only", "v1");  // changed after t0, but the transaction does not write it
    const std::uint64_t t = run(store->apply({Mutation::put("mine", "x")}, t0, 0));
    BOOST_TEST(get("mine", t) == std::optional<std::string>("x"));
}

BOOST_AUTO_TEST_CASE(a_commit_at_exactly_start_ts_is_not_a_conflict) {
    const std::uint64_t t0 = put("k", "v0");
    const std::uint64_t t = run(store->apply({Mutation::put("k", "v1")}, t0, 0));
    BOOST_TEST(get("k", t) == std::optional<std::string>("v1"));
}

BOOST_AUTO_TEST_CASE(nothing_is_written_on_a_conflict) {
    const std::uint64_t t0 = put("k", "v0");
    const std::uint64_t t1 = put("k", "v1");
    auto conflict = [&] {
        run(store->apply({Mutation::put("new-a", "x"), Mutation::del("old"), Mutation::put("k", "mine"),
                          Mutation::put("new-b", "y")},
                         t0, 0));
    };
    BOOST_TEST(error_of(conflict) == errc::write_conflict);
    BOOST_TEST(last() == t1);
    BOOST_TEST(!get("new-a").has_value());
    BOOST_TEST(!get("new-b").has_value());
    BOOST_TEST(get("k") == std::optional<std::string>("v1"));
}

BOOST_AUTO_TEST_CASE(an_unknown_op_fails_before_anything_is_written) {
    const std::uint64_t t0 = put("k", "v0");
    std::vector<Mutation> ms{Mutation::put("a", "1"), Mutation{static_cast<MutationOp>(7), "b", "2"}};
    BOOST_TEST(error_of([&] { run(store->apply(ms, t0, 0)); }) == errc::unknown_op);
    BOOST_TEST(last() == t0);
    BOOST_TEST(!get("a").has_value());
}

// Mutation::guarded (a routecat extension): guarded keys are written like any other, and the
// unguarded keys of the same apply still conflict. Whether a guarded key's own check runs is the
// backend's choice, so a change of it alone is not asserted either way; an apply of guarded keys
// only is checked in full.
BOOST_AUTO_TEST_CASE(guarded_mutations_are_written_and_their_guard_key_conflicts) {
    const std::uint64_t t0 = apply({Mutation::put("guard", "0"), Mutation::put("g-old", "x")});
    const std::uint64_t t1 = apply({Mutation::put("guard", "1"), Mutation::put("g-new", "y").as_guarded(),
                                    Mutation::del("g-old").as_guarded()});  // a writer that keeps the promise
    auto conflict = [&] {
        run(store->apply({Mutation::put("g-mine", "z").as_guarded(), Mutation::put("g-new", "mine").as_guarded(),
                          Mutation::put("guard", "2")},
                         t0, 0));
    };
    BOOST_TEST(error_of(conflict) == errc::write_conflict);
    BOOST_TEST(last() == t1);
    BOOST_TEST(!get("g-mine").has_value());
    BOOST_TEST(get("g-new") == std::optional<std::string>("y"));
    BOOST_TEST(!get("g-old").has_value());

    const std::uint64_t t2 = run(store->apply({Mutation::put("g-mine", "z").as_guarded(), Mutation::put("guard", "2")}, t1, 0));
    BOOST_TEST(get("g-mine", t2) == std::optional<std::string>("z"));
    BOOST_TEST(get("guard", t2) == std::optional<std::string>("2"));
}

BOOST_AUTO_TEST_CASE(an_apply_of_guarded_keys_only_is_checked_in_full) {
    const std::uint64_t t0 = put("k", "v0");
    put("k", "v1");
    BOOST_TEST(error_of([&] { run(store->apply({Mutation::put("k", "mine").as_guarded()}, t0, 0)); }) ==
               errc::write_conflict);
    const std::uint64_t t1 = put("j", "v0");
    del("j");
    BOOST_TEST(error_of([&] { run(store->apply({Mutation::put("j", "mine").as_guarded()}, t1, 0)); }) ==
               errc::write_conflict);
    BOOST_TEST(get("k") == std::optional<std::string>("v1"));
    BOOST_TEST(!get("j").has_value());
}

BOOST_AUTO_TEST_CASE(scan_bounds_are_start_inclusive_end_exclusive) {
    const std::uint64_t ts = apply({Mutation::put("a", "1"), Mutation::put("b", "2"), Mutation::put("c", "3"),
                                    Mutation::put("d", "4")});
    BOOST_TEST(keys_of(run(store->scan_at("b", std::string("d"), 10, ts))) == (std::vector<std::string>{"b", "c"}));
    BOOST_TEST(keys_of(run(store->scan_at("bb", std::nullopt, 10, ts))) == (std::vector<std::string>{"c", "d"}));
    BOOST_TEST(keys_of(run(store->scan_at("", std::nullopt, 10, ts))) ==
               (std::vector<std::string>{"a", "b", "c", "d"}));
    BOOST_TEST(run(store->scan_at("b", std::string("b"), 10, ts)).empty());
    BOOST_TEST(run(store->scan_at("e", std::nullopt, 10, ts)).empty());
}

BOOST_AUTO_TEST_CASE(scan_limit_counts_visible_pairs_only) {
    put("a", "1");
    put("b", "2");
    del("b");
    const std::uint64_t ts = apply({Mutation::put("c", "3"), Mutation::put("d", "4")});
    BOOST_TEST(keys_of(run(store->scan_at("", std::nullopt, 2, ts))) == (std::vector<std::string>{"a", "c"}));
    BOOST_TEST(keys_of(run(store->scan_at("", std::nullopt, 1, ts))) == (std::vector<std::string>{"a"}));
    BOOST_TEST(run(store->scan_at("", std::nullopt, 0, ts)).empty());
}

BOOST_AUTO_TEST_CASE(scan_reads_at_its_ts) {
    const std::uint64_t t1 = put("a", "1");
    const std::uint64_t t2 = apply({Mutation::put("a", "2"), Mutation::put("b", "1")});
    BOOST_TEST(run(store->scan_at("", std::nullopt, 10, t1)) == (std::vector<KeyValue>{{"a", "1"}}));
    BOOST_TEST(run(store->scan_at("", std::nullopt, 10, t2)) == (std::vector<KeyValue>{{"a", "2"}, {"b", "1"}}));
}

BOOST_AUTO_TEST_CASE(scan_orders_bytes_unsigned) {
    const std::string nul("a\0", 2);
    const std::string high("a\xff", 2);
    const std::uint64_t ts = apply({Mutation::put(high, "h"), Mutation::put("a", "p"), Mutation::put(nul, "n"),
                                    Mutation::put("b", "b"), Mutation::put("\xff", "f")});
    BOOST_TEST(keys_of(run(store->scan_at("", std::nullopt, 10, ts))) ==
               (std::vector<std::string>{"a", nul, high, "b", "\xff"}));
    BOOST_TEST(keys_of(run(store->scan_at(nul, high, 10, ts))) == (std::vector<std::string>{nul}));
}

BOOST_AUTO_TEST_CASE(wait_for_change_completes_at_once_when_already_newer) {
    if (!store->can_wait_for_change()) return;
    const std::uint64_t t = put("k", "v");
    run(store->wait_for_change(t - 1));
    BOOST_TEST(last() == t);
}

BOOST_AUTO_TEST_CASE(wait_for_change_wakes_on_a_commit) {
    if (!store->can_wait_for_change()) return;
    const std::uint64_t t0 = put("k", "v0");
    auto waited = [&]() -> asio::awaitable<std::uint64_t> {
        co_await store->wait_for_change(t0);
        co_return co_await store->last_commit_ts();
    };
    auto writer = [&]() -> asio::awaitable<void> {
        asio::steady_timer timer(co_await asio::this_coro::executor, 20ms);
        co_await timer.async_wait(asio::use_awaitable);
        std::vector<Mutation> write{Mutation::put("k", "v1")};  // (g++ 12: no braced list inside co_await)
        co_await store->apply(std::move(write), t0, 0);
    };
    auto waiter = asio::co_spawn(io, waited(), asio::use_future);
    asio::co_spawn(io, writer(), asio::detached);
    io.restart();
    io.run();
    BOOST_TEST(waiter.get() > t0);
}

BOOST_AUTO_TEST_CASE(wait_for_change_is_cancellable) {
    if (!store->can_wait_for_change()) return;
    const std::uint64_t t0 = put("k", "v0");
    using namespace asio::experimental::awaitable_operators;
    auto race = [&]() -> asio::awaitable<int> {
        asio::steady_timer timer(co_await asio::this_coro::executor, 20ms);
        auto result = co_await (store->wait_for_change(t0) || timer.async_wait(asio::use_awaitable));
        co_return static_cast<int>(result.index());
    };
    const auto started = std::chrono::steady_clock::now();
    BOOST_TEST(run(race()) == 1);  // the timer won; the wait was cancelled cleanly
    BOOST_TEST((std::chrono::steady_clock::now() - started < 5s));
    BOOST_TEST(last() == t0);
}

BOOST_AUTO_TEST_CASE(concurrent_applies_get_distinct_increasing_commit_timestamps) {
    constexpr int kWriters = 16;
    constexpr int kEach = 20;
    // No captures: a coroutine lambda's captures would die with the closure before the frame runs.
    auto writer = [](MvccStore& s, int w) -> asio::awaitable<std::vector<std::uint64_t>> {
        std::vector<std::uint64_t> commits;
        for (int i = 0; i < kEach; ++i) {
            std::string key = "w" + std::to_string(w) + "-" + std::to_string(i);
            const std::uint64_t start = co_await s.last_commit_ts();
            std::vector<Mutation> write{Mutation::put(key, "v")};
            commits.push_back(co_await s.apply(std::move(write), start, 0));
        }
        co_return commits;
    };
    std::vector<std::future<std::vector<std::uint64_t>>> futures;
    for (int w = 0; w < kWriters; ++w) futures.push_back(asio::co_spawn(io, writer(*store, w), asio::use_future));
    run_on_threads(io, 2);

    std::set<std::uint64_t> all;
    for (auto& f : futures) {
        auto commits = f.get();
        BOOST_TEST(std::is_sorted(commits.begin(), commits.end()));
        all.insert(commits.begin(), commits.end());
    }
    BOOST_TEST(all.size() == static_cast<std::size_t>(kWriters * kEach));
    BOOST_TEST(last() == *all.rbegin());
    BOOST_TEST(run(store->scan_at("w", std::string("x"), 1000, last())).size() == all.size());
}

BOOST_AUTO_TEST_SUITE_END()
