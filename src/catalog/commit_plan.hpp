#pragma once
// The commit step every catalog write shares (Save, split, targeted changes: spec §6.5 steps 8-9),
// including the decision by reads when the store lost the commit's answer.

#include "routecat/catalog/catalog_store.hpp"
#include "routecat/error.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/system/system_error.hpp>

#include <cstdint>
#include <optional>
#include <unordered_set>
#include <utility>
#include <vector>

namespace routecat {

// §6.1 step 2 for one row: the key parses, the record decodes, ids agree and are not repeated.
RouteDescriptor decode_route_row(const KeyValue& row, std::unordered_set<std::uint64_t>& seen);

// The catalog a commit leaves behind: what the re-read after an unknown outcome must find.
struct CatalogAfter {
    std::uint64_t version = 0;
    std::vector<RouteDescriptor> routes;  // the whole table in catalog order (unless touched is set)
    // A targeted change: only these rows are compared, each id with its route or none when deleted.
    std::optional<std::vector<std::pair<std::uint64_t, std::optional<RouteDescriptor>>>> touched;
};

// Steps 8-9: true when the mutations committed, false on a conflict (the caller's version
// mismatch). When the store cannot tell whether the commit landed (its answer was lost and a
// re-send failed its compares), reads decide: it landed iff the catalog, at the first ts where its
// version reached `after.version`, holds exactly `after` (another writer saving the very same table
// at the same version is indistinguishable, and as good). Looking at that ts rather than at the
// current one matters: other writers may have saved on top of ours before the re-read. commit_ts
// gets the commit's ts (after reads: that first ts). When the reads fail (the store is still
// down, or the history is compacted), the outcome stays unknown: the store's
// commit_outcome_unknown is thrown.
boost::asio::awaitable<bool> commit_plan(const CatalogStore& catalog, MvccStore& store, std::vector<Mutation> mutations,
                                         std::uint64_t read_ts, std::uint64_t min_commit_ts, const CatalogAfter& after,
                                         std::uint64_t* commit_ts = nullptr);

// Issue 13: a store with bounded history fails a read below its horizon with read_ts_compacted. An
// operation whose reads were overtaken (more commits than the store retains landed while it read)
// runs again from the current ts; nothing was written by the failed try (a write below the horizon is
// a write_conflict, never this). Three tries: only a store compacting faster than one read gives up.
template <class Op>
auto reread_if_compacted(Op op) -> decltype(op()) {
    constexpr int kTries = 3;
    for (int attempt = 1;; ++attempt) {
        try {
            co_return co_await op();
        } catch (const boost::system::system_error& e) {
            if (e.code() != errc::read_ts_compacted || attempt == kTries) throw;
        }
    }
}

}  // namespace routecat
