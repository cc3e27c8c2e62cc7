#!/usr/bin/env bash
# A Save from a stale version is refused with the current version in the body.
# expect: 409
set -euo pipefail
. "$(dirname "$0")/_common.sh"
rc_curl -X PUT "${auth[@]}" -H "Content-Type: application/json" "$ROUTECAT_URL/v1/catalog" \
  --data-binary '{"expected_version":0,"routes":[]}'
