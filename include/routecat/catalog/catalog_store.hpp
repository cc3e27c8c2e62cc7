#pragma once
// The durable route catalog (spec §6): versioned route descriptors in an MvccStore, read at one
// timestamp, replaced by an optimistic transaction that bumps the version by exactly one.
// Every call throws boost::system::system_error with a routecat code on failure.

#include "routecat/catalog/catalog_plan.hpp"
#include "routecat/route.hpp"
#include "routecat/route_table.hpp"
#include "routecat/store/mvcc_store.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/system/result.hpp>

#include <memory>
#include <optional>

namespace routecat {

// The outcome of CatalogStore::split: the new catalog version, the two children and the commit ts
// of the split transaction.
struct SplitResult {
    std::uint64_t version = 0;
    RouteDescriptor left;
    RouteDescriptor right;
    std::uint64_t commit_ts = 0;

    friend bool operator==(const SplitResult&, const SplitResult&) = default;
};

// The outcome of CatalogStore::apply_changes.
struct ChangesResult {
    std::uint64_t version = 0;              // expected_version + 1
    std::vector<RouteDescriptor> upserted;  // every upsert, in catalog order
    std::vector<std::uint64_t> deleted;     // ascending
    CatalogDelta delta;                     // expected -> version (§11.3's form), for Engine::apply_delta
    std::uint64_t commit_ts = 0;

    friend bool operator==(const ChangesResult&, const ChangesResult&) = default;
};

// [H] The delta log (§11): off = the spec's C catalog exactly (Save's mutation list as §6.5 lists it).
struct CatalogStoreOptions {
    bool delta_log = false;                                // Save and split write §11.3's delta and floor
    std::uint64_t delta_retention = kDefaultCatalogDeltaRetention;  // versions kept (>= 1)

    friend bool operator==(const CatalogStoreOptions&, const CatalogStoreOptions&) = default;
};

class CatalogStore {
public:
    // Rows are read in pages of this many (§6.1).
    static constexpr std::size_t kScanPageSize = 256;

    // Never fails; a null store makes every call throw catalog_store_required.
    explicit CatalogStore(std::shared_ptr<MvccStore> store, CatalogStoreOptions options = {}) noexcept;

    // Version and routes read at one ts = last_commit_ts(); {0, [], 0} on an empty store.
    boost::asio::awaitable<CatalogSnapshot> snapshot() const;
    boost::asio::awaitable<std::uint64_t> version() const;

    // The version and the ts it was read at (one request on a round-trip store).
    struct VersionRead {
        std::uint64_t ts = 0;
        std::uint64_t version = 0;
    };
    boost::asio::awaitable<VersionRead> latest_version() const;
    boost::asio::awaitable<std::uint64_t> next_route_id() const;
    // The stored counter as stored; when unset, next_route_id_floor(routes at ts).
    boost::asio::awaitable<std::uint64_t> next_route_id_at(std::uint64_t ts) const;

    // Replaces the whole route set if the durable version is expected_version (§6.5). Returns
    // {expected_version + 1, the routes in catalog order, read_ts 0}. A stale expected_version and a
    // concurrent commit both throw catalog_version_mismatch.
    boost::asio::awaitable<CatalogSnapshot> save(std::uint64_t expected_version,
                                                 std::vector<RouteDescriptor> routes) const;

    // Splits route route_id at split_key in one transaction (§10.3 steps 2-7), through
    // apply_changes' targeted reads (the version, counter and parent keys; every route only when the
    // counter is unset or below a stored id): allocates the two child ids from max(stored
    // next-route-id, id floor of the routes), and writes Delete parent, Put left [start, key), Put
    // right [key, end), Put version = expected + 1, Put next-route-id = right + 1, reading at one ts
    // and committing as save() does.
    // Children keep the parent's group and state and name it as their parent.
    // Throws catalog_version_mismatch (stale expected_version or a concurrent commit), unknown_route,
    // split_key_at_boundary (key == start or == end), invalid_split_key (key < start or > end),
    // catalog_route_id_overflow, catalog_version_overflow.
    boost::asio::awaitable<SplitResult> split(std::uint64_t expected_version, std::uint64_t route_id,
                                              std::string split_key) const;

