#pragma once
// What closes the key visualizer's columns in a process that serves: a coroutine that calls
// Engine::advance_keyviz with the wall clock (unix ms) every keyviz_tick(options), so a column
// is in keyviz_columns() at most one tick after it ends.

#include "routecat/engine.hpp"

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <cstdint>
#include <memory>

namespace routecat {

// A tenth of a column, kept within [50 ms, 1 s].
std::chrono::milliseconds keyviz_tick(const KeyVizOptions& options);

// Milliseconds since the unix epoch (system_clock).
std::uint64_t unix_time_ms();

// Loops until cancelled (then returns); returns at once when the engine's key visualizer is off.
boost::asio::awaitable<void> run_keyviz_clock(std::shared_ptr<Engine> engine);

}  // namespace routecat
