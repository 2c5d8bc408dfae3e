#!/usr/bin/env bash
# Redis's CPU per job item with nothing else on the machine: the item layout `job work` uses against a
# chunked layout (one stream entry and one record field per CHUNK items), each on a fresh redis-server
# with the bench's AOF settings, fed by bench/job_redis_cost.py with N real records from `serentak fetch`
# (100 items per XREADGROUP and per EVALSHA; workers at -c 250 read up to 250). Redis's CPU is the
# process's, its AOF rewrite children included once reaped.
# Usage: bench/job_redis_cost.sh [path/to/serentak] [items=300000] [rounds=2] [chunk=100]
# Extra redis-server options (an experiment) go in REDIS_OPTIONS, e.g. "--auto-aof-rewrite-percentage 0";
# LAYOUTS picks the layouts (default "items chunks"; also ackonly, bitmap, chunkfields, direct, blob and lean: see
# job_redis_cost.py).
# Traffic goes to 127.0.0.1 only; what it starts is stopped by PID.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
serentak=${1:-$repo/build/release/apps/serentak/serentak}
items=${2:-300000}
rounds=${3:-2}
chunk=${4:-100}
[[ -x $serentak ]] || { echo "no serentak at $serentak (make build)" >&2; exit 2; }
command -v redis-server >/dev/null || { echo "redis-server missing: scripts/install-deps.sh" >&2; exit 2; }

# shellcheck source=bench/lib.sh
source "$repo/bench/lib.sh"
bench_init job-redis-cost
raise_open_files
read -ra redis_options <<<"${REDIS_OPTIONS:-}"

start_server 0
seq 1 "$items" | sed 's/^/u/' >"$work/items.txt"
timed "$serentak" fetch --url "http://127.0.0.1:$port/get_user_profile?user_id={}" -i "$work/items.txt" -c 1000 \
  -q --no-log -o "$work/fetched.jsonl" >/dev/null
kill "${bench_pids[0]}"  # the mock server: Redis runs alone from here
wait "${bench_pids[0]}" 2>/dev/null || true
bench_pids=()

echo "# Redis CPU per job item ($(date -u +%Y-%m-%dT%H:%MZ), $items items, ${REDIS_OPTIONS:-bench settings})"
echo
echo "| layout | items per entry | items | Redis CPU | per item | wall | used_memory | record fields |"
echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
for _ in $(seq "$rounds"); do
  for layout in ${LAYOUTS:-items chunks}; do
    rdir=$(mktemp -d "$work/redis.XXXX")
    start_redis "$rdir" "${redis_options[@]}"
    timeout 600 python3 "$repo/bench/job_redis_cost.py" "$rport" "$redis_pid" "$work/fetched.jsonl" \
      "$repo/src/queue/job_scripts.cpp" "$layout" "$chunk"
    kill "$redis_pid"
    wait "$redis_pid" 2>/dev/null || true
    unset 'bench_pids[-1]'  # stopped and reaped: its PID may be reused
  done
done
