#!/usr/bin/env bash
# The mock server at scale (issue 4): (1) N concurrent requests, each waiting a fixed 0.5 s delay,
# sent at once by bench/burst_client.c; the time from the first request sent to the last answer,
# and the server's peak RSS. (2) N clients that leave during their delay, in rounds: the server's
# descriptors and RSS before and after, and its cancelled count.
# Usage: bench/server_burst.sh [path/to/serentak] [n=10000] [threads=2] [leave_rounds=10] [fixed|slow]
# fixed: the route /fixed of bench/fixed_delay_scenario.json (a fixed 0.5 s); slow: the built-in
# /status/slow at --delay-scale 0.2 (uniform 0.4-0.6 s: stricter, the slowest waits 0.6 s).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
serentak=${1:-$here/../build/release/apps/serentak/serentak}
n=${2:-10000}
threads=${3:-2}
leave_rounds=${4:-10}
mode=${5:-fixed}
if [ "$mode" = slow ]; then target=/status/slow; serve_args=(--delay-scale 0.2)
else target=/fixed; serve_args=(--scenario "$here/fixed_delay_scenario.json"); fi
ulimit -n "$(ulimit -Hn)"
work=$(mktemp -d)
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
cc -O2 -o "$work/burst_client" "$here/burst_client.c"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$serentak" serve --port "$port" --quiet --threads "$threads" "${serve_args[@]}" \
  >"$work/serve.out" 2>&1 &
pid=$!
for _ in $(seq 1 100); do curl -fs -o /dev/null "http://127.0.0.1:$port/__serentak/stats" && break; sleep 0.05; done
rss() { awk -v k="$1:" '$1 == k {print $2}' "/proc/$pid/status"; }
fds() { ls "/proc/$pid/fd" | wc -l; }
stats() { curl -fs "http://127.0.0.1:$port/__serentak/stats"; }
settle() {  # until the server holds no connection but the stats request's own (bounded: 20 s)
  for _ in $(seq 1 200); do
    stats | python3 -c 'import json,sys; d=json.load(sys.stdin); sys.exit(0 if d["connections"]["open"]<=1 and d["requests"]["in_flight"]==0 else 1)' && return 0
    sleep 0.1
  done
}

echo "load: $(uptime | sed 's/.*load average/load average/')"
echo "net.core.somaxconn=$(cat /proc/sys/net/core/somaxconn) tcp_max_syn_backlog=$(cat /proc/sys/net/ipv4/tcp_max_syn_backlog)"
echo "server at start: VmRSS $(rss VmRSS) kB, fds $(fds)"
echo "== $n concurrent requests to $target ($mode) =="
"$work/burst_client" "$port" "$n" "$target" 30 || true
echo "server peak RSS (VmHWM): $(rss VmHWM) kB; now VmRSS $(rss VmRSS) kB"
settle
echo "== $leave_rounds x $n clients leaving during their delay =="
before_fds=$(fds); before_rss=$(rss VmRSS)
for r in $(seq 1 "$leave_rounds"); do
  "$work/burst_client" "$port" "$n" "$target" 30 leave >/dev/null || true
  settle
  echo "round $r: fds $(fds), VmRSS $(rss VmRSS) kB"
done
echo "before: fds $before_fds, VmRSS $before_rss kB; after: fds $(fds), VmRSS $(rss VmRSS) kB"
stats | python3 -c 'import json,sys; d=json.load(sys.stdin); print("stats:", json.dumps({"connections": d["connections"], "requests": {k: v for k, v in d["requests"].items() if k != "by_route"}}))'
