// MemoryStore's raw writes at caller-chosen timestamps (upstream PutAt/DeleteAt/LatestCommitTS), which
// only the reference store offers: the parts of spec §5.2 that apply() cannot reach.

#include "support/printers.hpp"
#include "support/run.hpp"

#include "routecat/error.hpp"
#include "routecat/store/memory_store.hpp"

#include <boost/test/unit_test.hpp>

using namespace routecat;
using namespace routecat::test;

namespace {

struct MemoryFixture {
    boost::asio::io_context io;
    MemoryStore store;

    std::uint64_t last() { return run(io, store.last_commit_ts()); }
    std::optional<std::string> get(std::string key, std::uint64_t ts) { return run(io, store.get_at(std::move(key), ts)); }
};

}  // namespace

BOOST_FIXTURE_TEST_SUITE(memory_store_reference, MemoryFixture)

BOOST_AUTO_TEST_CASE(a_write_at_an_older_ts_is_stored_but_never_lowers_the_watermark) {
    store.put_at("a", "new", 10);
    store.put_at("b", "old", 3);
    BOOST_TEST(last() == 10u);
    BOOST_TEST(get("b", 3) == std::optional<std::string>("old"));
    BOOST_TEST(!get("b", 2).has_value());
    store.delete_at("a", 5);  // a tombstone below the newest version: hides nothing at ts >= 10
    BOOST_TEST(last() == 10u);
    BOOST_TEST(get("a", 10) == std::optional<std::string>("new"));
    BOOST_TEST(!get("a", 7).has_value());
}

BOOST_AUTO_TEST_CASE(a_write_at_an_existing_ts_replaces_that_version) {
    store.put_at("k", "first", 4);
    store.put_at("k", "second", 4);
    BOOST_TEST(get("k", 4) == std::optional<std::string>("second"));
    store.delete_at("k", 4);
    BOOST_TEST(!get("k", 4).has_value());
    BOOST_TEST(store.latest_commit_ts("k") == std::optional<std::uint64_t>(4));
}

BOOST_AUTO_TEST_CASE(latest_commit_ts_counts_tombstones) {
    BOOST_TEST(!store.latest_commit_ts("k").has_value());
    store.put_at("k", "v", 2);
    store.delete_at("k", 6);
    BOOST_TEST(store.latest_commit_ts("k") == std::optional<std::uint64_t>(6));
    store.put_at("k", "older", 1);
    BOOST_TEST(store.latest_commit_ts("k") == std::optional<std::uint64_t>(6));
}

BOOST_AUTO_TEST_CASE(the_conflict_check_looks_at_the_newest_version_whatever_the_read_ts) {
    store.put_at("k", "v", 9);
    store.put_at("j", "late-but-old", 3);
    BOOST_TEST(error_of([&] { run(io, store.apply({Mutation::put("k", "x")}, 5, 0)); }) == errc::write_conflict);
    // j's newest version is at 3 <= 5: no conflict, even though it was written after k.
    const std::uint64_t ts = run(io, store.apply({Mutation::put("j", "x")}, 5, 0));
    BOOST_TEST(ts == 10u);
}

BOOST_AUTO_TEST_CASE(the_conflict_error_names_the_key) {
    store.put_at(std::string("k\0\xff", 3), "v", 9);
    auto f = failure_of([&] { run(io, store.apply({Mutation::put(std::string("k\0\xff", 3), "x")}, 1, 0)); });
    BOOST_TEST(f.code == errc::write_conflict);
    BOOST_TEST(f.what == "key: k\\x00\\xff: write conflict");
}

BOOST_AUTO_TEST_CASE(no_commit_is_possible_above_u64_max) {
    store.put_at("k", "v", std::numeric_limits<std::uint64_t>::max());
    BOOST_TEST(error_of([&] { run(io, store.apply({Mutation::put("j", "x")}, last(), 0)); }) ==
               errc::catalog_version_overflow);
    BOOST_TEST(!get("j", std::numeric_limits<std::uint64_t>::max()).has_value());
}

BOOST_AUTO_TEST_CASE(wait_for_change_wakes_on_a_raw_write) {
    store.put_at("k", "v", 3);
    auto waiter = boost::asio::co_spawn(io, store.wait_for_change(3), boost::asio::use_future);
    io.restart();
    io.poll();
    BOOST_TEST((waiter.wait_for(std::chrono::seconds(0)) == std::future_status::timeout));
    store.put_at("k", "v", 2);  // does not raise the watermark: no wake-up
    io.poll();
    BOOST_TEST((waiter.wait_for(std::chrono::seconds(0)) == std::future_status::timeout));
    store.put_at("k", "v", 4);
    io.run();
    waiter.get();
    BOOST_TEST(last() == 4u);
}

BOOST_AUTO_TEST_SUITE_END()

// Bounded history (issue 13): MemoryStore(retain) drops what a newer version at or below the horizon
// (watermark - retain) shadows.
namespace {

using Versions = std::vector<std::uint64_t>;
constexpr std::uint64_t kU64Max = std::numeric_limits<std::uint64_t>::max();

struct RetainingFixture {
    boost::asio::io_context io;
    MemoryStore store{3};

