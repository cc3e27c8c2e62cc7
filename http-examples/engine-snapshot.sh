#!/usr/bin/env bash
# Apply a snapshot to the engine directly; the engine's own version is a no-op 200.
# expect: 200
set -euo pipefail
. "$(dirname "$0")/_common.sh"
v=$(engine_version)
rc_curl -X POST "${auth[@]}" -H "Content-Type: application/json" "$ROUTECAT_URL/v1/engine/snapshot" \
  --data-binary "{\"version\":$v,\"routes\":[]}"
