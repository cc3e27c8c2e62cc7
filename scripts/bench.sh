#!/usr/bin/env bash
# Builds the benchmarks (Release) and runs them; each prints its ratios to a same-run baseline.
#   bash scripts/bench.sh            # every benchmark
#   bash scripts/bench.sh engine     # one of them
#   bash scripts/bench.sh scale      # issue 13's scale_bench: not in the default list (the full run takes hours)
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh bench
cmake -S . -B build/bench -DCMAKE_BUILD_TYPE=Release -DROUTECAT_BUILD_BENCH=ON -DROUTECAT_BUILD_TESTS=OFF >/dev/null
cmake --build build/bench -j "$(nproc)"
for b in ${1:-engine admin store etcd sync_bytes delta_save}; do
  echo "== ${b}_bench"
  "build/bench/bench/${b}_bench" --benchmark_color=false
done
