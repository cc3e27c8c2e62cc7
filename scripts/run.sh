#!/usr/bin/env bash
# The one run command: installs what is missing, builds Release and starts the main program.
# (Until routecatd lands, the main program is routecat-demo: it saves and prints a catalog.)
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh
bash scripts/build.sh release
exec build/release/routecat-demo "$@"
