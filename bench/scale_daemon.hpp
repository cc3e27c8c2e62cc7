#pragma once
// One routecatd process for scale_bench: its config (the given store; admin body limits raised so a
// 1M-route catalog fits in one PUT), its port, /readyz, its VmRSS, and a kept-alive connection whose
// replies have no size limit (a PUT of 1M routes answers with ~250 MB of routes; test::HttpConnection
// reads through Beast's default 8 MB response limit).

#include "support/process.hpp"
#include "support/temp_dir.hpp"

#include "routecat/route.hpp"

#include <boost/beast/http/verb.hpp>
#include <boost/json/object.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace routecat::bench::scale {

// Raised on every daemon scale_bench starts (routecatd's defaults: 8 MiB and 64 MiB).
inline constexpr std::size_t kAdminBodyLimitBytes = 512ull << 20;
inline constexpr std::size_t kAdminInflightBodyLimitBytes = 1024ull << 20;

struct Reply {
    unsigned status = 0;
    std::string body;
};

class Daemon {
public:
    // Starts routecatd (ROUTECATD) with config and log files <dir>/<name>.json and .log and waits for
    // its "listening on" line. store: the config's "store" object.
    Daemon(const test::TempDir& dir, const std::string& name, boost::json::object store);
    ~Daemon();

    unsigned short port() const noexcept { return port_; }
    // VmRSS from /proc/<pid>/status, in MiB.
    double rss_mib() const;
    // CPU time of all its threads (utime + stime from /proc/<pid>/stat), in seconds: on a busy machine
    // the reply times carry other processes' time slices, this does not.
    double cpu_seconds() const;
    // Polls GET /readyz until it answers 200 at a version >= at_least; that version. Throws after
    // timeout or when the daemon exits.
    std::uint64_t wait_ready(std::uint64_t at_least, std::chrono::seconds timeout);
    // One request on this daemon's kept-alive connection.
    Reply request(boost::beast::http::verb method, const std::string& target, const std::string& body = {});
    // SIGTERM, then up to 30 s to exit.
    void stop();
    std::string log() const { return process_->log(); }

private:
    struct Connection;
    std::unique_ptr<test::Process> process_;
    unsigned short port_ = 0;
    std::unique_ptr<Connection> connection_;
};

// The catalog every daemon part seeds: n adjacent text keys with room to split (catalog_routes, wide
// enough for 1M routes), and the split key of route i: inside [start, end).
std::vector<RouteDescriptor> daemon_catalog(std::size_t n);
std::string split_key_of(const RouteDescriptor& route);

// A POST /v1/catalog/split body.
std::string split_body(std::uint64_t expected_version, std::uint64_t route_id, const std::string& split_key_text);

}  // namespace routecat::bench::scale
