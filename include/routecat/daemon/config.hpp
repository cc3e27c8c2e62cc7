#pragma once
// routecatd's configuration (DESIGN.md, "Daemon and set-up"): the JSON schema as plain structs with
// the documented defaults, and a strict parser. It lives in the library so tests and embedders can
// use it; nothing here reads files, the environment or global state.

#include "routecat/route.hpp"

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

enum class StoreKind { rocksdb, memory, etcd };

struct StoreConfig {
    StoreKind kind = StoreKind::rocksdb;
    std::string path = "./data/routecat";                            // rocksdb
    std::vector<std::string> endpoints{"http://127.0.0.1:2379"};    // etcd
    std::string prefix = "/routecat/";                              // etcd
    std::optional<std::string> token;                               // etcd
    std::chrono::milliseconds request_timeout{2000};                // etcd

    friend bool operator==(const StoreConfig&, const StoreConfig&) = default;
};

struct WatcherConfig {
    std::chrono::milliseconds interval{100};
    std::chrono::milliseconds max_backoff{5000};  // 0 = the spec's fixed interval
    bool push = true;  // wake on the store's change notifications (etcd: a watch), not only on the timer

    friend bool operator==(const WatcherConfig&, const WatcherConfig&) = default;
};

struct EngineConfig {
    std::uint64_t hotspot_threshold = 0;
    // Without route ids (assigned when the catalog is seeded); empty = one full-keyspace route in
    // group 1. Validated (§2.2 with a stand-in id) and non-overlapping; kept in the order given.
    std::vector<RouteDescriptor> bootstrap_routes;

    friend bool operator==(const EngineConfig&, const EngineConfig&) = default;
};

struct AdminConfig {
    // At most one of the three is set.
    std::optional<std::string> token, token_file, token_env;
    std::size_t body_limit_bytes = 8388608;
    std::chrono::milliseconds header_timeout{10000}, idle_timeout{60000};
    std::size_t max_connections = 1024;
    std::chrono::milliseconds drain_timeout{10000};
    std::vector<std::string> cors_origins;

    friend bool operator==(const AdminConfig&, const AdminConfig&) = default;
};

struct LogConfig {
    std::string level = "info";  // trace, debug, info, warn, error, critical, off

    friend bool operator==(const LogConfig&, const LogConfig&) = default;
};

struct DaemonConfig {
    ListenConfig listen;
    unsigned threads = 0;  // 0 = hardware threads
    StoreConfig store;
    WatcherConfig watcher;
    EngineConfig engine;
    AdminConfig admin;
    LogConfig log;

    friend bool operator==(const DaemonConfig&, const DaemonConfig&) = default;
};

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
