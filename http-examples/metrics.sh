#!/usr/bin/env bash
# Prometheus metrics.
# expect: 200
set -euo pipefail
. "$(dirname "$0")/_common.sh"
rc_curl "$ROUTECAT_URL/metrics"
