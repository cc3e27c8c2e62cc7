#pragma once
// The decisions of the catalog's writes as pure functions: no store, no I/O, every error the spec's.
// CatalogStore reads at one ts, asks these what to write, and commits it (the Boost.Redis way:
// decide in a pure function, do the I/O in a thin coroutine). Each function covers the steps of the
// spec that run between two reads, so errors come in the spec's order.
//
// Failures return a routecat code; when context is given it is filled with the spec's context text
// ("expected version 2, durable version 3"), empty when there is none.

#include "routecat/route.hpp"
#include "routecat/store/mvcc_store.hpp"

#include <boost/system/result.hpp>

#include <cstdint>
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

// §6.5 steps 6-7: what Save writes over `existing` (as read, catalog order) to make `desired`
// (normalised): deletes of dropped routes, puts of new or changed ones (unchanged rows are not
// rewritten), the version record, the next-route-id record.
struct SavePlan {
    std::vector<Mutation> mutations;
    std::uint64_t next_route_id = 0;  // max(stored, floor(existing), floor(desired))
};
boost::system::result<SavePlan> plan_save(const std::vector<RouteDescriptor>& existing,
                                          const std::vector<RouteDescriptor>& desired,
                                          std::uint64_t stored_next_route_id, const WriteVersion& version);

// §10.3 steps 2-4 on the catalog read at snapshot.read_ts: the route to split, or
// catalog_version_mismatch, unknown_route, split_key_at_boundary (key == start or end),
// invalid_split_key (key below start or above end).
boost::system::result<RouteDescriptor> split_parent(const CatalogSnapshot& snapshot, std::uint64_t expected_version,
                                                    std::uint64_t route_id, std::string_view split_key,
                                                    std::string* context = nullptr);

// §10.3 steps 5-7 for that parent: child ids from max(stored counter, floor of the routes), the
// children [start, key) and [key, end) with the parent's group and state, and the transaction:
// Delete parent, Put left, Put right, Put version, Put next-route-id = right + 1.
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
                                            std::uint64_t expected_version, std::string* context = nullptr);

}  // namespace routecat
