#!/usr/bin/env bash
# Issue 18's job benchmark: N items against a zero-delay `serentak serve`, four `serentak job work`
# processes at -c 250 each (-c 1000 in total) against one local `serentak fetch -c 1000` in the same
# run, both writing one JSONL record per item. A third run, four `fetch -c 250 --threads 1` processes on
# quarters of the items, shows what splitting the work into four processes alone costs on this machine.
# Reports the wall times and their ratio, Redis round trips
# per item (INFO commandstats: the top-level commands the workers sent) and Redis memory per queued item
# (used_memory after the push minus before, over N) and per stored record.
# Usage: bench/job_throughput.sh [path/to/serentak] [items=1000000]
# Redis runs with appendonly yes, appendfsync everysec (the production setting; the tests use always).
# Extra redis-server options (an experiment, said in the heading) go in REDIS_OPTIONS, e.g. "--appendonly no".
# Traffic goes to 127.0.0.1 only; every step is bounded by `timeout`; what it starts is stopped by PID.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
serentak=${1:-$repo/build/release/apps/serentak/serentak}
items=${2:-1000000}
[[ -x $serentak ]] || { echo "no serentak at $serentak (make build)" >&2; exit 2; }
command -v redis-server >/dev/null || { echo "redis-server missing: scripts/install-deps.sh" >&2; exit 2; }

# shellcheck source=bench/lib.sh
source "$repo/bench/lib.sh"
bench_init job
raise_open_files

read -ra redis_options <<<"${REDIS_OPTIONS:-}"
start_redis "$work" "${redis_options[@]}"
rcli() { redis-cli -h 127.0.0.1 -p "$rport" "$@"; }
mem() { rcli INFO memory | awk -F: '/^used_memory:/ {print $2+0}'; }

start_server 0
server_pid=${bench_pids[-1]}
url="http://127.0.0.1:$port/get_user_profile?user_id={}"
seq 1 "$items" | sed 's/^/u/' >"$work/items.txt"
job="redis://127.0.0.1:$rport/bench"

echo "# serentak job throughput ($(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, $items items, binary $serentak${REDIS_OPTIONS:+, Redis $REDIS_OPTIONS})"
echo

drain_time_wait
server_before=$(cpu_seconds "$server_pid")
read -r local_wall local_user local_sys _ < <(timed "$serentak" fetch --url "$url" -i "$work/items.txt" -c 1000 -q --no-log -o "$work/local.jsonl")
local_records=$(grep -c '"index"' "$work/local.jsonl" || true)  # not the header line
local_server_cpu=$(cpu_since "$server_pid" "$server_before")
local_cpu=$(awk -v u="$local_user" -v s="$local_sys" -v v="$local_server_cpu" 'BEGIN {printf "%.2f", u + s + v}')

# The same four-process shape as the job, without Redis: what the split alone costs.
split -n l/4 -d "$work/items.txt" "$work/quarter"
drain_time_wait
server_before=$(cpu_seconds "$server_pid")
start=$(date +%s.%N)
# A crash or a timeout leaves its CPU out of the sum (fetch_quarters says so).
fetch_quarters "$url" || true
split_client_cpu=$quarters_cpu
split_wall=$(echo "$(date +%s.%N) - $start" | bc -l)
split_server_cpu=$(cpu_since "$server_pid" "$server_before")
split_records=$(cat "$work"/quarter?.jsonl | grep -c '"index"' || true)

before=$(mem)
read -r push_wall _ _ _ < <(timed "$serentak" job push "$job" --url "$url" -i "$work/items.txt" --timeout 30)
after_push=$(mem)
rcli CONFIG RESETSTAT >/dev/null

drain_time_wait
server_before=$(cpu_seconds "$server_pid")
redis_before=$(cpu_seconds "$redis_pid" children)  # an AOF rewrite is a child
start=$(date +%s.%N)
wpids=()
for w in 1 2 3 4; do
  timeout 600 /usr/bin/time -f '%U %S' -o "$work/worker$w.time" \
    "$serentak" job work "$job" -c 250 --threads 1 >"$work/worker$w.out" 2>"$work/worker$w.err" &
  wpids+=($!)
