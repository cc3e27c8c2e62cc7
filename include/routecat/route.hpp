#pragma once
// The data model of spec §2: route states, durable route descriptors, engine routes, snapshots,
// route validation (§2.2) and catalog order.

#include <boost/system/error_code.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace routecat {

// One byte on disk (§2.1). Values above 3 can reach us only from outside (a decoded byte, a cast);
// validate_route rejects them.
enum class RouteState : std::uint8_t {
    active = 0,
    write_fenced = 1,
    migrating_source = 2,
    migrating_target = 3,
};

bool is_valid_state(RouteState s) noexcept;

// "active", "write_fenced", ... ; empty for an invalid state.
std::string_view to_string(RouteState s) noexcept;
std::optional<RouteState> route_state_from_string(std::string_view name) noexcept;

// A durable route (§2.2). Keys are arbitrary bytes; an absent end is +infinity.
struct RouteDescriptor {
    std::uint64_t route_id = 0;
    std::string start;
    std::optional<std::string> end;
    std::uint64_t group_id = 0;
    RouteState state = RouteState::active;
    std::uint64_t parent_route_id = 0;

    // §2.2 route equality: every field, bytes compared byte-wise, an absent end equal to an empty one.
    friend bool operator==(const RouteDescriptor& a, const RouteDescriptor& b) noexcept;
};

// An entry of the engine's table (§2.4); route_id 0 = ephemeral (not from the catalog).
struct Route {
    std::uint64_t route_id = 0;
    std::string start;
    std::optional<std::string> end;
    std::uint64_t group_id = 0;
    RouteState state = RouteState::active;
    std::uint64_t load = 0;

    friend bool operator==(const Route&, const Route&) = default;
};

// §2.3. read_ts is the MVCC timestamp the snapshot was read at; 0 for snapshots returned by save()
// and for snapshots built by callers.
struct CatalogSnapshot {
    std::uint64_t version = 0;
    std::vector<RouteDescriptor> routes;
    std::uint64_t read_ts = 0;

    friend bool operator==(const CatalogSnapshot&, const CatalogSnapshot&) = default;
};

// §2.2 route validation; the first failing check wins: route id, group id, state, range.
boost::system::error_code validate_route(const RouteDescriptor& r) noexcept;

// §2.2 catalog order: start ascending; equal starts put a bounded end before an unbounded one and
// bounded ends ascending; then route id ascending.
bool catalog_order_less(const RouteDescriptor& a, const RouteDescriptor& b) noexcept;

// True when key lies in [start, end).
bool range_contains(std::string_view start, const std::optional<std::string>& end, std::string_view key) noexcept;

}  // namespace routecat
