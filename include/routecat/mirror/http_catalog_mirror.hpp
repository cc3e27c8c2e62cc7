#pragma once
// Follows one or more routecatd's change feed (GET /v1/catalog/changes, long-polled) into a local
// Engine: the REST counterpart of spec §12's gRPC catalog mirror, for a service that routes with
// routecat's table without a store of its own.
//
// run() repeats attempts until stop() or a cancellation. An attempt tries the endpoints in order
// until one answers, then long-polls it for as long as it answers: a reset is applied with
// apply_snapshot, deltas with apply_delta, stale versions ignored (§12). A version gap (the engine's
// or the feed's) takes GET /v1/catalog and ends the attempt. A failed attempt is logged at warn,
// "catalog watch attempt failed" with the error and the engine's version, and the next one starts
// after retry_interval.
//
// A source *behind* the mirror (it answers catalog_delta_version_future: a memory store restarted,
// a backup restored) is outside §12, which never moves a version back. The mirror keeps serving its
// table, reports diverged and logs at error once; while diverged it asks the source again every
// retry_interval, and takes the source's catalog (GET /v1/catalog) once that is newer than its own
// (or at its version with the same routes). With follow_regression it takes the source's catalog at
// once instead, through Engine::reset_to. A source that went back and has already passed the
// mirror's version again by its next poll cannot be told apart from one that did not: the feed
// carries no catalog identity.

#include "routecat/engine.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/system/error_code.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace spdlog {
class logger;
}

namespace routecat {

struct HttpCatalogMirrorOptions {
    // "http://host:port" (a trailing "/" allowed; port 80 if absent), tried in this order.
    std::vector<std::string> endpoints;
    // Wait between attempts (§12's default: 250 ms); must be positive.
    std::chrono::milliseconds retry_interval{250};
    // How long the source may hold a long poll (its ?timeout=; routecatd caps it at 60 s); positive.
    std::chrono::milliseconds poll_timeout{30'000};
    // Deadline of a connect, of a GET /v1/catalog, and of a long poll's answer beyond poll_timeout;
    // positive.
    std::chrono::milliseconds request_timeout{5'000};
    // Deltas per request (?limit=); 0 or above kMaxCatalogDeltaBatchSize means that maximum.
    std::size_t batch = kMaxCatalogDeltaBatchSize;
    // Largest response body accepted (a GET /v1/catalog of the whole catalog).
    std::size_t body_limit_bytes = 64 * 1024 * 1024;
    // Outside the spec: when the source is behind, serve its catalog (Engine::reset_to) instead of
    // keeping this table and reporting diverged.
    bool follow_regression = false;
    // Null: an spdlog logger named "routecat" writing to stderr.
    std::shared_ptr<spdlog::logger> logger;
};

struct HttpCatalogMirrorStatus {
    bool running = false;
    // The source is behind this table (or holds other routes at its version): the table is kept.
    bool diverged = false;
    std::uint64_t last_version = 0;    // the engine's version after the last answer applied
    std::uint64_t source_version = 0;  // the source's version in its last answer
    std::string endpoint;              // the endpoint that answered last
    std::uint64_t attempts = 0;
    std::uint64_t failures = 0;        // failed attempts (every endpoint failed)
    std::uint64_t deltas = 0;          // deltas applied
    std::uint64_t snapshots = 0;       // whole catalogs applied: resets, gaps, catching up after diverging
    std::uint64_t regressions = 0;     // follow_regression: times the engine was reset to an older catalog
    std::string last_error;            // of the last failed attempt, or why diverged; empty once synced
    boost::system::error_code last_error_code;
    std::optional<std::chrono::system_clock::time_point> last_sync;  // the last answer applied
};

class HttpCatalogMirror {
public:
    HttpCatalogMirror(std::shared_ptr<Engine> engine, HttpCatalogMirrorOptions options);
    ~HttpCatalogMirror();
    HttpCatalogMirror(const HttpCatalogMirror&) = delete;
    HttpCatalogMirror& operator=(const HttpCatalogMirror&) = delete;

    // Validates, throwing at once: no endpoints -> catalog_watch_client_required, no engine ->
    // engine_required, a non-positive retry_interval -> catalog_watcher_interval_invalid, a bad
    // endpoint or a non-positive poll or request timeout -> invalid_config (naming it). Then follows
    // on a strand of the caller's executor until stop() or a cancellation of the awaiting coroutine,
    // and returns normally; attempt failures are logged and retried, never thrown. One run() at a
    // time.
    boost::asio::awaitable<void> run();

    // Makes run() return soon, the request in flight abandoned; safe from any thread, also before
    // run() starts. Final: a later run() returns at once (a cancellation of run() is not: run()
    // may be awaited again).
    void stop();

    HttpCatalogMirrorStatus status() const;
    const HttpCatalogMirrorOptions& options() const noexcept { return options_; }

private:
    struct State;
    struct Run;
    class Follower;

    std::shared_ptr<Engine> engine_;
    HttpCatalogMirrorOptions options_;
    std::shared_ptr<State> state_;
};

}  // namespace routecat
