#!/usr/bin/env bash
# The durable catalog: version, read_ts, next_route_id and every route.
# expect: 200
set -euo pipefail
. "$(dirname "$0")/_common.sh"
rc_curl "$ROUTECAT_URL/v1/catalog"
