#!/usr/bin/env bash
# What a GET /metrics scrape costs on a 10,000-route scenario (issue 14, item 7), and whether
# scraping slows the requests around it. Generates a scenario of 10,000 fixed routes (/r/0 ..
# /r/9999, 200 at once), starts `serentak serve` on a free loopback port, requests every route
# (so every route has a histogram: the worst case for a scrape), then:
#   idle:  SCRAPES scrapes one after another, curl's time_total each; the median.
#   load:  ROUNDS rounds of `wrk -t1 -c32 -dSECONDS` cycling over all 10,000 routes, alternately
#          alone and with a loop of back-to-back scrapes running beside it (bounded by the same
#          SECONDS); requests/s, wrk's p99 and max latency, and the scrapes' median time.
# The server is stopped by its PID on exit.
# Usage: bench/metrics_scrape.sh [path/to/serentak] [scrapes=21] [rounds=3] [seconds=5]
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
serentak=${1:-$here/../build/release/apps/serentak/serentak}
scrapes=${2:-21}
rounds=${3:-3}
seconds=${4:-5}
routes=10000
command -v wrk >/dev/null || { echo "wrk is missing: scripts/install-deps.sh --bench" >&2; exit 2; }

work=$(mktemp -d "${TMPDIR:-/tmp}/serentak-metrics-scrape-XXXXXX")
server_pid=""
loop_pid=""
cleanup() {
  if [[ -n $loop_pid ]]; then kill "$loop_pid" 2>/dev/null || true; fi
  if [[ -n $server_pid ]]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
median() { sort -n | awk '{v[NR] = $1} END {if (NR == 0) print "nan"; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
ms() { awk '{printf "%.1f\n", $1 * 1000}'; }

python3 - "$routes" >"$work/routes.json" <<'PY'
import sys
n = int(sys.argv[1])
routes = ",".join('{"path":"/r/%d","status":200,"body":{"n":%d}}' % (i, i) for i in range(n))
sys.stdout.write('{"name":"many","routes":[%s]}\n' % routes)
PY
# Each request goes to the next of the routes, so every route's counters are written.
printf '%s\n' 'local n = 0' 'request = function()' '  n = n + 1' \
  "  return wrk.format(\"GET\", \"/r/\" .. (n % $routes))" 'end' >"$work/cycle.lua"

"$serentak" serve --port 0 --quiet --scenario "$work/routes.json" >"$work/serve.out" 2>"$work/serve.err" &
server_pid=$!
port=""
for _ in $(seq 1 600); do  # at most 60 s
  port=$(grep -o '127.0.0.1:[0-9]*' "$work/serve.out" 2>/dev/null | head -1 | cut -d: -f2 || true)
  [[ -n $port ]] && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$work/serve.err" >&2; exit 1; }
  sleep 0.1
done
[[ -n $port ]] || { echo "the server did not start" >&2; exit 1; }
url="http://127.0.0.1:$port"

scrape() { curl -s -o /dev/null --max-time 60 -w '%{time_total} %{size_download} %{http_code}\n' "$url/metrics"; }
run_wrk() { timeout $((seconds + 30)) wrk -t1 -c32 -d"${seconds}s" --latency -s "$work/cycle.lua" "$url" >"$1"; }
wrk_figures() {  # requests/s, p99, max
  awk '/Requests\/sec/ {rps = $2} /^ +99%/ {p99 = $2} /^ +Latency / && $2 != "Distribution" {max = $4} END {print rps, p99, max}' "$1"
}

echo "binary=$serentak routes=$routes scrapes=$scrapes rounds=$rounds seconds=$seconds $(uptime | sed 's/.*load/load/')"
timeout 60 wrk -t1 -c8 -d2s -s "$work/cycle.lua" "$url" >/dev/null  # every route requested at least once
read -r _ bytes code < <(scrape)
[[ $code == 200 ]] || { echo "GET /metrics answered $code" >&2; exit 1; }
echo "scrape body: $bytes bytes, $(curl -s "$url/metrics" | grep -c '^serentak_requests_total{route="/r/') /r/ route lines in it"

for _ in $(seq 1 "$scrapes"); do scrape; done >"$work/idle.times"
idle=$(cut -d' ' -f1 "$work/idle.times" | sort -n)
echo "idle: median scrape $(median <<<"$idle" | ms) ms over $scrapes" \
  "(min $(head -1 <<<"$idle" | ms), max $(tail -1 <<<"$idle" | ms))"

for round in $(seq 1 "$rounds"); do
  run_wrk "$work/alone.out"
  read -r rps_alone p99_alone max_alone < <(wrk_figures "$work/alone.out")
  end=$(($(date +%s) + seconds))
  (for _ in $(seq 1 100000); do (($(date +%s) < end)) || break; scrape; done >"$work/loop.times") &
  loop_pid=$!
  run_wrk "$work/scraped.out"
  wait "$loop_pid" || true
  loop_pid=""
  read -r rps_scraped p99_scraped max_scraped < <(wrk_figures "$work/scraped.out")
  n=$(wc -l <"$work/loop.times")
  loop_median=$(cut -d' ' -f1 "$work/loop.times" | median | ms)
  bad=$(awk '$3 != 200' "$work/loop.times" | wc -l)
  echo "round $round: alone ${rps_alone} req/s (p99 ${p99_alone}, max ${max_alone});" \
    "with scraping ${rps_scraped} req/s (p99 ${p99_scraped}, max ${max_scraped}), $n scrapes, median ${loop_median} ms, $bad not 200"
done
