#!/usr/bin/env bash
# Installs routecat from a build tree into a temp prefix, builds one consumer under tests/integration/
# embed/ against it with find_package(routecat CONFIG), and runs it.
#   run.sh <routecat build dir> <source dir> <consumer: admin | catalog> [extra cmake arguments...]
set -euo pipefail
build=$1
source=$2
consumer=$3
shift 3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cmake --install "$build" --prefix "$work/prefix" >/dev/null
cmake -S "$source/tests/integration/embed/$consumer" -B "$work/build" -DCMAKE_PREFIX_PATH="$work/prefix" \
  -DCMAKE_BUILD_TYPE=Release --no-warn-unused-cli "$@" >/dev/null
cmake --build "$work/build" -j "$(nproc)" >/dev/null
"$work/build/embed_$consumer"
