#!/usr/bin/env bash
# Configures and builds one flavour of routecat into build/<flavour>:
#   release  optimised, the programs you run
#   asan     Debug with AddressSanitizer + UBSan, warnings as errors (what CI tests twice)
set -euo pipefail
cd "$(dirname "$0")/.."

flavour=${1:-release}
case "$flavour" in
  release) flags=(-DCMAKE_BUILD_TYPE=Release) ;;
  # Line tables only (-g1): the sanitizers' reports keep file:line, the build skips full debug info.
  asan) flags=(-DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG=-g1 -DROUTECAT_SANITIZE=ON -DROUTECAT_WERROR=ON) ;;
  *) echo "usage: $0 [release|asan]" >&2; exit 2 ;;
esac

# A new build directory uses Ninja (install-deps.sh): unlike make it compiles a target's sources
# while the libraries it links are still being built, which keeps both cores busy. A directory
# configured before keeps its generator (CMake cannot switch one).
if [ ! -f "build/$flavour/CMakeCache.txt" ] && command -v ninja >/dev/null; then
  flags+=(-G Ninja)
fi
# gold (binutils, like ld) links each of the ~30 executables in a third of GNU ld's time.
if command -v ld.gold >/dev/null; then
  flags+=(-DCMAKE_EXE_LINKER_FLAGS=-fuse-ld=gold)
fi

cmake -S . -B "build/$flavour" "${flags[@]}" >/dev/null
cmake --build "build/$flavour" -j "$(nproc)"
