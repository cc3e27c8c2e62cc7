#pragma once
// Option sets the catalog and watcher tests build again and again.

#include "routecat/catalog/catalog_store.hpp"
#include "routecat/catalog/catalog_watcher.hpp"

namespace routecat::test {

// The delta log on (§11), keeping `retention` versions.
inline CatalogStoreOptions delta_logged(std::uint64_t retention = kDefaultCatalogDeltaRetention) {
    CatalogStoreOptions o;
    o.delta_log = true;
    o.delta_retention = retention;
    return o;
}

// A watcher that only polls (no push), so a test decides when it syncs.
inline CatalogWatcherOptions polling() {
    CatalogWatcherOptions o;
    o.push = false;
    return o;
}

}  // namespace routecat::test
