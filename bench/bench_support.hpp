#pragma once
// Shared by the Google Benchmark programs: bench_common.hpp's helpers, and a reporter that prints
// each benchmark's ratio to its baseline measured in the same run (machines here are noisy;
// absolute numbers are not).

#include "bench_common.hpp"

#include <benchmark/benchmark.h>

#include <cstdio>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace routecat::bench {

// Collects per-benchmark time per iteration; after the run, prints "name / baseline" ratios for the
// pairs registered with compare().
class RatioReporter : public benchmark::ConsoleReporter {
public:
    void compare(std::string name, std::string baseline) { pairs_.emplace_back(std::move(name), std::move(baseline)); }

    void ReportRuns(const std::vector<Run>& runs) override {
        for (const auto& run : runs)
            if (run.run_type == Run::RT_Iteration) ns_[run.benchmark_name()] = run.GetAdjustedRealTime();
        ConsoleReporter::ReportRuns(runs);
    }

    void print_ratios() const {
        std::printf("\n%-58s %-46s %8s\n", "benchmark", "baseline (same run)", "ratio");
        for (const auto& [name, baseline] : pairs_) {
            auto a = ns_.find(name), b = ns_.find(baseline);
            if (a == ns_.end() || b == ns_.end() || b->second == 0) continue;
            std::printf("%-58s %-46s %7.2fx\n", name.c_str(), baseline.c_str(), a->second / b->second);
        }
    }

private:
    std::map<std::string, double> ns_;
    std::vector<std::pair<std::string, std::string>> pairs_;
};

}  // namespace routecat::bench
