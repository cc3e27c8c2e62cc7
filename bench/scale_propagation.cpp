// Split-to-served propagation between two routecatd on one etcd (etcd_bench's propagation, with a
// split instead of a Save and catalogs up to 100k routes).
//
// Per N: a fresh prefix, seeded in this process by one Save through EtcdStore + CatalogStore with the
// daemon's delta log (one txn of N puts; etcd's limits are raised for it, etcd_limits()); then
// daemons A and B start on it with the default watcher (push) and load it. Each sample splits a
// distinct random original route on A and polls B's GET /v1/routes/lookup for the split key every
// 0.5 ms until it names the new right child; the time runs from sending the split.

#include "bench_common.hpp"
#include "scale_bench.hpp"
#include "scale_daemon.hpp"

#include "support/etcd_cluster.hpp"

#include "routecat/catalog/catalog_store.hpp"
#include "routecat/store/etcd_store.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>

#include <chrono>
#include <numeric>
#include <stdexcept>
#include <thread>

namespace routecat::bench::scale {

namespace http = boost::beast::http;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

// A 100k-route seed is one txn of ~100k puts and ~100k compares plus a ~9 MB delta record (~40 MB
// of JSON): sync_bytes_bench's limits. The harness's own are 20000 ops and 32 MiB.
const std::vector<std::string>& PropagationBench::etcd_limits() {
    static const std::vector<std::string> limits = {"--max-txn-ops", "200000", "--max-request-bytes", "67108864",
                                                    "--quota-backend-bytes", "8589934592"};
    return limits;
}

// The daemons' etcd request timeout: their load and each split at 100k routes read the whole route
// range (~22 MB of JSON), which can outlast the 2 s default on a busy machine.
constexpr int kDaemonEtcdTimeoutMs = 30'000;

struct PropagationBench::Impl {
    test::EtcdCluster etcd{1, etcd_limits()};
    int prefixes = 0;
};

PropagationBench::PropagationBench() : impl_(std::make_unique<Impl>()) {}
PropagationBench::~PropagationBench() = default;

namespace {

double ms_since(Clock::time_point t0) { return std::chrono::duration<double, std::milli>(Clock::now() - t0).count(); }

void seed(const std::vector<std::string>& urls, const std::string& prefix, const std::vector<RouteDescriptor>& routes) {
    boost::asio::io_context io;
    EtcdStoreOptions options;
    options.endpoints = urls;
    options.prefix = prefix;
    options.request_timeout = std::chrono::seconds(120);
    std::string error;
    auto store = EtcdStore::create(std::move(options), io.get_executor(), &error);
    if (!store) throw std::runtime_error("EtcdStore::create: " + error);
    CatalogStoreOptions catalog_options;
    catalog_options.delta_log = true;  // as the daemon's (main.cpp)
    run(io, CatalogStore(*store, catalog_options).save(0, routes));
}

}  // namespace

PropagationFigures PropagationBench::measure(std::size_t n, std::size_t splits) {
    test::TempDir dir("routecat-scale-prop");
    const std::string prefix = "/scale/prop-" + std::to_string(impl_->prefixes++) + "/";
    const auto routes = daemon_catalog(n);
    const auto t_seed = Clock::now();
    seed(impl_->etcd.client_urls(), prefix, routes);
    progress("  etcd %zu routes: seeded in %.1f s", n, ms_since(t_seed) / 1000);

    boost::json::array endpoints;
    for (const auto& url : impl_->etcd.client_urls()) endpoints.emplace_back(url);
    const boost::json::object store{
        {"kind", "etcd"}, {"endpoints", endpoints}, {"prefix", prefix}, {"request_timeout_ms", kDaemonEtcdTimeoutMs}};
    Daemon a(dir, "a", store), b(dir, "b", store);
    std::uint64_t version = a.wait_ready(1, 600s);
    b.wait_ready(version, 600s);

    std::vector<std::size_t> order(n);
    std::iota(order.begin(), order.end(), 0);
    std::shuffle(order.begin(), order.end(), std::mt19937_64(13));
    PropagationFigures f;
    f.routes = n;
    f.samples = std::min(splits, n);
    std::vector<double> total, reply;
    for (std::size_t s = 0; s < f.samples; ++s) {
        const auto& route = routes[order[s]];
        const std::string key = split_key_of(route);
        const auto t0 = Clock::now();
        const Reply r = a.request(http::verb::post, "/v1/catalog/split", split_body(version, route.route_id, key));
        reply.push_back(ms_since(t0));
        if (r.status != 200) throw std::runtime_error("split on A: " + std::to_string(r.status) + " " + r.body);
        const auto answer = boost::json::parse(r.body);
        version = answer.at("version").to_number<std::uint64_t>();
        const auto right = answer.at("right").at("route_id").to_number<std::uint64_t>();
        for (;;) {
            const Reply lookup = b.request(http::verb::get, "/v1/routes/lookup?key=" + key);
            if (lookup.status == 200 &&
                boost::json::parse(lookup.body).at("route").at("route_id").to_number<std::uint64_t>() == right)
                break;
            if (ms_since(t0) > 120'000) throw std::runtime_error("B did not serve the split within 120 s: " + lookup.body);
            std::this_thread::sleep_for(500us);
        }
        total.push_back(ms_since(t0));
        std::this_thread::sleep_for(std::chrono::milliseconds(7 * (s % 5)));  // splits not in step with the poll
    }
    f.total_ms = percentiles(total);
    f.reply_ms = percentiles(reply);
    a.stop();
    b.stop();
    return f;
}

}  // namespace routecat::bench::scale
