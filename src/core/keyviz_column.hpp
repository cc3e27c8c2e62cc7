#pragma once
// Turns what one column counted into its rows (internal; a pure function, tested on its own).

#include "keyviz_counts.hpp"
#include "keyviz_ring.hpp"

#include "routecat/keyviz.hpp"

#include <memory>
#include <string_view>
#include <vector>

namespace routecat::detail {

// A route with traffic in the column. Views must outlive the build.
struct TouchedRoute {
    KeyVizRoute route;
    OpenCounts counts;
    const RouteCounters* counters = nullptr;  // which samples are its own
};

struct KeySample {
    const RouteCounters* route = nullptr;
    std::string_view key;
    AccessKind kind = AccessKind::read;
};

// The column's rows, in key order (touched must be sorted by start, then route id; rows equal in
// id, group, start and end are summed first), at most max_rows (>= 1) of them:
//  - up to max_rows touched routes, one row each; beyond, the (max_rows - 1) / 2 busiest routes
//    keep their rows and each run of the others between them becomes one row (aggregate when it holds more than one);
//  - rows left over go first to the busiest routes as sub-buckets (at most kMaxSubBuckets each):
//    bounds are quantiles of the route's own samples that lie inside it, reads (and read bytes) are shared
//    out in proportion to the read samples in each bucket, writes to the write samples (largest remainder: they sum to the route's counts).
//  - rows still left cut the runs of merged routes into shorter ones, in proportion to their lengths.
// window_start and at are left for the caller.
std::shared_ptr<KeyVizColumn> build_keyviz_column(std::vector<TouchedRoute> touched,
                                                  const std::vector<KeySample>& samples, std::size_t max_rows);

}  // namespace routecat::detail
