#!/usr/bin/env bash
# Installs every Debian package that serentak's build, tests, demo and benchmarks need.
# Idempotent: packages already present are skipped, so a warm machine pays nothing.
# Usage: scripts/install-deps.sh [--bench]   (--bench adds the peers measured in bench/)
set -euo pipefail

build_packages=(
  build-essential cmake ninja-build pkg-config
  libcurl4-openssl-dev libboost-dev nlohmann-json3-dev libfmt-dev libcli11-dev
  libgtest-dev libgmock-dev
  zlib1g-dev                             # tests: hostile_responses_test builds gzip bodies
  clang-14 libclang-rt-14-dev            # libFuzzer and the clang sanitizer runtime
  python3 curl                           # tests/support scripts; curl drives `serentak serve` in a test
  libhiredis-dev                         # queue/: Redis client for `serentak job` (hiredis 0.14, no TLS)
)
test_packages=(
  redis-server                           # job_*_test start their own Redis (AOF on)
)
bench_packages=(
  wrk hyperfine nginx-light libbenchmark-dev time bc curl
  python3-flask python3-requests         # the seed's own server and client, measured side by side
)

wanted=("${build_packages[@]}" "${test_packages[@]}")
if [[ "${1:-}" == "--bench" ]]; then
  wanted+=("${bench_packages[@]}")
fi

missing=()
for pkg in "${wanted[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q '^install ok installed$'; then
    missing+=("$pkg")
  fi
done

if [[ ${#missing[@]} -eq 0 ]]; then
  exit 0
fi

if [[ $(id -u) -ne 0 ]]; then
  if command -v sudo >/dev/null 2>&1; then
    sudo_cmd=(sudo)
  else
    echo "install-deps: missing packages (${missing[*]}) and not root; run as root" >&2
    exit 2
  fi
else
  sudo_cmd=()
fi

echo "install-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
