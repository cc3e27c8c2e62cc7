#include "routecat/route.hpp"

#include "routecat/error.hpp"

#include <array>
#include <tuple>

namespace routecat {
namespace {

constexpr std::array<std::string_view, 4> kStateNames{"active", "write_fenced", "migrating_source",
                                                       "migrating_target"};

std::string_view end_bytes(const std::optional<std::string>& end) noexcept {
    return end ? std::string_view(*end) : std::string_view{};
}

}  // namespace

bool is_valid_state(RouteState s) noexcept { return static_cast<std::uint8_t>(s) <= 3; }

std::string_view to_string(RouteState s) noexcept {
    return is_valid_state(s) ? kStateNames[static_cast<std::uint8_t>(s)] : std::string_view{};
}

std::optional<RouteState> route_state_from_string(std::string_view name) noexcept {
    for (std::size_t i = 0; i < kStateNames.size(); ++i)
        if (kStateNames[i] == name) return static_cast<RouteState>(i);
    return std::nullopt;
}

bool operator==(const RouteDescriptor& a, const RouteDescriptor& b) noexcept {
    return a.route_id == b.route_id && a.start == b.start && end_bytes(a.end) == end_bytes(b.end) &&
           a.group_id == b.group_id && a.state == b.state && a.parent_route_id == b.parent_route_id;
}

boost::system::error_code validate_route(const RouteDescriptor& r) noexcept {
    if (r.route_id == 0) return errc::catalog_route_id_required;
    if (r.group_id == 0) return errc::catalog_group_id_required;
    if (!is_valid_state(r.state)) return errc::catalog_invalid_route_state;
    if (r.end && r.start >= *r.end) return errc::catalog_invalid_route_range;
    return {};
}

bool catalog_order_less(const RouteDescriptor& a, const RouteDescriptor& b) noexcept {
    if (a.start != b.start) return a.start < b.start;
    if (a.end.has_value() != b.end.has_value()) return a.end.has_value();  // bounded first
    if (a.end && *a.end != *b.end) return *a.end < *b.end;
    return a.route_id < b.route_id;
}

bool range_contains(std::string_view start, const std::optional<std::string>& end, std::string_view key) noexcept {
    return start <= key && (!end || key < std::string_view(*end));
}

}  // namespace routecat
