#pragma once
// The decisions of the catalog's writes as pure functions: no store, no I/O, every error the spec's.
// CatalogStore reads, asks these what to write, and commits it.

#include "routecat/route.hpp"

#include <boost/system/result.hpp>

#include <cstdint>
#include <vector>

namespace routecat {

// §6.3: (max route id) + 1, or 1 for no routes; catalog_route_id_overflow when an id is u64 max.
boost::system::result<std::uint64_t> next_route_id_floor(const std::vector<RouteDescriptor>& routes) noexcept;

}  // namespace routecat
