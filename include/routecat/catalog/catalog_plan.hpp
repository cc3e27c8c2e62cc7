#pragma once
// The decisions of the catalog's writes as pure functions: no store, no I/O, every error the spec's.
// CatalogStore reads at one ts, asks these what to write, and commits it (the Boost.Redis way:
// decide in a pure function, do the I/O in a thin coroutine). Each function covers the steps of the
// spec that run between two reads, so errors come in the spec's order.
//
// Failures return a routecat code; when context is given it is filled with the spec's context text
// ("expected version 2, durable version 3"), empty when there is none.

#include "routecat/catalog_delta.hpp"
#include "routecat/route.hpp"
#include "routecat/store/mvcc_store.hpp"

#include <boost/system/result.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace routecat {

// §6.3: (max route id) + 1, or 1 for no routes; catalog_route_id_overflow when an id is u64 max.
boost::system::result<std::uint64_t> next_route_id_floor(const std::vector<RouteDescriptor>& routes) noexcept;

// §6.5 step 1: each route valid (§2.2, input order, first failure wins), no id twice
// (catalog_duplicate_route_id), then sorted into catalog order. No overlap checks.
boost::system::result<std::vector<RouteDescriptor>> normalize_routes(std::vector<RouteDescriptor> routes);

// The version a write from expected_version commits and the least commit ts it may use.
struct WriteVersion {
    std::uint64_t version = 0;        // expected_version + 1
    std::uint64_t min_commit_ts = 0;  // read_ts + 1

    friend bool operator==(const WriteVersion&, const WriteVersion&) = default;
};

// §6.5 steps 3-5: catalog_version_mismatch when durable != expected; catalog_version_overflow when
// the version or read_ts + 1 would wrap.
boost::system::result<WriteVersion> plan_write_version(std::uint64_t expected_version, std::uint64_t durable_version,
                                                       std::uint64_t read_ts, std::string* context = nullptr);

// [H] What a write that keeps the delta log (§11.3) read at its read ts besides the catalog.
struct DeltaLogRead {
    std::uint64_t durable_version = 0;
    std::uint64_t stored_floor = 0;  // 0 = unset
    std::uint64_t retention = kDefaultCatalogDeltaRetention;
};

// §6.5 steps 6-7: what Save writes over `existing` (as read, catalog order) to make `desired`
// (normalised): deletes of dropped routes, puts of new or changed ones (unchanged rows are not
// rewritten), [H] with a log: plan_delta_log's mutations for plan_delta(existing, desired), the
// version record, the next-route-id record.
struct SavePlan {
    std::vector<Mutation> mutations;
    std::uint64_t next_route_id = 0;  // max(stored, floor(existing), floor(desired))
    std::optional<CatalogDelta> delta;  // [H] the delta written with a log; plan_changes: always
};
boost::system::result<SavePlan> plan_save(const std::vector<RouteDescriptor>& existing,
                                          const std::vector<RouteDescriptor>& desired,
                                          std::uint64_t stored_next_route_id, const WriteVersion& version,
                                          const std::optional<DeltaLogRead>& log = std::nullopt);

// A targeted change (CatalogStore::apply_changes) as Save would write it, touching only the rows it
// names: Deletes of the deleted routes (`touched`: the stored routes the change names, as read),
// Puts of the upserts (normalised) that are new or differ from the stored route, [H] the delta log,
// the version, and next-route-id = max(next_route_id, floor(upserts)) (§6.3), where next_route_id
// is max(stored counter, floor of the stored routes). catalog_route_id_overflow for an id u64 max.
boost::system::result<SavePlan> plan_changes(const std::vector<RouteDescriptor>& touched,
                                             const std::vector<RouteDescriptor>& upserts,
                                             const std::vector<std::uint64_t>& deletes, std::uint64_t next_route_id,
                                             const WriteVersion& version,
                                             const std::optional<DeltaLogRead>& log = std::nullopt);

// §11.3 [H]: the delta from `existing` to `desired`: a Delete for each existing id not desired, an
// Upsert (the whole desired route) for each desired id new or changed, sorted by route id.
CatalogDelta plan_delta(const std::vector<RouteDescriptor>& existing, const std::vector<RouteDescriptor>& desired,
                        std::uint64_t version);

// §11.3 BuildDeltaMutationsAt on what the write read at its read ts (the durable version there and
// the stored floor, 0 when unset): the delta validated; catalog_delta_base_mismatch ("delta follows
// P, durable catalog is at C") unless it follows the durable version; then Put delta, Put floor and
// Deletes of the deltas below the new floor. The floor starts at 1 for a log begun with the catalog
// (previous version 0), else at the delta's version, and keeps the last `retention` versions.
// Every one is Mutation::guarded (a routecat extension): the version key written with them guards them.
boost::system::result<std::vector<Mutation>> plan_delta_log(const CatalogDelta& delta, std::uint64_t durable_version,
                                                            std::uint64_t stored_floor, std::uint64_t retention,
                                                            std::string* context = nullptr);

// §10.3 steps 2-4 on the catalog read at snapshot.read_ts: the route to split, or
// catalog_version_mismatch, unknown_route, split_key_at_boundary (key == start or end),
// invalid_split_key (key below start or above end).
boost::system::result<RouteDescriptor> split_parent(const CatalogSnapshot& snapshot, std::uint64_t expected_version,
                                                    std::uint64_t route_id, std::string_view split_key,
                                                    std::string* context = nullptr);

// §10.3 steps 5-7 for that parent: child ids from max(stored counter, floor of the routes), the
// children [start, key) and [key, end) with the parent's group and state, and the transaction:
// Delete parent, Put left, Put right, [H] with a log: the delta log's mutations for {Delete parent,
// Upsert left, Upsert right}, Put version, Put next-route-id = right + 1.
// catalog_route_id_overflow, catalog_version_overflow.
struct SplitPlan {
    std::vector<Mutation> mutations;
    std::uint64_t version = 0;
    std::uint64_t min_commit_ts = 0;
    RouteDescriptor left;
    RouteDescriptor right;
};
boost::system::result<SplitPlan> plan_split(const CatalogSnapshot& snapshot, const RouteDescriptor& parent,
                                            std::string_view split_key, std::uint64_t stored_next_route_id,
                                            std::uint64_t expected_version, std::string* context = nullptr,
                                            const std::optional<DeltaLogRead>& log = std::nullopt);

}  // namespace routecat
