#!/usr/bin/env bash
# Routes intersecting [start, end) (no end = unbounded).
# expect: 200
set -euo pipefail
. "$(dirname "$0")/_common.sh"
rc_curl "$ROUTECAT_URL/v1/routes/intersect?start=a&end=n"
