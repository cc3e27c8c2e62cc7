#!/usr/bin/env bash
# The one run command: installs what is missing, builds Release and starts routecatd on the embedded
# default (RocksDB under ./data/routecat, admin API on 127.0.0.1:8080). Arguments go to routecatd:
#   bash scripts/run.sh --config config/routecatd-memory.json
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh
bash scripts/build.sh release
exec build/release/routecatd "$@"
