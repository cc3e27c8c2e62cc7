// The engine in this process, no daemon: heap bytes per route and apply_delta time at N routes.
//
// Heap = mallinfo2's uordblks + hblkhd (heap_bytes(), as engine_bench): bytes in use, whatever malloc
// keeps cached. The descriptors are built and kept alive before the first reading, so only what the
// engine holds is counted. Load: apply_snapshot of N routes over 16-byte random keys (engine_bench's
// table). Then `splits` random splits, each as the delta the watcher would apply for a durable split
// ({upsert the parent shortened to [start, key), upsert a new id [key, end)}; a random 16-byte key,
// the route holding it found in the engine's own table); with history_depth 32 the ring is full
// after 32, so the second reading includes a full history. Bytes beyond the key bytes: heap growth
// minus each route's start and end sizes (engine_bench's definition), per route of the current table.

#include "bench_common.hpp"
#include "scale_bench.hpp"

#include "routecat/engine.hpp"

#include <chrono>
#include <ctime>
#include <stdexcept>

namespace routecat::bench::scale {

namespace {

double thread_cpu_us() {
    timespec t{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return static_cast<double>(t.tv_sec) * 1e6 + static_cast<double>(t.tv_nsec) / 1e3;
}

std::size_t key_bytes(const RouteTable& t) {
    std::size_t bytes = 0;
    for (std::size_t i = 0; i < t.size(); ++i) bytes += t.start(i).size() + (t.end(i) ? t.end(i)->size() : 0);
    return bytes;
}

// The split delta of the route holding a random key, or nothing when the key is a route's start.
std::optional<CatalogDelta> split_delta(const Engine& engine, std::mt19937_64& rng, std::uint64_t new_id) {
    const std::string key = random_key(rng);
    const auto table = engine.table();
    const auto i = table->find(key);
    if (!i || table->start(*i) == key) return std::nullopt;
    RouteDescriptor parent{table->route_id(*i), std::string(table->start(*i)), key, table->group_id(*i), table->state(*i), 0};
    RouteDescriptor child{new_id, key, std::nullopt, parent.group_id, parent.state, parent.route_id};
    if (const auto end = table->end(*i)) child.end = std::string(*end);
    CatalogDelta delta{table->version(), table->version() + 1, {}};
    delta.mutations.push_back({CatalogMutationOp::upsert, parent.route_id, std::move(parent)});
    delta.mutations.push_back({CatalogMutationOp::upsert, new_id, std::move(child)});
    return delta;
}

}  // namespace

EngineFigures measure_engine(std::size_t n, std::size_t splits) {
    EngineFigures f;
    f.routes = n;
    const auto routes = descriptors_from(sorted_keys(n - 1, 42));
    std::size_t load_key_bytes = 0;
    for (const auto& r : routes) load_key_bytes += r.start.size() + (r.end ? r.end->size() : 0);

    auto engine = std::make_unique<Engine>();  // the daemon's options: history_depth 32
    const double before = heap_bytes();
    if (engine->apply_snapshot({1, routes, 0})) throw std::runtime_error("apply_snapshot refused the table");
    f.bytes_per_route_loaded = (heap_bytes() - before - static_cast<double>(load_key_bytes)) / static_cast<double>(n);

    std::mt19937_64 rng(17);
    std::uint64_t next_id = routes.size() + 1;
    std::vector<double> us, cpu_us;
    us.reserve(splits);
    cpu_us.reserve(splits);
    while (us.size() < splits) {
        auto delta = split_delta(*engine, rng, next_id);
        if (!delta) continue;
        std::string context;
        const double cpu0 = thread_cpu_us();
        const auto t0 = std::chrono::steady_clock::now();
        const auto ec = engine->apply_delta(*delta, &context);
        us.push_back(std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count());
        cpu_us.push_back(thread_cpu_us() - cpu0);
        if (ec) throw std::runtime_error("apply_delta: " + ec.message() + " " + context);
        ++next_id;
    }
    f.apply_delta_us = percentiles(us);
    f.apply_delta_cpu_us = percentiles(cpu_us).median;
    us = {};
    cpu_us = {};

    const auto table = engine->table();
    f.routes_after_splits = table->size();
    const double current_keys = static_cast<double>(key_bytes(*table));
    f.bytes_per_route_split = (heap_bytes() - before - current_keys) / static_cast<double>(table->size());
    // The versions the ring holds, counted after the reading (a HistorySnapshot shares its table).
    for (std::uint64_t v = table->version(); v > 0 && engine->snapshot_at(v); --v) ++f.history_entries;
    return f;
}

}  // namespace routecat::bench::scale
