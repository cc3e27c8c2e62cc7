#pragma once
// How a RouteTable keeps its routes (internal: RouteTable's member functions are the API).
//
// Two levels, so that a change costs what it changes: the routes live in immutable chunks of a few
// hundred (each with the first 8 bytes of every start in one array and every key in one arena, so a
// binary search touches one small array and compares full keys only on ties), under a top index of
// the chunks' first prefixes. A publish that changes a few routes builds new chunks for those and a
// new top index; every other chunk is shared by the old table, the new one and the history ring.
// Load counters (and the key visualizer's open column) are atomics in blocks that the chunks holding
// their routes share.

#include "routecat/route.hpp"

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace routecat::detail {

// The mutable counters of one route, shared by every table that holds it: its load (§7.6) and what
// the key visualizer's open column has counted for it so far (packed: src/core/keyviz_counts.hpp).
struct RouteCounters {
    std::atomic<std::uint64_t> load{0};
    std::atomic<std::uint64_t> column{0};
};

struct RouteEntry {
    std::uint64_t route_id = 0;
    std::uint64_t group_id = 0;
    RouteCounters* load = nullptr;
    std::uint32_t start_offset = 0;  // into the chunk's arena (a chunk's keys stay far below 4 GiB)
    std::uint32_t start_size = 0;
    std::uint32_t end_offset = 0;
    std::uint32_t end_size = 0;
    RouteState state = RouteState::active;
    bool has_end = false;
    std::uint32_t counters = 0;  // the chunk's counters[] block holding *load (fits the padding)
};
static_assert(sizeof(RouteEntry) <= 48, "a route entry stays within 48 bytes (lookups walk them)");

// A block of route counters, made by one chunk build and shared by the chunks derived from it while
// any of its counters belongs to a route they hold.
struct LoadCounters {
    std::shared_ptr<RouteCounters[]> block;
    std::size_t size = 0;
};

struct RouteChunk {
    std::vector<std::uint64_t> prefixes;  // first 8 bytes of each start, big-endian, zero-padded
    std::vector<RouteEntry> entries;      // sorted by start
    std::string keys;                     // every start and end, back to back
    std::vector<LoadCounters> counters;   // keeps every entry's load counter alive
    std::uint64_t built_for = 0;          // the generation of the table this chunk was built for
    std::size_t ephemeral = 0;            // routes with id 0
    bool disjoint = true;                 // sorted, non-overlapping, unbounded only last (inside)

    std::size_t size() const noexcept { return entries.size(); }
    std::string_view start(std::size_t i) const noexcept {
        return std::string_view(keys).substr(entries[i].start_offset, entries[i].start_size);
    }
    std::optional<std::string_view> end(std::size_t i) const noexcept {
        if (!entries[i].has_end) return std::nullopt;
        return std::string_view(keys).substr(entries[i].end_offset, entries[i].end_size);
    }
};

// What a lookup reads of a chunk, kept in the top index: a lookup then touches the chunk's arrays
// but never its header (one cache miss fewer per lookup in a large table).
struct ChunkView {
    const std::uint64_t* prefixes = nullptr;
    const RouteEntry* entries = nullptr;
    const char* keys = nullptr;
    std::size_t size = 0;

    std::string_view start(std::size_t i) const noexcept {
        return std::string_view(keys + entries[i].start_offset, entries[i].start_size);
    }
    std::optional<std::string_view> end(std::size_t i) const noexcept {
        if (!entries[i].has_end) return std::nullopt;
        return std::string_view(keys + entries[i].end_offset, entries[i].end_size);
    }
};

struct RouteTableLayout {
    std::vector<std::shared_ptr<const RouteChunk>> chunks;  // none empty, in start order
    std::vector<ChunkView> views;                           // views[c] reads chunks[c]
    std::vector<std::uint64_t> first_prefixes;              // chunks[c]->prefixes[0]
    std::vector<std::size_t> first_index;                   // table index of chunks[c]'s first route
    std::size_t size = 0;
    std::size_t ephemeral = 0;
    bool disjoint = true;  // the whole table: sorted, non-overlapping, unbounded only last
};

struct RouteTableBuilder;  // builds tables (route_table_builder.cpp)

}  // namespace routecat::detail
