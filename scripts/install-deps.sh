#!/usr/bin/env bash
# Installs the Debian 12 packages routecat needs; skips what is already present.
# Safe to run again. Runs apt-get as root, or through sudo when not root.
#   install-deps.sh          what building, running and testing need
#   install-deps.sh bench    that, plus what the benchmarks need
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config
  libboost1.81-dev libboost-json1.81-dev libboost-test1.81-dev libboost-url1.81-dev
  libspdlog-dev librocksdb-dev prometheus-cpp-dev curl etcd-server etcd-client python3
)
if [ "${1:-}" = bench ]; then
  packages+=(libbenchmark-dev wrk nginx-light)
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q '^install ok installed$'; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

as_root=()
if [ "$(id -u)" -ne 0 ]; then as_root=(sudo); fi
echo "install-deps: installing ${missing[*]}"
"${as_root[@]}" apt-get update -q
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
