#include "routecat/catalog/catalog_plan.hpp"

#include "routecat/error.hpp"

#include <algorithm>
#include <limits>

namespace routecat {

namespace {

constexpr std::uint64_t kMaxU64 = std::numeric_limits<std::uint64_t>::max();

}  // namespace

boost::system::result<std::uint64_t> next_route_id_floor(const std::vector<RouteDescriptor>& routes) noexcept {
    std::uint64_t max_id = 0;
    for (const auto& r : routes) max_id = std::max(max_id, r.route_id);
    if (max_id == kMaxU64) return make_error_code(errc::catalog_route_id_overflow);
    return max_id + 1;
}

}  // namespace routecat
