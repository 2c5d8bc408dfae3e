#!/usr/bin/env bash
# Issue 3's bulk benchmarks, each side by side with its peer in the same run:
#   A. 10,000 profile IDs, seeded delays 0.1-0.5 s, -c 10000: wall vs the slowest delay, peak RSS.
#   B. the same at -c 1000: wall vs N x mean delay / C + slowest delay.
#   C. zero delay, 200,000 requests at -c 64, event log and JSONL on: client CPU time per request
#      vs `wrk -t1 -c64` against the same server.
#   D. 2,000 IDs: serentak vs the seed's approach (requests + a pool of 100 threads).
# Usage: bench/bulk_fetch.sh [path/to/serentak] [rounds=3]
# Traffic goes to 127.0.0.1 only; every step is bounded by `timeout`; the servers it starts are
# stopped by PID on exit.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
serentak=${1:-$repo/build/release/apps/serentak/serentak}
rounds=${2:-3}
[[ -x $serentak ]] || { echo "no serentak at $serentak (make build)" >&2; exit 2; }
command -v wrk >/dev/null || { echo "wrk missing: make deps-bench" >&2; exit 2; }
[[ -x /usr/bin/time ]] || { echo "/usr/bin/time missing: make deps-bench" >&2; exit 2; }

# shellcheck source=bench/lib.sh
source "$repo/bench/lib.sh"
bench_init bulk
raise_open_files

seq 1 10000 | sed 's/^/u/' >"$work/ids10k.txt"          # 10,000 distinct IDs (404s, same delays)
awk 'BEGIN {for (i = 0; i < 200000; i++) print 1121 + i % 5}' >"$work/ids200k.txt"
head -2000 "$work/ids10k.txt" >"$work/ids2k.txt"

echo "# serentak bulk benchmarks ($(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, rounds=$rounds)"
echo

# A/B's server runs with its default --threads (one per core), as in bench/native_transport.sh.
start_server 1
delayed=$port
url="http://127.0.0.1:$delayed/get_user_profile?user_id={}"
echo "## A/B. 10,000 IDs, server delays 0.1-0.5 s (seeded)"
echo
echo "Warm-up run against the fresh server, not counted: $(warm_up_fixture "$url" "$work/ids10k.txt") s."
echo
echo "| run | -c | wall s (median) | target | peak RSS MB (max) |"
echo "| --- | ---: | ---: | --- | ---: |"
for c in 10000 1000; do
  walls=(); rss=0
  for _ in $(seq "$rounds"); do
    drain_time_wait  # 10,000 connections a run otherwise exhaust the ephemeral ports in three runs
    read -r wall _ _ kb < <(timed "$serentak" fetch --url "$url" -i "$work/ids10k.txt" -c "$c" -q --no-log)
    walls+=("$wall"); (( kb > rss )) && rss=$kb
  done
  target=$([[ $c == 10000 ]] && echo "<= 1.0 s (2x slowest delay)" || echo "<= 1.1 x 3.5 s = 3.85 s")
  printf '| serentak fetch | %s | %s | %s | %.1f |\n' "$c" "$(printf '%s\n' "${walls[@]}" | median)" "$target" "$(echo "$rss/1024" | bc -l)"
done
echo

start_server 0 1
fast=$port
echo "## C. Zero delay, CPU time per request: serentak (200,000 items, log + JSONL) vs wrk -t1 -c64"
echo
echo "| client | requests | CPU s (user+sys) | CPU us/request | ratio to wrk |"
echo "| --- | ---: | ---: | ---: | ---: |"
for _ in $(seq "$rounds"); do
  wrk_out="$work/wrk.out"
  timeout 60 /usr/bin/time -f '%U %S' -o "$work/wrk.time" wrk -t1 -c64 -d5s "http://127.0.0.1:$fast/get_user_profile?user_id=1121" >"$wrk_out"
  wrk_requests=$(awk '/requests in/ {print $1}' "$wrk_out")
  wrk_cpu=$(tail -n 1 "$work/wrk.time" | awk '{print $1 + $2}')
  wrk_us=$(echo "$wrk_cpu * 1000000 / $wrk_requests" | bc -l)
  read -r _ user sys _ < <(timed "$serentak" fetch --url "http://127.0.0.1:$fast/get_user_profile?user_id={}" \
    -i "$work/ids200k.txt" -c 64 -q --log "$work/fetch.log" -o "$work/out.jsonl")
  records=$(wc -l <"$work/out.jsonl")
  ours_cpu=$(echo "$user + $sys" | bc -l)
  ours_us=$(echo "$ours_cpu * 1000000 / $records" | bc -l)
  printf '| wrk -t1 -c64 -d5s | %s | %.2f | %.1f | 1.00 |\n' "$wrk_requests" "$wrk_cpu" "$wrk_us"
  printf '| serentak fetch -c 64 | %s | %.2f | %.1f | %.2f |\n' "$records" "$ours_cpu" "$ours_us" "$(echo "$ours_us / $wrk_us" | bc -l)"
done
echo

echo "## D. 2,000 IDs, delays 0.1-0.5 s: serentak vs the seed's approach (requests + 100 threads)"
echo
echo "| client | wall s (median) | ratio |"
echo "| --- | ---: | ---: |"
ours=(); theirs=()
for _ in $(seq "$rounds"); do
  read -r wall _ _ _ < <(timed "$serentak" fetch --url "$url" -i "$work/ids2k.txt" -q --log "$work/d.log" -c 2000)
  ours+=("$wall")
  read -r wall _ _ _ < <(timed /usr/bin/python3 "$repo/bench/bulk_profiles_pool.py" "http://127.0.0.1:$delayed" "$work/ids2k.txt" "$work/py.log")
  theirs+=("$wall")
done
o=$(printf '%s\n' "${ours[@]}" | median); t=$(printf '%s\n' "${theirs[@]}" | median)
printf '| serentak fetch -c 2000 | %s | 1.00 |\n| python requests, pool of 100 | %s | %.1f |\n' "$o" "$t" "$(echo "$t / $o" | bc -l)"