done
for p in "${wpids[@]}"; do wait "$p" || echo "worker $p failed: $(cat "$work"/worker*.err)" >&2; done
end=$(date +%s.%N)
# A worker killed by its timeout leaves no time file: its CPU is then missing from the sum (said above).
workers_cpu=$( (tail -q -n 1 "$work"/worker?.time 2>/dev/null || true) | awk '{c += $1 + $2} END {printf "%.2f", c}')
job_server_cpu=$(cpu_since "$server_pid" "$server_before")
redis_cpu=$(cpu_since "$redis_pid" "$redis_before" children)
job_cpu=$(awk -v w="$workers_cpu" -v r="$redis_cpu" -v v="$job_server_cpu" 'BEGIN {printf "%.2f", w + r + v}')
job_wall=$(echo "$end - $start" | bc -l)
after_job=$(mem)

stats=$(rcli INFO commandstats)
calls() { echo "$stats" | awk -F'[:=,]' -v c="cmdstat_$1" '$1 == c {print $3; f=1} END {if (!f) print 0}'; }
# Commands that share a round trip with another are not counted: the completion check's HMGET goes with
# its HLEN (counted: no script calls HLEN, while the record script calls HMGET), the job-identity HGET
# with each XREADGROUP. Commands scripts call (HMGET, HSET, XCLAIM, XACK...) are counted by Redis too, but
# travel inside their EVALSHA.
round_trips=0
for c in evalsha xreadgroup hlen ping script auth info; do round_trips=$((round_trips + $(calls "$c"))); done
"$serentak" job collect "$job" -o "$work/job.jsonl" >/dev/null
job_records=$(wc -l <"$work/job.jsonl")

echo "| run | wall s | CPU s | records |"
echo "| --- | ---: | --- | ---: |"
printf '| serentak fetch -c 1000 (one process, JSONL out) | %s | %s (client %.2f, mock server %s) | %s |\n' \
  "$local_wall" "$local_cpu" "$(echo "$local_user + $local_sys" | bc -l)" "$local_server_cpu" "$local_records"
printf '| serentak fetch x 4, -c 250 --threads 1 each, a quarter of the items each | %.2f | %.2f (clients %s, mock server %s) | %s |\n' \
  "$split_wall" "$(echo "$split_client_cpu + $split_server_cpu" | bc -l)" "$split_client_cpu" "$split_server_cpu" "$split_records"
printf '| serentak job work x 4, -c 250 each (after the push) | %.2f | %s (workers %s, Redis %s, mock server %s) | %s |\n' \
  "$job_wall" "$job_cpu" "$workers_cpu" "$redis_cpu" "$job_server_cpu" "$job_records"
echo
printf 'Job throughput vs local: %.2fx (local wall / job wall; target >= 0.85x).\n' "$(echo "$local_wall / $job_wall" | bc -l)"
printf 'CPU, local / job: %sx (what the wall ratio cannot pass while both sides fill the cores).\n' "$(ratio "$local_cpu" "$job_cpu")"
printf 'Four local processes / one: walls %sx, CPU %sx (the cost of the split alone).\n' \
  "$(ratio "$split_wall" "$local_wall")" "$(ratio "$(echo "$split_client_cpu + $split_server_cpu" | bc -l)" "$local_cpu")"
printf 'Push: %s s for %s items.\n' "$push_wall" "$items"
printf 'Redis round trips during the work: %s (evalsha %s, xreadgroup %s, completion checks %s): %.4f per item.\n' \
  "$round_trips" "$(calls evalsha)" "$(calls xreadgroup)" "$(calls hlen)" "$(echo "$round_trips / $items" | bc -l)"
printf 'Redis memory per queued item: %.0f bytes (used_memory %s -> %s after the push).\n' \
  "$(echo "($after_push - $before) / $items" | bc -l)" "$before" "$after_push"
aof_bytes=$(du -sb "$work/appendonlydir" 2>/dev/null | cut -f1 || true)
if [[ -n $aof_bytes ]]; then
  printf 'AOF on disk after the job: %s bytes, %.0f per item.\n' "$aof_bytes" "$(echo "$aof_bytes / $items" | bc -l)"
fi
printf 'Redis memory per item once recorded (stream entry + record + pending list emptied): %.0f bytes.\n' \
  "$(echo "($after_job - $before) / $items" | bc -l)"
