#!/usr/bin/env bash
# Issue 19 target 2's second half, for builds side by side: for each binary given, in the order given
# (repeat them to alternate), the server's CPU per request with no delay (`wrk -t2 -c1000 -d4s`) and
# with the seed's delays (`wrk -t2 -c10000 -d8s`), both on the IDs u1..u1000 of
# bench/seed_delay_ids.lua, as bench/quick.sh measures them, each on a server of its own; CPU is
# read from /proc/PID/stat around each wrk run.
# Usage: SOMAXCONN=16384 bench/delayed_server_cpu.sh BIN [BIN ...]
# Traffic goes to 127.0.0.1 only; every step is bounded by `timeout`; servers are stopped by PID.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
(($# > 0)) || { echo "usage: bench/delayed_server_cpu.sh BIN [BIN ...]" >&2; exit 2; }
command -v wrk >/dev/null || { echo "wrk missing: make deps-bench" >&2; exit 2; }
for b in "$@"; do [[ -x $b ]] || { echo "no serentak at $b" >&2; exit 2; }; done

# shellcheck source=bench/lib.sh
source "$repo/bench/lib.sh"
bench_init delayed-cpu
raise_open_files

per_request() { awk -v a="$1" -v b="$2" -v n="$3" 'BEGIN {printf "%.2f", (n > 0 ? (b - a) * 1e6 / n : 0)}'; }
# The server's CPU per request over one wrk run against it: the server's PID, then wrk's arguments.
measure() {
  local pid=$1 before after n
  shift
  before=$(cpu_seconds "$pid")
  timeout 60 wrk "$@" -s "$repo/bench/seed_delay_ids.lua" "http://127.0.0.1:$port/" >"$work/wrk.out" 2>&1 || true
  after=$(cpu_seconds "$pid")
  n=$(awk '/requests in/ {print $1}' "$work/wrk.out")
  per_request "$before" "$after" "${n:-0}"
}

echo "# bench/delayed_server_cpu.sh ($(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores)"
echo
echo "| binary | zero delay, us/request | seed delays, us/request | ratio | req/s, delayed |"
echo "| --- | ---: | ---: | ---: | ---: |"
for serentak in "$@"; do
  start_server 0
  zero=$(measure "${bench_pids[-1]}" -t2 -c1000 -d4s)
  kill "${bench_pids[-1]}"; wait "${bench_pids[-1]}" 2>/dev/null || true
  start_server 1
  drain_time_wait
  delayed=$(measure "${bench_pids[-1]}" -t2 -c10000 -d8s)
  rps=$(awk '/Requests\/sec/ {print $2}' "$work/wrk.out")
  kill "${bench_pids[-1]}"; wait "${bench_pids[-1]}" 2>/dev/null || true
  printf '| %s | %s | %s | %sx | %s |\n' "$serentak" "$zero" "$delayed" "$(ratio "$delayed" "$zero")" "${rps:-?}"
done
