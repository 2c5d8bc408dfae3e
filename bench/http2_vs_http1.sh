#!/usr/bin/env bash
# HTTP/2 against HTTP/1.1 through nginx on loopback over TLS, in one run: N requests (default
# 100,000) at -c 256 through libcurl, --http2 (streams multiplexed on a few connections) and
# --http1.1 (one connection per transfer in flight), every answer a small JSON 200 from nginx.
# Prints requests/s and client CPU (user + sys) per request for both, side by side.
# Usage: bench/http2_vs_http1.sh [SERENTAK_BINARY] [N]
# Needs nginx (nginx-light, with http_v2) and openssl: scripts/install-deps.sh --bench.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
serentak=${1:-$here/../build/release/apps/serentak/serentak}
n=${2:-100000}
concurrency=256
source "$here/lib.sh"
bench_init http2
raise_open_files

# A throwaway CA and a certificate for 127.0.0.1.
(
  cd "$work"
  key='-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes'
  openssl req -x509 $key -keyout ca.key -out ca.pem -days 2 -subj /CN=bench-ca \
    -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign
  printf 'subjectAltName=IP:127.0.0.1\n' >server.ext
  openssl req $key -keyout server.key -out server.csr -subj /CN=127.0.0.1
  openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 -extfile server.ext -out server.pem
) >"$work/openssl.out" 2>&1 || { cat "$work/openssl.out" >&2; exit 1; }

port=$(free_port)
mkdir -p "$work/nginx/tmp"
cat >"$work/nginx/nginx.conf" <<CONF
worker_processes 1;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 1000000;
  http2_max_concurrent_streams 256;
  client_body_temp_path $work/nginx/tmp/body; proxy_temp_path $work/nginx/tmp/proxy;
  fastcgi_temp_path $work/nginx/tmp/fastcgi; uwsgi_temp_path $work/nginx/tmp/uwsgi; scgi_temp_path $work/nginx/tmp/scgi;
  server {
    listen 127.0.0.1:$port ssl http2;
    ssl_certificate $work/server.pem;
    ssl_certificate_key $work/server.key;
    location / { default_type application/json; return 200 '{"ok":true}'; }
  }
}
CONF
nginx -p "$work/nginx" -c "$work/nginx/nginx.conf" -e "$work/nginx/error.log" -g 'daemon off;' &
bench_pids+=($!)
for _ in $(seq 100); do
  curl -s --cacert "$work/ca.pem" "https://127.0.0.1:$port/" >/dev/null && break
  sleep 0.05
done
seq 1 "$n" >"$work/items.txt"

# One timed run: prints "wall_s user_s sys_s ok_count".
run() {
  local t="$work/time.$RANDOM" summary="$work/summary.$RANDOM"
  timeout 600 /usr/bin/time -f '%e %U %S' -o "$t" "$serentak" fetch --transport curl "$1" -c "$concurrency" \
    --url "https://127.0.0.1:$port/item?id={}" --cacert "$work/ca.pem" -i "$work/items.txt" \
    -q --no-log --summary json --timeout 30 >"$summary" 2>"$work/last.err" || true
  local ok
  ok=$(python3 -c 'import json,sys; print(json.loads(open(sys.argv[1]).read().split("\n")[-2])["outcomes"]["ok"])' "$summary" 2>/dev/null || echo "?")
  echo "$(tail -n 1 "$t") $ok"
}

echo "# $n requests at -c $concurrency through nginx (TLS, 1 worker) on loopback; one run each, same session"
printf '%-10s %10s %12s %14s %8s\n' version wall_s requests/s cpu_us/request ok
for version in --http1.1 --http2; do
  read -r wall user sys ok < <(run "$version")
  awk -v v="$version" -v w="$wall" -v u="$user" -v s="$sys" -v n="$n" -v ok="$ok" \
    'BEGIN { printf "%-10s %10.2f %12.0f %14.1f %8s\n", v, w, n / w, (u + s) * 1e6 / n, ok }'
done
