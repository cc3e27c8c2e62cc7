#pragma once
// The admin API as a pure function from request to response (DESIGN.md "Admin HTTP API"): no
// sockets, so an embedder can serve it from its own Beast server and tests call it directly.

#include "routecat/admin/metrics.hpp"
#include "routecat/admin/shutdown.hpp"
#include "routecat/admin/http.hpp"
#include "routecat/catalog/catalog_loader.hpp"
#include "routecat/catalog/catalog_store.hpp"
#include "routecat/catalog/catalog_watcher.hpp"
#include "routecat/engine.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/beast/http/status.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace routecat::admin {

struct AdminOptions {
    // Bearer token every mutation (PUT, POST) must carry; none = mutations are open.
    std::optional<std::string> token;
    // Origins whose browsers may call the API (CORS); "*" allows any. Any other Origin is 403
    // forbidden_origin, unless it is this server itself (http:// + an allowed Host).
    std::vector<std::string> cors_origins;
    // Host names a request may name besides localhost, loopback addresses and listen_address; any
    // other Host is 421 misdirected_request (DNS rebinding). /healthz and /readyz answer any Host.
    std::vector<std::string> allowed_hosts;
    // The address the server listens on, also an allowed Host (the daemon sets its listen.address).
    std::string listen_address;
    // Longest a GET /v1/routes?wait_version= long poll may wait.
    std::chrono::milliseconds max_long_poll{60'000};
    // How often an idle change stream sends a comment, so proxies and clients see it is alive.
    std::chrono::milliseconds stream_heartbeat{15'000};

    friend bool operator==(const AdminOptions&, const AdminOptions&) = default;
};

struct AdminContext {
    CatalogStore catalog{nullptr};
    std::shared_ptr<Engine> engine;
    std::shared_ptr<const CatalogWatcher> watcher;  // optional: readiness and stats use its status
    AdminOptions options;
    std::shared_ptr<Metrics> metrics;  // optional: GET /metrics and per-request counters
    std::shared_ptr<Shutdown> shutdown;  // optional: once begun, long polls answer at once
    // Optional: the start-up load of the catalog. Until it has loaded, /readyz is 503 (not_synced, or
    // catalog_invalid) and every /v1/routes* endpoint 503 not_synced, never the placeholder table.
    std::shared_ptr<const CatalogLoader> loader;
    // What the catalog is stored in ("memory", "rocksdb", "etcd"), for GET /v1/stats; empty = not said.
    std::string store_kind;
};

// A streamed reply (GET /v1/catalog/changes/stream) holds copies of what it needs from context.
boost::asio::awaitable<Reply> handle_admin_request(const AdminContext& context, Request request);

// The same answer at once, without a coroutine, when the request needs no waiting: lookups, batch
// lookups, intersections, stats, /healthz, /metrics, the web console's files (/ui/) and every
// refusal (404, 405, 401, 415, ...).
// nullopt for the rest: then call handle_admin_request with the request.
std::optional<Reply> handle_admin_request_now(const AdminContext& context, const Request& request);

// The HTTP status a routecat error maps to (400 input, 409 conflicts, 422 validation, 503 store
// unreachable, 500 anything else).
boost::beast::http::status status_for(const boost::system::error_code& ec);

}  // namespace routecat::admin
