#!/usr/bin/env bash
# Issue 17's dashboard at scale: `serentak monitor --web` over N endpoints (health's /status/ok on
# `serentak serve`, every INTERVAL: 1h is ~N/3600 checks a second, 10s at 10,000 is 1,000), then: the
# time and size of /api/v1/endpoints (three tries), the monitor's CPU over SECONDS with no stream,
# with STREAMS /events streams just opened (their snapshots), and with them held open (steady deltas).
# With HISTORY_DAYS > 0 the history (--db) first holds that many days of hourly checks for every
# endpoint (sqlite3), and the start-up to a ready dashboard is timed twice: the first start rolls
# those checks up, the second finds the roll-ups made.
# Usage: bench/dashboard_load.sh [path/to/serentak] [endpoints=10000] [streams=50] [seconds=20]
#        [interval=1h] [history_days=0]
# Traffic goes to 127.0.0.1 only; what it starts is stopped by PID.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
serentak=${1:-$repo/build/release/apps/serentak/serentak}
endpoints=${2:-10000}
streams=${3:-50}
seconds=${4:-20}
interval=${5:-1h}
history_days=${6:-0}
[[ -x $serentak ]] || { echo "no serentak at $serentak (make build)" >&2; exit 2; }

# shellcheck source=bench/lib.sh
source "$repo/bench/lib.sh"
bench_init dashboard
raise_open_files
start_server 0

{
  echo "defaults:"
  echo "  interval: $interval"
  echo "  timeout: 5s"
  echo "endpoints:"
  for ((i = 0; i < endpoints; i++)); do
    printf '  - name: svc-%05d\n    group: g%d\n    url: http://127.0.0.1:%s/status/ok\n' "$i" $((i % 20)) "$port"
  done
} >"$work/big.yaml"

db_args=(--db "$work/history.db")
if ((history_days > 0)); then
  command -v sqlite3 >/dev/null || { echo "sqlite3 missing (apt-get install sqlite3)" >&2; exit 2; }
  # The schema is the monitor's own: a first start makes it, then the checks are added beside it.
  timeout 60 "$serentak" monitor "$work/big.yaml" "${db_args[@]}" --no-log -q 2>/dev/null &
  first=$!
  bench_pids+=("$first")
  # The schema may sit in the WAL file at first: ask SQLite itself whether the table is there.
  for _ in $(seq 200); do
    sqlite3 "$work/history.db" 'SELECT 1 FROM checks LIMIT 0' >/dev/null 2>&1 && break
    sleep 0.05
  done
  sleep 1
  kill -TERM "$first"; wait "$first" || true
  unset 'bench_pids[-1]'  # reaped: its PID must not be signalled again at exit
  now_ms=$(($(date +%s) * 1000))
  t0=$(date +%s.%N)
  sqlite3 "$work/history.db" <<SQL
PRAGMA journal_mode = WAL;
WITH RECURSIVE e(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM e WHERE n < $endpoints - 1),
               h(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM h WHERE k < $history_days * 24)
INSERT INTO checks (endpoint, due_ms, started_ms, duration_us, status, outcome, passed, failed_conditions)
SELECT printf('svc-%05d', n), $now_ms - k * 3600000, $now_ms - k * 3600000 + 3, 1500 + (n * 7 + k) % 900,
       CASE WHEN (n + k) % 97 = 0 THEN 503 ELSE 200 END,
       CASE WHEN (n + k) % 97 = 0 THEN 'server_error' ELSE 'ok' END,
       CASE WHEN (n + k) % 97 = 0 THEN 0 ELSE 1 END,
       CASE WHEN (n + k) % 97 = 0 THEN '[{"condition":"[STATUS] == 200","seen":"503"}]' ELSE '[]' END
FROM e, h;
SQL
  rows=$(sqlite3 "$work/history.db" 'SELECT count(*) FROM checks')
  echo "history: $rows checks over $history_days days ($(du -m "$work/history.db" | cut -f1) MB), written in $(echo "$(date +%s.%N) - $t0" | bc -l | cut -c1-5) s"
fi

# Starts the monitor with the dashboard; sets $monitor and $web, prints the time from the launch
# to the first answer of /api/v1/endpoints.
start_monitor() {
  local launched web_line
  launched=$(date +%s.%N)
  "$serentak" monitor "$work/big.yaml" --web 127.0.0.1:0 "${db_args[@]}" --no-log -q 2>"$work/monitor.err" &
  monitor=$!
  bench_pids+=("$monitor")
  web=""
  for _ in $(seq 1200); do
    web=$(grep -o '127.0.0.1:[0-9]*' "$work/monitor.err" | head -1 | cut -d: -f2 || true)
    [[ -n $web ]] && break
    sleep 0.05
  done
  [[ -n $web ]] || { echo "no dashboard: $(cat "$work/monitor.err")" >&2; exit 1; }
  local tries=0
  until curl -sf -o /dev/null "http://127.0.0.1:$web/api/v1/endpoints"; do
    ((++tries < 6000)) && kill -0 "$monitor" 2>/dev/null || { echo "the dashboard never answered: $(cat "$work/monitor.err")" >&2; exit 1; }
    sleep 0.02
  done
  echo "$1: launch to the first /api/v1/endpoints answer: $(echo "$(date +%s.%N) - $launched" | bc -l | cut -c1-5) s"
}

if ((history_days > 0)); then
  start_monitor "first start (rolls up the history)"
  kill -TERM "$monitor"; wait "$monitor" || true
  unset 'bench_pids[-1]'  # reaped: its PID must not be signalled again at exit
  echo "roll-ups: $(sqlite3 "$work/history.db" 'SELECT count(*) FROM rollups')"
  start_monitor "second start (roll-ups made)"
else
  start_monitor "start"
fi

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
