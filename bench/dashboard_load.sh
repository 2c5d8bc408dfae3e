#!/usr/bin/env bash
# Issue 17's dashboard at scale: `serentak monitor --web` over N endpoints (health's /status/ok on
# `serentak serve`, interval 1h, so ~N/3600 checks a second once started), then: the time and size of
# /api/v1/endpoints (three tries), the monitor's CPU over SECONDS with no stream, with STREAMS
# /events streams just opened (their snapshots), and with them held open (steady deltas).
# Usage: bench/dashboard_load.sh [path/to/serentak] [endpoints=10000] [streams=50] [seconds=20]
# Traffic goes to 127.0.0.1 only; what it starts is stopped by PID.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
serentak=${1:-$repo/build/release/apps/serentak/serentak}
endpoints=${2:-10000}
streams=${3:-50}
seconds=${4:-20}
[[ -x $serentak ]] || { echo "no serentak at $serentak (make build)" >&2; exit 2; }

# shellcheck source=bench/lib.sh
source "$repo/bench/lib.sh"
bench_init dashboard
raise_open_files
start_server 0

{
  echo "defaults:"
  echo "  interval: 1h"
  echo "  timeout: 5s"
  echo "endpoints:"
  for ((i = 0; i < endpoints; i++)); do
    printf '  - name: svc-%05d\n    group: g%d\n    url: http://127.0.0.1:%s/status/ok\n' "$i" $((i % 20)) "$port"
  done
} >"$work/big.yaml"

"$serentak" monitor "$work/big.yaml" --web 127.0.0.1:0 --no-log -q 2>"$work/monitor.err" &
monitor=$!
bench_pids+=("$monitor")
web=""
for _ in $(seq 200); do
  web=$(grep -o '127.0.0.1:[0-9]*' "$work/monitor.err" | head -1 | cut -d: -f2 || true)
  [[ -n $web ]] && break
  sleep 0.05
done
[[ -n $web ]] || { echo "no dashboard: $(cat "$work/monitor.err")" >&2; exit 1; }

cpu_ticks() { awk '{print $14 + $15}' "/proc/$monitor/stat"; }
hz=$(getconf CLK_TCK)
share() { awk -v t="$1" -v s="$2" -v hz="$hz" 'BEGIN {printf "%.1f%% of a core", 100 * t / hz / s}'; }

for _ in 1 2 3; do
  curl -s -o "$work/api.json" -w "api/v1/endpoints: %{size_download} bytes in %{time_total} s\n" "http://127.0.0.1:$web/api/v1/endpoints"
done

c0=$(cpu_ticks); sleep "$seconds"; c1=$(cpu_ticks)
echo "no stream, ${seconds} s: $(share $((c1 - c0)) "$seconds")"

c0=$(cpu_ticks)
for ((i = 0; i < streams; i++)); do
  curl -s -N "http://127.0.0.1:$web/events" -o /dev/null &
  bench_pids+=($!)
done
sleep 10; c1=$(cpu_ticks)
echo "$streams streams opened (snapshots), 10 s: $(share $((c1 - c0)) 10)"
c0=$(cpu_ticks); sleep "$seconds"; c1=$(cpu_ticks)
echo "$streams streams held, ${seconds} s: $(share $((c1 - c0)) "$seconds")"
