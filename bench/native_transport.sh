#!/usr/bin/env bash
# The native HTTP/1.1 transport against libcurl, side by side and interleaved in one run
# (issue 3, targets A and C):
#   A. 10,000 profile IDs, seeded delays 0.1-0.5 s, -c 10000, --no-log: wall and peak RSS,
#      --transport curl vs --transport native (TIME-WAIT drained below 500 before each run).
#   C. zero delay, 200,000 requests at -c 64: client CPU per request vs `wrk -t1 -c64` against the
#      same server, for both transports, without log/results and with --log + -o out.jsonl.
# Usage: bench/native_transport.sh [path/to/serentak] [rounds=3]     (A_ONLY=1: A and not C)
# Prints one line per run, then the medians. Traffic goes to 127.0.0.1 only; every step is
# bounded by `timeout`; the servers it starts are stopped by PID on exit.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
serentak=${1:-$repo/build/release/apps/serentak/serentak}
rounds=${2:-3}
[[ -x $serentak ]] || { echo "no serentak at $serentak (make build)" >&2; exit 2; }
command -v wrk >/dev/null || { echo "wrk missing: make deps-bench" >&2; exit 2; }

# SOMAXCONN=N (root only): run with net.core.somaxconn and tcp_max_syn_backlog raised to N,
# restored on exit (see bench/lib.sh).
# shellcheck source=bench/lib.sh
source "$repo/bench/lib.sh"
bench_init native
raise_open_files

seq 1 10000 | sed 's/^/u/' >"$work/ids10k.txt"
awk 'BEGIN {for (i = 0; i < 200000; i++) print 1121 + i % 5}' >"$work/ids200k.txt"

echo "# native transport vs libcurl ($(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, rounds=$rounds)"
echo "load before: $(uptime)"
echo "net.core.somaxconn=$(sysctl -n net.core.somaxconn) tcp_max_syn_backlog=$(sysctl -n net.ipv4.tcp_max_syn_backlog)"
echo

# A's server runs with its default --threads (one per core: 2 here); SERVER_THREADS=N overrides.
start_server 1 "${SERVER_THREADS:-}"
url="http://127.0.0.1:$port/get_user_profile?user_id={}"
declare -A wall rss
echo "## A. 10,000 IDs, delays 0.1-0.5 s, -c 10000 --no-log"
# One uncounted run warms the fixture server (warm_up_fixture in bench/lib.sh says why).
echo "A warm-up native against the fresh server (not in the medians): wall $(warm_up_fixture "$url" "$work/ids10k.txt") s"
for r in $(seq "$rounds"); do
  for t in curl native; do
    drain_time_wait
    read -r w u s kb < <(timed "$serentak" fetch --transport "$t" --url "$url" -i "$work/ids10k.txt" -c 10000 -q --no-log)
    echo "A round $r $t: wall ${w} s, user ${u} s, sys ${s} s, peak RSS $((kb / 1024)) MB, load $(cut -d' ' -f1 /proc/loadavg)"
    wall[$t]+="$w "; rss[$t]+="$kb "
  done
done
for t in curl native; do
  echo "A median $t: wall $(tr ' ' '\n' <<<"${wall[$t]}" | grep . | median) s, peak RSS max $(( $(tr ' ' '\n' <<<"${rss[$t]}" | grep . | sort -g | tail -1) / 1024 )) MB"
done
echo
if [[ -n ${A_ONLY:-} ]]; then
  echo "load after: $(uptime)"
  exit 0
fi

start_server 0 1
fast=$port
url="http://127.0.0.1:$fast/get_user_profile?user_id={}"
declare -A per
echo "## C. zero delay, CPU us per request (user+sys) vs wrk -t1 -c64 -d5s"
for r in $(seq "$rounds"); do
  timeout 60 /usr/bin/time -f '%U %S' -o "$work/wrk.time" wrk -t1 -c64 -d5s "http://127.0.0.1:$fast/get_user_profile?user_id=1121" >"$work/wrk.out"
  n=$(awk '/requests in/ {print $1}' "$work/wrk.out")
  us=$(tail -n 1 "$work/wrk.time" | awk -v n="$n" '{printf "%.2f", ($1 + $2) * 1e6 / n}')
  echo "C round $r wrk: $n requests, $us us/request, load $(cut -d' ' -f1 /proc/loadavg)"
  per[wrk]+="$us "
  for t in curl native; do
    # bare: no log, no results; full: fetch's log (one line per item) and JSONL; seed5: the
    # profiles command, whose log keeps the seed's five lines per item, and JSONL.
    for mode in bare full seed5; do
      command=(fetch --url "$url")
      extra=(--no-log)
      [[ $mode != bare ]] && extra=(--log "$work/run.log" -o "$work/out.jsonl")
      [[ $mode == seed5 ]] && command=(profiles --base "http://127.0.0.1:$fast")
      rm -f "$work/out.jsonl"
      read -r w u s _ < <(timed "$serentak" "${command[@]}" --transport "$t" -i "$work/ids200k.txt" -c 64 -q "${extra[@]}")
      us=$(awk -v u="$u" -v s="$s" 'BEGIN {printf "%.2f", (u + s) * 1e6 / 200000}')
      echo "C round $r $t $mode: wall $w s, user $u s, sys $s s, $us us/request, load $(cut -d' ' -f1 /proc/loadavg)"
      per[$t-$mode]+="$us "
    done
  done
done
w=$(tr ' ' '\n' <<<"${per[wrk]}" | grep . | median)
echo "C median wrk: $w us/request"
for k in curl-bare native-bare curl-full native-full curl-seed5 native-seed5; do
  m=$(tr ' ' '\n' <<<"${per[$k]}" | grep . | median)
  echo "C median $k: $m us/request, $(awk -v a="$m" -v b="$w" 'BEGIN {printf "%.2f", a / b}') x wrk"
done
echo "load after: $(uptime)"
