#pragma once
// An immutable, sorted route table: what the Engine publishes and readers load atomically. Lookups
// binary-search the starts' first 8 bytes and compare full keys only on ties (detail/
// route_table_layout.hpp). Load counters are the one mutable part: atomics that a derived table (a
// split, update_route) shares with the table it came from, so no access recorded on an untouched
// route is lost.

#include "routecat/detail/route_table_layout.hpp"
#include "routecat/route.hpp"

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace routecat {

class RouteTable {
public:
    // An empty table.
    RouteTable(std::uint64_t version, std::uint64_t generation);

    // A table of validated descriptors already sorted by start; every load starts at 0.
    static std::shared_ptr<const RouteTable> from_sorted(const std::vector<RouteDescriptor>& routes,
                                                        std::uint64_t version, std::uint64_t generation);
    // This table plus one ephemeral Active route, re-sorted by start (after equal starts). Every
    // existing route keeps its load counter.
    std::shared_ptr<const RouteTable> with_route(std::string_view start, std::optional<std::string_view> end,
                                                 std::uint64_t group_id, std::uint64_t generation) const;
    // This table plus many ephemeral routes (route id 0; group and state as given), in one build.
    std::shared_ptr<const RouteTable> with_routes(const std::vector<RouteDescriptor>& routes,
                                                  std::uint64_t generation) const;
    // This table with route i replaced by [start, split_key) and [split_key, end): ephemeral, Active,
    // the parent's group, load 0. Every other route keeps its load counter.
    std::shared_ptr<const RouteTable> with_split(std::size_t i, std::string_view split_key,
                                                 std::uint64_t generation) const;

    // The first 8 bytes of key, big-endian, zero-padded: prefix_of(a) < prefix_of(b) implies a < b.
    static std::uint64_t prefix_of(std::string_view key) noexcept;

    std::uint64_t version() const noexcept { return version_; }
    std::uint64_t generation() const noexcept { return generation_; }
    std::size_t size() const noexcept { return layout_.entries.size(); }
    bool empty() const noexcept { return layout_.entries.empty(); }

    // Index of the route with the greatest start <= key (the last of equal starts), if any.
    std::optional<std::size_t> floor_index(std::string_view key) const noexcept;
    // The spec's GetRoute (§7.3): the floor route if its range holds key; only that one is examined.
    std::optional<std::size_t> find(std::string_view key) const noexcept;
    // The spec's OwnerOf (§7.9): walk forward in start order; the first route holding key.
    std::optional<std::size_t> find_forward(std::string_view key) const noexcept;
    // §7.4: indexes of the routes intersecting [start, end) (no end = +inf), in table order.
    std::vector<std::size_t> intersecting(std::string_view start, std::optional<std::string_view> end) const;

    std::uint64_t route_id(std::size_t i) const noexcept { return layout_.entries[i].route_id; }
    std::uint64_t group_id(std::size_t i) const noexcept { return layout_.entries[i].group_id; }
    RouteState state(std::size_t i) const noexcept { return layout_.entries[i].state; }
    std::string_view start(std::size_t i) const noexcept;
    std::optional<std::string_view> end(std::size_t i) const noexcept;
    std::atomic<std::uint64_t>& load(std::size_t i) const noexcept { return *layout_.entries[i].load; }

    // A deep copy of route i with its current load.
    Route route(std::size_t i) const;
    std::vector<Route> routes() const;

private:
    friend struct detail::RouteTableBuilder;

    std::uint64_t version_ = 0;
    std::uint64_t generation_ = 0;
    detail::RouteTableLayout layout_;
};

}  // namespace routecat
