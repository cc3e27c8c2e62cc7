// etcd: what a Save costs over a bare transaction, and how fast a Save on one daemon reaches another.
//
// 1. Save latency through EtcdStore (CatalogStore::save: one range read of the catalog, one txn with a
//    compare per written key) against a raw txn with ONE compare and the same puts, sent by the same
//    HTTP client (detail::EtcdClient) to the same single-member etcd. Catalogs of 10, 100, 1000 routes;
//    one route changes per Save, so each txn writes 3 keys.
// 2. Propagation: two routecatd processes on that etcd; a PUT /v1/catalog on A, then B is polled
//    (lookup every 0.5 ms) until it serves the new group. Median and p99, with the watch (push) and
//    with the 100 ms poll alone (watcher.push false).
//
// Starts its own etcd (tests/support/etcd_cluster.hpp) and daemons; needs ROUTECATD (set by CMake).

#include "bench_support.hpp"

#include "etcd/etcd_client.hpp"
#include "etcd/etcd_messages.hpp"
#include "support/etcd_cluster.hpp"
#include "support/http_client.hpp"
#include "support/process.hpp"

#include "routecat/catalog/catalog_store.hpp"
#include "routecat/codec.hpp"
#include "routecat/store/etcd_store.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/json.hpp>

#include <fstream>
#include <thread>

