#!/usr/bin/env bash
# Runs every http-examples script, in the README's order, against a fresh routecatd (memory store,
# an admin token) and checks each one's final "HTTP <status>" against its "# expect:" line.
#   http_examples_test.sh <routecatd> <source dir>
set -uo pipefail
routecatd=$1
source=$2
work=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; rm -rf "$work"' EXIT

export ROUTECAT_TOKEN=example-token
cat > "$work/config.json" <<JSON
{"store":{"kind":"memory"},"admin":{"token_env":"ROUTECAT_TOKEN"},"watcher":{"interval_ms":20}}
JSON
"$routecatd" --config "$work/config.json" --listen 127.0.0.1:0 >"$work/log" 2>&1 &
pid=$!
for _ in $(seq 1 500); do
  port=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$work/log" | head -1)
  [ -n "$port" ] && break
  sleep 0.02
done
if [ -z "${port:-}" ]; then echo "routecatd did not start:"; cat "$work/log"; exit 1; fi
export ROUTECAT_URL=http://127.0.0.1:$port
# It serves before its catalog has loaded: wait until it says it is ready.
for _ in $(seq 1 500); do
  [ "$(curl -s -o /dev/null -w '%{http_code}' "$ROUTECAT_URL/readyz")" = 200 ] && break
  sleep 0.02
done

failed=0
count=0
for name in $(sed -n 's/^| [0-9]* | `\([a-z-]*\.sh\)`.*/\1/p' "$source/http-examples/README.md"); do
  script="$source/http-examples/$name"
  expect=$(sed -n 's/^# expect: \([0-9]*\)$/\1/p' "$script")
  got=$(bash "$script" 2>&1 | tail -1)
  count=$((count + 1))
  if [ "$got" = "HTTP $expect" ]; then
    echo "ok   $name ($got)"
  else
    echo "FAIL $name: expected HTTP $expect, got '$got'"
    bash "$script" 2>&1 | tail -5
    failed=$((failed + 1))
  fi
done
# Every script in the folder is in the README's table (and so was run).
scripts=$(ls "$source/http-examples"/*.sh | grep -v '/_common.sh$' | wc -l)
if [ "$scripts" -ne "$count" ]; then echo "FAIL: $scripts scripts, but the README lists $count"; failed=$((failed + 1)); fi
echo "$((count - failed)) passed, $failed failed"
[ "$failed" -eq 0 ]
