#!/usr/bin/env bash
# Issue 18's what-if: the job's CPU if Redis held the job in another layout, estimated on this machine
# by running what a job runs with Redis's part played by bench/job_redis_cost.py. While four
# `fetch -c 250 --threads 1` processes fetch quarters of the items from the zero-delay mock server (the
# workers' HTTP side), the script
# feeds a Redis (the bench's AOF settings plus REDIS_OPTIONS) the same items and real records in
# LAYOUT. One local `fetch -c 1000` in the same run is the peer. The estimate is the four processes'
# CPU, the server's and Redis's; the Python feeder's own CPU is left out, and so is a worker's own Redis
# I/O (job_throughput.sh measures the workers and server at 0.96-1.13x of the four processes and theirs).
# Run LAYOUTS="items ..." to compare the estimate for the layout in use with the real job.
# Usage: bench/job_layout_estimate.sh [path/to/serentak] [items=1000000] [rounds=1]
# LAYOUTS (default "items chunks") as in job_redis_cost.py; CHUNK (default 100) for chunks.
# Traffic goes to 127.0.0.1 only; every load step is bounded by `timeout`; what it starts is stopped by PID.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
serentak=${1:-$repo/build/release/apps/serentak/serentak}
items=${2:-1000000}
rounds=${3:-1}
[[ -x $serentak ]] || { echo "no serentak at $serentak (make build)" >&2; exit 2; }
command -v redis-server >/dev/null || { echo "redis-server missing: scripts/install-deps.sh" >&2; exit 2; }

# shellcheck source=bench/lib.sh
source "$repo/bench/lib.sh"
bench_init job-layout-estimate
raise_open_files
read -ra redis_options <<<"${REDIS_OPTIONS:-}"

start_server 0
server_pid=${bench_pids[-1]}
url="http://127.0.0.1:$port/get_user_profile?user_id={}"
seq 1 "$items" | sed 's/^/u/' >"$work/items.txt"
split -n l/4 -d "$work/items.txt" "$work/quarter"

echo "# What a job would cost with Redis in another layout ($(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores," \
  "$items items${REDIS_OPTIONS:+, Redis $REDIS_OPTIONS})"
echo
echo "| run | wall s | CPU s | ratio local / this, by CPU |"
echo "| --- | ---: | --- | ---: |"
for _ in $(seq "$rounds"); do
  drain_time_wait
  server_before=$(cpu_seconds "$server_pid")
  read -r local_wall local_user local_sys _ < <(timed "$serentak" fetch --url "$url" -i "$work/items.txt" -c 1000 \
    -q --no-log -o "$work/local.jsonl")
  local_records=$(grep -c '"index"' "$work/local.jsonl" || true)
  if ((local_records != items)); then
    echo "the local fetch wrote $local_records of $items records: $(cat "$work/last.err")" >&2
    exit 1
  fi
  local_cpu=$(awk -v u="$local_user" -v s="$local_sys" -v v="$(cpu_since "$server_pid" "$server_before")" \
    'BEGIN {printf "%.2f", u + s + v}')
  printf '| serentak fetch -c 1000 (one process) | %s | %s | 1.00 |\n' "$local_wall" "$local_cpu"

  for layout in ${LAYOUTS:-items chunks}; do
    rdir=$(mktemp -d "$work/redis.XXXX")
    start_redis "$rdir" "${redis_options[@]}"
    rm -f "$work/ready" "$work/start"
    READY_FILE=$work/ready START_FILE=$work/start timeout 900 python3 "$repo/bench/job_redis_cost.py" "$rport" \
      "$redis_pid" "$work/local.jsonl" "$repo/src/queue/job_scripts.cpp" "$layout" "${CHUNK:-100}" \
      >"$work/feeder.out" 2>&1 &
    feeder=$!
    bench_pids+=("$feeder")
    for _ in $(seq 6000); do
      [[ -e $work/ready ]] && break
      kill -0 "$feeder" 2>/dev/null || break
      sleep 0.1
    done
    [[ -e $work/ready ]] || { echo "the feeder did not get ready: $(tail -n 3 "$work/feeder.out")" >&2; exit 1; }
    drain_time_wait
    server_before=$(cpu_seconds "$server_pid")
    start=$(date +%s.%N)
    touch "$work/start"
    fetch_quarters "$url" || exit 1  # no figure from a crashed or timed-out fetch
    clients_cpu=$quarters_cpu
    fetch_wall=$(echo "$(date +%s.%N) - $start" | bc -l)
    server_cpu=$(cpu_since "$server_pid" "$server_before")
    status=0
    wait "$feeder" || status=$?
    unset 'bench_pids[-1]'  # the feeder, reaped
    ((status == 0)) || { echo "the feeder failed: $(tail -n 3 "$work/feeder.out")" >&2; exit 1; }
    kill "$redis_pid"
    wait "$redis_pid" 2>/dev/null || true
    unset 'bench_pids[-1]'  # Redis, reaped
    # The feeder's line: | layout | per entry | items | Redis CPU | per item | wall | used_memory | fields |
    redis_cpu=$(awk -F'|' '/^\|/ {gsub(/[ s]/, "", $5); print $5}' "$work/feeder.out" | tail -n 1)
    redis_item=$(awk -F'|' '/^\|/ {gsub(/ /, "", $6); print $6}' "$work/feeder.out" | tail -n 1)
    redis_wall=$(awk -F'|' '/^\|/ {gsub(/ /, "", $7); print $7}' "$work/feeder.out" | tail -n 1)
    # Redis's CPU counts only while the feeder works; past the fetches' end it works on a quieter machine.
    if awk -v f="$fetch_wall" -v r="${redis_wall%s}" 'BEGIN {exit !(r > 1.1 * f)}'; then
      echo "note: the feeder worked ${redis_wall}, past the fetches' $(printf '%.1f' "$fetch_wall") s" >&2
    fi
    estimate=$(awk -v c="$clients_cpu" -v s="$server_cpu" -v r="$redis_cpu" 'BEGIN {printf "%.2f", c + s + r}')
    printf '| four fetch -c 250 beside Redis fed in layout %s (%s per item; fed in %s) | %.2f | %s %s | %s |\n' \
      "$layout" "$redis_item" "$redis_wall" "$fetch_wall" "$estimate" \
      "(clients $clients_cpu, server $server_cpu, Redis $redis_cpu)" "$(ratio "$local_cpu" "$estimate")"
  done
done
echo
echo "Left out: the workers' own Redis I/O (bench/job_throughput.sh: workers and server at 0.96-1.13x of the"
echo "four processes and theirs)."
