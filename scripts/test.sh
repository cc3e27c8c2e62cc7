#!/usr/bin/env bash
# The one test command: installs what is missing, builds Release and the sanitizer build, and runs
# the whole CTest suite on both.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh test
# The tests' scratch directories (TempDir, mktemp: etcd's and RocksDB's data) on tmpfs where there is
# one: etcd fsyncs every write, and on a disk that was the larger part of the etcd suites' time. A
# killed process leaves its writes behind on tmpfs as on a disk, so the crash tests test the same.
if [ -z "${TMPDIR:-}" ] && [ -w /dev/shm ] && [ "$(stat -f -c %T /dev/shm)" = tmpfs ]; then
  export TMPDIR=/dev/shm
fi
started=$(date +%s)
TIMEFORMAT="== %0R s (user %0U s, sys %0S s)"
for flavour in release asan; do
  echo "== $flavour: build"
  time bash scripts/build.sh "$flavour"
  echo "== $flavour: test"
  time ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --test-dir "build/$flavour" --output-on-failure --timeout 600 -j 2
done
echo "== all tests passed on release and asan in $(( $(date +%s) - started )) s"
