#!/usr/bin/env bash
# HTTP load benchmark: GET /v1/routes/lookup on a 100k-route catalog against nginx serving a
# 200-byte static JSON file, both measured in the same run with the same wrk settings (keep-alive,
# 64 connections). With 1 thread (the default): the server (routecatd with 1 io thread, or nginx
# with 1 worker) pinned to CPU 0, wrk (1 thread) to CPU 1. With 2: routecatd `threads: 2` or nginx
# with 2 workers, and wrk with 2 threads, all sharing CPUs 0 and 1. Lookups draw random keys (a wrk
# Lua script) from 10,000 keys spread over the 100k routes; then POST /v1/routes/lookup batches of
# 100 of those keys. Runs alternate routecatd single, nginx, routecatd batch, `runs` times; prints
# each run and the medians: requests/s and p99 of each, the ratios to nginx, the batch's keys/s ratio.
#   bash bench/http_bench.sh [seconds per measurement, default 10] [threads: 1 or 2, default 1] [runs, default 3]
set -euo pipefail
cd "$(dirname "$0")/.."
duration=${1:-10}
threads=${2:-1}
runs=${3:-3}
case "$threads" in
  1) server_cpus=0; wrk_cpus=1; wrk_threads=1; nginx_workers="worker_processes 1;
worker_cpu_affinity 01;" ;;
  2) server_cpus=0,1; wrk_cpus=0,1; wrk_threads=2; nginx_workers="worker_processes 2;
worker_cpu_affinity 01 10;" ;;
  *) echo "threads must be 1 or 2"; exit 2 ;;
esac

bash scripts/install-deps.sh bench
bash scripts/build.sh release >/dev/null
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

# routecatd: memory store, 1 io thread, a catalog of 100,000 routes seeded from bootstrap_routes.
awk 'BEGIN {
  printf "{\"threads\":'"$threads"',\"store\":{\"kind\":\"memory\"},\"engine\":{\"bootstrap_routes\":[";
  n = 100000;
  for (i = 0; i < n; i++) {
    start = (i == 0) ? "" : sprintf("k%08d", i * 10);
    printf "%s{\"start_text\":\"%s\"", (i ? "," : ""), start;
    if (i + 1 < n) printf ",\"end_text\":\"k%08d\"", (i + 1) * 10;
    printf ",\"group_id\":%d}", i % 7 + 1;
  }
  printf "]}}\n";
}' > "$work/routecatd.json"
taskset -c "$server_cpus" build/release/routecatd --config "$work/routecatd.json" --listen 127.0.0.1:0 2>"$work/routecatd.log" &
pids+=($!)
for _ in $(seq 1 600); do
  port=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$work/routecatd.log" | head -1)
  [ -n "$port" ] && break
  sleep 0.05
done
[ -n "${port:-}" ] || { echo "routecatd did not start:"; cat "$work/routecatd.log"; exit 1; }
lookup="http://127.0.0.1:$port/v1/routes/lookup?key=k00424242"
curl -sS "$lookup"; echo

# nginx: as many workers as the daemon has threads, pinned like it; a 200-byte JSON file.
mkdir -p "$work/nginx/html" "$work/nginx/logs"
printf '{"version":1,"route":{"route_id":42425,"start":"azAwNDI0MjQw","start_text":"k00424240","end":"azAwNDI0MjUw","end_text":"k00424250","group_id":4,"state":"active","load":0},"pad":"%s"}' \
  "$(head -c 18 /dev/zero | tr '\0' x)" > "$work/nginx/html/lookup.json"
nginx_port=$((port + 1))
cat > "$work/nginx/nginx.conf" <<CONF
$nginx_workers
daemon off;
pid $work/nginx/nginx.pid;
error_log $work/nginx/logs/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  keepalive_requests 1000000;
  default_type application/json;
  server { listen 127.0.0.1:$nginx_port; root $work/nginx/html; }
}
CONF
nginx -p "$work/nginx" -c "$work/nginx/nginx.conf" &
pids+=($!)
sleep 0.5
static="http://127.0.0.1:$nginx_port/lookup.json"
curl -sS "$static" >/dev/null

