// Engine benchmarks (issue: engine). Every figure is a ratio to a baseline measured in the same run:
//  - get_route vs std::upper_bound over a sorted std::vector<std::string> of the same starts;
//  - get_route while another thread applies a 100k-route snapshot every 100 ms vs without it;
//  - record_access vs get_route, and vs record_access with the key visualizer off;
//  - the key visualizer's ring, full (360 columns of 1,024 rows) at 1M routes: bytes, and the time
//    a column takes to close;
//  - apply_snapshot of 1M routes vs copying and sorting the same descriptors; bytes per route.

#include "bench_support.hpp"

#include "routecat/engine.hpp"

#include <atomic>
#include <chrono>
#include <thread>

using namespace routecat;
using namespace routecat::bench;

namespace {

EngineOptions without_keyviz() {
    EngineOptions options;
    options.keyviz.columns = 0;
    return options;
}

struct Fixture {
    std::vector<std::string> starts;  // "" plus the random starts, sorted
    std::shared_ptr<Engine> engine = std::make_shared<Engine>();
    std::shared_ptr<Engine> engine_without_keyviz = std::make_shared<Engine>(without_keyviz());
    std::vector<std::string> probes;

    explicit Fixture(std::size_t n) {
        auto routes = descriptors_from(sorted_keys(n - 1, 42));
        for (const auto& r : routes) starts.push_back(r.start);
        if (engine->apply_snapshot({1, routes, 0})) std::abort();
        if (engine_without_keyviz->apply_snapshot({1, routes, 0})) std::abort();
        std::mt19937_64 rng(7);
        for (int i = 0; i < 4096; ++i) probes.push_back(random_key(rng));
    }
};

Fixture& fixture(std::size_t n) {
    static std::map<std::size_t, std::unique_ptr<Fixture>> cache;
    auto& f = cache[n];
    if (!f) f = std::make_unique<Fixture>(n);
    return *f;
}

void BM_Baseline_UpperBound(benchmark::State& state) {
    auto& f = fixture(static_cast<std::size_t>(state.range(0)));
    std::size_t i = 0;
    for (auto _ : state) {
        const auto& key = f.probes[i++ & 4095];
        auto it = std::upper_bound(f.starts.begin(), f.starts.end(), key);
        benchmark::DoNotOptimize(it - f.starts.begin() - 1);
    }
}

// The spec's GetRoute: a deep copy of the route (two key strings allocated).
void BM_Engine_GetRoute(benchmark::State& state) {
    auto& f = fixture(static_cast<std::size_t>(state.range(0)));
    std::size_t i = 0;
    for (auto _ : state) {
        auto r = f.engine->get_route(f.probes[i++ & 4095]);
        benchmark::DoNotOptimize(r);
    }
}

// The zero-copy path the admin API uses: load the table, find the index, read the group.
void BM_Engine_Find(benchmark::State& state) {
    auto& f = fixture(static_cast<std::size_t>(state.range(0)));
    std::size_t i = 0;
    for (auto _ : state) {
        // The zero-copy lookup: the route found by key, read in place (the admin API's lookup).
        auto t = f.engine->table();
        auto route = t->find_ref(f.probes[i++ & 4095]);
        benchmark::DoNotOptimize(route ? route->group_id() : 0);
    }
}

void BM_Engine_RecordAccess(benchmark::State& state) {
    auto& f = fixture(static_cast<std::size_t>(state.range(0)));
    std::size_t i = 0;
    for (auto _ : state) f.engine->record_access(f.probes[i++ & 4095]);
}

// The same with the key visualizer off: what counting into its columns costs.
void BM_Engine_RecordAccessNoKeyViz(benchmark::State& state) {
    auto& f = fixture(static_cast<std::size_t>(state.range(0)));
    std::size_t i = 0;
    for (auto _ : state) f.engine_without_keyviz->record_access(f.probes[i++ & 4095]);
}

// The key visualizer's ring at 1M routes, filled: 360 columns (the default), each closed after
// 20,000 accesses to random keys, so every column has its 1,024 rows (aggregates beyond). Times one
// column's close (a read of every route's word); counters: the ring's bytes.
void BM_KeyViz_FullRing1M(benchmark::State& state) {
    auto& f = fixture(1'000'000);
    f.engine->advance_keyviz(0);  // starts the clock the first time; later repetitions go on from it
    std::uint64_t now = *f.engine->keyviz_open_column_start();
    std::mt19937_64 rng(11);
    std::vector<std::string> keys;
    for (int i = 0; i < 20'000; ++i) keys.push_back(random_key(rng));
    for (auto _ : state) {
        state.PauseTiming();
        for (const auto& k : keys) f.engine->record_access(k, rng() % 4 ? AccessKind::read : AccessKind::write);
        now += f.engine->keyviz_options().column_ms;
        state.ResumeTiming();
        f.engine->advance_keyviz(now);
    }
    const auto columns = f.engine->keyviz_columns(0, UINT64_MAX);
    std::size_t rows = 0;
    for (const auto& c : columns) rows += c->rows.size();
    state.counters["columns"] = static_cast<double>(columns.size());
    state.counters["rows_per_column"] = static_cast<double>(rows) / static_cast<double>(columns.size());
    state.counters["ring_MiB"] = static_cast<double>(f.engine->keyviz_memory_bytes()) / (1024.0 * 1024.0);
}

// get_route on this thread while (arg 1) a second thread applies a new 100k-route snapshot every 100 ms.
void BM_Engine_GetRouteUnderApply(benchmark::State& state) {
    auto engine = std::make_shared<Engine>();
    const auto routes = descriptors_from(sorted_keys(100'000 - 1, 42));
    if (engine->apply_snapshot({1, routes, 0})) std::abort();
    std::mt19937_64 rng(7);
    std::vector<std::string> probes;
    for (int i = 0; i < 4096; ++i) probes.push_back(random_key(rng));

    std::atomic<bool> done{false};
    std::atomic<int> applied{0};
    std::thread writer;
    if (state.range(0) == 1) {
        writer = std::thread([&] {
            std::uint64_t version = 2;
            while (!done.load()) {
                auto next = std::chrono::steady_clock::now() + std::chrono::milliseconds(100);
                if (engine->apply_snapshot({version++, routes, 0})) std::abort();
                ++applied;
                while (!done.load() && std::chrono::steady_clock::now() < next)
                    std::this_thread::sleep_for(std::chrono::milliseconds(1));
            }
        });
    }
    std::size_t i = 0;
    for (auto _ : state) {
        auto r = engine->get_route(probes[i++ & 4095]);
        benchmark::DoNotOptimize(r);
    }
    done = true;
    if (writer.joinable()) writer.join();
    state.counters["applies"] = applied.load();
}

// Baseline of apply_snapshot: copy the descriptors and sort them by start.
void BM_Baseline_CopyAndSort1M(benchmark::State& state) {
    auto routes = descriptors_from(sorted_keys(1'000'000 - 1, 42));
    std::shuffle(routes.begin(), routes.end(), std::mt19937_64(3));
    for (auto _ : state) {
        auto copy = routes;
        std::sort(copy.begin(), copy.end(), [](const auto& a, const auto& b) { return a.start < b.start; });
        benchmark::DoNotOptimize(copy.data());
    }
}

void BM_Engine_ApplySnapshot1M(benchmark::State& state) {
    auto routes = descriptors_from(sorted_keys(1'000'000 - 1, 42));
    std::shuffle(routes.begin(), routes.end(), std::mt19937_64(3));
    std::size_t key_bytes = 0;
    for (const auto& r : routes) key_bytes += r.start.size() + (r.end ? r.end->size() : 0);
    double bytes_per_route = 0;
    std::uint64_t version = 1;
    for (auto _ : state) {
        state.PauseTiming();
        EngineOptions one_table;
        one_table.history_depth = 0;  // no history: one table
        auto engine = std::make_unique<Engine>(one_table);
        const auto before = heap_bytes();
        auto snapshot = CatalogSnapshot{version++, routes, 0};
        state.ResumeTiming();
        // The snapshot is passed as apply_snapshot receives it from the watcher: moved in.
        if (engine->apply_snapshot(std::move(snapshot))) std::abort();
        state.PauseTiming();
        const auto after = heap_bytes();
        bytes_per_route = (after - before - static_cast<double>(key_bytes)) /
                          static_cast<double>(routes.size());
        engine.reset();
        state.ResumeTiming();
    }
    state.counters["table_bytes_per_route_beyond_keys"] = bytes_per_route;
}

}  // namespace

BENCHMARK(BM_Baseline_UpperBound)->Arg(1'000)->Arg(100'000)->Arg(1'000'000);
BENCHMARK(BM_Engine_GetRoute)->Arg(1'000)->Arg(100'000)->Arg(1'000'000);
BENCHMARK(BM_Engine_Find)->Arg(1'000)->Arg(100'000)->Arg(1'000'000);
BENCHMARK(BM_Engine_RecordAccess)->Arg(1'000)->Arg(100'000)->Arg(1'000'000);
BENCHMARK(BM_Engine_RecordAccessNoKeyViz)->Arg(1'000)->Arg(100'000)->Arg(1'000'000);
BENCHMARK(BM_KeyViz_FullRing1M)->Unit(benchmark::kMillisecond)->Iterations(360);
BENCHMARK(BM_Engine_GetRouteUnderApply)->Arg(0)->Arg(1)->MinTime(3.0)->UseRealTime();
BENCHMARK(BM_Baseline_CopyAndSort1M)->Unit(benchmark::kMillisecond)->Iterations(3);
BENCHMARK(BM_Engine_ApplySnapshot1M)->Unit(benchmark::kMillisecond)->Iterations(3);

int main(int argc, char** argv) {
    benchmark::Initialize(&argc, argv);
    RatioReporter reporter;
    for (const char* n : {"1000", "100000", "1000000"}) {
        reporter.compare(std::string("BM_Engine_GetRoute/") + n, std::string("BM_Baseline_UpperBound/") + n);
        reporter.compare(std::string("BM_Engine_Find/") + n, std::string("BM_Baseline_UpperBound/") + n);
        reporter.compare(std::string("BM_Engine_RecordAccess/") + n, std::string("BM_Engine_GetRoute/") + n);
        reporter.compare(std::string("BM_Engine_RecordAccess/") + n, std::string("BM_Engine_Find/") + n);
        reporter.compare(std::string("BM_Engine_RecordAccess/") + n, std::string("BM_Engine_RecordAccessNoKeyViz/") + n);
    }
    // Time per lookup: a ratio above 1 means slower under the writer (throughput ratio = 1 / it).
    reporter.compare("BM_Engine_GetRouteUnderApply/1/min_time:3.000/real_time", "BM_Engine_GetRouteUnderApply/0/min_time:3.000/real_time");
    reporter.compare("BM_Engine_ApplySnapshot1M/iterations:3", "BM_Baseline_CopyAndSort1M/iterations:3");
    benchmark::RunSpecifiedBenchmarks(&reporter);
    reporter.print_ratios();
    benchmark::Shutdown();
}
