#pragma once
// Test-only access to an Engine (spec §7.9's SetHistoryDepthForTest): not part of the API.

#include "routecat/engine.hpp"

#include <cstddef>
#include <vector>

namespace routecat::detail {

// Resizes the engine's version-history ring; shrinking evicts the oldest excess entries at once.
// depth must be > 0 (std::invalid_argument).
void set_history_depth_for_test(Engine& engine, std::size_t depth);

// How many blocks of load counters a table keeps alive.
std::size_t load_counter_blocks_for_test(const RouteTable& table);

// The number of routes in each chunk of a table, in order.
std::vector<std::size_t> chunk_sizes_for_test(const RouteTable& table);

// Sets the smallest chunk target (1024 by default) for tables built from now on, so tests reach
// many chunks with few routes; returns the previous value.
std::size_t set_min_chunk_target_for_test(std::size_t routes);

}  // namespace routecat::detail
