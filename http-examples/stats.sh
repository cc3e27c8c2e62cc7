#!/usr/bin/env bash
# Per-route loads (highest first), totals, engine version and generation, watcher status.
# expect: 200
set -euo pipefail
. "$(dirname "$0")/_common.sh"
rc_curl "$ROUTECAT_URL/v1/stats?top=5"