    // A targeted change in one transaction (issue 13): upserts create (new id) or replace (existing
    // id) routes, deletes remove them; the version bumps by one as Save's does. Reads the version,
    // next-route-id (and floor) keys and only the named routes at one ts; the catalog it leaves must
    // pass the engine's whole-table check (engine_snapshot_route_overlap, _route_order), checked on
    // `table` around the changes when it is at expected_version, else on a full read. Commits the
    // route mutations, version, next-route-id = max(stored, floor(upserts)) (§6.3) and, with the
    // delta log, the delta and floor. Throws, with nothing written: Save's validation errors
    // (catalog_route_id_required, ..., catalog_duplicate_route_id within upserts), bad_request (an id
    // deleted twice or both upserted and deleted), catalog_version_mismatch (as Save, also on a
    // concurrent commit), unknown_route (a deleted id that is not stored), the whole-table errors,
    // catalog_route_id_overflow, catalog_version_overflow.
    boost::asio::awaitable<ChangesResult> apply_changes(std::uint64_t expected_version,
                                                        std::vector<RouteDescriptor> upserts,
                                                        std::vector<std::uint64_t> deletes,
                                                        std::shared_ptr<const RouteTable> table = nullptr) const;

    // The building blocks of §6.1, for readers that pick their own ts (the watcher, split planning).
    boost::asio::awaitable<std::uint64_t> version_at(std::uint64_t ts) const;
    // The stored next-route-id at ts, 0 when unset.
    boost::asio::awaitable<std::uint64_t> stored_next_route_id_at(std::uint64_t ts) const;
    boost::asio::awaitable<std::vector<RouteDescriptor>> routes_at(std::uint64_t ts) const;
    // [H] The stored delta floor at ts, 0 when unset.
    boost::asio::awaitable<std::uint64_t> stored_floor_at(std::uint64_t ts) const;

    // §11.4 [H]: what changed after version `after`, read at one ts = last_commit_ts(). limit <= 0 is
    // catalog_delta_limit_invalid (a limit above kMaxCatalogDeltaBatchSize is lowered to it);
    // after > the current version catalog_delta_version_future; after == current: nothing. Without a
    // log (floor 0) or when after + 1 < floor: reset = the whole snapshot. Else up to `limit` deltas
    // from after + 1 on, in one range read; a missing or misnumbered one is catalog_delta_version_gap;
    // a floor above the version catalog_invalid_delta_record.
    boost::asio::awaitable<CatalogChangeSet> changes_since(std::uint64_t after,
                                                           std::int64_t limit = kDefaultCatalogDeltaBatchSize) const;
    // The stored floor at last_commit_ts(); 0 when the catalog keeps no log.
    boost::asio::awaitable<std::uint64_t> delta_floor() const;

    const std::shared_ptr<MvccStore>& store() const noexcept { return store_; }
    const CatalogStoreOptions& options() const noexcept { return options_; }

private:
    MvccStore& checked_store() const;
    // One try of the public call of the same name; the public one tries again from the current ts
    // when the store's history below the read was compacted meanwhile (read_ts_compacted).
    boost::asio::awaitable<VersionRead> latest_version_once() const;
    boost::asio::awaitable<CatalogSnapshot> snapshot_once() const;
    boost::asio::awaitable<std::uint64_t> next_route_id_once() const;
    boost::asio::awaitable<CatalogSnapshot> save_once(std::uint64_t expected_version,
                                                      std::vector<RouteDescriptor> routes) const;
    boost::asio::awaitable<SplitResult> split_once(std::uint64_t expected_version, std::uint64_t route_id,
                                                   std::string split_key) const;
    boost::asio::awaitable<CatalogChangeSet> changes_since_once(std::uint64_t after, std::int64_t limit) const;
    boost::asio::awaitable<std::uint64_t> delta_floor_once() const;
    boost::asio::awaitable<ChangesResult> apply_changes_once(std::uint64_t expected_version,
                                                             std::vector<RouteDescriptor> upserts,
                                                             std::vector<std::uint64_t> deletes,
                                                             std::shared_ptr<const RouteTable> table) const;
    boost::asio::awaitable<std::optional<std::uint64_t>> save_on(MvccStore& store, std::uint64_t expected_version,
                                                                 const std::vector<RouteDescriptor>& desired,
                                                                 bool recent) const;

    std::shared_ptr<MvccStore> store_;
    CatalogStoreOptions options_;
};

}  // namespace routecat
