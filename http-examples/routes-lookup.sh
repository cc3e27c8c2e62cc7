#!/usr/bin/env bash
# Which route holds a key (key= text, key_b64= or key_hex=).
# expect: 200
set -euo pipefail
. "$(dirname "$0")/_common.sh"
rc_curl "$ROUTECAT_URL/v1/routes/lookup?key=user%2F42"
