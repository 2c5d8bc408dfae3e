#!/usr/bin/env bash
# serentak's five theme clients against the seed's own completed Python clients
# (bench/seed_clients/*_client.py), on one serentak mock server with seeded delays.
#
# Usage: bench/seed_clients_compare.sh [path/to/serentak] [rounds=5]
#
# Starts `serentak serve --port 0 --seed 42 --quiet` (and nothing else), then per theme:
#   - the slowest seeded server delay for the theme's default items: each item requested once with
#     curl, reading the X-Serentak-Delay-Ms response header (a concurrent client cannot finish
#     sooner than this, so serentak/slowest-delay near 1.0 means no overhead);
#   - `rounds` rounds, interleaved (round r: serentak, then python), each process timed as wall
#     time with date +%s%N, process start-up included on both sides.
# Prints one Markdown table (a row per theme) with medians and ratios, then the raw samples.
# Stops the server it started (by PID) on exit; every step has a time limit.
set -euo pipefail

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
python=/usr/bin/python3           # Debian's python3-requests lives here, not in a pyenv python
per_run_limit_s=60                # one client run; the seeds' slowest theme takes about 3 s
server_start_limit_s=10

usage() { echo "usage: $0 [path/to/serentak] [rounds=5]" >&2; exit 2; }

serentak=${1:-}
if [[ -z $serentak ]]; then
  for candidate in "$repo_root/build/release/apps/serentak/serentak" "$repo_root/build/dev/apps/serentak/serentak"; do
    if [[ -x $candidate ]]; then serentak=$candidate; break; fi
  done
fi
[[ -n $serentak && -x $serentak ]] || { echo "serentak executable not found (build target serentak, or pass its path)" >&2; usage; }
rounds=${2:-5}
[[ $rounds =~ ^[1-9][0-9]*$ ]] || usage
[[ -x $python ]] || { echo "$python not found (apt-get install python3-requests)" >&2; exit 2; }
command -v curl >/dev/null || { echo "curl not found" >&2; exit 2; }

themes=(weather books pizza health profiles)
declare -A items=(
  [weather]="JAKARTA BANDUNG KUALA_LUMPUR SURABAYA DENPASAR"
  [books]="978-3-16-148410-0 978-0-26-110221-7 999-9-99-999999-9 978-1-40-885565-2"
  [pizza]="ORD-101 ORD-103 ORD-999 ORD-102 ORD-105"
  [health]="/status/ok /status/slow /status/error /status/nonexistent /status/ok"
  [profiles]="1121 1123 9999 1124 1122"
)
declare -A routes=(
  [weather]="/get_weather?city="
  [books]="/check_book_status?isbn="
  [pizza]="/get_order_status?order_id="
  [health]=""
  [profiles]="/get_user_profile?user_id="
)

