#!/usr/bin/env bash
# Screenshots of the live dashboard's three seed views (docs/dashboard.md), for the README:
#   dashboard-pizza.png    `serentak pizza --every 2s --web 127.0.0.1:0` (the pizza board)
#   dashboard-weather.png  `serentak weather --every 2s --web 127.0.0.1:0` (the weather tiles)
#   dashboard-health.png   `serentak monitor FILE --web 127.0.0.1:0` (the table, one endpoint down)
# each against a `serentak serve` on a free loopback port, taken by headless Chromium once every
# endpoint has a few rounds behind it. Everything runs in a temporary folder, on 127.0.0.1 only; every
# process started here is stopped by its PID on exit, and every wait is bounded.
# Usage: scripts/screenshots.sh [SERENTAK] [OUT_DIR]
#   SERENTAK  the binary (default: build/release, else build/dev); OUT_DIR default docs/img
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
bin=${1:-}
if [[ -z $bin ]]; then
  for candidate in build/release/apps/serentak/serentak build/dev/apps/serentak/serentak; do
    if [[ -x $root/$candidate ]]; then bin=$root/$candidate; break; fi
  done
fi
if [[ -z $bin || ! -x $bin ]]; then
  echo "screenshots: no serentak binary (build one with 'make build', or pass its path)" >&2
  exit 2
fi
bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")
out=${2:-$root/docs/img}
mkdir -p "$out"
out=$(cd "$out" && pwd)

for tool in chromium curl python3 timeout; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "screenshots: '$tool' is missing (scripts/install-deps.sh --screenshots installs it)" >&2
    exit 2
  fi
done

work=$(mktemp -d "${TMPDIR:-/tmp}/serentak-screenshots.XXXXXX")
pids=()

