#!/usr/bin/env bash
# Report accesses (how a data plane reports load; may split hot ranges).
# expect: 200
set -euo pipefail
. "$(dirname "$0")/_common.sh"
rc_curl -X POST "${auth[@]}" -H "Content-Type: application/json" "$ROUTECAT_URL/v1/routes/access" \
  --data-binary '{"keys_text":["user/42","user/43","zebra"]}'
