#pragma once
// routecatd's configuration (DESIGN.md, "Daemon and set-up"): the JSON schema as plain structs with
// the documented defaults, and a strict parser. It lives in the library so tests and embedders can
// use it; nothing here reads files, the environment or global state.

#include "routecat/admin/router.hpp"
#include "routecat/admin/server.hpp"
#include "routecat/catalog/catalog_watcher.hpp"
#include "routecat/engine.hpp"
#include "routecat/route.hpp"
#include "routecat/store/make_store.hpp"

#include <boost/system/result.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace routecat::daemon {

struct ListenConfig {
    std::string address = "127.0.0.1";  // an IPv4 or IPv6 address literal (no brackets)
    std::uint16_t port = 8080;           // 0 = any free port

    friend bool operator==(const ListenConfig&, const ListenConfig&) = default;
};

struct EngineConfig {
    EngineOptions options;
    // Without route ids (assigned when the catalog is seeded); empty = one full-keyspace route in
    // group 1. Validated (§2.2 with a stand-in id) and non-overlapping; kept in the order given.
    std::vector<RouteDescriptor> bootstrap_routes;

    friend bool operator==(const EngineConfig&, const EngineConfig&) = default;
};

struct AdminConfig {
    admin::ServerOptions server;  // body_limit_bytes, header_timeout_ms, idle_timeout_ms, max_connections
    admin::AdminOptions api;      // token (admin.token), cors_origins
    // Where else the token may come from; at most one of api.token, token_file, token_env is set.
    std::optional<std::string> token_file, token_env;
    std::chrono::milliseconds drain_timeout{10000};

    friend bool operator==(const AdminConfig&, const AdminConfig&) = default;
};

struct LogConfig {
    std::string level = "info";  // trace, debug, info, warn, error, critical, off

    friend bool operator==(const LogConfig&, const LogConfig&) = default;
};

// The daemon's store unless configured: RocksDB under ./data/routecat; a local etcd when store.kind
// is etcd; 10,000 versions of history kept (the library keeps all).
inline StoreConfig daemon_store_defaults() {
    StoreConfig store;
    store.kind = StoreKind::rocksdb;
    store.retain_versions = 10'000;
    store.rocksdb.path = "./data/routecat";
    store.etcd.endpoints = {"http://127.0.0.1:2379"};
    return store;
}

// The daemon's engine unless configured: hotspot splits (when enabled) are capped.
inline EngineConfig daemon_engine_defaults() {
    EngineConfig engine;
    engine.options.max_split_key_bytes = 256;
    engine.options.max_access_split_routes = 10'000;
    return engine;
}

// Where the etcd login's password comes from: exactly one of them when store.username is set (the
// password itself is never in the config file).
struct StorePasswordSource {
    std::optional<std::string> file, env;

    friend bool operator==(const StorePasswordSource&, const StorePasswordSource&) = default;
};

// The library's option structs with the daemon's defaults where they differ (DESIGN.md "Daemon and
// set-up"); every other default is the library's own.
struct DaemonConfig {
    ListenConfig listen;
    unsigned threads = 0;  // 0 = hardware threads
    StoreConfig store = daemon_store_defaults();
    StorePasswordSource store_password;  // store.password_file / store.password_env
    CatalogWatcherOptions watcher;  // its logger is the daemon's
    EngineConfig engine = daemon_engine_defaults();
    AdminConfig admin;
    LogConfig log;

    friend bool operator==(const DaemonConfig&, const DaemonConfig&) = default;
};

// keyviz.columns x keyviz.max_rows_per_column at most (about 130 MB of rows at ~120 bytes each).
inline constexpr std::uint64_t kMaxKeyVizRows = 1'048'576;

// The upper bound of every *_ms duration key (one year): keeps timer arithmetic far from overflow.
inline constexpr std::uint64_t kMaxDurationMs = 31536000000;

// Parses a config file's text: one JSON object, every key optional (defaults as above). Every failure
// is errc::invalid_config with error = "<dotted.path>: <what>", e.g. "admin.tokn: unknown key",
// "watcher.interval_ms: expected a non-negative integer", "config: invalid JSON at line 3, column 7
// (offset 42): syntax error".
boost::system::result<DaemonConfig> parse_daemon_config(std::string_view json_text, std::string& error);

// Parses --listen's "ADDR:PORT": "127.0.0.1:8080", "0.0.0.0:80", "[::1]:9000" (IPv6 in brackets);
// port 0-65535 (0 = any free port). Failures are errc::invalid_config with error = "--listen: <what>".
boost::system::result<ListenConfig> parse_listen(std::string_view text, std::string& error);

}  // namespace routecat::daemon
