#!/usr/bin/env bash
# Issue 19, target 1, before and after a change: client CPU per request (`fetch`, log + JSONL on,
# native and libcurl) of two serentak binaries, with `wrk -t1 -c64` on the same route, in three
# alternating rounds of one run against one zero-delay `serentak serve` (one thread).
# Usage: bench/client_before_after.sh BEFORE_BINARY AFTER_BINARY [requests=100000]
# Traffic goes to 127.0.0.1 only; every step is bounded by `timeout`; the server is stopped by PID.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
before=${1:?before binary}
after=${2:?after binary}
requests=${3:-100000}
serentak=$after  # bench/lib.sh's start_server runs it
# shellcheck source=bench/lib.sh
source "$repo/bench/lib.sh"
bench_init clientab
raise_open_files
awk -v n="$requests" 'BEGIN {for (i = 0; i < n; i++) print 1121 + i % 5}' >"$work/ids.txt"
start_server 0 1
echo "load before: $(uptime)"
for round in 1 2 3; do
  timeout 60 /usr/bin/time -f '%U %S' -o "$work/wrk.time" wrk -t1 -c64 -d4s "http://127.0.0.1:$port/get_user_profile?user_id=1121" >"$work/wrk.out"
  n=$(awk '/requests in/ {print $1}' "$work/wrk.out")
  echo "round $round wrk: $(tail -n 1 "$work/wrk.time" | awk -v n="$n" '{printf "%.2f", ($1 + $2) * 1e6 / n}') us/req"
  for bin in "before:$before" "after:$after"; do
    name=${bin%%:*}; b=${bin#*:}
    for t in native curl; do
      rm -f "$work/out.jsonl" "$work/run.log"
      read -r _ u s _ < <(timed "$b" fetch --url "http://127.0.0.1:$port/get_user_profile?user_id={}" --transport "$t" \
        -i "$work/ids.txt" -c 64 -q --log "$work/run.log" -o "$work/out.jsonl")
      echo "round $round $name $t: $(awk -v u="$u" -v s="$s" -v n="$requests" 'BEGIN {printf "%.2f", (u + s) * 1e6 / n}') us/req ($(wc -l < "$work/out.jsonl") records, $(wc -l < "$work/run.log") log lines)"
    done
  done
done
