#!/usr/bin/env bash
# Issue 16's monitor schedule: N endpoints checked every INTERVAL for SECONDS against `serentak serve`
# (health's /status/ok, delay scale SCALE), then SIGTERM. Reports from the history database: checks
# stored against those the schedule asked for, the schedule lag (start - due) p50/p99/max, and from the
# run itself its CPU time and peak RSS; skipped ticks are in the log's closing line.
# With scale "seed" the server instead answers /probe after a uniform 0.1-0.5 s delay (the seed APIs'
# delays) with 2% 503 faults (issue 16's measure); scale is otherwise --delay-scale of the seed APIs.
# Also reported: start-up, from the monitor's launch to the first check of its last endpoint.
# Usage: bench/monitor_lag.sh [path/to/serentak] [endpoints=1000] [interval=100ms] [seconds=20] [scale=0|seed]
# Traffic goes to 127.0.0.1 only; what it starts is stopped by PID.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
serentak=${1:-$repo/build/release/apps/serentak/serentak}
endpoints=${2:-1000}
interval=${3:-100ms}
seconds=${4:-20}
scale=${5:-0}
[[ -x $serentak ]] || { echo "no serentak at $serentak (make build)" >&2; exit 2; }
command -v sqlite3 >/dev/null || { echo "sqlite3 missing" >&2; exit 2; }

# shellcheck source=bench/lib.sh
source "$repo/bench/lib.sh"
bench_init monitor
raise_open_files
path="/status/ok"
if [[ $scale == seed ]]; then
  cat >"$work/probe.json" <<'JSON'
{"name": "probe", "routes": [{"path": "/probe", "status": 200, "body": {"status": "ok"},
  "latency": {"model": "uniform", "min_s": 0.1, "max_s": 0.5}, "faults": []}]}
JSON
  out="$work/server.out"
  "$serentak" serve --port 0 --quiet --seed 42 --scenario "$work/probe.json" --fault '/probe:2%:503' >"$out" 2>&1 &
  bench_pids+=($!)
  for _ in $(seq 100); do
    port=$(grep -o 'http://127.0.0.1:[0-9]*' "$out" | head -1 | cut -d: -f3 || true)
    [[ -n $port ]] && break
    sleep 0.05
  done
  [[ -n $port ]] || { echo "serve did not start: $(cat "$out")" >&2; exit 1; }
  path="/probe"
else
  start_server "$scale"
fi

{
  echo "defaults:"
  echo "  interval: $interval"
  echo "  timeout: 5s"
  echo "  conditions: [\"[STATUS] == 200\"]"
  echo "endpoints:"
  for i in $(seq 1 "$endpoints"); do
    echo "  - name: e$i"
    echo "    url: http://127.0.0.1:$port$path?e=$i"
  done
} >"$work/m.yaml"

launched_ms=$(date +%s%3N)
"$serentak" monitor "$work/m.yaml" -q &
pid=$!
sleep "$seconds"
# CPU time (utime + stime, clock ticks) and peak RSS, read from /proc just before the stop.
read -r utime stime < <(awk '{print $14, $15}' "/proc/$pid/stat")
rss=$(awk '/^VmHWM/ {print $2}' "/proc/$pid/status")
stop_start=$(date +%s.%N)
kill -TERM "$pid"
wait "$pid" || true
stop_s=$(echo "$(date +%s.%N) - $stop_start" | bc)
tick=$(getconf CLK_TCK)
echo "# serentak monitor: $endpoints endpoints every $interval for ${seconds} s, serve delay scale $scale ($(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores)"
sqlite3 "$work/m.db" "SELECT 'checks stored: ' || count(*) FROM checks;"
sqlite3 "$work/m.db" "WITH l AS (SELECT started_ms - due_ms AS lag FROM checks ORDER BY lag),
  n AS (SELECT count(*) AS c FROM l)
  SELECT 'lag ms p50 ' || (SELECT lag FROM l LIMIT 1 OFFSET (SELECT c / 2 FROM n)) ||
         ', p99 ' || (SELECT lag FROM l LIMIT 1 OFFSET (SELECT c * 99 / 100 FROM n)) ||
         ', max ' || (SELECT max(lag) FROM l);"
sqlite3 "$work/m.db" "SELECT 'checks failed: ' || count(*) FROM checks WHERE passed = 0;"
sqlite3 "$work/m.db" "SELECT 'endpoints checked: ' || count(*) || ', start-up to the first check of the last one: ' ||
  (max(first) - $launched_ms) || ' ms (first checks spread over ' || (max(first) - min(first)) || ' ms)'
  FROM (SELECT min(started_ms) AS first FROM checks GROUP BY endpoint);"
grep 'stopped:' "$work/m.log" | tail -1
echo "monitor CPU over ${seconds} s: user $(echo "scale=2; $utime / $tick" | bc) s, sys $(echo "scale=2; $stime / $tick" | bc) s; peak RSS ${rss} KB; SIGTERM to exit ${stop_s} s"
