#!/usr/bin/env bash
# Installs the Debian packages serentak needs, by purpose: with no flag only what building the
# program (and its man pages and completions) needs, which is what `make build`, `make demo` and
# `make install` ask for; --test adds the tests' and fuzzers' needs, --bench the peers measured in
# bench/, --package what `make deb` and its install test need, --screenshots what `make screenshots`
# needs. Flags combine.
# Idempotent: packages already present are skipped, so a warm machine pays nothing.
# Usage: scripts/install-deps.sh [--test] [--bench] [--package] [--screenshots]
set -euo pipefail

build_packages=(
  build-essential cmake ninja-build pkg-config  # build-essential brings dpkg-dev (dpkg-shlibdeps)
  libcurl4-openssl-dev libboost-dev libssl-dev nlohmann-json3-dev libfmt-dev libcli11-dev
  libyaml-cpp-dev libsqlite3-dev         # monitor files and history (src/monitor)
  libhiredis-dev                         # queue/: Redis client for `serentak job` (hiredis 0.14, no TLS)
  lld                                    # links three times faster than GNU ld (CMakeLists.txt)
)
test_packages=(
  libgtest-dev libgmock-dev
  zlib1g-dev                             # tests: hostile_responses_test builds gzip bodies
  clang-14 libclang-rt-14-dev            # libFuzzer and the clang sanitizer runtime
  python3 curl                           # tests/support scripts; curl drives `serentak serve` in a test
  openssl nginx-light                    # tests: throwaway TLS certificates; HTTP/2 peer (http_v2 module)
  redis-server                           # job_*_test start their own Redis (AOF on)
  chromium chromium-driver               # dashboard_browser_test drives headless Chromium (WebDriver)
)
bench_packages=(
  wrk hyperfine nginx-light openssl libbenchmark-dev time bc curl
  python3-flask python3-requests         # the seed's own server and client, measured side by side
)

package_packages=(
  file                                   # CPack's DEB generator finds the binaries to scan with it
  man-db                                 # the package test runs `man -w serentak`
)
screenshots_packages=(
  chromium curl python3                  # scripts/screenshots.sh: headless shots, polling the API
  fonts-dejavu-core                      # a font for the page's text (chromium only recommends one)
)

wanted=("${build_packages[@]}")
for flag in "$@"; do
  case "$flag" in
    --test) wanted+=("${test_packages[@]}") ;;
    --bench) wanted+=("${bench_packages[@]}") ;;
    --package) wanted+=("${package_packages[@]}") ;;
    --screenshots) wanted+=("${screenshots_packages[@]}") ;;
    *) echo "install-deps: unknown flag '$flag' (--test, --bench, --package, --screenshots)" >&2; exit 2 ;;
  esac
done

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
