// Issue 12: what the delta log costs a Save. CatalogStore::save of a one-route change (route i % N
// moves to another group) on two catalogs of N routes in the same backend, one with delta_log on and
// one off. Saves alternate between them (on then off, then off then on, ...) so the machine's drift
// hits both alike; the ratio is median(on) / median(off), target <= 1.15x. Two phases:
//   growing    versions 3..1024: the log only gains a delta per Save (the Save to version 2, the
//              first after the seed, is a warm-up and not counted);
//   retention  after that each Save also deletes the oldest delta (§11.3, retention 1024), as a
//              long-running catalog does.
// On etcd the HTTP requests per Save and the bytes of its range answers are counted too.
//
// Starts its own etcd (the test harness's limits: 20000 txn ops, enough for a 10k-route seed).
// Usage: delta_save_bench [retention_rounds] [N ...]   (default 200; 1000 10000)

#include "bench_support.hpp"
#include "catalog_places.hpp"

#include "support/etcd_cluster.hpp"

#include "routecat/catalog/catalog_store.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>

namespace routecat::bench {
namespace {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

// The version from which every Save with the log also deletes a delta (retention 1024).
constexpr std::uint64_t kRetainedFrom = kDefaultCatalogDeltaRetention + 1;

struct Phase {
    std::vector<double> ms;
    std::uint64_t requests = 0;
    std::uint64_t range_bytes = 0;  // etcd: bodies of the Saves' range answers
};

// One catalog and the Saves made on it, per phase.
struct Side {
    Place place;
    CatalogStore catalog;
    std::vector<RouteDescriptor> routes;
    std::uint64_t version = 0;
    Phase growing, retention;

    Side(Backend backend, asio::io_context& io, const std::vector<std::string>& etcd_urls, bool log, std::size_t n)
        : place(backend, io, etcd_urls), catalog(place.writer(), options(log)), routes(catalog_routes(n)) {}

    static CatalogStoreOptions options(bool log) {
        CatalogStoreOptions o;
        o.delta_log = log;
        return o;
    }

    void save(asio::io_context& io, std::size_t i) {
        routes[i % routes.size()].group_id += 7;
        Phase& phase = version + 1 < kRetainedFrom ? growing : retention;
        const std::uint64_t requests = place.writer_requests(), range_bytes = place.writer_range_bytes();
        const auto t0 = Clock::now();
        version = run(io, catalog.save(version, routes)).version;
        phase.ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
        phase.requests += place.writer_requests() - requests;
        phase.range_bytes += place.writer_range_bytes() - range_bytes;
    }
};

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v.empty() ? 0 : v[v.size() / 2];
}

void print_phase(Backend backend, std::size_t n, const char* name, const Phase& on, const Phase& off) {
    const double a = median(on.ms), b = median(off.ms);
    std::printf("| %-7s | %6zu | %-9s | %5zu | %8.3f | %8.3f | **%.2fx** |", name_of(backend), n, name, on.ms.size(), a, b,
                a / b);
    const auto per_save = [](std::uint64_t total, const Phase& p) {
        return static_cast<double>(total) / static_cast<double>(p.ms.size());
    };
    if (backend == Backend::etcd)
        std::printf(" %.2f / %.2f | %.0f / %.0f |", per_save(on.requests, on), per_save(off.requests, off),
                    per_save(on.range_bytes, on), per_save(off.range_bytes, off));
    else
        std::printf(" | |");
    std::printf("\n");
    std::fflush(stdout);
}

void measure(Backend backend, std::size_t n, std::size_t retention_rounds, const std::vector<std::string>& etcd_urls) {
    asio::io_context io;
    Side on(backend, io, etcd_urls, true, n), off(backend, io, etcd_urls, false, n);
    for (Side* side : {&on, &off}) side->version = run(io, side->catalog.save(0, side->routes)).version;
    // Versions 2 .. kRetainedFrom - 1, then retention_rounds more.
    const std::size_t rounds = kRetainedFrom - 2 + retention_rounds;
    for (std::size_t i = 0; i < rounds; ++i) {
        Side& first = i % 2 ? off : on;
        Side& second = i % 2 ? on : off;
        first.save(io, i);
        second.save(io, i);
        if (i == 0) on.growing = off.growing = Phase{};  // the warm-up
    }
    print_phase(backend, n, "growing", on.growing, off.growing);
    print_phase(backend, n, "retention", on.retention, off.retention);
}

}  // namespace
}  // namespace routecat::bench

int main(int argc, char** argv) {
    using namespace routecat::bench;
    const std::vector<std::size_t> numbers = number_args(argc, argv);
    const std::size_t retention_rounds = numbers.empty() ? 200 : numbers.front();
    std::vector<std::size_t> sizes(numbers.begin() + (numbers.empty() ? 0 : 1), numbers.end());
    if (sizes.empty()) sizes = {1000, 10000};

    routecat::test::EtcdCluster etcd(1);
    std::printf("Save of a one-route change, delta_log on vs off (interleaved; target ratio <= 1.15x)\n\n");
    std::printf("| backend | routes | phase | saves | on ms | off ms | on / off | etcd requests per Save, on / off | "
                "etcd range answer bytes per Save, on / off |\n");
    std::printf("|---|---|---|---|---|---|---|---|---|\n");
    for (Backend backend : {Backend::memory, Backend::rocksdb, Backend::etcd})
        for (std::size_t n : sizes) measure(backend, n, retention_rounds, etcd.client_urls());
    return 0;
}
