#!/usr/bin/env bash
# The change feed: the deltas after version 1, at most 10 (a reset instead when the log no longer
# reaches back that far). Page on with after = the last delta's version.
# expect: 200
set -euo pipefail
. "$(dirname "$0")/_common.sh"
rc_curl "$ROUTECAT_URL/v1/catalog/changes?after=1&limit=10"
