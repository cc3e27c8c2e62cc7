#pragma once
// Start-up reconciliation of a fresh engine with the durable catalog (spec §8).

#include "routecat/catalog/catalog_store.hpp"
#include "routecat/engine.hpp"

#include <boost/asio/awaitable.hpp>

#include <memory>

namespace routecat {

// Reads the catalog; a brand-new one (version 0, no routes) is seeded from the engine's routes with
// ids 1..N in table order and saved as version 1. Then the snapshot is applied to the engine and
// returned. Throws catalog_store_required / engine_required when either is missing, and any error
// of the read, the save or the apply (a stale engine included). Safe to retry: it writes only once.
boost::asio::awaitable<CatalogSnapshot> ensure_catalog_snapshot(CatalogStore catalog, std::shared_ptr<Engine> engine);

}  // namespace routecat
