// Issue 13 item 4: a catalog of up to a million routes. One run prints every figure the issue asks
// for, each ratio to its same-run baseline (the smallest N), and the Targets judged on them:
//   - engine heap bytes per route beyond the key bytes, loaded and with a full 32-deep history, and
//     apply_delta time of one split delta (in-process, scale_engine.cpp);
//   - split latency on routecatd with the memory and the RocksDB store, and the daemon's RSS after
//     the load and after the splits (scale_split.cpp);
//   - split-to-served propagation between two routecatd on etcd (scale_propagation.cpp);
//   - the RocksDB data directory after 10,000 and 100,000 Saves (scale_history.cpp).
// Tables are Markdown (for bench/README.md); progress goes to stderr. Not in CI: the full run takes
// long. Usage: scale_bench --help.

#include "scale_bench.hpp"
#include "scale_daemon.hpp"

#include <cstdlib>
#include <cstring>
#include <exception>
#include <functional>
#include <map>
#include <sstream>

using namespace routecat::bench::scale;

namespace {

const char* kUsage = R"(usage: scale_bench [options]
  --sizes N,N,...          catalog sizes (default 1000,10000,100000,1000000)
  --quick                  a smoke run (about a minute): sizes 1000,10000 unless given, 50 timed of
                           100 splits, 20 propagation splits, Saves 1000,5000
  --timed-splits N         split latency sample per (store, N) (default 200)
  --splits N               splits per daemon before the second RSS reading, and split deltas applied
                           in-process (default 1000)
  --propagation-splits N   split-to-served samples per N (default 100)
  --max-propagation N      largest N for propagation (default 100000)
  --saves N,N,...          RocksDB directory checkpoints, in Saves (default 10000,100000)
  --retain N               RocksDbStoreOptions::retain_versions for the Saves (default 10000, the
                           daemon's store.retain_versions default)
  --only PART,...          engine, split, propagation, history (default: all)
)";

std::vector<std::size_t> numbers(const char* text) {
    std::vector<std::size_t> out;
    std::stringstream in(text);
    for (std::string item; std::getline(in, item, ',');) {
        char* end = nullptr;
        const auto n = std::strtoull(item.c_str(), &end, 10);
        if (item.empty() || *end || n == 0) throw std::invalid_argument("not a positive number: " + item);
        out.push_back(n);
    }
    return out;
}

Settings parse(int argc, char** argv) {
    Settings s;
    bool quick = false;
    std::map<std::string, std::function<void(const char*)>> valued = {
        {"--sizes", [&](const char* v) { s.sizes = numbers(v); }},
        {"--timed-splits", [&](const char* v) { s.timed_splits = numbers(v).at(0); }},
        {"--splits", [&](const char* v) { s.total_splits = numbers(v).at(0); }},
        {"--propagation-splits", [&](const char* v) { s.propagation_splits = numbers(v).at(0); }},
        {"--max-propagation", [&](const char* v) { s.max_propagation_routes = numbers(v).at(0); }},
        {"--saves", [&](const char* v) { s.saves = numbers(v); }},
        {"--retain", [&](const char* v) { s.retain_versions = numbers(v).at(0); }},
        {"--only", [&](const char* v) {
             s.engine = s.split = s.propagation = s.history = false;
             std::stringstream in(v);
             for (std::string part; std::getline(in, part, ',');) {
                 if (part == "engine") s.engine = true;
                 else if (part == "split") s.split = true;
                 else if (part == "propagation") s.propagation = true;
                 else if (part == "history") s.history = true;
                 else throw std::invalid_argument("unknown part: " + part);
             }
         }},
    };
    std::vector<std::pair<std::string, std::string>> given;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "--help" || arg == "-h") {
            std::fputs(kUsage, stdout);
            std::exit(0);
        }
        if (arg == "--quick") {
            quick = true;
            continue;
        }
        if (arg.rfind("--benchmark_", 0) == 0) continue;  // scripts/bench.sh passes --benchmark_color=false
        if (!valued.count(arg) || i + 1 == argc) throw std::invalid_argument("bad argument: " + arg + "\n" + kUsage);
        given.emplace_back(arg, argv[++i]);
    }
    if (quick) {  // first, so explicit options win
        s.sizes = {1'000, 10'000};
        s.timed_splits = 50;
        s.total_splits = 100;
        s.propagation_splits = 20;
        s.saves = {1'000, 5'000};
    }
    for (const auto& [name, value] : given) valued[name](value.c_str());
    std::sort(s.sizes.begin(), s.sizes.end());
    std::sort(s.saves.begin(), s.saves.end());
    return s;
}

void flush() { std::fflush(stdout); }

