#!/usr/bin/env bash
# Split route 1 at "g" (spec 10.3): one transaction, two children with fresh ids. Run after catalog-put.sh.
# expect: 200
set -euo pipefail
. "$(dirname "$0")/_common.sh"
v=$(catalog_version)
rc_curl -X POST "${auth[@]}" -H "Content-Type: application/json" "$ROUTECAT_URL/v1/catalog/split" \
  --data-binary "{\"expected_version\":$v,\"route_id\":1,\"split_key_text\":\"g\"}"
