// Store benchmarks (issue: routecatd and RocksDbStore), as ratios measured in the same run:
//  - Save throughput with 1 of 1,000 routes changed per Save, on MemoryStore and on RocksDbStore
//    with sync on, against a bare synced RocksDB write of the same three keys (the floor any durable
//    Save pays);
//  - CatalogStore::snapshot() of 10,000 routes on both stores.

#include "bench_support.hpp"

#include "routecat/catalog/catalog_store.hpp"
#include "routecat/store/memory_store.hpp"
#include "routecat/store/rocksdb_store.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_future.hpp>

#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include <cstdlib>
#include <filesystem>

namespace asio = boost::asio;
using namespace routecat;

using routecat::bench::run;

namespace {


std::string temp_dir(const char* tag) {
    std::string pattern = std::string("/tmp/routecat-bench-") + tag + "-XXXXXX";
    if (!mkdtemp(pattern.data())) std::abort();
    return pattern;
}

asio::thread_pool& pool() {
    static asio::thread_pool p(2);
    return p;
}

std::shared_ptr<MvccStore> make_store(int kind, std::string& dir) {
    if (kind == 0) return std::make_shared<MemoryStore>();
    dir = temp_dir("rocksdb");
    return RocksDbStore::open({dir + "/db", true}, pool().get_executor()).value();
}

std::vector<RouteDescriptor> routes(std::size_t n) {
    std::vector<RouteDescriptor> out;
    for (std::size_t i = 0; i < n; ++i) {
        char start[32], end[32];
        std::snprintf(start, sizeof start, "key-%08zu", i * 1000);
        std::snprintf(end, sizeof end, "key-%08zu", (i + 1) * 1000);
        out.push_back({i + 1, i == 0 ? std::string() : start, i + 1 == n ? std::nullopt : std::optional<std::string>(end),
                       1, RouteState::active, 0});
    }
    return out;
}

void BM_Save1of1000(benchmark::State& state) {
    asio::io_context io;
    std::string dir;
    {
        CatalogStore catalog(make_store(static_cast<int>(state.range(0)), dir));
        auto rs = routes(1000);
        std::uint64_t v = run(io, catalog.save(0, rs)).version;
        std::size_t i = 0;
        for (auto _ : state) {
            rs[i++ % rs.size()].group_id += 1;  // one changed row per Save
            v = run(io, catalog.save(v, rs)).version;
        }
    }
    if (!dir.empty()) std::filesystem::remove_all(dir);
    state.SetItemsProcessed(state.iterations());
}

// The floor of a durable Save: one synced WriteBatch of three puts, no reads, no conflict check.
void BM_Baseline_RawSyncedBatch(benchmark::State& state) {
    const std::string dir = temp_dir("raw");
    rocksdb::Options options;
    options.create_if_missing = true;
    rocksdb::DB* raw = nullptr;
    if (!rocksdb::DB::Open(options, dir, &raw).ok()) std::abort();
    std::unique_ptr<rocksdb::DB> db(raw);
    rocksdb::WriteOptions write;
    write.sync = true;
    const std::string row(80, 'r');
    std::uint64_t i = 0;
    for (auto _ : state) {
        rocksdb::WriteBatch batch;
        batch.Put("route-" + std::to_string(i % 1000), row);
        batch.Put("version", std::to_string(i));
        batch.Put("next", std::to_string(i++));
        if (!db->Write(write, &batch).ok()) std::abort();
    }
    db.reset();
    std::filesystem::remove_all(dir);
    state.SetItemsProcessed(state.iterations());
}

void BM_Snapshot10k(benchmark::State& state) {
    asio::io_context io;
    std::string dir;
    {
        CatalogStore catalog(make_store(static_cast<int>(state.range(0)), dir));
        run(io, catalog.save(0, routes(10'000)));
        for (auto _ : state) {
            auto snap = run(io, catalog.snapshot());
            benchmark::DoNotOptimize(snap.routes.data());
        }
    }
    if (!dir.empty()) std::filesystem::remove_all(dir);
}

}  // namespace

BENCHMARK(BM_Save1of1000)->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond)->UseRealTime();
BENCHMARK(BM_Baseline_RawSyncedBatch)->Unit(benchmark::kMicrosecond)->UseRealTime();
BENCHMARK(BM_Snapshot10k)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond)->UseRealTime();

int main(int argc, char** argv) {
    benchmark::Initialize(&argc, argv);
    routecat::bench::RatioReporter reporter;
    reporter.compare("BM_Save1of1000/1/real_time", "BM_Save1of1000/0/real_time");
    reporter.compare("BM_Save1of1000/1/real_time", "BM_Baseline_RawSyncedBatch/real_time");
    reporter.compare("BM_Snapshot10k/1/real_time", "BM_Snapshot10k/0/real_time");
    benchmark::RunSpecifiedBenchmarks(&reporter);
    reporter.print_ratios();
    benchmark::Shutdown();
}
