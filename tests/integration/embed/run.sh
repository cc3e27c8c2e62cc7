#!/usr/bin/env bash
# Installs routecat from a build tree into a temp prefix, builds one consumer under tests/integration/
# embed/ against it with find_package(routecat CONFIG), and runs it. The mirror consumer follows a
# routecatd (the build tree's, on the memory store) whose route this script has split at "m".
#   run.sh <routecat build dir> <source dir> <consumer: admin | catalog | mirror> [extra cmake arguments...]
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
if [[ $consumer != mirror ]]; then
  "$work/build/embed_$consumer"
  exit
fi

"$build/routecatd" --config "$source/config/routecatd-memory.json" --listen 127.0.0.1:0 >"$work/routecatd.log" 2>&1 &
daemon=$!
trap 'kill "$daemon" 2>/dev/null; wait "$daemon" 2>/dev/null; rm -rf "$work"' EXIT
port=
for _ in $(seq 200); do
  port=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$work/routecatd.log" | head -n 1)
  [[ -n $port ]] && curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && break
  sleep 0.05
done
[[ -n $port ]] || { cat "$work/routecatd.log"; exit 1; }
curl -sf -X POST "http://127.0.0.1:$port/v1/catalog/split" -H 'Content-Type: application/json' \
  -d '{"expected_version":1,"route_id":1,"split_key_text":"m"}'
echo
"$work/build/embed_mirror" "http://127.0.0.1:$port"