    std::optional<std::string> get(std::string key, std::uint64_t ts) { return run(io, store.get_at(std::move(key), ts)); }
    std::vector<KeyValue> scan(std::uint64_t ts) { return run(io, store.scan_at("", std::nullopt, 100, ts)); }
};

}  // namespace

BOOST_FIXTURE_TEST_SUITE(memory_store_retention, RetainingFixture)

BOOST_AUTO_TEST_CASE(versions_a_newer_one_at_or_below_the_horizon_shadows_are_dropped) {
    store.put_at("a", "a1", 1);
    store.put_at("a", "a2", 2);
    store.put_at("b", "b3", 3);
    BOOST_TEST(store.horizon() == 0u);  // watermark 3 - retain 3
    BOOST_TEST((store.stored_versions("a") == Versions{1, 2}));
    store.put_at("a", "a4", 4);
    store.delete_at("b", 5);
    store.put_at("c", "c6", 6);
    // Horizon 3: a keeps 2 (its newest at or below 3) and 4; b keeps 3 and its tombstone at 5.
    BOOST_TEST(store.horizon() == 3u);
    BOOST_TEST((store.stored_versions("a") == Versions{2, 4}));
    BOOST_TEST((store.stored_versions("b") == Versions{3, 5}));
    BOOST_TEST(get("a", 3) == std::optional<std::string>("a2"));
    BOOST_TEST(get("b", 3) == std::optional<std::string>("b3"));

    store.put_at("d", "d8", 8);
    // Horizon 5: a keeps 4; b's newest at or below 5 is a tombstone, so b goes entirely.
    BOOST_TEST(store.horizon() == 5u);
    BOOST_TEST((store.stored_versions("a") == Versions{4}));
    BOOST_TEST((store.stored_versions("b") == Versions{}));
    BOOST_TEST((store.stored_versions("c") == Versions{6}));
    BOOST_TEST((store.stored_versions("d") == Versions{8}));
    // Reads at and above the horizon are what they were.
    BOOST_TEST(get("a", 5) == std::optional<std::string>("a4"));
    BOOST_TEST(!get("b", 5).has_value());
    BOOST_TEST(!get("c", 5).has_value());
    BOOST_TEST(get("c", 6) == std::optional<std::string>("c6"));
    BOOST_TEST((scan(5) == std::vector<KeyValue>{{"a", "a4"}}));
    BOOST_TEST((scan(8) == std::vector<KeyValue>{{"a", "a4"}, {"c", "c6"}, {"d", "d8"}}));
}

BOOST_AUTO_TEST_CASE(a_read_below_the_horizon_is_read_ts_compacted_except_at_0_and_u64_max) {
    for (std::uint64_t ts = 1; ts <= 10; ++ts) store.put_at("k", "v" + std::to_string(ts), ts);
    BOOST_TEST(store.horizon() == 7u);
    BOOST_TEST((store.stored_versions("k") == Versions{7, 8, 9, 10}));
    auto f = failure_of([&] { get("k", 6); });
    BOOST_TEST(f.code == errc::read_ts_compacted);
    BOOST_TEST(f.what == "read ts 6 is below the retention horizon 7: read timestamp has been compacted");
    BOOST_TEST(error_of([&] { get("k", 1); }) == errc::read_ts_compacted);
    BOOST_TEST(error_of([&] { scan(6); }) == errc::read_ts_compacted);
    BOOST_TEST(get("k", 7) == std::optional<std::string>("v7"));
    BOOST_TEST(!get("k", 0).has_value());  // §5.2: ts 0 is never compacted (nothing is at 0)
    BOOST_TEST(get("k", kU64Max) == std::optional<std::string>("v10"));
    BOOST_TEST((scan(kU64Max) == std::vector<KeyValue>{{"k", "v10"}}));
}

BOOST_AUTO_TEST_CASE(commits_keep_retain_versions_and_a_start_below_the_horizon_conflicts) {
    for (int i = 0; i < 20; ++i) {
        const std::uint64_t start = run(io, store.last_commit_ts());
        run(io, store.apply({Mutation::put("k", std::to_string(i))}, start, 0));
    }
    BOOST_TEST(store.horizon() == 17u);
    BOOST_TEST((store.stored_versions("k") == Versions{17, 18, 19, 20}));
    // A tombstone below the horizon may be gone, so a conflict below it cannot be ruled out.
    auto f = failure_of([&] { run(io, store.apply({Mutation::put("j", "x")}, 16, 0)); });
    BOOST_TEST(f.code == errc::write_conflict);
    BOOST_TEST(f.what == "start ts 16 is below the retention horizon: write conflict");
    BOOST_TEST(run(io, store.apply({Mutation::put("j", "x")}, 17, 0)) == 21u);
}

BOOST_AUTO_TEST_CASE(retain_0_keeps_every_version) {
    MemoryStore all;
    for (std::uint64_t ts = 1; ts <= 1000; ++ts) all.put_at("k", std::to_string(ts), ts);
    BOOST_TEST(all.horizon() == 0u);
    BOOST_TEST(all.stored_versions("k").size() == 1000u);
    BOOST_TEST(run(io, all.get_at("k", 1)) == std::optional<std::string>("1"));
}

BOOST_AUTO_TEST_SUITE_END()
