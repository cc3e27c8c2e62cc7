#include "support/builders.hpp"

#include <boost/test/unit_test.hpp>

#include "routecat/engine.hpp"
#include "routecat/keyviz.hpp"

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

// The key visualizer's time columns (issue 14 item 1): counts per route and kind, columns on the
// clock, the ring's bound, sub-buckets, the row cap, routes that leave the table mid-column, and no
// access lost while columns close under concurrent accesses.

namespace routecat {
using test::rd;
using test::snap;
namespace {

std::shared_ptr<Engine> engine_with(KeyVizOptions keyviz, std::uint64_t hotspot_threshold = 0) {
    EngineOptions options;
    options.keyviz = keyviz;
    options.hotspot_threshold = hotspot_threshold;
    return std::make_shared<Engine>(std::move(options));
}

KeyVizOptions columns_of(std::uint64_t column_ms, std::size_t columns = 360, std::size_t max_rows = 1024) {
    return {column_ms, columns, max_rows};
}

// "k000042": routes and keys of one width, in order.
std::string key_of(std::size_t i) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "k%06zu", i);
    return buf;
}

// n routes [key_of(i), key_of(i + 1)), the last unbounded; ids from 1, group = i % 3 + 1.
std::vector<RouteDescriptor> routes_of(std::size_t n) {
    std::vector<RouteDescriptor> routes;
    for (std::size_t i = 0; i < n; ++i)
        routes.push_back(rd(i + 1, key_of(i), i + 1 < n ? std::optional<std::string>(key_of(i + 1)) : std::nullopt,
                            i % 3 + 1));
    return routes;
}

struct Totals {
    std::uint64_t reads = 0, writes = 0, read_bytes = 0, write_bytes = 0;
    std::size_t rows = 0;
    friend bool operator==(const Totals&, const Totals&) = default;
};

std::ostream& operator<<(std::ostream& os, const Totals& t) {
    return os << "{reads " << t.reads << ", writes " << t.writes << ", read_bytes " << t.read_bytes << ", write_bytes "
              << t.write_bytes << ", rows " << t.rows << "}";
}

// Sums of the rows of a column (of one route when route_id is given).
Totals totals(const KeyVizColumn& column, std::optional<std::uint64_t> route_id = std::nullopt) {
    Totals t;
    for (const auto& r : column.rows) {
        if (route_id && r.route_id != *route_id) continue;
        t.reads += r.reads;
        t.writes += r.writes;
        t.read_bytes += r.read_bytes;
        t.write_bytes += r.write_bytes;
        ++t.rows;
    }
    return t;
}

// Rows in key order that never overlap: each starts at or after the previous one's end.
void check_ordered_and_disjoint(const KeyVizColumn& column) {
    for (std::size_t i = 1; i < column.rows.size(); ++i) {
        const auto& prev = column.rows[i - 1];
        BOOST_TEST_REQUIRE(prev.end.has_value(), "row " << i - 1 << " is unbounded but not last");
        BOOST_TEST_REQUIRE(std::string(*prev.end) <= std::string(column.rows[i].start), "rows " << i - 1 << " and " << i);
    }
}

BOOST_AUTO_TEST_SUITE(keyviz)

