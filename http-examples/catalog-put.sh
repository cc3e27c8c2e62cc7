#!/usr/bin/env bash
# Replace the whole route set (Save): two routes split at "m". Needs the current version.
# expect: 200
set -euo pipefail
. "$(dirname "$0")/_common.sh"
v=$(catalog_version)
rc_curl -X PUT "${auth[@]}" -H "Content-Type: application/json" "$ROUTECAT_URL/v1/catalog" --data-binary @- <<JSON
{"expected_version":$v,"routes":[
  {"route_id":1,"start_text":"","end_text":"m","group_id":1},
  {"route_id":2,"start_text":"m","group_id":2,"state":"write_fenced"}]}
JSON