// "1.23x", or "-" without a baseline.
std::string ratio(double value, double baseline) {
    if (baseline <= 0) return "-";
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.2fx", value / baseline);
    return buf;
}

int g_failures = 0;  // measurements that failed: the exit status says so (tests/CMakeLists.txt runs this)

// Runs one measurement; a failure is printed as a row and the run goes on with the next.
template <class F>
bool attempt(const std::string& what, F f) {
    try {
        f();
        return true;
    } catch (const std::exception& e) {
        ++g_failures;
        std::printf("| %s: FAILED: %s |\n", what.c_str(), e.what());
        progress("%s failed: %s", what.c_str(), e.what());
        flush();
        return false;
    }
}

struct Target {
    std::string name, figure;
    std::optional<bool> met;  // nothing: not measured at the sizes the target names
};

struct Report {
    std::vector<EngineFigures> engine;
    std::map<DaemonStore, std::vector<SplitFigures>> split;
    std::vector<PropagationFigures> propagation;
    std::optional<HistoryRun> history;
    std::vector<Target> targets;
};

void run_engine(const Settings& s, Report& report) {
    std::printf("\n## Engine heap and apply_delta (in-process, 16-byte random keys, history_depth 32)\n\n");
    std::printf("Heap = mallinfo2 uordblks + hblkhd, before apply_snapshot and after it, then after %zu split deltas "
                "(each: upsert the parent shortened, upsert a new child id).\n\n", s.total_splits);
    std::printf("| routes | B/route beyond keys, loaded | B/route beyond keys, after %zu splits | history entries | "
                "apply_delta median us | p99 us | CPU median us | median / N=%zu | p99 / N=%zu | CPU median / N=%zu |\n",
                s.total_splits, s.sizes.front(), s.sizes.front(), s.sizes.front());
    std::printf("|---|---|---|---|---|---|---|---|---|---|\n");
    flush();
    for (std::size_t n : s.sizes) {
        progress("engine: %zu routes", n);
        attempt("engine " + std::to_string(n), [&] {
            const EngineFigures f = measure_engine(n, s.total_splits);
            report.engine.push_back(f);
            const auto& base = report.engine.front();
            std::printf("| %zu | %.1f | %.1f | %zu | %.1f | %.1f | %.1f | %s | %s | %s |\n", n, f.bytes_per_route_loaded,
                        f.bytes_per_route_split, f.history_entries, f.apply_delta_us.median, f.apply_delta_us.p99,
                        f.apply_delta_cpu_us, ratio(f.apply_delta_us.median, base.apply_delta_us.median).c_str(),
                        ratio(f.apply_delta_us.p99, base.apply_delta_us.p99).c_str(),
                        ratio(f.apply_delta_cpu_us, base.apply_delta_cpu_us).c_str());
            flush();
        });
    }
}

