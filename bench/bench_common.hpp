#pragma once
// Shared by the benchmarks, Google Benchmark or not (scale_bench has none): deterministic random
// keys, descriptors, a coroutine runner and the heap size.

#include "routecat/route.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <malloc.h>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <vector>

namespace routecat::bench {

// Runs task on io to completion and returns its result (or rethrows).
template <class T>
T run(boost::asio::io_context& io, boost::asio::awaitable<T> task) {
    auto f = boost::asio::co_spawn(io, std::move(task), boost::asio::use_future);
    io.restart();
    io.run();
    return f.get();
}

// The numbers on a plain benchmark's command line; flags are skipped (scripts/bench.sh passes
// --benchmark_color=false to every benchmark).
inline std::vector<std::size_t> number_args(int argc, char** argv) {
    std::vector<std::size_t> numbers;
    for (int i = 1; i < argc; ++i)
        if (argv[i][0] != '-') numbers.push_back(std::strtoull(argv[i], nullptr, 10));
    return numbers;
}

inline std::string random_key(std::mt19937_64& rng, std::size_t size = 16) {
    std::string key(size, '\0');
    for (auto& c : key) c = static_cast<char>(rng() & 0xFF);
    return key;
}

// n distinct sorted random keys.
inline std::vector<std::string> sorted_keys(std::size_t n, std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::vector<std::string> keys;
    keys.reserve(n);
    while (keys.size() < n) keys.push_back(random_key(rng));
    std::sort(keys.begin(), keys.end());
    keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
    return keys;
}

// n routes over the whole keyspace: the first from the empty key, then one from each of starts (sorted,
// distinct); the last is unbounded, so every key is routed.
inline std::vector<RouteDescriptor> descriptors_from(const std::vector<std::string>& starts, std::uint64_t group = 1) {
    std::vector<std::string> bounds;
    bounds.reserve(starts.size() + 1);
    bounds.push_back("");
    for (const auto& s : starts)
        if (!s.empty()) bounds.push_back(s);
    std::vector<RouteDescriptor> routes;
    routes.reserve(bounds.size());
    for (std::size_t i = 0; i < bounds.size(); ++i) {
        std::optional<std::string> end;
        if (i + 1 < bounds.size()) end = bounds[i + 1];
        routes.push_back({i + 1, bounds[i], end, group, RouteState::active, 0});
    }
    return routes;
}

// Bytes malloc has handed out, including large blocks it mmaps on their own.
inline double heap_bytes() {
    const auto m = mallinfo2();
    return static_cast<double>(m.uordblks) + static_cast<double>(m.hblkhd);
}

}  // namespace routecat::bench
