#pragma once
// Where a hot route is cut (spec §7.6). The engine asks its policy for a split key while it holds its
// writer lock; the policy only chooses the key, so a load-based policy can replace the default
// without touching the engine's locking.

#include "routecat/route_table.hpp"

#include <optional>
#include <string>

namespace routecat {

class SplitPolicy {
public:
    virtual ~SplitPolicy() = default;
    // The key to split route i of table at, or nothing when the route must not split (its load is
    // then reset). The engine ignores a key that is not strictly inside the route.
    virtual std::optional<std::string> split_key(const RouteTable& table, std::size_t i) const = 0;
};

// The spec's rule: start + 0x00 (the smallest key above start); no split for an unbounded route or
// for a route that holds only its start key.
class StartSuccessorSplit final : public SplitPolicy {
public:
    std::optional<std::string> split_key(const RouteTable& table, std::size_t i) const override;
};

}  // namespace routecat
