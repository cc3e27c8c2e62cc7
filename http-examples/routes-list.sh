#!/usr/bin/env bash
# The engine's table, paged (limit, after=next), filtered (group_id, state), with an ETag.
# expect: 200
set -euo pipefail
. "$(dirname "$0")/_common.sh"
rc_curl -i "$ROUTECAT_URL/v1/routes?limit=2"
