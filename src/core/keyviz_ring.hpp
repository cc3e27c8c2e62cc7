#pragma once
// The key visualizer's ring of closed columns and what feeds the open one (internal; the Engine's
// record_access / advance_keyviz / keyviz_columns are the API).
//
// Counting costs no memory per route beyond the word each route's counters already hold
// (keyviz_counts.hpp), and nothing shared between threads but that word: the open column is the
// table itself. Closing a column (advance) reads every route's word once, so its cost is the
// table's size every column_ms, never per access. Besides the words:
//  - a spill map: counts drained from a word (a field at half its range, a route leaving the table
//    by a split, a delta or a snapshot) with the route they belong to, so they are not lost;
//  - a sample of the accessed keys (a weighted reservoir of kSampleCapacity keys; each thread
//    submits one access in `countdown`, thinning as the column fills): a busy route's sub-bucket
//    bounds are the quantiles of its sampled keys.

#include "keyviz_counts.hpp"

#include "routecat/keyviz.hpp"
#include "routecat/route_table.hpp"

#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace routecat::detail {

// Accesses until this thread next submits a key sample (any engine's; reset by the submission).
inline thread_local std::uint32_t keyviz_sample_countdown = 1;
// The countdown this thread last started from: the accesses its next submission stands for.
inline thread_local std::uint32_t keyviz_sample_weight = 1;

// A route as the key visualizer names it in a row.
struct KeyVizRoute {
    std::uint64_t route_id = 0;
    std::uint64_t group_id = 0;
    std::string_view start;
    std::optional<std::string_view> end;
};

class KeyVizRing {
public:
    static constexpr std::size_t kSampleCapacity = 4096;
    static constexpr std::size_t kMaxSpilledRoutes = 65536;
    static constexpr std::uint32_t kMaxSubBuckets = 4;
    // A route is split into sub-buckets only with at least this many sampled keys inside it.
    static constexpr std::size_t kMinSamplesForSubBuckets = 8;

    explicit KeyVizRing(KeyVizOptions options);

    const KeyVizOptions& options() const noexcept { return options_; }

    // Counts one access on route r (the hot path: one atomic add, a thread-local countdown).
    void count(const RouteTable::Ref& r, std::string_view key, AccessKind kind) {
        if (key.size() > kMaxPackedKeyBytes) [[unlikely]] {
            spill(route_of(r), &r.counters(), access_counts(kind, key.size()));
        } else {
            const std::uint64_t add = packed_access(kind, key.size());
            if ((r.counters().column.fetch_add(add, std::memory_order_relaxed) + add) & kHalfMarks) [[unlikely]]
                drain(r);
        }
        if (--keyviz_sample_countdown == 0) [[unlikely]] sample(r, key, kind);
    }

    // Moves what route r's word holds to the spill map (a route about to leave the table).
    void drain(const RouteTable::Ref& r);
    void drain(const KeyVizRoute& route, RouteCounters& counters);
    // drain() for every route of a table about to be replaced whole.
    void drain_all(const RouteTable& table);

    // Closes the open column when now_ms has reached its end, reading table (the current one).
    // The first call starts the clock: the open column becomes [now aligned down to column_ms,
    // + column_ms) and holds what was counted before. After a gap of more than a column, the next
    // column starts at now (aligned): the ring holds no empty columns for the gap.
    void advance(std::uint64_t now_ms, const RouteTable& table);

    // Closed columns overlapping [from_ms, to_ms), oldest first.
    std::vector<std::shared_ptr<const KeyVizColumn>> columns(std::uint64_t from_ms, std::uint64_t to_ms) const;
    // Where the open column starts (none before the first advance).
    std::optional<std::uint64_t> open_column_start() const;
    // Bytes the closed columns hold (rows, keys, headers), and the spill map and sample.
    std::size_t memory_bytes() const;
    // Counts the spill map refused (it was full) since the start.
    std::uint64_t dropped_spills() const;

private:
    struct Spilled {
        std::uint64_t route_id = 0;
        std::uint64_t group_id = 0;
        std::string start;
        std::optional<std::string> end;
        OpenCounts counts;
    };
    struct Sample {
        const RouteCounters* route = nullptr;
        std::string key;
        AccessKind kind = AccessKind::read;
    };

    static KeyVizRoute route_of(const RouteTable::Ref& r) noexcept {
        return {r.route_id(), r.group_id(), r.start(), r.end()};
    }
    void spill(const KeyVizRoute& route, const RouteCounters* counters, const OpenCounts& counts);
    void sample(const RouteTable::Ref& r, std::string_view key, AccessKind kind);
    std::shared_ptr<KeyVizColumn> close_column(const RouteTable& table);

    const KeyVizOptions options_;

    mutable std::mutex close_mutex_;  // one advance at a time
    std::optional<std::uint64_t> open_start_;

    mutable std::mutex spill_mutex_;
    std::unordered_map<const RouteCounters*, Spilled> spilled_;
    std::uint64_t dropped_spills_ = 0;

    mutable std::mutex sample_mutex_;
    std::vector<Sample> samples_;
    double sampled_weight_ = 0;  // accesses the sample stands for
    std::minstd_rand sample_random_{20261129};

    mutable std::mutex ring_mutex_;
    std::deque<std::shared_ptr<const KeyVizColumn>> ring_;
};

}  // namespace routecat::detail
