#pragma once
// How a RouteTable keeps its routes (internal: RouteTable's member functions are the API). Keys live in
// one contiguous arena and the first 8 bytes of every start in a separate array, so a lookup's binary
// search touches one small array and compares full keys only on ties. Load counters are atomics in
// blocks that derived tables share.

#include "routecat/route.hpp"

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace routecat::detail {

struct RouteEntry {
    std::uint64_t route_id = 0;
    std::uint64_t group_id = 0;
    std::size_t start_offset = 0;
    std::size_t start_size = 0;
    std::size_t end_offset = 0;
    std::size_t end_size = 0;
    std::atomic<std::uint64_t>* load = nullptr;
    RouteState state = RouteState::active;
    bool has_end = false;
};

// A block of load counters, made by one table build and shared by the tables derived from it while any
// of its counters belongs to a route they hold.
struct LoadCounters {
    std::shared_ptr<std::atomic<std::uint64_t>[]> block;
    std::size_t size = 0;
};

struct RouteTableLayout {
    std::vector<std::uint64_t> prefixes;  // first 8 bytes of each start, big-endian, zero-padded
    std::vector<RouteEntry> entries;
    std::string keys;                     // every start and end, back to back
    std::vector<LoadCounters> counters;   // keeps every entry's load counter alive
    bool disjoint = true;                 // sorted, non-overlapping, unbounded only last
};

struct RouteTableBuilder;  // builds tables (route_table.cpp)

}  // namespace routecat::detail