# Lua for wrk: 10,000 keys over the catalog's key space (k00000000 .. k00999999), drawn at random
# per request; a batch is 100 of them.
cat > "$work/keys.lua" <<'LUA'
math.randomseed(42)
keys = {}
for i = 1, 10000 do keys[i] = string.format("k%08d", math.random(0, 999999)) end
LUA
cat "$work/keys.lua" - > "$work/single.lua" <<'LUA'
request = function() return wrk.format("GET", "/v1/routes/lookup?key=" .. keys[math.random(1, 10000)]) end
LUA
cat "$work/keys.lua" - > "$work/batch.lua" <<'LUA'
request = function()
  local parts = {}
  for i = 1, 100 do parts[i] = '"' .. keys[math.random(1, 10000)] .. '"' end
  return wrk.format("POST", "/v1/routes/lookup", {["Content-Type"] = "application/json"},
                    '{"keys_text":[' .. table.concat(parts, ",") .. ']}')
end
LUA

# wrk prints "Requests/sec: N" and, with --latency, "99%  1.23ms"; normalise latency to microseconds.
# measure <url> [lua script]
measure() {
  local script=()
  [ -n "${2:-}" ] && script=(-s "$2")
  taskset -c "$wrk_cpus" wrk -t"$wrk_threads" -c64 -d"${duration}s" --latency "${script[@]}" "$1" > "$work/wrk.out"
  awk '/Requests\/sec/ { rps = $2 }
       $1 == "99%" { v = $2; u = 1;
         if (v ~ /us$/) { sub(/us$/, "", v) } else if (v ~ /ms$/) { sub(/ms$/, "", v); u = 1000 } else if (v ~ /s$/) { sub(/s$/, "", v); u = 1000000 }
         p99 = v * u }
       END { printf "%.0f %.0f\n", rps, p99 }' "$work/wrk.out"
}
base="http://127.0.0.1:$port"
curl -sS -X POST -H 'Content-Type: application/json' "$base/v1/routes/lookup" --data-binary '{"keys_text":["k00424242","zzz"]}'; echo
taskset -c "$wrk_cpus" wrk -t"$wrk_threads" -c64 -d2s -s "$work/single.lua" "$base" >/dev/null  # warm up
: > "$work/runs"
label="wrk -t$wrk_threads -c64, keep-alive; server threads/workers: $threads"
printf '\n%-6s %-44s %12s %12s\n' "run" "target ($label)" "requests/s" "p99 (us)"
for run in $(seq 1 "$runs"); do
  read -r rc_rps rc_p99 < <(measure "$base" "$work/single.lua")
  read -r ng_rps ng_p99 < <(measure "$static")
  read -r bt_rps bt_p99 < <(measure "$base" "$work/batch.lua")
  printf '%-6s %-44s %12s %12s\n' "$run" "routecatd GET /v1/routes/lookup, random keys" "$rc_rps" "$rc_p99"
  printf '%-6s %-44s %12s %12s\n' "$run" "nginx static 200-byte JSON (baseline)" "$ng_rps" "$ng_p99"
  printf '%-6s %-44s %12s %12s\n' "$run" "routecatd POST /v1/routes/lookup, 100 keys" "$bt_rps" "$bt_p99"
  echo "$rc_rps $rc_p99 $ng_rps $ng_p99 $bt_rps" >> "$work/runs"
done
# Per run: the ratios; then the median of each ratio over the runs.
awk '{ r[NR] = $1 / $3; p[NR] = $2 / $4; b[NR] = $5 * 100 / $1;
       printf "run %d: requests/s %.2fx nginx, p99 %.2fx nginx, batch keys/s %.1fx single\n", NR, r[NR], p[NR], b[NR] }
     function median(a, n,   i, j, t) { for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
                                       return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }
     END { printf "median of %d runs: routecatd / nginx requests/s %.2fx, p99 %.2fx; batch keys/s / single keys/s %.1fx\n",
                  NR, median(r, NR), median(p, NR), median(b, NR) }' "$work/runs"
