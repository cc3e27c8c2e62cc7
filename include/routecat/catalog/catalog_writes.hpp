#pragma once
// The catalog's writes as a service answers them (the admin API's PUT /v1/catalog and split): commit
// to the durable catalog, then have the engine serve the committed version before returning, so the
// caller reads its own write. This is the one place where a write reaches the engine; the admin layer
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

// CatalogStore::save, then Engine::apply_snapshot of what was saved (when engine is not null). The
// engine may refuse it (Save accepts overlaps the engine rejects, §6.5): the save stands, the engine
// keeps its table, and engine_error says why.
boost::asio::awaitable<CatalogWrite<CatalogSnapshot>> save_and_apply(CatalogStore catalog,
                                                                     std::shared_ptr<Engine> engine,
                                                                     std::uint64_t expected_version,
                                                                     std::vector<RouteDescriptor> routes);

// §10.3 steps 2-8: CatalogStore::split, then step 8: re-read the catalog until it shows the new
// version (20 reads, 10 ms apart) and apply it to the engine. engine_error is the spec's
// "apply engine snapshot: ..." when that fails. Throws engine_required for a null engine, before
// anything is read.
boost::asio::awaitable<CatalogWrite<SplitResult>> split_and_apply(CatalogStore catalog, std::shared_ptr<Engine> engine,
                                                                  std::uint64_t expected_version,
                                                                  std::uint64_t route_id, std::string split_key);

}  // namespace routecat
