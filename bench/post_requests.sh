#!/usr/bin/env bash
# Client CPU per request for POSTs with two headers and a JSON body (issue 13's request shape):
# 200,000 POSTs at -c 64 to a zero-delay `serentak serve` route, event log and JSONL on, through
# the native transport and libcurl, against `wrk -t1 -c64` sending the same request (a `wrk -s`
# Lua script: same method, path, the same two headers, Content-Type and the same JSON body).
# The seed routes answer GET only, so every POST gets the server's 405 page (about the size of a
# profile record), for serentak and wrk alike; the client's work per request is what is measured.
# Usage: bench/post_requests.sh [path/to/serentak] [rounds=1]
# Traffic goes to 127.0.0.1 only; every step is bounded by `timeout`; the server it starts is
# stopped by PID on exit.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
serentak=${1:-$repo/build/release/apps/serentak/serentak}
rounds=${2:-1}
[[ -x $serentak ]] || { echo "no serentak at $serentak (make build)" >&2; exit 2; }
command -v wrk >/dev/null || { echo "wrk missing: make deps-bench" >&2; exit 2; }

# shellcheck source=bench/lib.sh
source "$repo/bench/lib.sh"
bench_init post
raise_open_files

awk 'BEGIN {for (i = 0; i < 200000; i++) print 1121 + i % 5}' >"$work/ids200k.txt"
# The same request wrk sends: the item is 1121 in every wrk request (a fixed script), and
# serentak's items are 1121-1125, so both bodies and headers have the same length.
cat >"$work/post.lua" <<'LUA'
wrk.method = "POST"
wrk.path = "/get_user_profile?user_id=1121"
wrk.headers["User-Agent"] = "serentak/bench"
wrk.headers["Accept"] = "application/json"
wrk.headers["Accept-Encoding"] = "identity"
wrk.headers["X-Request-Id"] = "req-1121"
wrk.headers["X-Api-Key"] = "bench-key-0123456789"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"user_id":"1121","fields":["name","email"]}'
LUA

echo "# POST requests: serentak vs wrk ($(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, rounds=$rounds)"
echo "load before: $(uptime)"
start_server 0 1
url="http://127.0.0.1:$port/get_user_profile?user_id={}"
request=(-A serentak/bench -H 'X-Request-Id: req-{}' -H 'X-Api-Key: bench-key-0123456789'
         --json '{"user_id":"{}","fields":["name","email"]}')
declare -A per
for r in $(seq "$rounds"); do
  timeout 60 /usr/bin/time -f '%U %S' -o "$work/wrk.time" \
    wrk -t1 -c64 -d5s -s "$work/post.lua" "http://127.0.0.1:$port" >"$work/wrk.out"
  n=$(awk '/requests in/ {print $1}' "$work/wrk.out")
  us=$(tail -n 1 "$work/wrk.time" | awk -v n="$n" '{printf "%.2f", ($1 + $2) * 1e6 / n}')
  echo "round $r wrk: $n requests, $us us/request, load $(cut -d' ' -f1 /proc/loadavg)"
  per[wrk]+="$us "
  for t in native curl; do
    rm -f "$work/out.jsonl" "$work/run.log"
    read -r w u s _ < <(timed "$serentak" fetch --url "$url" --transport "$t" "${request[@]}" -i "$work/ids200k.txt" \
      -c 64 -q --log "$work/run.log" -o "$work/out.jsonl" --summary none)
    records=$(wc -l <"$work/out.jsonl")
    status=$(head -c 400 "$work/out.jsonl" | grep -o '"status":[0-9]*' | head -1)
    us=$(awk -v u="$u" -v s="$s" 'BEGIN {printf "%.2f", (u + s) * 1e6 / 200000}')
    echo "round $r $t: wall $w s, user $u s, sys $s s, $us us/request, $records records ($status), load $(cut -d' ' -f1 /proc/loadavg)"
    per[$t]+="$us "
  done
done
w=$(tr ' ' '\n' <<<"${per[wrk]}" | grep . | median)
echo "median wrk: $w us/request"
for t in native curl; do
  m=$(tr ' ' '\n' <<<"${per[$t]}" | grep . | median)
  echo "median $t: $m us/request, $(awk -v a="$m" -v b="$w" 'BEGIN {printf "%.2f", a / b}') x wrk"
done
echo "load after: $(uptime)"
