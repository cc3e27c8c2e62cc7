#!/usr/bin/env bash
# Long poll: answers when the engine passes version N, or after the timeout with the table.
# expect: 200
set -euo pipefail
. "$(dirname "$0")/_common.sh"
v=$(engine_version)
rc_curl "$ROUTECAT_URL/v1/routes?wait_version=$v&timeout=1s"
