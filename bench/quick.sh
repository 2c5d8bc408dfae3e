#!/usr/bin/env bash
# The hot-path figures of issue 19 in one table, in under 3 minutes, so a change to the engine or
# the server can show its before and after (run it on both commits, one after the other):
#   1. client CPU per request, zero-delay server, log + JSONL on, native and libcurl, against
#      `wrk -t1 -c64` on the same route in the same run (target: native <= 1.0x, curl <= 2.0x);
#   2. server with the seed's delays (0.1-0.5 s) under `wrk -t2 -c10000 -d8s`, over the IDs
#      u1..u1000 (bench/seed_delay_ids.lua; 404s, as the seed knows five IDs): requests/s against the
#      ideal 10,000 / their mean delay (read from the server's X-Serentak-Delay-Ms, about 0.30 s;
#      target >= 0.92), and server CPU per delayed request against the same server's CPU per request
#      for the same requests with no delay, `wrk -t2 -c1000` (target <= 1.5x);
#   3. 10,000 profile IDs at -c 10000, delays 0.1-0.5 s, median wall of 3 (target <= 0.8 s).
# Usage: bench/quick.sh [path/to/serentak] [requests=100000]
# Traffic goes to 127.0.0.1 only; every step is bounded by `timeout`; servers are stopped by PID.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
serentak=${1:-$repo/build/release/apps/serentak/serentak}
requests=${2:-100000}
[[ -x $serentak ]] || { echo "no serentak at $serentak (make build)" >&2; exit 2; }
command -v wrk >/dev/null || { echo "wrk missing: make deps-bench" >&2; exit 2; }

# shellcheck source=bench/lib.sh
source "$repo/bench/lib.sh"
bench_init quick
raise_open_files

awk -v n="$requests" 'BEGIN {for (i = 0; i < n; i++) print 1121 + i % 5}' >"$work/ids.txt"
seq 1 10000 | sed 's/^/u/' >"$work/ids10k.txt"
echo "# bench/quick.sh ($(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, $requests requests), $(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo '?')"
echo "load before: $(uptime)"

# 1. Client CPU per request.
start_server 0 1
fast=$port
timeout 60 /usr/bin/time -f '%U %S' -o "$work/wrk.time" wrk -t1 -c64 -d4s "http://127.0.0.1:$fast/get_user_profile?user_id=1121" >"$work/wrk.out"
n=$(awk '/requests in/ {print $1}' "$work/wrk.out")
wrk_us=$(tail -n 1 "$work/wrk.time" | awk -v n="$n" '{printf "%.2f", ($1 + $2) * 1e6 / n}')
declare -A client_us
for t in native curl; do
  rm -f "$work/out.jsonl"
  read -r _ u s _ < <(timed "$serentak" fetch --url "http://127.0.0.1:$fast/get_user_profile?user_id={}" --transport "$t" \
    -i "$work/ids.txt" -c 64 -q --log "$work/run.log" -o "$work/out.jsonl")
  client_us[$t]=$(awk -v u="$u" -v s="$s" -v n="$requests" 'BEGIN {printf "%.2f", (u + s) * 1e6 / n}')
done

# 2. The server, zero delay then seed delays, its own CPU read from /proc around each wrk run.
server_pid=${bench_pids[-1]}
before=$(cpu_seconds "$server_pid")
# The same requests as the delayed run below (u1..u1000: 404s, as every ID the seed does not know).
timeout 60 wrk -t2 -c1000 -d4s -s "$repo/bench/seed_delay_ids.lua" "http://127.0.0.1:$fast/" >"$work/wrk0.out"
after=$(cpu_seconds "$server_pid")
n0=$(awk '/requests in/ {print $1}' "$work/wrk0.out")
server0_us=$(awk -v a="$before" -v b="$after" -v n="$n0" 'BEGIN {printf "%.2f", (b - a) * 1e6 / n}')
start_server 1
delayed=$port
server_pid=${bench_pids[-1]}
# The mean delay of the IDs wrk asks for: each answer says its own delay.
seq 1 1000 | awk -v p="$delayed" '{printf "url = \"http://127.0.0.1:%s/get_user_profile?user_id=u%s\"\noutput = \"/dev/null\"\n", p, $1}' >"$work/ids.curl"
# (curl 7.84 or later for %header{}; Debian 12 has 7.88.)
mean_delay=$({ timeout 60 curl -s --parallel --parallel-max 500 -K "$work/ids.curl" -w '%header{x-serentak-delay-ms}\n' 2>/dev/null || true; } |
  awk '$1 ~ /^[0-9]+$/ {s += $1; n++} END {if (n == 1000 && s > 0) printf "%.4f", s / n / 1000}')
[[ -n $mean_delay ]] || { echo "could not read the 1,000 IDs' delays from the server (curl >= 7.84 needed)" >&2; exit 1; }
ideal=$(awk -v m="$mean_delay" 'BEGIN {printf "%.0f", 10000 / m}')
drain_time_wait
before=$(cpu_seconds "$server_pid")
timeout 60 wrk -t2 -c10000 -d8s -s "$repo/bench/seed_delay_ids.lua" "http://127.0.0.1:$delayed/" >"$work/wrk1.out" 2>&1 || true
after=$(cpu_seconds "$server_pid")
n1=$(awk '/requests in/ {print $1}' "$work/wrk1.out")
rps=$(awk '/Requests\/sec/ {print $2}' "$work/wrk1.out")
server1_us=$(awk -v a="$before" -v b="$after" -v n="$n1" 'BEGIN {printf "%.2f", (b - a) * 1e6 / n}')

# 3. 10,000 IDs at -c 10000.
walls=""
for _ in 1 2 3; do
  drain_time_wait
  read -r w _ _ _ < <(timed "$serentak" fetch --transport native --url "http://127.0.0.1:$delayed/get_user_profile?user_id={}" \
    -i "$work/ids10k.txt" -c 10000 -q --no-log)
  walls+="$w "
done
wall=$(tr ' ' '\n' <<<"$walls" | grep . | median)

echo
echo "| measure | serentak | peer or limit | ratio | target |"
echo "| --- | --- | --- | --- | --- |"
echo "| client CPU/request, log + JSONL, native | ${client_us[native]} us | wrk -t1 -c64 ${wrk_us} us | $(ratio "${client_us[native]}" "$wrk_us")x | <= 1.0x |"
echo "| client CPU/request, log + JSONL, libcurl | ${client_us[curl]} us | wrk ${wrk_us} us | $(ratio "${client_us[curl]}" "$wrk_us")x | <= 2.0x |"
echo "| server req/s, seed delays, wrk -t2 -c10000 -d8s, u1..u1000 | ${rps} | ideal 10000 / ${mean_delay} s = ${ideal} | $(ratio "$rps" "$ideal") | >= 0.92 |"
echo "| server CPU/request, seed delays | ${server1_us} us | no delay ${server0_us} us | $(ratio "$server1_us" "$server0_us")x | <= 1.5x |"
echo "| 10,000 IDs at -c 10000, median of 3 | ${wall} s (runs: ${walls% }) | slowest delay 0.5 s | $(ratio "$wall" 0.5)x | <= 0.8 s |"
echo
echo "load after: $(uptime)"
