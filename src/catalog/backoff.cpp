#include "routecat/catalog/backoff.hpp"

#include <algorithm>

namespace routecat {

std::chrono::milliseconds next_delay(std::chrono::milliseconds interval, std::chrono::milliseconds max_backoff,
                                     std::uint64_t failures, std::uint64_t jitter) noexcept {
    if (failures == 0 || max_backoff <= interval) return interval;
    const std::int64_t cap = max_backoff.count();
    std::int64_t grown = interval.count();
    for (std::uint64_t i = 0; i < failures && grown < cap; ++i) grown *= 2;
    grown = std::min(grown, cap);
    const std::int64_t low = grown / 2;
    const auto span = static_cast<std::uint64_t>(grown - low) + 1;
    const std::int64_t picked = low + static_cast<std::int64_t>(jitter % span);
    return std::max(interval, std::chrono::milliseconds{picked});
}

}  // namespace routecat
