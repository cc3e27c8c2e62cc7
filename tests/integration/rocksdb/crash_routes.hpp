#pragma once
// The routes the crash-safety child saves as catalog version v: 1 to 40 routes whose count, bounds,
// groups and states all depend on v, so a version's rows are recognisable after a crash.

#include "routecat/route.hpp"

#include <cstdio>
#include <vector>

namespace routecat::test {

inline std::vector<RouteDescriptor> crash_routes(std::uint64_t v) {
    const std::size_t n = 1 + v % 40;
    std::vector<RouteDescriptor> routes;
    for (std::size_t i = 0; i < n; ++i) {
        char start[32];
        std::snprintf(start, sizeof start, "k%04zu", i * 10);
        std::optional<std::string> end;
        if (i + 1 < n) {
            char e[32];
            std::snprintf(e, sizeof e, "k%04zu", (i + 1) * 10);
            end = e;
        }
        // Ids shift with v so each save deletes, rewrites and keeps some rows.
        routes.push_back({(v / 3) * 100 + i + 1, i == 0 ? std::string() : std::string(start), end, v * 7 + i,
                          static_cast<RouteState>((v + i) % 4), v});
    }
    return routes;
}

}  // namespace routecat::test
