#!/usr/bin/env bash
# Liveness.
# expect: 200
set -euo pipefail
. "$(dirname "$0")/_common.sh"
rc_curl "$ROUTECAT_URL/healthz"