namespace routecat::bench {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

test::EtcdCluster* g_etcd = nullptr;
int g_prefixes = 0;


std::vector<RouteDescriptor> catalog_of(std::size_t n) {
    std::vector<RouteDescriptor> routes;
    for (std::size_t i = 0; i < n; ++i) {
        RouteDescriptor r;
        r.route_id = i + 1;
        r.start = i == 0 ? std::string() : "key-" + std::to_string(100000 + i);
        if (i + 1 < n) r.end = "key-" + std::to_string(100000 + i + 1);
        r.group_id = 1 + i % 7;
        routes.push_back(std::move(r));
    }
    return routes;
}

std::shared_ptr<EtcdStore> make_store(asio::io_context& io, std::string prefix) {
    EtcdStoreOptions options;
    options.endpoints = g_etcd->client_urls();
    options.prefix = std::move(prefix);
    return *EtcdStore::create(std::move(options), io.get_executor());
}

void BM_EtcdSave(benchmark::State& state) {
    asio::io_context io;
    auto store = make_store(io, "/bench/save-" + std::to_string(g_prefixes++) + "/");
    CatalogStore catalog(store);
    auto routes = catalog_of(static_cast<std::size_t>(state.range(0)));
    std::uint64_t version = run(io, catalog.save(0, routes)).version;
    std::uint64_t group = 100;
    const auto requests_before = store->requests_sent();
    for (auto _ : state) {
        routes[0].group_id = ++group;
        version = run(io, catalog.save(version, routes)).version;
    }
    state.counters["requests_per_save"] =
        static_cast<double>(store->requests_sent() - requests_before) / static_cast<double>(state.iterations());
}

// The same three puts a one-route Save writes, in one txn guarded by a single compare on the version
// key, through the client EtcdStore uses.
void BM_Baseline_RawTxn(benchmark::State& state) {
    asio::io_context io;
    const std::string prefix = "/bench/raw-" + std::to_string(g_prefixes++) + "/";
    std::vector<detail::EtcdEndpoint> endpoints;
    for (const auto& url : g_etcd->client_urls()) endpoints.push_back(*detail::parse_etcd_endpoint(url));
    detail::EtcdClient client(io.get_executor(), endpoints, "", std::nullopt, 2000ms, 16);
    auto routes = catalog_of(static_cast<std::size_t>(state.range(0)));
    std::int64_t version_mod = 0;
    std::uint64_t version = 0, group = 100;
    auto txn = [&]() -> asio::awaitable<std::int64_t> {
        routes[0].group_id = ++group;
        std::vector<detail::etcd::Operation> ops(3);
        ops[0].key = prefix + codec::route_key(1);
        ops[0].value = *codec::encode_route_descriptor(routes[0]);
        ops[1].key = prefix + std::string(codec::kVersionKey);
        ops[1].value = codec::encode_version(++version);
        ops[2].key = prefix + std::string(codec::kNextRouteIdKey);
        ops[2].value = codec::encode_next_route_id(routes.size() + 1);
        std::vector<detail::etcd::Compare> compares{{prefix + std::string(codec::kVersionKey), version_mod}};
        std::string body = detail::etcd::encode_txn(compares, ops, {});
        const std::string path = "/v3/kv/txn";
        auto reply = co_await client.call(path, std::move(body), detail::EtcdClient::Retry::once);
        auto parsed = detail::etcd::parse_txn(reply.body);
        if (!parsed || !parsed->succeeded) throw std::runtime_error("raw txn failed: " + reply.message);
        co_return parsed->revision;
    };
    version_mod = run(io, txn());
    for (auto _ : state) version_mod = run(io, txn());
}

BENCHMARK(BM_EtcdSave)->Arg(10)->Arg(100)->Arg(1000)->Unit(benchmark::kMicrosecond)->UseRealTime();
BENCHMARK(BM_Baseline_RawTxn)->Arg(10)->Arg(100)->Arg(1000)->Unit(benchmark::kMicrosecond)->UseRealTime();

struct Daemon {
    std::unique_ptr<test::Process> process;
    unsigned short port = 0;
};

Daemon start_daemon(const test::TempDir& dir, const std::string& name, const std::string& prefix, bool push) {
    boost::json::array endpoints;
    for (const auto& url : g_etcd->client_urls()) endpoints.emplace_back(url);
    boost::json::object store{{"kind", "etcd"}, {"endpoints", endpoints}, {"prefix", prefix}};
    boost::json::object watcher{{"interval_ms", 100}, {"push", push}};
    boost::json::object config{{"listen", boost::json::object{{"address", "127.0.0.1"}, {"port", 0}}},
                               {"threads", 1}, {"store", store}, {"watcher", watcher},
                               {"log", boost::json::object{{"level", "info"}}}};  // "listening on" gives the port
    const std::string path = dir.str() + "/" + name + ".json";
    std::ofstream(path) << boost::json::serialize(config);
    Daemon d;
    d.process = std::make_unique<test::Process>(ROUTECATD, std::vector<std::string>{"--config", path},
                                                dir.str() + "/" + name + ".log");
    auto log = d.process->wait_for_log("listening on 127.0.0.1:", 20s);
    if (!log) throw std::runtime_error(name + " did not start: " + d.process->log());
    const std::string marker = "listening on 127.0.0.1:";
    d.port = static_cast<unsigned short>(std::stoi(log->substr(log->find(marker) + marker.size())));
    return d;
}

struct Latencies {
    double median_ms = 0, p99_ms = 0;
};

Latencies measure_propagation(bool push, int saves) {
    test::TempDir dir("routecat-etcd-bench");
    const std::string prefix = "/bench/prop-" + std::to_string(g_prefixes++) + "/";
    Daemon a = start_daemon(dir, "a", prefix, push);
    Daemon b = start_daemon(dir, "b", prefix, push);
    test::HttpConnection to_a("127.0.0.1", a.port), to_b("127.0.0.1", b.port);
    namespace http = boost::beast::http;
    std::vector<double> ms;
    for (int i = 0; i < saves; ++i) {
        const auto catalog = boost::json::parse(to_a.request(http::verb::get, "/v1/catalog").body);
        const std::int64_t version = catalog.at("version").to_number<std::int64_t>();
        const std::int64_t group = 1000 + i;
        const std::string body = R"({"expected_version":)" + std::to_string(version) +
                                 R"(,"routes":[{"route_id":1,"start_text":"","group_id":)" + std::to_string(group) + "}]}";
        const auto t0 = std::chrono::steady_clock::now();
        const auto put = to_a.request(http::verb::put, "/v1/catalog", body);
        if (put.status != 200) throw std::runtime_error("PUT failed: " + put.body);
        for (;;) {
            const auto lookup = to_b.request(http::verb::get, "/v1/routes/lookup?key=a");
            if (lookup.status == 200 &&
                boost::json::parse(lookup.body).at("route").at("group_id").to_number<std::int64_t>() == group)
                break;
            std::this_thread::sleep_for(500us);
        }
        ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
        std::this_thread::sleep_for(std::chrono::milliseconds(7 * (i % 5)));  // saves not in step with the poll
    }
    std::sort(ms.begin(), ms.end());
    return {ms[ms.size() / 2], ms[std::min(ms.size() - 1, ms.size() * 99 / 100)]};
}

}  // namespace
}  // namespace routecat::bench

int main(int argc, char** argv) {
    using namespace routecat::bench;
    routecat::test::EtcdCluster etcd(1);
    g_etcd = &etcd;

    benchmark::Initialize(&argc, argv);
    RatioReporter reporter;
    for (int n : {10, 100, 1000})
        reporter.compare("BM_EtcdSave/" + std::to_string(n) + "/real_time",
                         "BM_Baseline_RawTxn/" + std::to_string(n) + "/real_time");
    benchmark::RunSpecifiedBenchmarks(&reporter);
    reporter.print_ratios();

    const Latencies with_watch = measure_propagation(true, 200);
    const Latencies poll_only = measure_propagation(false, 200);
    std::printf("\npropagation, Save on A -> served by B (200 saves each)\n");
    std::printf("  with watch (push):   median %6.1f ms   p99 %6.1f ms\n", with_watch.median_ms, with_watch.p99_ms);
    std::printf("  100 ms poll only:    median %6.1f ms   p99 %6.1f ms\n", poll_only.median_ms, poll_only.p99_ms);
    std::printf("  ratio (watch/poll):  median %5.2fx\n", with_watch.median_ms / poll_only.median_ms);
    return 0;
}
