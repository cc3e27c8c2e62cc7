#!/usr/bin/env bash
# Which routes hold these keys, in one request (at most 10,000 keys; keys, keys_text or keys_hex).
# A read: no token, even when the daemon has one. routes[i] answers keys[i] (null: no route).
# expect: 200
set -euo pipefail
. "$(dirname "$0")/_common.sh"
rc_curl -X POST -H "Content-Type: application/json" "$ROUTECAT_URL/v1/routes/lookup" \
  --data-binary '{"keys_text":["user/42","apple","zebra"]}'
