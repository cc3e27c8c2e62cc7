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
