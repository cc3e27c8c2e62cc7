#!/usr/bin/env bash
# Targeted changes in one transaction: route 4 (the split's right child) moves to group 3, route 2 is
# replaced by a new route 5 over the same range. Only the named routes are read and written; the
# reply lists them. Run after catalog-split.sh.
# expect: 200
set -euo pipefail
. "$(dirname "$0")/_common.sh"
v=$(catalog_version)
rc_curl -X PATCH "${auth[@]}" -H "Content-Type: application/json" "$ROUTECAT_URL/v1/catalog" --data-binary @- <<JSON
{"expected_version":$v,
 "upserts":[{"route_id":4,"start_text":"g","end_text":"m","group_id":3,"parent_route_id":1},
            {"route_id":5,"start_text":"m","group_id":2,"state":"write_fenced"}],
 "deletes":[2]}
JSON
