#!/usr/bin/env bash
# HTTP load benchmark: GET /v1/routes/lookup on a 100k-route catalog against nginx serving a
# 200-byte static JSON file, both measured in the same run with the same wrk settings:
# keep-alive, 64 connections, 1 wrk thread pinned to CPU 1; the server (routecatd with 1 io
# thread, or nginx with 1 worker) pinned to CPU 0. Prints requests/s and p99 of both and the ratios.
#   bash bench/http_bench.sh [seconds per run, default 10]
set -euo pipefail
cd "$(dirname "$0")/.."
duration=${1:-10}

bash scripts/install-deps.sh bench
bash scripts/build.sh release >/dev/null
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

# routecatd: memory store, 1 io thread, a catalog of 100,000 routes seeded from bootstrap_routes.
awk 'BEGIN {
  printf "{\"threads\":1,\"store\":{\"kind\":\"memory\"},\"engine\":{\"bootstrap_routes\":[";
  n = 100000;
  for (i = 0; i < n; i++) {
    start = (i == 0) ? "" : sprintf("k%08d", i * 10);
    printf "%s{\"start_text\":\"%s\"", (i ? "," : ""), start;
    if (i + 1 < n) printf ",\"end_text\":\"k%08d\"", (i + 1) * 10;
    printf ",\"group_id\":%d}", i % 7 + 1;
  }
  printf "]}}\n";
}' > "$work/routecatd.json"
taskset -c 0 build/release/routecatd --config "$work/routecatd.json" --listen 127.0.0.1:0 2>"$work/routecatd.log" &
pids+=($!)
for _ in $(seq 1 600); do
  port=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$work/routecatd.log" | head -1)
  [ -n "$port" ] && break
  sleep 0.05
done
[ -n "${port:-}" ] || { echo "routecatd did not start:"; cat "$work/routecatd.log"; exit 1; }
lookup="http://127.0.0.1:$port/v1/routes/lookup?key=k00424242"
curl -sS "$lookup"; echo

# nginx: 1 worker pinned like the daemon, a 200-byte JSON file.
mkdir -p "$work/nginx/html" "$work/nginx/logs"
printf '{"version":1,"route":{"route_id":42425,"start":"azAwNDI0MjQw","start_text":"k00424240","end":"azAwNDI0MjUw","end_text":"k00424250","group_id":4,"state":"active","load":0},"pad":"%s"}' \
  "$(head -c 18 /dev/zero | tr '\0' x)" > "$work/nginx/html/lookup.json"
nginx_port=$((port + 1))
cat > "$work/nginx/nginx.conf" <<CONF
worker_processes 1;
worker_cpu_affinity 01;
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

# wrk prints "Requests/sec: N" and, with --latency, "99%  1.23ms"; normalise latency to microseconds.
measure() {
  taskset -c 1 wrk -t1 -c64 -d"${duration}s" --latency "$1" > "$work/wrk.out"
  awk '/Requests\/sec/ { rps = $2 }
       $1 == "99%" { v = $2; u = 1;
         if (v ~ /us$/) { sub(/us$/, "", v) } else if (v ~ /ms$/) { sub(/ms$/, "", v); u = 1000 } else if (v ~ /s$/) { sub(/s$/, "", v); u = 1000000 }
         p99 = v * u }
       END { printf "%.0f %.0f\n", rps, p99 }' "$work/wrk.out"
}
taskset -c 1 wrk -t1 -c64 -d2s "$lookup" >/dev/null  # warm up
read -r rc_rps rc_p99 < <(measure "$lookup")
read -r ng_rps ng_p99 < <(measure "$static")

printf '\n%-44s %12s %12s\n' "target (wrk -t1 -c64, keep-alive)" "requests/s" "p99 (us)"
printf '%-44s %12s %12s\n' "routecatd GET /v1/routes/lookup (100k)" "$rc_rps" "$rc_p99"
printf '%-44s %12s %12s\n' "nginx static 200-byte JSON (baseline)" "$ng_rps" "$ng_p99"
awk -v a="$rc_rps" -v b="$ng_rps" -v c="$rc_p99" -v d="$ng_p99" \
  'BEGIN { printf "ratio routecatd / nginx: requests/s %.2fx, p99 %.2fx\n", a / b, c / d }'
