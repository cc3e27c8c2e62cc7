#pragma once
// The catalog's writes as a service answers them (the admin API's PUT and PATCH /v1/catalog and
// split): commit to the durable catalog, then have the engine serve the committed version before
// returning, so the caller reads its own write. This is the one place where a write reaches the engine; the admin layer
// only translates the outcome to HTTP.
//
// A lost optimistic race is an outcome, not an error: the caller re-reads and tries again. Every
// other failure throws as CatalogStore's calls do (validation, store unavailable, ...).

#include "routecat/catalog/catalog_store.hpp"
#include "routecat/engine.hpp"

#include <boost/asio/awaitable.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace routecat {

// The expected version was not the durable one (catalog_version_mismatch).
struct WriteConflict {
    std::string message;                           // the mismatch's what()
    std::optional<std::uint64_t> current_version;  // the durable version read after it; none if that read failed
};

enum class WriteStatus { committed, conflict };

template <class Committed>
struct CatalogWrite {
    std::optional<Committed> committed;     // what was committed, unless there was a conflict
    std::optional<WriteConflict> conflict;  // set instead of committed
    std::string engine_error;               // committed, but the engine does not serve it (why); else empty

    WriteStatus status() const noexcept { return conflict ? WriteStatus::conflict : WriteStatus::committed; }
};

// Checks routes as a whole table, the way the engine will (§7.8: Save itself accepts overlaps, §6.5,
// and a stored catalog the engine refuses would stop every daemon loading it), then
// CatalogStore::save, then Engine::apply_snapshot of what was saved (when engine is not null).
// Throws, with nothing written, the catalog's validation errors first (§6.5 step 1:
// catalog_route_id_required, catalog_duplicate_route_id, ...), then the engine's
// (engine_snapshot_route_overlap, engine_snapshot_route_order). engine_error is set when the engine
// still refused the saved version (e.g. it serves a newer one; a stale engine is not an error).
boost::asio::awaitable<CatalogWrite<CatalogSnapshot>> save_and_apply(CatalogStore catalog,
                                                                     std::shared_ptr<Engine> engine,
                                                                     std::uint64_t expected_version,
                                                                     std::vector<RouteDescriptor> routes);

// §10.3 steps 2-8: CatalogStore::split, then step 8: Engine::apply_delta of the split's delta when
// the engine is at expected_version; otherwise, or when the engine refuses the delta, the spec's
// way: re-read the catalog until it shows the new version (20 reads, 10 ms apart) and apply it.
// engine_error is the spec's "apply engine snapshot: ..." when that fails. Throws engine_required
// for a null engine, before anything is read.
boost::asio::awaitable<CatalogWrite<SplitResult>> split_and_apply(CatalogStore catalog, std::shared_ptr<Engine> engine,
                                                                  std::uint64_t expected_version,
                                                                  std::uint64_t route_id, std::string split_key);

// CatalogStore::apply_changes (checked on the engine's table when it is at expected_version), then
// Engine::apply_delta of the committed delta, or, when the engine is not at expected_version or
// refuses the delta, split_and_apply's re-read and apply_snapshot (engine_error as there). A null
// engine: the change alone, checked on a full read.
boost::asio::awaitable<CatalogWrite<ChangesResult>> changes_and_apply(CatalogStore catalog,
                                                                      std::shared_ptr<Engine> engine,
                                                                      std::uint64_t expected_version,
                                                                      std::vector<RouteDescriptor> upserts,
                                                                      std::vector<std::uint64_t> deletes);

// Applies a snapshot a client pushes to the engine only if it is what the durable catalog holds,
// checked with one snapshot read: a version above the durable one is
// engine_snapshot_ahead_of_catalog, below it engine_snapshot_version_stale, and at it the routes must
// be exactly the durable ones (any order; every field, parent ids included) else
// engine_snapshot_mismatch. Then Engine::apply_snapshot (its own errors: stale, validation). The
// engine's version after the apply.
boost::asio::awaitable<std::uint64_t> apply_durable_snapshot(CatalogStore catalog, std::shared_ptr<Engine> engine,
                                                             CatalogSnapshot snapshot);

}  // namespace routecat
