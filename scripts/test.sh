#!/usr/bin/env bash
# The one test command: installs what is missing, builds Release and the sanitizer build, and runs
# the whole CTest suite on both.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh test
started=$(date +%s)
for flavour in release asan; do
  echo "== $flavour: build"
  bash scripts/build.sh "$flavour"
  echo "== $flavour: test"
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --test-dir "build/$flavour" --output-on-failure --timeout 600 -j 2
done
echo "== all tests passed on release and asan in $(( $(date +%s) - started )) s"
