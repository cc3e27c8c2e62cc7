#!/usr/bin/env bash
# Long poll on the change feed: at the current version it answers as soon as a newer one commits,
# or after the timeout with no deltas (at most 60 s).
# expect: 200
set -euo pipefail
. "$(dirname "$0")/_common.sh"
v=$(catalog_version)
rc_curl "$ROUTECAT_URL/v1/catalog/changes?after=$v&timeout=1s"
