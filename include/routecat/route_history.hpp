#pragma once
// The engine's version-history ring (spec §7.9): version -> the table published for it, first table
// recorded for a version wins, oldest evicted first, default depth 32.

#include "routecat/route_table.hpp"

#include <deque>
#include <memory>
#include <mutex>
#include <optional>

namespace routecat {

inline constexpr std::size_t kDefaultRouteHistoryDepth = 32;

// The routes of one recorded version.
class HistorySnapshot {
public:
    HistorySnapshot(std::uint64_t version, std::shared_ptr<const RouteTable> table)
        : version_(version), table_(std::move(table)) {}

    std::uint64_t version() const noexcept { return version_; }
    // Walks the routes in start order and answers the group of the first that holds key (§7.9); this
    // can differ from Engine::get_route on overlapping tables.
    std::optional<std::uint64_t> owner_of(std::string_view key) const;
    // The routes as recorded. Loads are not history: they read 0 here, whatever the live table counts.
    std::vector<Route> routes() const;

private:
    std::uint64_t version_;
    std::shared_ptr<const RouteTable> table_;
};

class RouteHistory {
public:
    // depth 0 = no ring: nothing is recorded, nothing is found.
    explicit RouteHistory(std::size_t depth) : depth_(depth) {}

    // Records table for version unless the version is already recorded.
    void record(std::uint64_t version, std::shared_ptr<const RouteTable> table);
    std::optional<HistorySnapshot> at(std::uint64_t version) const;
    // Forgets every recorded version (Engine::reset_to: a version may come to name another table).
    void clear();
    std::size_t depth() const;
    std::size_t size() const;
    // Shrinking evicts the oldest excess entries at once. depth must be > 0 (std::invalid_argument).
    void set_depth(std::size_t depth);

private:
    void evict_locked();

    mutable std::mutex mutex_;
    std::size_t depth_;
    std::deque<std::pair<std::uint64_t, std::shared_ptr<const RouteTable>>> entries_;  // oldest first
};

}  // namespace routecat
