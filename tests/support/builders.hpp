#pragma once
// Short builders for the values tests compare: durable descriptors and engine routes.

#include "routecat/route.hpp"

#include <optional>
#include <string>

namespace routecat::test {

inline RouteDescriptor rd(std::uint64_t id, std::string start, std::optional<std::string> end, std::uint64_t group = 1,
                          RouteState state = RouteState::active, std::uint64_t parent = 0) {
    return {id, std::move(start), std::move(end), group, state, parent};
}

inline Route rt(std::uint64_t id, std::string start, std::optional<std::string> end, std::uint64_t group,
                RouteState state = RouteState::active, std::uint64_t load = 0) {
    return {id, std::move(start), std::move(end), group, state, load};
}

}  // namespace routecat::test
