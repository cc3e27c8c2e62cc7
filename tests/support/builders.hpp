#pragma once
// Short builders for the values tests compare: durable descriptors and engine routes.

#include "routecat/catalog_delta.hpp"
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

inline CatalogSnapshot snap(std::uint64_t version, std::vector<RouteDescriptor> routes) {
    CatalogSnapshot s;
    s.version = version;
    s.routes = std::move(routes);
    return s;
}

// Delta mutations and deltas (§11.1).
inline CatalogRouteMutation upsert_of(RouteDescriptor route) {
    CatalogRouteMutation m;
    m.op = CatalogMutationOp::upsert;
    m.route_id = route.route_id;
    m.route = std::move(route);
    return m;
}

inline CatalogRouteMutation delete_of(std::uint64_t route_id) {
    CatalogRouteMutation m;
    m.op = CatalogMutationOp::del;
    m.route_id = route_id;
    return m;
}

inline CatalogDelta delta_of(std::uint64_t previous, std::uint64_t version,
                             std::vector<CatalogRouteMutation> mutations = {}) {
    CatalogDelta d;
    d.previous_version = previous;
    d.version = version;
    d.mutations = std::move(mutations);
    return d;
}

}  // namespace routecat::test
