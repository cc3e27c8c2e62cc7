#pragma once
// The catalog watcher's wait between syncs (DESIGN.md "Concurrency"): the interval after a success;
// after consecutive failures interval * 2^failures, capped at max_backoff, with "equal jitter".

#include <chrono>
#include <cstdint>

namespace routecat {

// failures: consecutive failed syncs; jitter: any random number (the watcher passes a generator's
// output). With no failures, or max_backoff <= interval (backoff off), the interval. Otherwise
// grown = min(interval * 2^failures, max_backoff) and the wait is grown / 2 + (jitter mod
// (grown - grown / 2 + 1)): uniform over [grown / 2, grown], never below the interval.
std::chrono::milliseconds next_delay(std::chrono::milliseconds interval, std::chrono::milliseconds max_backoff,
                                     std::uint64_t failures, std::uint64_t jitter) noexcept;

}  // namespace routecat
