#!/usr/bin/env bash
# Issue 14.7: what `--dedupe` costs per item on 10,000,000 distinct items (plus repeats).
# The same input is run with and without --dedupe; each run is stopped with SIGINT once its scan is
# over (the log's first MainClient line), since the set is built whole by the scan and never grows
# afterwards, and fetching 10 million items would measure the engine, not the set. The target,
# http://127.0.0.1:1/{}, refuses at once and --rate 5 keeps the engine nearly idle. Peak RSS comes
# from /usr/bin/time (%M); the difference, divided by the distinct items, is the set's cost.
# Usage: bench/dedupe_memory.sh [path/to/serentak] [distinct=10000000] [repeats=3000000]
# Every run is bounded by `timeout 300`.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
serentak=${1:-$repo/build/release/apps/serentak/serentak}
distinct=${2:-10000000}
repeats=${3:-3000000}
[[ -x $serentak ]] || { echo "no serentak at $serentak (make build)" >&2; exit 2; }
[[ -x /usr/bin/time ]] || { echo "/usr/bin/time missing: make deps-bench" >&2; exit 2; }

# shellcheck source=bench/lib.sh
source "$repo/bench/lib.sh"
bench_init dedupe

# Distinct items "item-0".."item-<distinct-1>", then every 20th again: repeats the set must find.
awk -v n="$distinct" -v r="$repeats" 'BEGIN {
  for (i = 0; i < n; i++) print "item-" i
  for (i = 0; i < r; i++) print "item-" (i * 20) % n
}' >"$work/items.txt"
items=$((distinct + repeats))

# run MODE: prints "peak_rss_kb scan_s" for one run, stopped after its scan.
run() {
  local flags=() log="$work/run-$1.log" rss="$work/rss-$1" pid="" started
  [[ $1 == dedupe ]] && flags=(--dedupe)
  rm -f "$log" "$rss"
  started=$(date +%s.%N)
  timeout 300 /usr/bin/time -f '%M' -o "$rss" "$serentak" fetch --url 'http://127.0.0.1:1/{}' -i "$work/items.txt" \
    "${flags[@]}" --timeout 1s --rate 5 -c 1 -q --lang en --log "$log" >/dev/null 2>"$work/err-$1" &
  local outer=$!
  for _ in $(seq 3000); do  # 300 s
    if [[ -z $pid ]]; then  # timeout -> time -> serentak
      local timer
      timer=$(pgrep -P "$outer" | head -1 || true)
      [[ -n $timer ]] && pid=$(pgrep -P "$timer" | head -1 || true)
    fi
    grep -q MainClient "$log" 2>/dev/null && break
    sleep 0.1
  done
  local scanned
  scanned=$(echo "$(date +%s.%N) - $started" | bc -l)
  sleep 1  # the stream runs, querying the set, before the stop
  if [[ -n $pid ]]; then kill -INT "$pid" 2>/dev/null || true; fi
  wait "$outer" || true
  printf '%s %.1f\n' "$(tail -n 1 "$rss")" "$scanned"
}

read -r plain_kb plain_s < <(run plain)
read -r dedupe_kb dedupe_s < <(run dedupe)
grep -q "Starting $distinct " "$work/run-dedupe.log" || { echo "the --dedupe run did not count $distinct items:" >&2; cat "$work/run-dedupe.log" >&2; exit 1; }

echo "# --dedupe memory ($(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores)"
echo
echo "$distinct distinct items plus $repeats repeats ($items lines, $(du -m "$work/items.txt" | cut -f1) MB), one --input file."
echo
echo "| run | peak RSS KiB | start to the first request, s |"
echo "| --- | ---: | ---: |"
echo "| without --dedupe | $plain_kb | $plain_s |"
echo "| --dedupe | $dedupe_kb | $dedupe_s |"
echo
awk -v a="$plain_kb" -v b="$dedupe_kb" -v d="$distinct" -v n="$items" 'BEGIN {
  diff = (b - a) * 1024
  printf "--dedupe adds %.0f bytes: %.1f bytes per distinct item, %.1f per input line.\n", diff, diff / d, diff / n
}'
