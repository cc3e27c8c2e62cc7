#pragma once
// Keeps an Engine in step with the durable catalog (spec §9, variant C): one coroutine that syncs,
// then waits on a steady_timer for the interval, and again, until it is cancelled or stopped.
//
// Two departures from §9.3, each an option (DESIGN.md "Concurrency"); CatalogWatcherOptions::spec()
// turns both off and gives the spec's behaviour exactly:
//  - push: when the store can push (MvccStore::wait_for_change), a commit wakes the loop at once;
//  - backoff: after consecutive failures the wait doubles, with jitter, up to max_backoff, and
//    returns to the interval after a success.

#include "routecat/catalog/catalog_store.hpp"
#include "routecat/engine.hpp"

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <string>

namespace spdlog {
class logger;
}

namespace routecat {

struct CatalogWatcherOptions {
    // Wait between syncs; a non-positive value keeps the default (as WithCatalogWatcherInterval).
    std::chrono::milliseconds interval{100};
    // Null keeps the default: an spdlog logger named "routecat" writing to stderr.
    std::shared_ptr<spdlog::logger> logger;
    bool push = true;
    // Longest wait after failures; 0 = no backoff (the spec's fixed interval).
    std::chrono::milliseconds max_backoff{5000};
    // [H] Follow the catalog's delta log (CatalogStore::changes_since) when the engine has a version
    // and only catalog routes (an empty engine or ephemeral id-0 routes take the snapshot path; a
    // catalog without a log answers with its snapshot, applied as is).
    bool follow_deltas = true;
    // [H] On a version gap in the log, apply one snapshot instead of failing the sync.
    bool snapshot_on_gap = true;

    friend bool operator==(const CatalogWatcherOptions&, const CatalogWatcherOptions&) = default;

    // The spec's watcher: no push, no backoff.
    static CatalogWatcherOptions spec(std::chrono::milliseconds interval = std::chrono::milliseconds{100}) {
        CatalogWatcherOptions o;
        o.interval = interval;
        o.push = false;
        o.max_backoff = std::chrono::milliseconds{0};
        o.follow_deltas = false;
        o.snapshot_on_gap = false;
        return o;
    }
};

// What the stats endpoint shows of the watcher.
struct CatalogWatcherStatus {
    bool running = false;
    std::uint64_t syncs = 0;                 // sync attempts, failed ones included
    std::uint64_t failures = 0;
    std::uint64_t consecutive_failures = 0;
    std::uint64_t last_applied_version = 0;  // last version this watcher applied to the engine
    std::uint64_t last_read_ts = 0;          // read ts of the last successful sync
    std::optional<std::chrono::system_clock::time_point> last_sync;  // end of the last successful sync
    std::string last_error;                  // of the last failed sync; empty after a success
};

// The default logger (stderr, name "routecat"); the library never writes to stdout.
std::shared_ptr<spdlog::logger> default_logger();

class CatalogWatcher {
public:
    CatalogWatcher(CatalogStore catalog, std::shared_ptr<Engine> engine, CatalogWatcherOptions options = {});
    ~CatalogWatcher();
    CatalogWatcher(const CatalogWatcher&) = delete;
    CatalogWatcher& operator=(const CatalogWatcher&) = delete;

    // §9.3: validates (throwing catalog_store_required / engine_required at once), syncs, then syncs
    // once per interval. Sync errors are logged and retried, never thrown. Returns normally when its
    // cancellation slot fires (terminal cancellation) or stop() is called; a cancellation is never
    // logged as an error. One run() at a time.
    boost::asio::awaitable<void> run();

    // §9.2: applies the durable catalog to the engine if it is newer; returns whether it applied.
    // Reads no routes when the durable version is not newer; swallows a stale-version error. A read
    // that hits the store's retention horizon (read_ts_compacted) is followed by a snapshot read at
    // the current ts.
    boost::asio::awaitable<bool> sync_once();

    // Makes run() return soon; safe from any thread, also before run() starts waiting (its wake-up is
    // posted to the strand the waits run on).
    void stop();

    CatalogWatcherStatus status() const;
    const CatalogWatcherOptions& options() const noexcept { return options_; }

private:
    // Applies the log's deltas (or the reset snapshot changes_since answers with) until the engine
    // reaches `version`; false when the snapshot path must take over (a gap, with snapshot_on_gap).
    boost::asio::awaitable<bool> follow_deltas(std::uint64_t version);
    // One sync at the current ts: by deltas when allowed and possible, else a snapshot.
    boost::asio::awaitable<bool> sync_at_latest(bool may_follow_deltas);
    enum class Wake { timer, push, stop, cancelled };

    void validate() const;
    boost::asio::awaitable<void> logged_sync(const char* failure_message);
    boost::asio::awaitable<Wake> wait_next();
    std::chrono::milliseconds next_delay();

    struct State;  // the stop signal, the wait's strand, the jitter source and the status

    CatalogStore catalog_;
    std::shared_ptr<Engine> engine_;
    CatalogWatcherOptions options_;
    std::shared_ptr<State> state_;  // shared with handlers posted to the wait's strand
};

}  // namespace routecat
