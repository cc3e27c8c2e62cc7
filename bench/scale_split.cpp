// Split latency and daemon RSS on one routecatd (memory or RocksDB store).
//
// Seed: memory through PUT /v1/catalog (the only way into a memory store; the admin body limits are
// raised for it, scale_daemon.hpp); RocksDB by a Save of the catalog into the data directory in this
// process (RocksDbStore + CatalogStore with the daemon's delta log), then the daemon starts on it and
// loads it as after a restart: no JSON body, so the RSS after load is the daemon's own.
// Then splits of distinct random original routes, one at a time, each expecting the version the
// previous reply gave; the first timed_splits replies are the latency sample.

#include "bench_common.hpp"
#include "scale_bench.hpp"
#include "scale_daemon.hpp"

#include "routecat/catalog/catalog_store.hpp"
#include "routecat/store/rocksdb_store.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/json.hpp>

#include <chrono>
#include <numeric>
#include <stdexcept>
#include <thread>

namespace routecat::bench::scale {

namespace http = boost::beast::http;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

const char* name_of(DaemonStore store) { return store == DaemonStore::memory ? "memory" : "RocksDB"; }

namespace {

double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

std::string put_body(std::uint64_t expected_version, const std::vector<RouteDescriptor>& routes) {
    // Built as text: boost::json values of 1M routes would cost this process ~1 GB for nothing.
    std::string body = R"({"expected_version":)" + std::to_string(expected_version) + R"(,"routes":[)";
    for (std::size_t i = 0; i < routes.size(); ++i) {
        const auto& r = routes[i];
        body += (i ? ",{" : "{");
        body += R"("route_id":)" + std::to_string(r.route_id) + R"(,"start_text":")" + r.start + '"';
        if (r.end) body += R"(,"end_text":")" + *r.end + '"';
        body += R"(,"group_id":)" + std::to_string(r.group_id) + "}";
    }
    return body + "]}";
}

// The daemon's catalog options (main.cpp: the delta log on), so the seeded directory is what the
// daemon itself would have written.
void seed_rocksdb(const std::string& path, const std::vector<RouteDescriptor>& routes) {
    boost::asio::io_context io;
    boost::asio::thread_pool pool(2);
    std::string error;
    auto store = RocksDbStore::open({path, true}, pool.get_executor(), &error);
    if (!store) throw std::runtime_error("RocksDbStore::open: " + error);
    CatalogStoreOptions options;
    options.delta_log = true;
    CatalogStore catalog(*store, options);
    run(io, catalog.save(0, routes));
}  // the store closes here, before the daemon opens the directory

}  // namespace

SplitFigures measure_splits(DaemonStore kind, std::size_t n, const Settings& settings) {
    test::TempDir dir("routecat-scale");
    const auto routes = daemon_catalog(n);
    SplitFigures f;
    f.routes = n;

    boost::json::object store{{"kind", kind == DaemonStore::memory ? "memory" : "rocksdb"}};
    if (kind == DaemonStore::rocksdb) {
        store["path"] = dir.str() + "/db";
        const auto t0 = Clock::now();
        seed_rocksdb(dir.str() + "/db", routes);
        f.seed_s = seconds_since(t0);
    }
    const auto started = Clock::now();
    Daemon daemon(dir, "routecatd", store);
    std::uint64_t version = daemon.wait_ready(1, 3600s);
    f.load_s = seconds_since(started);
    if (kind == DaemonStore::memory) {
        const std::string body = put_body(version, routes);
        progress("  seeding memory: PUT /v1/catalog of %zu routes, %.1f MB", n, static_cast<double>(body.size()) / 1e6);
        const auto t0 = Clock::now();
        const Reply put = daemon.request(http::verb::put, "/v1/catalog", body);
        f.seed_s = seconds_since(t0);
        if (put.status != 200) throw std::runtime_error("seed PUT: " + std::to_string(put.status) + " " + put.body.substr(0, 500));
        version = daemon.wait_ready(version + 1, 60s);
    }
    std::this_thread::sleep_for(1s);  // let the load's last frees and background work settle
    f.rss_loaded_mib = daemon.rss_mib();
    progress("  %s %zu routes: seed %.1f s, load %.1f s, RSS %.0f MiB", name_of(kind), n, f.seed_s, f.load_s,
             f.rss_loaded_mib);

    // Distinct original routes, so each split's route still exists.
    std::vector<std::size_t> order(n);
    std::iota(order.begin(), order.end(), 0);
    std::shuffle(order.begin(), order.end(), std::mt19937_64(11));
    f.splits = std::min(settings.total_splits, n);
    std::vector<double> ms;
    const auto t_splits = Clock::now();
    const double cpu_before = daemon.cpu_seconds();
    for (std::size_t s = 0; s < f.splits; ++s) {
        const auto& route = routes[order[s]];
        const std::string body = split_body(version, route.route_id, split_key_of(route));
        const auto t0 = Clock::now();
        const Reply r = daemon.request(http::verb::post, "/v1/catalog/split", body);
        const double elapsed = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
        if (r.status != 200) throw std::runtime_error("split: " + std::to_string(r.status) + " " + r.body);
        version = boost::json::parse(r.body).at("version").to_number<std::uint64_t>();
        if (s < settings.timed_splits) ms.push_back(elapsed);
        if (s + 1 == std::min(settings.timed_splits, f.splits))
            f.cpu_ms_per_split = (daemon.cpu_seconds() - cpu_before) * 1000 / static_cast<double>(ms.size());
        if ((s + 1) % 100 == 0)
            progress("  %s %zu routes: %zu/%zu splits, %.1f s", name_of(kind), n, s + 1, f.splits, seconds_since(t_splits));
    }
    f.split_ms = percentiles(ms);
    std::this_thread::sleep_for(1s);
    f.rss_after_splits_mib = daemon.rss_mib();
    daemon.stop();
    return f;
}

}  // namespace routecat::bench::scale