# SIGTERM to each PID started here, up to 10 s for it to end, then SIGKILL; then the folder goes.
# A PID once stopped (and reaped) is never signalled again: the number may belong to another
# process by then.
declare -A stopped=()
alive() {  # not gone and not a zombie waiting to be reaped
  local state
  state=$(ps -o stat= -p "$1" 2>/dev/null) || return 1
  [[ $state != Z* ]]
}
stop_pid() {
  local pid=$1 i
  [[ -n ${stopped[$pid]:-} ]] && return 0
  stopped[$pid]=1
  kill -TERM "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null || true; return 0; }
  for ((i = 0; i < 100; i++)); do
    alive "$pid" || break
    sleep 0.1
  done
  alive "$pid" && kill -KILL "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null || true
}
cleanup() {
  local pid
  for pid in "${pids[@]}"; do stop_pid "$pid"; done
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# wait_for_match FILE REGEX PID: prints the first match of REGEX in FILE, waiting up to 15 s while PID
# lives; fails otherwise.
wait_for_match() {
  local file=$1 regex=$2 pid=$3 i found
  for ((i = 0; i < 150; i++)); do
    found=$(grep -o -m1 -E "$regex" "$file" 2>/dev/null || true)
    if [[ -n $found ]]; then
      echo "$found"
      return 0
    fi
    if ! kill -0 "$pid" 2>/dev/null; then break; fi
    sleep 0.1
  done
  echo "screenshots: no '$regex' in $file:" >&2
  cat "$file" >&2 || true
  return 1
}

# wait_for_data URL COUNT CHECKS: waits (up to 30 s) until the dashboard at URL shows at least COUNT
# endpoints, none unknown, each checked at least CHECKS times (so the sparklines have points).
wait_for_data() {
  local url=$1 count=$2 checks=$3 i body
  for ((i = 0; i < 60; i++)); do
    body=$(curl -sf --max-time 2 "${url}api/v1/endpoints" || true)
    if [[ -n $body ]] && python3 -c '
import json, sys
data = json.loads(sys.argv[1])
eps = data["endpoints"]
ok = len(eps) >= int(sys.argv[2]) and all(e["state"] != "unknown" and e["checks"] >= int(sys.argv[3]) for e in eps)
sys.exit(0 if ok else 1)' "$body" "$count" "$checks"; then
      return 0
    fi
    sleep 0.5
  done
  echo "screenshots: $url never showed $count endpoints checked $checks times" >&2
  return 1
}

# shoot URL NAME HEIGHT: docs/img/NAME.png, 1280 wide, with a fresh browser profile.
# No --virtual-time-budget: the page's open event stream keeps it from ever running out (the shot
# never came in 60 s). Without it the shot is taken once the page has loaded; the server has the data
# by then (wait_for_data), and in every run so far the page had drawn it: look at the PNGs.
shoot() {
  local url=$1 name=$2 height=$3
  rm -f "$out/$name.png"
  timeout 60 chromium --headless --disable-gpu --no-sandbox --hide-scrollbars --no-first-run \
    --user-data-dir="$work/chromium-$name" --window-size="1280,$height" \
    --screenshot="$out/$name.png" "$url" >"$work/chromium-$name.log" 2>&1 || true
  if [[ ! -s $out/$name.png ]]; then
    echo "screenshots: chromium wrote no $out/$name.png:" >&2
    tail -20 "$work/chromium-$name.log" >&2
    return 1
  fi
  echo "screenshots: $out/$name.png ($(stat -c %s "$out/$name.png") bytes)"
}

# start NAME ARGS...: runs serentak ARGS in $work/NAME, stdout and stderr in $work/NAME.out/.err; the
# PID lands in pids and in $last_pid.
start() {
  local name=$1
  shift
  mkdir -p "$work/$name"
  (cd "$work/$name" && exec "$bin" "$@") >"$work/$name.out" 2>"$work/$name.err" &
  last_pid=$!
  pids+=("$last_pid")
}

# The mock server, its delays cut to a fifth (/status/slow still answers in 0.4-0.6 s).
start serve serve --port 0 --delay-scale 0.2 --quiet
base=$(wait_for_match "$work/serve.out" 'http://127\.0\.0\.1:[0-9]+' "$last_pid")

dashboard_re='http://127\.0\.0\.1:[0-9]+/'

# The pizza board: the seed's five orders, ORD-999 not found.
start pizza pizza --base "$base" --every 2s --web 127.0.0.1:0 --no-log -q --lang en
pizza_pid=$last_pid
url=$(wait_for_match "$work/pizza.err" "$dashboard_re" "$pizza_pid")
wait_for_data "$url" 5 2
shoot "$url" dashboard-pizza 480
stop_pid "$pizza_pid"

# The weather tiles: the seed's five cities.
start weather weather --base "$base" --every 2s --web 127.0.0.1:0 --no-log -q --lang en
weather_pid=$last_pid
url=$(wait_for_match "$work/weather.err" "$dashboard_re" "$weather_pid")
wait_for_data "$url" 5 4
shoot "$url" dashboard-weather 360
stop_pid "$weather_pid"

# The status page: a monitor file over the mock's routes, one endpoint down (/status/error answers
# 500) and one degraded (/status/slow passes each check but misses its p95 bound).
cat >"$work/services.yaml" <<EOF
defaults:
  interval: 1s
  timeout: 3s
  failure-threshold: 1
  success-threshold: 1
  conditions: ["[STATUS] == 200"]
endpoints:
  - name: status-ok
    group: core
    url: $base/status/ok
    conditions: ["[STATUS] == 200", "[RESPONSE_TIME] < 300"]
  - name: status-slow
    group: core
    url: $base/status/slow
    conditions: ["[STATUS] == 200", "p95([RESPONSE_TIME], 5m) < 300"]
  - name: status-error
    group: core
    url: $base/status/error
  - name: weather-jakarta
    group: weather
    url: $base/get_weather?city=Jakarta
    conditions: ["[STATUS] == 200", "[BODY].temp_c < 40"]
  - name: library-hobbit
    group: library
    url: $base/check_book_status?isbn=978-0-26-110221-7
    conditions: ["[STATUS] == 200", "[BODY].status == any(Available, On Loan)"]
  - name: pizza-ord-101
    group: pizza
    url: $base/get_order_status?order_id=ORD-101
  - name: profile-1121
    group: profiles
    url: $base/get_user_profile?user_id=1121
EOF
start monitor monitor "$work/services.yaml" --web 127.0.0.1:0 --no-log -q --lang en
monitor_pid=$last_pid
url=$(wait_for_match "$work/monitor.err" "$dashboard_re" "$monitor_pid")
wait_for_data "$url" 7 5
shoot "$url" dashboard-health 700
stop_pid "$monitor_pid"
