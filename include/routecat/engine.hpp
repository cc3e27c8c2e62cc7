#pragma once
// The routing engine (spec §7): the in-memory route table with point lookup, range intersection,
// per-route load counters, hotspot splits, a timestamp counter and atomic snapshot application.
//
// Concurrency (DESIGN.md): readers load an immutable RouteTable atomically and never wait for a
// writer; writers (apply_snapshot, update_route, splits) serialise on one mutex, build a new table
// aside and publish it. Every publish bumps the generation; only apply_snapshot moves the version.

#include "routecat/route.hpp"
#include "routecat/catalog_delta.hpp"
#include "routecat/keyviz.hpp"
#include "routecat/route_history.hpp"
#include "routecat/route_table.hpp"
#include "routecat/split_policy.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/system/error_code.hpp>

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace routecat {
class Engine;
namespace detail {
class ChangeNotifier;
class KeyVizRing;
class RouteIdIndex;
void set_history_depth_for_test(Engine& engine, std::size_t depth);
}

// Told, once, when a cap first stops a hotspot split (why, e.g. for a log line).
using SplitCappedHandler = std::function<void(std::string_view reason)>;

struct EngineOptions {
    // Accesses that make a route split (§7.6); 0 disables splitting.
    std::uint64_t hotspot_threshold = 0;
    // Chooses split keys; null = the spec's StartSuccessorSplit.
    std::shared_ptr<const SplitPolicy> split_policy;
    // Versions kept by the history ring; 0 = no ring.
    std::size_t history_depth = kDefaultRouteHistoryDepth;
    // Caps on hotspot splits, so accesses cannot grow the table or its keys without bound (§7.6 has
    // none: 0 = unlimited, the spec's behaviour). A split whose key is longer than
    // max_split_key_bytes, or that would take the routes created by access splits past
    // max_access_split_routes (two per split), is skipped: the route's load is reset and the skip
    // counted (skipped_splits()).
    std::size_t max_split_key_bytes = 0;
    std::uint64_t max_access_split_routes = 0;
    std::shared_ptr<const SplitCappedHandler> on_split_capped;  // optional
    // The key visualizer's time columns (keyviz.hpp); columns = 0 turns it off.
    KeyVizOptions keyviz;

    friend bool operator==(const EngineOptions&, const EngineOptions&) = default;
};

// §7.8 step 2's checks of a snapshot's routes, without applying them: each route valid (§2.2, input
// order; a duplicate id before the first invalid route is reported first, as
// engine_snapshot_duplicate_id), then, sorted by start, no equal starts or route after an unbounded
// one (engine_snapshot_route_order) and no overlap (engine_snapshot_route_overlap). Sorts routes by
// start (stable) on the way.
boost::system::error_code check_snapshot_routes(std::vector<RouteDescriptor>& routes);

class Engine {
public:
    // An empty table at version 0 (NewEngine / NewEngineWithThreshold).
    explicit Engine(EngineOptions options = {});
    ~Engine();
    Engine(const Engine&) = delete;
    Engine& operator=(const Engine&) = delete;

    static std::shared_ptr<Engine> with_threshold(std::uint64_t hotspot_threshold);
    // One route over the whole keyspace in group 1, recorded in the history as version 0.
    static std::shared_ptr<Engine> with_default_route(EngineOptions options = {});

    // Appends an ephemeral Active route and re-sorts (§7.2): no validation, version unchanged.
    void update_route(std::string_view start, std::optional<std::string_view> end, std::uint64_t group_id);

    // Many update_route calls in one publish (e.g. a daemon's bootstrap routes), keeping each
    // route's state; route ids are dropped (ephemeral, 0). No validation, version unchanged.
    void update_routes(const std::vector<RouteDescriptor>& routes);

    // §7.3: the route with the greatest start <= key, if it holds key.
    std::optional<Route> get_route(std::string_view key) const;
    // §7.4: routes intersecting [start, end) (no end = +inf), in table order.
    std::vector<Route> intersecting(std::string_view start, std::optional<std::string_view> end) const;
    // §7.5: every route with its load, in table order.
    std::vector<Route> stats() const;

    // §7.6: counts an access on the route holding key; at the threshold the route splits once
    // (unless a cap of EngineOptions stops it). Both kinds count toward the load; the key
    // visualizer's open column counts them apart, with the key's bytes.
    void record_access(std::string_view key, AccessKind kind = AccessKind::read);
    // Routes created by access splits so far, and splits a cap skipped.
    std::uint64_t access_split_routes() const noexcept { return access_split_routes_.load(); }
    std::uint64_t skipped_splits() const noexcept { return skipped_splits_.load(); }

    // §7.7: 1, 2, 3, ... across all threads; not persisted.
    std::uint64_t next_timestamp() noexcept;

    std::uint64_t version() const noexcept;
    std::uint64_t generation() const noexcept;
    // The current table: many reads against one consistent table (e.g. paging through routes).
    std::shared_ptr<const RouteTable> table() const noexcept;

    // §7.8: replaces the table when snapshot.version is newer; an equal version is a no-op; an older
    // one is engine_snapshot_version_stale (context "snapshot version S is older than engine catalog
    // version C" when context is given). Validation errors change nothing.
    boost::system::error_code apply_snapshot(CatalogSnapshot snapshot, std::string* context = nullptr);

    // §11.5 [H]: applies one catalog delta. The delta is validated first (§11.2); an older version is
    // engine_snapshot_version_stale, the current one a no-op, one that does not follow the current
    // version engine_delta_version_gap ("delta V follows P, engine is at C"). Routes are taken by id
    // (a delta from version 0 drops ephemeral id-0 routes first), Deletes remove, Upserts set and keep
    // the load of the route they replace; then §7.8's order check. Any error changes nothing. On a
    // table without ephemeral routes it costs the chunks the delta touches, not the table.
    boost::system::error_code apply_delta(const CatalogDelta& delta, std::string* context = nullptr);

    // Outside the spec (§7.8 never moves the version backwards): replaces the table and the version
    // with snapshot's whatever the current version, older, equal or newer. For a follower whose source
    // went back (a restarted memory store, a restored backup) and that chooses to serve the source's
    // table rather than its own (HttpCatalogMirrorOptions::follow_regression). Validation as
    // apply_snapshot's; an error changes nothing. Loads start at 0. The history ring is cleared and
    // holds the new version alone: the versions it held may now name other tables. Waiters of
    // wait_for_version_above complete only if the new version is above what they wait for.
    boost::system::error_code reset_to(CatalogSnapshot snapshot);

    // Completes as soon as version() > after (at once if it already is): long polls wait here
    // without holding a thread. Cancellable (throws operation_aborted).
    boost::asio::awaitable<void> wait_for_version_above(std::uint64_t after);

    // The key visualizer (keyviz.hpp). Nothing closes a column but this: a daemon calls it on a
    // timer (run_keyviz_clock) with the wall clock. It closes the open column once now_unix_ms has
    // reached its end (reading every route's open-column word: the table's size, once a column);
    // the first call starts the clock. No-ops when keyviz.columns is 0.
    void advance_keyviz(std::uint64_t now_unix_ms);
    // Closed columns overlapping [from_ms, to_ms), oldest first, shared (never copied).
    std::vector<std::shared_ptr<const KeyVizColumn>> keyviz_columns(std::uint64_t from_ms, std::uint64_t to_ms) const;
    std::optional<std::uint64_t> keyviz_open_column_start() const;
    // What the closed columns, the spill map and the key sample hold, in bytes.
    std::size_t keyviz_memory_bytes() const;
    const KeyVizOptions& keyviz_options() const noexcept { return keyviz_options_; }

    // §7.9.
    std::optional<HistorySnapshot> snapshot_at(std::uint64_t version) const;
    std::optional<HistorySnapshot> current() const;
    std::size_t history_depth() const;

private:
    friend void detail::set_history_depth_for_test(Engine& engine, std::size_t depth);

    void publish_locked(std::shared_ptr<const RouteTable> table);
    // Publishes a table that moves the version: history, then the waiters.
    void publish_version_locked(std::shared_ptr<const RouteTable> table);

    void skip_split_locked(std::string_view reason);
    // §11.5 on a table without ephemeral routes: rebuilds only the chunks the delta touches.
    boost::system::error_code apply_delta_in_place_locked(const RouteTable& current, const CatalogDelta& delta);

    const std::uint64_t threshold_;
    const std::shared_ptr<const SplitPolicy> split_policy_;
    const std::size_t max_split_key_bytes_;
    const std::uint64_t max_access_split_routes_;
    const std::shared_ptr<const SplitCappedHandler> on_split_capped_;
    std::atomic<std::uint64_t> access_split_routes_{0};
    std::atomic<std::uint64_t> skipped_splits_{0};
    std::atomic<std::shared_ptr<const RouteTable>> table_;
    std::mutex writer_mutex_;
    std::atomic<std::uint64_t> timestamp_{0};
    RouteHistory history_;
    std::unique_ptr<detail::ChangeNotifier> version_notifier_;
    std::unique_ptr<detail::RouteIdIndex> id_index_;  // the writer's: under writer_mutex_
    const KeyVizOptions keyviz_options_;
    std::unique_ptr<detail::KeyVizRing> keyviz_;  // null when turned off
};

}  // namespace routecat
