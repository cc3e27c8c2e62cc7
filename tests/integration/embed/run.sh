#!/usr/bin/env bash
# Installs routecat from a build tree into a temp prefix, builds tests/embed against it with
# find_package(routecat CONFIG), and runs the example.  run.sh <routecat build dir> <source dir>
set -euo pipefail
build=$1
source=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cmake --install "$build" --prefix "$work/prefix" >/dev/null
cmake -S "$source/tests/integration/embed" -B "$work/build" -DCMAKE_PREFIX_PATH="$work/prefix" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$work/build" -j "$(nproc)" >/dev/null
"$work/build/embed_example"
