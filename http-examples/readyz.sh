#!/usr/bin/env bash
# Readiness: the store is reachable and the engine has synced.
# expect: 200
set -euo pipefail
. "$(dirname "$0")/_common.sh"
rc_curl "$ROUTECAT_URL/readyz"
