#!/usr/bin/env bash
# The change feed as Server-Sent Events: every delta after version 1, then each new version as it
# commits (curl -N prints them as they come; here we stop listening after 1 s). A client that
# reconnects sends Last-Event-ID: <the last id it saw> and loses nothing.
# expect: 200
set -euo pipefail
. "$(dirname "$0")/_common.sh"
curl -sS -N --max-time 1 "$ROUTECAT_URL/v1/catalog/changes/stream?after=1" || [ $? -eq 28 ]  # 28: our own timeout
echo "HTTP $(curl -sS -o /dev/null --max-time 1 -w '%{http_code}' "$ROUTECAT_URL/v1/catalog/changes/stream" || true)"
