#pragma once
// Fixture of the backend-parametrised catalog, watcher and bootstrap suites: a fresh store of the
// backend under test behind a HookedStore, a CatalogStore on it, and builders for expected records.

#include "support/builders.hpp"
#include "support/hooked_store.hpp"
#include "support/store_fixture.hpp"

#include "routecat/catalog/catalog_store.hpp"
#include "routecat/catalog_delta.hpp"
#include "routecat/codec.hpp"

#include <algorithm>

namespace routecat::test {

inline std::string encoded(const RouteDescriptor& r) { return codec::encode_route_descriptor(r).value(); }

inline Mutation put_route(const RouteDescriptor& r) { return Mutation::put(codec::route_key(r.route_id), encoded(r)); }
inline Mutation put_version(std::uint64_t v) { return Mutation::put(std::string(codec::kVersionKey), codec::encode_version(v)); }
inline Mutation put_next_id(std::uint64_t n) {
    return Mutation::put(std::string(codec::kNextRouteIdKey), codec::encode_next_route_id(n));
}
inline Mutation del_route(std::uint64_t id) { return Mutation::del(codec::route_key(id)); }

// What Save writes of the delta log is guarded (Mutation::guarded): the version key guards it.
inline Mutation put_delta(const CatalogDelta& d) {
    return Mutation::put(codec::delta_key(d.version), codec::encode_delta(d).value()).as_guarded();
}
inline Mutation put_floor(std::uint64_t floor) {
    return Mutation::put(std::string(codec::kDeltaFloorKey), codec::encode_delta_floor(floor)).as_guarded();
}

inline std::vector<RouteDescriptor> sorted(std::vector<RouteDescriptor> routes) {
    std::sort(routes.begin(), routes.end(), catalog_order_less);
    return routes;
}

struct CatalogFixture : StoreFixture {
    std::shared_ptr<HookedStore> hooked = std::make_shared<HookedStore>(store);
    CatalogStore catalog{hooked};

    CatalogSnapshot save(std::uint64_t expected, std::vector<RouteDescriptor> routes) {
        return run(catalog.save(expected, std::move(routes)));
    }
    CatalogSnapshot snapshot() { return run(catalog.snapshot()); }
    std::uint64_t next_id() { return run(catalog.next_route_id()); }
    std::size_t apply_calls() { return hooked->applied().size(); }
    std::vector<Mutation> last_apply() { return hooked->applied().back(); }
};


}  // namespace routecat::test
