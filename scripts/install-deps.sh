#!/usr/bin/env bash
# Installs the Debian 12 packages routecat needs; skips what is already present.
# Safe to run again. Runs apt-get as root, or through sudo when not root.
#   install-deps.sh          what building, running and every test but the browser one need
#   install-deps.sh test     that, plus the browser test's (admin_ui_browser): Debian's chromium,
#                            its chromedriver, Selenium and a font (scripts/test.sh, so CI has them)
#   install-deps.sh bench    that (without the browser), plus what the benchmarks need
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config
  libboost1.81-dev libboost-json1.81-dev libboost-test1.81-dev libboost-url1.81-dev
  libspdlog-dev librocksdb-dev prometheus-cpp-dev curl etcd-server etcd-client python3
)
case "${1:-}" in
  test) packages+=(chromium chromium-driver python3-selenium fonts-dejavu-core) ;;
  bench) packages+=(libbenchmark-dev wrk nginx-light) ;;
  '') ;;
  *) echo "usage: $0 [test|bench]" >&2; exit 2 ;;
esac

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