BOOST_AUTO_TEST_CASE(counts_reads_writes_and_key_bytes_per_route) {
    auto e = engine_with(columns_of(1000));
    BOOST_TEST_REQUIRE(!e->apply_snapshot(snap(1, {rd(1, "a", "c", 7), rd(2, "c", "e", 8), rd(3, "e", std::nullopt, 9)})));
    BOOST_TEST(!e->keyviz_open_column_start().has_value());
    e->advance_keyviz(10'003);  // starts the clock
    BOOST_TEST((e->keyviz_open_column_start() == std::optional<std::uint64_t>(10'000)));
    for (int i = 0; i < 3; ++i) e->record_access("a");
    e->record_access("bb", AccessKind::write);
    e->record_access("bb", AccessKind::write);
    e->record_access("zzz", AccessKind::read);
    e->record_access("");  // no route holds it: nothing counted
    e->advance_keyviz(10'999);
    BOOST_TEST(e->keyviz_columns(0, UINT64_MAX).empty());
    e->advance_keyviz(11'000);

    const auto columns = e->keyviz_columns(0, UINT64_MAX);
    BOOST_TEST_REQUIRE(columns.size() == 1u);
    const KeyVizColumn& c = *columns[0];
    BOOST_TEST(c.window_start == 10'000u);
    BOOST_TEST(c.at == 11'000u);
    BOOST_TEST_REQUIRE(c.rows.size() == 2u);  // route 2 had no traffic: no row
    const KeyVizRow& r1 = c.rows[0];
    BOOST_TEST(r1.route_id == 1u);
    BOOST_TEST(r1.raft_group_id == 7u);
    BOOST_TEST(r1.start == "a");
    BOOST_TEST((r1.end == std::optional<std::string_view>("c")));
    BOOST_TEST(!r1.aggregate);
    BOOST_TEST(r1.sub_bucket == 0u);
    BOOST_TEST(r1.sub_bucket_count == 1u);
    BOOST_TEST(r1.reads == 3u);
    BOOST_TEST(r1.writes == 2u);
    BOOST_TEST(r1.read_bytes == 3u);
    BOOST_TEST(r1.write_bytes == 4u);
    const KeyVizRow& r3 = c.rows[1];
    BOOST_TEST(r3.route_id == 3u);
    BOOST_TEST(r3.raft_group_id == 9u);
    BOOST_TEST(r3.start == "e");
    BOOST_TEST(!r3.end.has_value());
    BOOST_TEST((Totals{r3.reads, r3.writes, r3.read_bytes, r3.write_bytes, 0} == Totals{1, 0, 3, 0, 0}));
    // Both kinds count toward the load, as before.
    BOOST_TEST(e->get_route("a")->load == 5u);

    // The next column starts empty.
    e->advance_keyviz(12'000);
    const auto after = e->keyviz_columns(11'000, UINT64_MAX);
    BOOST_TEST_REQUIRE(after.size() == 1u);
    BOOST_TEST(after[0]->window_start == 11'000u);
    BOOST_TEST(after[0]->rows.empty());
}

BOOST_AUTO_TEST_CASE(columns_follow_each_other_and_a_gap_starts_afresh) {
    auto e = engine_with(columns_of(1000));
    BOOST_TEST_REQUIRE(!e->apply_snapshot(snap(1, {rd(1, "", std::nullopt)})));
    e->advance_keyviz(5'000'000);
    e->record_access("x");
    e->advance_keyviz(5'001'000);  // [5'000'000, 5'001'000)
    e->advance_keyviz(5'002'500);  // [5'001'000, 5'002'000); the next starts at 5'002'000
    e->advance_keyviz(5'010'100);  // [5'002'000, 5'003'000); then a gap: the next starts at 5'010'000
    e->record_access("y", AccessKind::write);
    e->advance_keyviz(5'011'000);  // [5'010'000, 5'011'000)

    const auto all = e->keyviz_columns(0, UINT64_MAX);
    BOOST_TEST_REQUIRE(all.size() == 4u);
    const std::uint64_t starts[] = {5'000'000, 5'001'000, 5'002'000, 5'010'000};
    for (std::size_t i = 0; i < 4; ++i) {
        BOOST_TEST(all[i]->window_start == starts[i]);
        BOOST_TEST(all[i]->at == starts[i] + 1000);
    }
    BOOST_TEST(totals(*all[0]).reads == 1u);
    BOOST_TEST(totals(*all[1]).rows == 0u);
    BOOST_TEST(totals(*all[3]).writes == 1u);

    // [from, to) overlaps: the 2nd and 3rd columns.
    const auto some = e->keyviz_columns(5'001'500, 5'002'001);
    BOOST_TEST_REQUIRE(some.size() == 2u);
    BOOST_TEST(some[0]->window_start == 5'001'000u);
    BOOST_TEST(some[1]->window_start == 5'002'000u);
    BOOST_TEST(e->keyviz_columns(5'003'000, 5'010'000).empty());
}

BOOST_AUTO_TEST_CASE(the_ring_keeps_the_last_columns) {
    auto e = engine_with(columns_of(100, 3));
    BOOST_TEST_REQUIRE(!e->apply_snapshot(snap(1, {rd(1, "", std::nullopt)})));
    e->advance_keyviz(0);
    for (std::uint64_t t = 100; t <= 500; t += 100) {
        e->record_access(std::string(static_cast<std::size_t>(t / 100), 'k'));
        e->advance_keyviz(t);
    }
    const auto kept = e->keyviz_columns(0, UINT64_MAX);
    BOOST_TEST_REQUIRE(kept.size() == 3u);
    for (std::size_t i = 0; i < 3; ++i) {
        BOOST_TEST(kept[i]->window_start == 200 + 100 * i);
        BOOST_TEST(totals(*kept[i]).read_bytes == 3 + i);  // the key of that column's access
    }
}

BOOST_AUTO_TEST_CASE(counts_stay_exact_past_the_packed_ranges) {
    // 12 bits of reads and 20 of bytes in the packed word: 10,000 reads of a 300-byte key cross
    // both many times; a 300,000-byte key bypasses the word.
    auto e = engine_with(columns_of(1000));
    BOOST_TEST_REQUIRE(!e->apply_snapshot(snap(1, {rd(1, "a", "m"), rd(2, "m", std::nullopt)})));
    e->advance_keyviz(0);
    const std::string long_key = "b" + std::string(299, 'x');
    for (int i = 0; i < 10'000; ++i) e->record_access(long_key);
    for (int i = 0; i < 5'000; ++i) e->record_access("cc", AccessKind::write);
    e->record_access("d" + std::string(299'999, 'y'));
    e->record_access("q" + std::string(299'999, 'y'), AccessKind::write);
    e->advance_keyviz(1000);

    const auto columns = e->keyviz_columns(0, UINT64_MAX);
    BOOST_TEST_REQUIRE(columns.size() == 1u);
    Totals r1 = totals(*columns[0], 1);
    r1.rows = 0;
    BOOST_TEST(r1 == (Totals{10'001, 5'000, 3'000'000 + 300'000, 10'000, 0}));
    Totals r2 = totals(*columns[0], 2);
    r2.rows = 0;
    BOOST_TEST(r2 == (Totals{0, 1, 0, 300'000, 0}));
    BOOST_TEST(e->get_route("a")->load == 15'001u);
}

BOOST_AUTO_TEST_CASE(a_split_route_keeps_what_it_counted) {
    // The 5th access splits [a, z) at "a\0" (the spec's StartSuccessorSplit): the parent's five
    // reads stay in the column under the parent's range, the children count from zero.
    auto e = engine_with(columns_of(1000), 5);
    BOOST_TEST_REQUIRE(!e->apply_snapshot(snap(1, {rd(1, "a", "z", 4)})));
    e->advance_keyviz(0);
    for (int i = 0; i < 5; ++i) e->record_access("b");
    BOOST_TEST_REQUIRE(e->table()->size() == 2u);
    e->record_access("b", AccessKind::write);
    e->record_access("b", AccessKind::write);
    e->advance_keyviz(1000);

    const auto c = e->keyviz_columns(0, UINT64_MAX);
    BOOST_TEST_REQUIRE(c.size() == 1u);
    BOOST_TEST_REQUIRE(c[0]->rows.size() == 2u);
    const KeyVizRow& a = c[0]->rows[0];
    const KeyVizRow& b = c[0]->rows[1];
    // Rows in key order: the parent [a, z) (id 1) and the child [a\0, z) (id 0); the child [a, a\0)
    // had no traffic.
    const auto z = std::optional<std::string_view>("z");
    BOOST_TEST((a.start == "a" && a.end == z && a.route_id == 1u && a.reads == 5u && a.writes == 0u));
    BOOST_TEST((b.start == std::string("a\0", 2) && b.end == z && b.route_id == 0u && b.raft_group_id == 4u &&
                b.reads == 0u && b.writes == 2u));
}

BOOST_AUTO_TEST_CASE(deleted_and_replaced_routes_keep_their_counts) {
    auto e = engine_with(columns_of(1000));
    BOOST_TEST_REQUIRE(!e->apply_snapshot(snap(1, {rd(1, "a", "m"), rd(2, "m", std::nullopt, 2)})));
    e->advance_keyviz(0);
    for (int i = 0; i < 3; ++i) e->record_access("b");
    for (int i = 0; i < 2; ++i) e->record_access("n", AccessKind::write);
    // Route 1 deleted, route 2 widened over its range: 2 keeps its counters (as it keeps its load).
    BOOST_TEST_REQUIRE(!e->apply_delta(test::delta_of(1, 2, {test::delete_of(1), test::upsert_of(rd(2, "a", std::nullopt, 2))})));
    e->record_access("b", AccessKind::write);
    e->advance_keyviz(1000);

    const auto c = e->keyviz_columns(0, UINT64_MAX);
    BOOST_TEST_REQUIRE(c.size() == 1u);
    BOOST_TEST_REQUIRE(c[0]->rows.size() == 2u);
    const KeyVizRow& gone = c[0]->rows[0];
    BOOST_TEST((gone.route_id == 1u && gone.start == "a" && gone.end == std::optional<std::string_view>("m")));
    BOOST_TEST((gone.reads == 3u && gone.writes == 0u));
    const KeyVizRow& kept = c[0]->rows[1];
    BOOST_TEST((kept.route_id == 2u && kept.start == "a" && !kept.end && kept.raft_group_id == 2u));
    BOOST_TEST((kept.reads == 0u && kept.writes == 3u && kept.write_bytes == 3u));
}

BOOST_AUTO_TEST_CASE(a_snapshot_keeps_the_open_column) {
    auto e = engine_with(columns_of(1000));
    BOOST_TEST_REQUIRE(!e->apply_snapshot(snap(1, {rd(1, "a", std::nullopt)})));
    e->advance_keyviz(0);
    e->record_access("b");
    e->record_access("b");
    BOOST_TEST_REQUIRE(!e->apply_snapshot(snap(2, {rd(1, "a", std::nullopt)})));  // fresh counters, same route
    e->record_access("b");
    BOOST_TEST_REQUIRE(!e->reset_to(snap(3, {rd(5, "a", std::nullopt)})));
    e->record_access("c", AccessKind::write);
    e->advance_keyviz(1000);

    const auto c = e->keyviz_columns(0, UINT64_MAX);
    BOOST_TEST_REQUIRE(c.size() == 1u);
    BOOST_TEST_REQUIRE(c[0]->rows.size() == 2u);  // route 1's counts from both tables in one row
    BOOST_TEST((c[0]->rows[0].route_id == 1u && c[0]->rows[0].reads == 3u));
    BOOST_TEST((c[0]->rows[1].route_id == 5u && c[0]->rows[1].writes == 1u));
}

BOOST_AUTO_TEST_CASE(a_busy_route_gets_sub_buckets_that_partition_it) {
    auto e = engine_with(columns_of(1000));
    BOOST_TEST_REQUIRE(!e->apply_snapshot(snap(1, {rd(1, "", "a"), rd(2, "a", "z", 3), rd(3, "z", std::nullopt)})));
    e->advance_keyviz(0);
    std::mt19937 random(7);
    std::uint64_t reads = 0, writes = 0;
    for (int i = 0; i < 4000; ++i) {
        const std::string key = {static_cast<char>('b' + random() % 24), static_cast<char>('a' + random() % 26)};
        const bool write = random() % 4 == 0;
        e->record_access(key, write ? AccessKind::write : AccessKind::read);
        (write ? writes : reads) += 1;
    }
    e->record_access("z");
    e->advance_keyviz(1000);

    const auto c = e->keyviz_columns(0, UINT64_MAX);
    BOOST_TEST_REQUIRE(c.size() == 1u);
    check_ordered_and_disjoint(*c[0]);
    std::vector<KeyVizRow> busy;
    for (const auto& r : c[0]->rows)
        if (r.route_id == 2) busy.push_back(r);
    BOOST_TEST_REQUIRE(busy.size() == 4u);  // kMaxSubBuckets
    BOOST_TEST(busy.front().start == "a");
    BOOST_TEST((busy.back().end == std::optional<std::string_view>("z")));
    std::uint64_t sum_reads = 0, sum_writes = 0;
    for (std::uint32_t i = 0; i < busy.size(); ++i) {
        BOOST_TEST(busy[i].sub_bucket == i);
        BOOST_TEST(busy[i].sub_bucket_count == 4u);
        BOOST_TEST(!busy[i].aggregate);
        BOOST_TEST(busy[i].raft_group_id == 3u);
        if (i > 0) BOOST_TEST((busy[i - 1].end == std::optional<std::string_view>(busy[i].start)));
        sum_reads += busy[i].reads;
        sum_writes += busy[i].writes;
        // Uniform keys: each quarter holds roughly a quarter of the accesses.
        BOOST_TEST(busy[i].reads + busy[i].writes > 600u);
        BOOST_TEST(busy[i].reads + busy[i].writes < 1400u);
    }
    BOOST_TEST(sum_reads == reads);
    BOOST_TEST(sum_writes == writes);
    BOOST_TEST(totals(*c[0], 2).read_bytes == 2 * reads);
    // A route with one access gets one row.
    BOOST_TEST(totals(*c[0], 3) == (Totals{1, 0, 1, 0, 1}));
}

BOOST_AUTO_TEST_CASE(beyond_max_rows_quiet_neighbours_merge) {
    auto e = engine_with(columns_of(1000, 10, 101));
    BOOST_TEST_REQUIRE(!e->apply_snapshot(snap(1, routes_of(3000))));
    e->advance_keyviz(0);
    std::uint64_t total = 0;
    for (std::size_t i = 0; i < 3000; ++i) {
        // 50 hot routes (every 60th) with distinct counts, each accessed at its start only (no
        // sub-bucket bounds); every other route once.
        const std::size_t n = i % 60 == 0 ? 1000 + i : 1;
        for (std::size_t k = 0; k < n; ++k) e->record_access(key_of(i));
        total += n;
    }
    e->advance_keyviz(1000);

    const auto c = e->keyviz_columns(0, UINT64_MAX);
    BOOST_TEST_REQUIRE(c.size() == 1u);
    const KeyVizColumn& col = *c[0];
    BOOST_TEST(col.rows.size() <= 101u);
    BOOST_TEST(totals(col).reads == total);
    BOOST_TEST(totals(col).read_bytes == 7 * total);
    check_ordered_and_disjoint(col);
    std::size_t aggregates = 0;
    for (const auto& r : col.rows) {
        if (r.aggregate) {
            ++aggregates;
            BOOST_TEST(r.raft_group_id == 0u);  // its routes are in groups 1, 2 and 3
            continue;
        }
        BOOST_TEST((r.route_id - 1) % 60 == 0u, "a quiet route " << r.route_id << " kept a row of its own");
    }
    BOOST_TEST(aggregates == 51u);  // the runs between the 50 hot routes, one of them cut in two by the row left over
    BOOST_TEST(col.rows.size() == 101u);
    for (std::size_t i = 0; i < 3000; i += 60)
        BOOST_TEST(totals(col, i + 1) == (Totals{1000 + i, 0, 7 * (1000 + i), 0, 1}), "hot route " << i + 1);
}

BOOST_AUTO_TEST_CASE(rows_left_over_cut_the_merged_runs_finer) {
    // Every route once, two of them twice: the busiest 50 keep rows, and the rows left are spent
    // on cutting the runs of the others, so the column uses its whole budget.
    auto e = engine_with(columns_of(1000, 10, 101));
    BOOST_TEST_REQUIRE(!e->apply_snapshot(snap(1, routes_of(3000))));
    e->advance_keyviz(0);
    for (std::size_t i = 0; i < 3000; ++i) e->record_access(key_of(i));
    e->record_access(key_of(7));
    e->record_access(key_of(1500));
    e->advance_keyviz(1000);
    const auto c = e->keyviz_columns(0, UINT64_MAX);
    BOOST_TEST_REQUIRE(c.size() == 1u);
    BOOST_TEST(c[0]->rows.size() == 101u);
    BOOST_TEST(totals(*c[0]).reads == 3002u);
    check_ordered_and_disjoint(*c[0]);
    BOOST_TEST(totals(*c[0], 1501) == (Totals{2, 0, 14, 0, 1}));
}

BOOST_AUTO_TEST_CASE(no_access_is_lost_while_columns_close) {
    // Four threads count while a fifth closes columns on a clock of its own; one hot key drives
    // the packed word through its half marks (drains to the spill map) all the while.
#ifdef __SANITIZE_ADDRESS__
    constexpr int kPerThread = 30'000;
#else
    constexpr int kPerThread = 300'000;
#endif
    constexpr int kCloseEvery = 5'000;  // each thread waits for a close after this many accesses
    auto e = engine_with(columns_of(10, 1'000'000));
    BOOST_TEST_REQUIRE(!e->apply_snapshot(snap(1, routes_of(1000))));
    e->advance_keyviz(0);
    std::atomic<bool> done{false};
    std::atomic<std::uint64_t> closes{0};
    std::atomic<std::uint64_t> reads{0}, writes{0}, bytes{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&, t] {
            std::mt19937 random(static_cast<unsigned>(t));
            std::uint64_t r = 0, w = 0, b = 0;
            for (int i = 0; i < kPerThread; ++i) {
                if (i % kCloseEvery == kCloseEvery - 1) {  // let a column close before going on
                    const std::uint64_t seen = closes.load();
                    while (closes.load() == seen) std::this_thread::yield();
                }
                const std::string key = i % 3 == 0 ? std::string("k000500") + std::string(40, 'h') : key_of(random() % 1000);
                const bool write = i % 5 == 0;
                e->record_access(key, write ? AccessKind::write : AccessKind::read);
                (write ? w : r) += 1;
                b += key.size();
            }
            reads += r;
            writes += w;
            bytes += b;
        });
    }
    std::thread closer([&] {
        for (std::uint64_t now = 10; !done.load(); now += 10) {
            e->advance_keyviz(now);
            ++closes;
            std::this_thread::yield();
        }
    });
    for (auto& t : threads) t.join();
    done = true;
    closer.join();
    const std::uint64_t last = e->keyviz_columns(0, UINT64_MAX).back()->at;
    e->advance_keyviz(last + 10);
    e->advance_keyviz(last + 20);

    Totals sum;
    const auto all = e->keyviz_columns(0, UINT64_MAX);
    BOOST_TEST(all.size() > static_cast<std::size_t>(kPerThread / kCloseEvery), "columns closed: " << all.size());
    for (const auto& c : all) {
        const Totals t = totals(*c);
        sum.reads += t.reads;
        sum.writes += t.writes;
        sum.read_bytes += t.read_bytes;
        sum.write_bytes += t.write_bytes;
    }
    BOOST_TEST(sum.reads == reads.load());
    BOOST_TEST(sum.writes == writes.load());
    BOOST_TEST(sum.read_bytes + sum.write_bytes == bytes.load());
}

BOOST_AUTO_TEST_CASE(turned_off_with_zero_columns) {
    auto e = engine_with(columns_of(1000, 0));
    BOOST_TEST_REQUIRE(!e->apply_snapshot(snap(1, {rd(1, "", std::nullopt)})));
    e->advance_keyviz(0);
    e->record_access("a");
    e->advance_keyviz(5000);
    BOOST_TEST(e->keyviz_columns(0, UINT64_MAX).empty());
    BOOST_TEST(!e->keyviz_open_column_start().has_value());
    BOOST_TEST(e->keyviz_memory_bytes() == 0u);
    BOOST_TEST(e->get_route("a")->load == 1u);
}

BOOST_AUTO_TEST_CASE(a_full_ring_stays_within_its_memory_bound) {
    // 360 columns of 1,024 rows (4,096 routes of 7-byte keys touched in each): the ring's size
    // depends on rows and key lengths, never on the table's size. The bound at 1M routes is
    // measured by bench/engine_bench (keyviz_ring_memory).
    auto e = engine_with(columns_of(1000));
    BOOST_TEST_REQUIRE(!e->apply_snapshot(snap(1, routes_of(4096))));
    e->advance_keyviz(0);
    for (std::uint64_t column = 1; column <= 360; ++column) {
        for (std::size_t i = 0; i < 4096; ++i) e->record_access(key_of(i), i % 2 ? AccessKind::write : AccessKind::read);
        e->advance_keyviz(column * 1000);
    }
    const auto all = e->keyviz_columns(0, UINT64_MAX);
    BOOST_TEST_REQUIRE(all.size() == 360u);
    for (const auto& c : all) BOOST_TEST_REQUIRE(c->rows.size() == 1024u);
    const std::size_t bytes = e->keyviz_memory_bytes();
    BOOST_TEST_MESSAGE("a full ring: " << bytes << " bytes (" << bytes / 360 / 1024 << " per row)");
    BOOST_TEST(bytes >= 360u * 1024u * sizeof(KeyVizRow));
    BOOST_TEST(bytes <= 64u * 1024u * 1024u);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace routecat