void run_split(const Settings& s, Report& report) {
    std::printf("\n## Split latency on routecatd (POST /v1/catalog/split reply time)\n\n");
    std::printf("The first %zu of %zu splits of distinct random routes, one at a time. Seed: memory by PUT /v1/catalog "
                "(admin.body_limit_bytes %zu, admin.inflight_body_limit_bytes %zu; defaults 8 MiB, 64 MiB); RocksDB by "
                "one Save into the data directory before the daemon starts (it loads it as after a restart).\n\n",
                s.timed_splits, s.total_splits, kAdminBodyLimitBytes, kAdminInflightBodyLimitBytes);
    std::printf("Daemon CPU ms / split: the daemon's CPU time (all threads) over the timed splits, per split. RSS: VmRSS "
                "1 s after the load and 1 s after the last split; memory's reading after load includes what the "
                "allocator keeps from parsing the PUT body and rendering its reply (RocksDB's has no such body).\n\n");
    std::printf("| store | routes | seed s | load s | median ms | p99 ms | daemon CPU ms / split | median / N=%zu | p99 / N=%zu | "
                "CPU / N=%zu | RSS after load MiB | RSS after splits MiB | splits | RSS after / after load |\n",
                s.sizes.front(), s.sizes.front(), s.sizes.front());
    std::printf("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
    flush();
    for (DaemonStore store : {DaemonStore::memory, DaemonStore::rocksdb}) {
        auto& rows = report.split[store];
        for (std::size_t n : s.sizes) {
            progress("split: %s, %zu routes", name_of(store), n);
            attempt(std::string("split ") + name_of(store) + " " + std::to_string(n), [&] {
                const SplitFigures f = measure_splits(store, n, s);
                rows.push_back(f);
                const auto& base = rows.front();
                std::printf("| %s | %zu | %.1f | %.1f | %.2f | %.2f | %.2f | %s | %s | %s | %.0f | %.0f | %zu | %s |\n",
                            name_of(store), n, f.seed_s, f.load_s, f.split_ms.median, f.split_ms.p99, f.cpu_ms_per_split,
                            ratio(f.split_ms.median, base.split_ms.median).c_str(),
                            ratio(f.split_ms.p99, base.split_ms.p99).c_str(),
                            ratio(f.cpu_ms_per_split, base.cpu_ms_per_split).c_str(),
                            f.rss_loaded_mib, f.rss_after_splits_mib, f.splits,
                            ratio(f.rss_after_splits_mib, f.rss_loaded_mib).c_str());
                flush();
            });
        }
    }
}

void run_propagation(const Settings& s, Report& report) {
    std::printf("\n## Split-to-served propagation, two routecatd on one etcd\n\n");
    std::printf("Split on A, B's GET /v1/routes/lookup polled every 0.5 ms until it names the new child; %zu splits "
                "per N. etcd:", s.propagation_splits);
    for (const auto& a : PropagationBench::etcd_limits()) std::printf(" %s", a.c_str());
    std::printf(" (the harness's defaults: --max-txn-ops 20000 --max-request-bytes 33554432, quota 2 GiB); "
                "daemons' store.request_timeout_ms 30000 (default 2000); seeded by one Save in this process.\n\n");
    std::printf("The time runs from sending the split to A, so it includes A's reply (also given alone).\n\n");
    std::printf("| routes | samples | median ms | p99 ms | A's reply median ms | A's reply p99 ms | median / N=%zu | p99 / N=%zu |\n",
                s.sizes.front(), s.sizes.front());
    std::printf("|---|---|---|---|---|---|---|---|\n");
    flush();
    std::unique_ptr<PropagationBench> bench;
    if (!attempt("etcd start", [&] { bench = std::make_unique<PropagationBench>(); })) return;
    for (std::size_t n : s.sizes) {
        if (n > s.max_propagation_routes) continue;
        progress("propagation: %zu routes", n);
        attempt("propagation " + std::to_string(n), [&] {
            const PropagationFigures f = bench->measure(n, s.propagation_splits);
            report.propagation.push_back(f);
            const auto& base = report.propagation.front().total_ms;
            std::printf("| %zu | %zu | %.1f | %.1f | %.1f | %.1f | %s | %s |\n", n, f.samples, f.total_ms.median,
                        f.total_ms.p99, f.reply_ms.median, f.reply_ms.p99, ratio(f.total_ms.median, base.median).c_str(),
                        ratio(f.total_ms.p99, base.p99).c_str());
            flush();
        });
    }
}

void run_history(const Settings& s, Report& report) {
    std::printf("\n## RocksDB data directory after Saves\n\n");
    progress("history: RocksDB, Saves up to %zu", s.saves.back());
    attempt("history", [&] { report.history = measure_history(s.saves, s.retain_versions); });
    if (!report.history) return;
    const HistoryRun& h = *report.history;
    std::printf("A 100-route catalog, one route changed per Save (CatalogStore with the delta log, sync off), "
                "RocksDbStoreOptions::retain_versions %zu. Measured after closing the store, then after a flush and a "
                "full compaction (the closed directory reopened with RocksDB's default options). Versions kept: of "
                "the catalog's version key (one per Save), when the store closed.\n\n",
                static_cast<std::size_t>(s.retain_versions));
    std::printf("| Saves | closed, bytes | flushed + compacted, bytes | .sst bytes | versions kept | Saves/s | compacted / %zu Saves |\n",
                s.saves.front());
    std::printf("|---|---|---|---|---|---|---|\n");
    for (const auto& f : h.checkpoints)
        std::printf("| %zu | %llu | %llu | %llu | %zu | %.0f | %s |\n", f.saves, static_cast<unsigned long long>(f.dir_bytes_closed),
                    static_cast<unsigned long long>(f.dir_bytes_compacted),
                    static_cast<unsigned long long>(f.sst_bytes_compacted), f.version_key_versions, f.saves_per_s,
                    ratio(static_cast<double>(f.dir_bytes_compacted),
                          static_cast<double>(h.checkpoints.front().dir_bytes_compacted)).c_str());
    flush();
}

// A ratio target between the figures at two sizes; judged only when both were measured.
template <class Row, class Get>
void ratio_target(Report& report, const std::string& name, const std::vector<Row>& rows, std::size_t small,
                  std::size_t large, double limit, Get get) {
    const Row *a = nullptr, *b = nullptr;
    for (const auto& r : rows) {
        if (r.routes == small) a = &r;
        if (r.routes == large) b = &r;
    }
    if (!a || !b || get(*a) <= 0) {
        report.targets.push_back({name, "not measured at both sizes", std::nullopt});
        return;
    }
    char buf[128];
    std::snprintf(buf, sizeof buf, "%.2fx (%.2f vs %.2f)", get(*b) / get(*a), get(*b), get(*a));
    report.targets.push_back({name, buf, get(*b) / get(*a) <= limit});
}

void judge(const Settings& s, Report& report) {
    for (DaemonStore store : {DaemonStore::memory, DaemonStore::rocksdb})
        ratio_target(report, std::string("split(1M) / split(1k) <= 2x, median, ") + name_of(store), report.split[store],
                     1'000, 1'000'000, 2.0, [](const SplitFigures& f) { return f.split_ms.median; });
    ratio_target(report, "propagation(100k) / propagation(1k) <= 2x, median, etcd", report.propagation, 1'000, 100'000,
                 2.0, [](const PropagationFigures& f) { return f.total_ms.median; });
    for (DaemonStore store : {DaemonStore::memory, DaemonStore::rocksdb})
        for (std::size_t n : {100'000, 1'000'000}) {
            const std::string name = "RSS after " + std::to_string(s.total_splits) + " splits / after load <= 1.2x, " +
                                     name_of(store) + ", " + std::to_string(n) + " routes";
            bool found = false;
            for (const auto& f : report.split[store])
                if (f.routes == n) {
                    char buf[96];
                    std::snprintf(buf, sizeof buf, "%.2fx (%.0f vs %.0f MiB)", f.rss_after_splits_mib / f.rss_loaded_mib,
                                  f.rss_after_splits_mib, f.rss_loaded_mib);
                    report.targets.push_back({name, buf, f.rss_after_splits_mib <= 1.2 * f.rss_loaded_mib});
                    found = true;
                }
            if (!found) report.targets.push_back({name, "not measured", std::nullopt});
        }
    {
        const std::string name = "engine heap with the full history <= 150 B/route beyond keys, 1M routes";
        bool found = false;
        for (const auto& f : report.engine)
            if (f.routes == 1'000'000) {
                char buf[64];
                std::snprintf(buf, sizeof buf, "%.1f B/route (%zu history entries)", f.bytes_per_route_split, f.history_entries);
                report.targets.push_back({name, buf, f.bytes_per_route_split <= 150});
                found = true;
            }
        if (!found) report.targets.push_back({name, "not measured", std::nullopt});
    }
    {
        const std::string name = "RocksDB directory after 100,000 Saves / after 10,000 <= 2x (flushed + compacted)";
        const HistoryFigures *a = nullptr, *b = nullptr;
        if (report.history)
            for (const auto& f : report.history->checkpoints) {
                if (f.saves == 10'000) a = &f;
                if (f.saves == 100'000) b = &f;
            }
        if (a && b && a->dir_bytes_compacted > 0) {
            char buf[96];
            const double r = static_cast<double>(b->dir_bytes_compacted) / static_cast<double>(a->dir_bytes_compacted);
            std::snprintf(buf, sizeof buf, "%.2fx (%llu vs %llu bytes)", r,
                          static_cast<unsigned long long>(b->dir_bytes_compacted),
                          static_cast<unsigned long long>(a->dir_bytes_compacted));
            report.targets.push_back({name, buf, r <= 2.0});
        } else {
            report.targets.push_back({name, "not measured at 10,000 and 100,000 Saves", std::nullopt});
        }
    }

    std::printf("\n## Targets (issue 13; benchmarks, not CI gates)\n\n| target | figure | met |\n|---|---|---|\n");
    for (const auto& t : report.targets)
        std::printf("| %s | %s | %s |\n", t.name.c_str(), t.figure.c_str(), !t.met ? "not run" : *t.met ? "yes" : "**no**");
    flush();
}

}  // namespace

int main(int argc, char** argv) {
    Settings s;
    try {
        s = parse(argc, argv);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "%s\n", e.what());
        return 2;
    }
    std::printf("# scale_bench (issue 13 item 4)\n\nsizes:");
    for (auto n : s.sizes) std::printf(" %zu", n);
    std::printf("; splits per daemon %zu (first %zu timed); propagation %zu splits per N <= %zu; Saves:", s.total_splits,
                s.timed_splits, s.propagation_splits, s.max_propagation_routes);
    for (auto n : s.saves) std::printf(" %zu", n);
    std::printf("\n");
    flush();

    Report report;
    if (s.engine) run_engine(s, report);  // first: nothing else has allocated in this process yet
    if (s.split) run_split(s, report);
    if (s.propagation) run_propagation(s, report);
    if (s.history) run_history(s, report);
    judge(s, report);
    if (g_failures > 0) std::fprintf(stderr, "scale_bench: %d measurement(s) failed\n", g_failures);
    return g_failures > 0 ? 1 : 0;
}
