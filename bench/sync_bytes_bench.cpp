// Issue 12: store bytes read by ONE watcher sync after a one-route change, delta path vs snapshot
// path, at N = 1k, 10k, 100k routes on RocksDB and etcd (memory takes RocksDB's paths: same bytes).
//
// Per (backend, N): a catalog of N routes is saved with the delta log on; three engines catch up:
//   delta    CatalogWatcher, follow_deltas = true, synced once before (as a running daemon);
//   snapshot CatalogWatcher, follow_deltas = false, synced once before (etcd: its range cache is warm);
//   cold     follow_deltas = false on a new store client, its engine given the catalog directly (etcd:
//            a restarted daemon, nothing cached; RocksDB caches nothing, so cold = snapshot).
// Then one change (a Save that moves one route to another group; a split of one route), and one
// sync_once() per engine, whose reader's byte count is taken before and after. Each engine must
// reach the new version. Bytes: memory/RocksDB keys + values returned by the store's reads; etcd
// the bodies of its range answers (JSON, base64). Times are single shots, for scale only.
//
// Starts its own etcd with limits raised for a 100k-route seed in one txn (printed).
// Usage: sync_bytes_bench [N ...]   (default 1000 10000 100000)

#include "bench_support.hpp"
#include "catalog_places.hpp"

#include "support/etcd_cluster.hpp"

#include "routecat/catalog/catalog_store.hpp"
#include "routecat/catalog/catalog_watcher.hpp"
#include "routecat/engine.hpp"

#include <chrono>
#include <cstdio>
#include <stdexcept>

namespace routecat::bench {
namespace {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

// etcd's limits for the 100k seed: ~100k puts and as many compares in one txn (~30 MB of JSON).
const std::vector<std::string> kEtcdLimits = {"--max-txn-ops", "200000", "--max-request-bytes", "67108864",
                                              "--quota-backend-bytes", "8589934592"};

CatalogStoreOptions logged() {
    CatalogStoreOptions o;
    o.delta_log = true;
    return o;
}

// An engine kept in step by a watcher on its own reader.
struct Follower {
    Reader reader;
    std::shared_ptr<Engine> engine = std::make_shared<Engine>();
    std::unique_ptr<CatalogWatcher> watcher;

    Follower(Reader r, bool follow_deltas) : reader(std::move(r)) {
        CatalogWatcherOptions options;
        options.push = false;
        options.follow_deltas = follow_deltas;
        watcher = std::make_unique<CatalogWatcher>(CatalogStore(reader.store, logged()), engine, options);
    }
};

struct Sync {
    std::uint64_t bytes = 0;
    double ms = 0;
};

Sync sync(asio::io_context& io, Follower& f, std::uint64_t expected_version) {
    const std::uint64_t before = f.reader.bytes();
    const auto t0 = Clock::now();
    const bool applied = run(io, f.watcher->sync_once());
    Sync s;
    s.ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
    s.bytes = f.reader.bytes() - before;
    if (!applied || f.engine->version() != expected_version)
        throw std::runtime_error("engine at version " + std::to_string(f.engine->version()) + ", expected " +
                                 std::to_string(expected_version));
    return s;
}

void print_row(Backend backend, const char* change, std::size_t n, const Sync& delta, const Sync& snap, const Sync& cold) {
    std::printf("| %-7s | %-5s | %6zu | %6llu | %9llu | %9llu | %8.2f | %8.2f | %8.2f |\n", name_of(backend), change, n,
                static_cast<unsigned long long>(delta.bytes), static_cast<unsigned long long>(snap.bytes),
                static_cast<unsigned long long>(cold.bytes), delta.ms, snap.ms, cold.ms);
    std::fflush(stdout);
}

// One (backend, N): seed, catch up, then a group change and a split, one sync each.
void measure(Backend backend, std::size_t n, const std::vector<std::string>& etcd_urls) {
    asio::io_context io;
    Place place(backend, io, etcd_urls);
    CatalogStore writer(place.writer(), logged());
    std::vector<RouteDescriptor> routes = catalog_routes(n);
    std::uint64_t version = run(io, writer.save(0, routes)).version;

    Follower delta(place.reader(), true), snap(place.reader(), false);
    sync(io, delta, version);
    sync(io, snap, version);

    const std::size_t k = n / 2;  // the route that changes
    for (const char* change : {"group", "split"}) {
        // A restarted reader: nothing cached, its engine already at the current version.
        Follower cold(place.reader(), false);
        const CatalogSnapshot current = run(io, writer.snapshot());
        if (cold.engine->apply_snapshot(current)) throw std::runtime_error("cold engine refused the catalog");

        if (std::string(change) == "group") {
            routes[k].group_id += 100;
            version = run(io, writer.save(version, routes)).version;
        } else {
            std::string key = routes[k].start + "5";  // inside [start, end)
            version = run(io, writer.split(version, routes[k].route_id, key)).version;
        }
        const Sync d = sync(io, delta, version);
        const Sync s = sync(io, snap, version);
        const Sync c = sync(io, cold, version);
        print_row(backend, change, n, d, s, c);
    }
}

}  // namespace
}  // namespace routecat::bench

int main(int argc, char** argv) {
    using namespace routecat::bench;
    std::vector<std::size_t> sizes = number_args(argc, argv);
    if (sizes.empty()) sizes = {1000, 10000, 100000};

    routecat::test::EtcdCluster etcd(1, kEtcdLimits);
    std::printf("etcd flags:");
    for (const auto& a : kEtcdLimits) std::printf(" %s", a.c_str());
    std::printf("\n\nbytes read by one watcher sync after a one-route change (target: delta <= 2048)\n\n");
    std::printf("| backend | change | routes | delta B | snapshot B | cold B | delta ms | snap. ms | cold ms |\n");
    std::printf("|---|---|---|---|---|---|---|---|---|\n");
    for (Backend backend : {Backend::rocksdb, Backend::etcd})
        for (std::size_t n : sizes) measure(backend, n, etcd.client_urls());
    return 0;
}
