#!/usr/bin/env bash
# Push the durable catalog into the engine (how a lagging engine is brought up to date at once); only
# what the catalog holds is accepted, and the engine's own version is a no-op 200.
# expect: 200
set -euo pipefail
. "$(dirname "$0")/_common.sh"
snapshot=$(curl -sS "$ROUTECAT_URL/v1/catalog" | sed 's/,"next_route_id":[0-9]*//')
rc_curl -X POST "${auth[@]}" -H "Content-Type: application/json" "$ROUTECAT_URL/v1/engine/snapshot" \
  --data-binary "$snapshot"
