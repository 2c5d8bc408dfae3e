#!/usr/bin/env bash
# What scenarios and faults cost on the hot path (issue 4, items 3-4): wrk -t1 -c64 on a zero-delay
# keyed route (/get_user_profile?user_id=1121), served three ways by the same binary in one session,
# interleaved round by round; medians and ratios to the built-in route.
#   builtin:  serentak serve                                   (the seed theme, no faults)
#   scenario: serentak serve --scenario <printed profiles>     (the same route, loaded from a file)
#   faulted:  serentak serve --fault '/get_user_profile:0.1%:503'  (every request counted as an
#             attempt under the attempt table's lock and drawn against the share; 0.1% answer 503)
# Usage: bench/scenario_faults.sh [path/to/serentak] [rounds=5] [seconds=5] [threads=1]
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
serentak=${1:-$here/../build/release/apps/serentak/serentak}
rounds=${2:-5}
seconds=${3:-5}
threads=${4:-1}
target=/get_user_profile?user_id=1121
command -v wrk >/dev/null || { echo "wrk is missing: scripts/install-deps.sh --bench" >&2; exit 2; }

work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_port() { for _ in $(seq 1 100); do curl -s -o /dev/null "http://127.0.0.1:$1$target" && return 0; sleep 0.05; done; echo "nothing on port $1" >&2; exit 1; }
start() {  # name, serve args...
  local name=$1; shift
  local port; port=$(free_port)
  "$serentak" serve --port "$port" --quiet --delay-scale 0 --seed 1 --threads "$threads" "$@" >"$work/$name.out" 2>&1 &
  pids+=($!)
  wait_port "$port"
  echo "$port" >"$work/$name.port"
}

"$serentak" serve --print-scenario profiles >"$work/profiles.json"
start builtin
start scenario --scenario "$work/profiles.json"
start faulted --fault '/get_user_profile:0.1%:503'
cmp <(curl -s "http://127.0.0.1:$(cat "$work/builtin.port")$target") \
    <(curl -s "http://127.0.0.1:$(cat "$work/scenario.port")$target") || { echo "bodies differ" >&2; exit 1; }

rps() { wrk -t1 -c64 -d"${seconds}s" "http://127.0.0.1:$(cat "$work/$1.port")$target" | awk '/Requests\/sec/ {print $2}'; }
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

echo "load before: $(uptime | sed 's/.*load average/load average/')"
for r in $(seq 1 "$rounds"); do
  b=$(rps builtin); s=$(rps scenario); f=$(rps faulted)
  echo "$b" >>"$work/b.txt"; echo "$s" >>"$work/s.txt"; echo "$f" >>"$work/f.txt"
  echo "round $r: builtin $b, scenario $s, faulted $f req/s"
done
echo "load after: $(uptime | sed 's/.*load average/load average/')"
mb=$(median <"$work/b.txt"); ms=$(median <"$work/s.txt"); mf=$(median <"$work/f.txt")
echo "median req/s: builtin $mb, scenario $ms ($(awk -v a="$ms" -v b="$mb" 'BEGIN{printf "%.2f", a/b}')x), faulted $mf ($(awk -v a="$mf" -v b="$mb" 'BEGIN{printf "%.2f", a/b}')x)"
