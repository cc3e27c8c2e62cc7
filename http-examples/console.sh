#!/usr/bin/env bash
# The web console's page: its headers (the Content-Security-Policy, nosniff, ETag); the body is
# index.html. Open $ROUTECAT_URL/ui/ in a browser to use it.
# expect: 200
set -euo pipefail
. "$(dirname "$0")/_common.sh"
rc_curl -D - -o /dev/null "$ROUTECAT_URL/ui/"
