#pragma once
// Issue 13 item 4: what scale_bench's parts share. Each part is its own file and returns its figures;
// scale_bench.cpp runs the parts the command line asks for and prints every figure, ratio and target.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace routecat::bench::scale {

struct Settings {
    std::vector<std::size_t> sizes = {1'000, 10'000, 100'000, 1'000'000};
    std::size_t timed_splits = 200;        // the split latency sample (the first splits on N routes)
    std::size_t total_splits = 1'000;      // splits before the second RSS reading; applied in-process too
    std::size_t propagation_splits = 100;  // split-to-served samples per N
    std::size_t max_propagation_routes = 100'000;
    std::vector<std::size_t> saves = {10'000, 100'000};  // RocksDB directory size after this many Saves
    std::uint64_t retain_versions = 10'000;              // the daemon's default store.retain_versions
    bool engine = true, split = true, propagation = true, history = true;  // parts to run
};

// Median and p99 (etcd_bench's rank: index n * 99 / 100 of the sorted sample).
struct Percentiles {
    double median = 0, p99 = 0;
};

inline Percentiles percentiles(std::vector<double> sample) {
    if (sample.empty()) return {};
    std::sort(sample.begin(), sample.end());
    return {sample[sample.size() / 2], sample[std::min(sample.size() - 1, sample.size() * 99 / 100)]};
}

// Progress goes to stderr, so stdout holds only the report.
template <class... Args>
void progress(const char* format, Args... args) {
    std::fprintf(stderr, format, args...);
    std::fputc('\n', stderr);
    std::fflush(stderr);
}

// --- the parts -------------------------------------------------------------------------------------

// In-process engine (scale_engine.cpp): heap bytes per route beyond the key bytes, after
// apply_snapshot of n random 16-byte-key routes and after `splits` split deltas (the 32-deep history
// ring full), and the apply_delta time of one split delta.
struct EngineFigures {
    std::size_t routes = 0;
    double bytes_per_route_loaded = 0;    // one table in the ring
    double bytes_per_route_split = 0;     // after the splits: the ring full
    std::size_t routes_after_splits = 0;
    std::size_t history_entries = 0;      // versions the ring held at the second reading
    Percentiles apply_delta_us;
    double apply_delta_cpu_us = 0;  // median thread CPU time of one apply_delta (no other process's slices)
};
EngineFigures measure_engine(std::size_t n, std::size_t splits);

// routecatd on one store (scale_split.cpp): the reply time of POST /v1/catalog/split, and the
// daemon's VmRSS after the load and after every split.
enum class DaemonStore { memory, rocksdb };
const char* name_of(DaemonStore store);

struct SplitFigures {
    std::size_t routes = 0;
    double seed_s = 0;       // PUT /v1/catalog (memory) or the in-process Save (RocksDB)
    double load_s = 0;       // daemon start until /readyz answers 200 at the seeded version
    Percentiles split_ms;    // over the first timed_splits splits
    double cpu_ms_per_split = 0;  // the daemon's CPU time over the timed splits, per split
    std::size_t splits = 0;  // all splits made before rss_after_splits
    double rss_loaded_mib = 0, rss_after_splits_mib = 0;
};
SplitFigures measure_splits(DaemonStore store, std::size_t n, const Settings& settings);

// Two routecatd on one etcd (scale_propagation.cpp): split on A until B serves the new child.
struct PropagationFigures {
    std::size_t routes = 0;
    Percentiles total_ms;  // from sending the split to A until B's lookup returns the new child
    Percentiles reply_ms;  // A's reply alone
    std::size_t samples = 0;
};
class PropagationBench {
public:
    PropagationBench();  // starts etcd with the raised limits below
    ~PropagationBench();
    static const std::vector<std::string>& etcd_limits();
    PropagationFigures measure(std::size_t n, std::size_t splits);

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

// RocksDB directory size after Saves (scale_history.cpp): one 100-route catalog, one route changed
// per Save, measured after a flush and a full compaction at each checkpoint.
struct HistoryFigures {
    std::size_t saves = 0;
    std::uint64_t dir_bytes_closed = 0;     // the directory as the closed store left it (WAL included)
    std::uint64_t dir_bytes_compacted = 0;  // after a flush and a full compaction
    std::uint64_t sst_bytes_compacted = 0;
    std::size_t version_key_versions = 0;  // versions of the catalog version key the store kept at close
    double saves_per_s = 0;
};
struct HistoryRun {
    std::vector<HistoryFigures> checkpoints;
};
HistoryRun measure_history(const std::vector<std::size_t>& checkpoints, std::uint64_t retain_versions);

}  // namespace routecat::bench::scale
