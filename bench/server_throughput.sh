#!/usr/bin/env bash
# Zero-delay JSON route vs nginx serving the same bytes as a static file (issue 4).
# wrk -t1 -c64 (or -c$CONNECTIONS) -d<secs>s against each, interleaved round by round in one session; medians.
# Usage: bench/server_throughput.sh [path/to/serentak] [rounds=5] [threads=1] [seconds=10] [extra serve args...]
# threads: serentak --threads and nginx worker_processes (the same for both).
# CONNECTIONS=N in the environment: wrk -cN instead of -c64 (issue 19's -c 1000 check).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
serentak=${1:-$here/../build/release/apps/serentak/serentak}
rounds=${2:-5}
threads=${3:-1}
seconds=${4:-10}
shift $(( $# > 4 ? 4 : $# )) || true
extra=("$@")
route=/status/ok
command -v wrk >/dev/null || { echo "wrk is missing: scripts/install-deps.sh --bench" >&2; exit 2; }
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || { echo "nginx is missing: scripts/install-deps.sh --bench" >&2; exit 2; }
nginx_bin=$(command -v nginx || echo /usr/sbin/nginx)

work=$(mktemp -d)
chmod 755 "$work"  # nginx's workers run as an unprivileged user when started as root
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_port() { for _ in $(seq 1 100); do curl -fs -o /dev/null "http://127.0.0.1:$1$route" && return 0; sleep 0.05; done; echo "nothing on port $1" >&2; exit 1; }

sport=$(free_port)
"$serentak" serve --port "$sport" --quiet --threads "$threads" "${extra[@]}" >"$work/serve.out" 2>&1 &
pids+=($!)
wait_port "$sport"

# nginx serves the exact body serentak sends.
mkdir -p "$work/www/status" "$work/tmp"
curl -fs "http://127.0.0.1:$sport$route" >"$work/www$route"
nport=$(free_port)
sed -e "s|@PREFIX@|$work|g" -e "s|@PORT@|$nport|g" -e "s|@WORKERS@|$threads|g" "$here/nginx.conf.in" >"$work/nginx.conf"
"$nginx_bin" -p "$work" -c "$work/nginx.conf" -g 'daemon off;' 2>"$work/nginx.err" &
pids+=($!)
wait_port "$nport"
cmp <(curl -fs "http://127.0.0.1:$sport$route") <(curl -fs "http://127.0.0.1:$nport$route") || { echo "bodies differ" >&2; exit 1; }

connections=${CONNECTIONS:-64}
rps() { wrk -t1 -c"$connections" -d"${seconds}s" "http://127.0.0.1:$1$route" | awk '/Requests\/sec/ {print $2}'; }
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

echo "load before: $(uptime | sed 's/.*load average/load average/')"
: >"$work/s.txt"; : >"$work/n.txt"
for r in $(seq 1 "$rounds"); do
  s=$(rps "$sport"); n=$(rps "$nport")
  echo "$s" >>"$work/s.txt"; echo "$n" >>"$work/n.txt"
  echo "round $r: serentak $s req/s, nginx $n req/s, ratio $(awk -v a="$s" -v b="$n" 'BEGIN{printf "%.2f", a/b}')"
done
echo "load after: $(uptime | sed 's/.*load average/load average/')"
ms=$(median <"$work/s.txt"); mn=$(median <"$work/n.txt")
echo "median: serentak $ms req/s, nginx $mn req/s, serentak/nginx $(awk -v a="$ms" -v b="$mn" 'BEGIN{printf "%.2f", a/b}') (target >= 0.80)"