work=$(mktemp -d "${TMPDIR:-/tmp}/serentak-bench-XXXXXX")
server_pid=""
cleanup() {
  if [[ -n $server_pid ]] && kill -0 "$server_pid" 2>/dev/null; then
    kill "$server_pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---- the server ------------------------------------------------------------------------------
"$serentak" serve --port 0 --seed 42 --quiet >"$work/server.out" 2>"$work/server.err" &
server_pid=$!
base=""
for _ in $(seq $((server_start_limit_s * 10))); do
  base=$(grep -oE 'http://127\.0\.0\.1:[0-9]+' "$work/server.out" | head -n1 || true)
  [[ -n $base ]] && break
  kill -0 "$server_pid" 2>/dev/null || { echo "serentak serve exited early:" >&2; cat "$work/server.err" >&2; exit 1; }
  sleep 0.1
done
[[ -n $base ]] || { echo "serentak serve printed no http://127.0.0.1:<port> within ${server_start_limit_s} s" >&2; exit 1; }

# ---- helpers ---------------------------------------------------------------------------------
now_ns() { date +%s%N; }

# The largest X-Serentak-Delay-Ms over one request per default item, in seconds.
slowest_delay_s() {
  local theme=$1 item url header max_ms=0
  for item in ${items[$theme]}; do
    url="$base${routes[$theme]}$item"
    header=$(curl -sS --max-time 15 -o /dev/null -D - "$url" | tr -d '\r' |
             awk -F': *' 'tolower($1) == "x-serentak-delay-ms" { print $2; exit }')
    if [[ -z $header ]]; then
      echo "note: no X-Serentak-Delay-Ms header from $url; counted as 0" >&2
      header=0
    fi
    max_ms=$(awk -v a="$max_ms" -v b="$header" 'BEGIN { print (b + 0 > a + 0) ? b : a }')
  done
  awk -v ms="$max_ms" 'BEGIN { printf "%.3f", ms / 1000 }'
}

# Runs "$@" under the per-run limit; prints its wall time in ns. Exit codes in $ok_codes pass.
timed_run() {
  local ok_codes=$1 log=$2; shift 2
  local start end rc=0
  start=$(now_ns)
  timeout "$per_run_limit_s" "$@" >"$log.stdout" 2>"$log.stderr" || rc=$?
  end=$(now_ns)
  if [[ " $ok_codes " != *" $rc "* ]]; then
    echo "run failed (exit $rc): $*" >&2
    cat "$log.stderr" >&2
    exit 1
  fi
  echo $((end - start))
}

median_s() { tr ' ' '\n' | grep -v '^$' | sort -n |
             awk '{ v[NR] = $1 } END { m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%.3f", m / 1e9 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b + 0 == 0) print "n/a"; else printf "%.2f", a / b }'; }

# ---- the runs --------------------------------------------------------------------------------
declare -A delay serentak_ns python_ns
for theme in "${themes[@]}"; do
  delay[$theme]=$(slowest_delay_s "$theme")
  for r in $(seq "$rounds"); do
    # serentak exits 1 when some items fail, which the seed's default items do on purpose.
    ns=$(timed_run "0 1" "$work/$theme-serentak-$r" \
         "$serentak" "$theme" --base "$base" --log "$work/$theme-serentak-$r.log")
    serentak_ns[$theme]+="$ns "
    ns=$(cd "$work" && export SERENTAK_BASE=$base SERENTAK_LOG="$work/$theme-python-$r.log" &&
         timed_run "0" "$work/$theme-python-$r" "$python" "$repo_root/bench/seed_clients/${theme}_client.py")
    python_ns[$theme]+="$ns "
  done
done

# ---- the report ------------------------------------------------------------------------------
echo "## serentak vs the seed's Python clients"
echo
echo "$(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, $rounds round(s) per client, interleaved;" \
     "server: \`serentak serve --port 0 --seed 42 --quiet\`; $($python --version 2>&1), requests" \
     "$($python -c 'import requests; print(requests.__version__)'); serentak: \`$serentak\`."
echo "Wall time per process (start-up included), median over rounds."
echo
echo "| theme | slowest seeded delay (s) | serentak median wall (s) | python median wall (s) | python / serentak | serentak / slowest delay |"
echo "| --- | ---: | ---: | ---: | ---: | ---: |"
for theme in "${themes[@]}"; do
  s=$(median_s <<<"${serentak_ns[$theme]}")
  p=$(median_s <<<"${python_ns[$theme]}")
  echo "| $theme | ${delay[$theme]} | $s | $p | $(ratio "$p" "$s") | $(ratio "$s" "${delay[$theme]}") |"
done
echo
echo "Raw wall times (s), in round order:"
echo
fmt() { tr ' ' '\n' | grep -v '^$' | awk '{ printf "%s%.3f", (NR > 1 ? " " : ""), $1 / 1e9 }'; }
for theme in "${themes[@]}"; do
  echo "- $theme: serentak $(fmt <<<"${serentak_ns[$theme]}"); python $(fmt <<<"${python_ns[$theme]}")"
done
