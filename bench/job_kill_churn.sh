#!/usr/bin/env bash
# Issue 18's crash bench: N items (default 200,000) across W `serentak job work` processes against a
# `serentak serve`, one worker SIGKILLed every K seconds (round robin) and restarted at once. Checks
# that `job collect` writes exactly one record per item (none lost, none twice) and reports the
# throughput, each kill's reclaim delay (from the SIGKILL until another worker has taken over every
# item the killed one held: the lease plus up to a reclaim round) and the time lost against a run of
# the same job without kills (BASELINE=0 skips that run).
# Usage: bench/job_kill_churn.sh [path/to/serentak] [items=200000] [workers=4] [kill_every_s=10]
#   env: C (per worker, default 50), DELAY_SCALE (serve's, default 0.2: /get_user_profile answers in
#   20-100 ms), TIMEOUT_S (the job's --timeout, default 2: lease 2 x 2 + 2 = 6 s), LIMIT_S (each run's
#   bound, default 600), BASELINE (1).
# Redis runs with appendonly yes, appendfsync everysec (only workers are killed). Traffic goes to
# 127.0.0.1 only; every run is bounded by LIMIT_S and ends by itself; what it starts is stopped by PID.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
serentak=${1:-$repo/build/release/apps/serentak/serentak}
items=${2:-200000}
workers=${3:-4}
kill_every=${4:-10}
c=${C:-50}
delay_scale=${DELAY_SCALE:-0.2}
timeout_s=${TIMEOUT_S:-2}
limit_s=${LIMIT_S:-600}
baseline=${BASELINE:-1}
[[ -x $serentak ]] || { echo "no serentak at $serentak (make build)" >&2; exit 2; }
command -v redis-server >/dev/null || { echo "redis-server missing: scripts/install-deps.sh" >&2; exit 2; }

# shellcheck source=bench/lib.sh
source "$repo/bench/lib.sh"
bench_init job-kill
raise_open_files

start_redis "$work"
rcli() { redis-cli -h 127.0.0.1 -p "$rport" "$@"; }

start_server "$delay_scale"
url="http://127.0.0.1:$port/get_user_profile?user_id={}"
seq 1 "$items" | sed 's/^/u/' >"$work/items.txt"
me=$(hostname)

# Consumers (host:pid:random) holding entries of job $1's items: "name count" lines.
holders() { rcli XPENDING "serentak:$1:items" workers | awk 'NR > 3 { if (NR % 2 == 0) n = $0; else print n, $0 }'; }
# What the consumer whose name starts with $2 ("host:pid:") holds.
held_by() { holders "$1" | awk -v w="$2" 'index($1, w) == 1 { print $2; f = 1 } END { if (!f) print 0 }'; }
now() { date +%s.%N; }
# Requests the server has answered so far: fetches, including the ones repeated after a kill.
answered() { curl -s "http://127.0.0.1:$port/__serentak/stats" | python3 -c 'import json, sys; print(json.load(sys.stdin)["requests"]["answered"])'; }

# run_job NAME KILL_EVERY (0: no kills): pushes, runs the workers until every item has a record (or
# LIMIT_S), collects and checks. Sets wall, kills, delays (one per kill that held items), refetched
# (records a worker found already stored) and fetches (requests the server answered).
# A killed worker's items have all been taken over once it no longer appears among the holders.
resolve_reclaimed() {
  local current k
  ((${#watch_name[@]} > 0)) || return 0
  current=$(holders "$name")
  for k in "${!watch_name[@]}"; do
    if ! grep -qF -- "${watch_name[k]}" <<<"$current"; then
      delays+=("$(echo "$(now) - ${watch_at[k]}" | bc -l) ${watch_held[k]}")
      unset "watch_name[k]" "watch_at[k]" "watch_held[k]"
    fi
  done
}

run_job() {
  local name=$1 every=$2 job="redis://127.0.0.1:$rport/$1" w victim=0 start end next_kill pid consumer held t
  "$serentak" job push "$job" --url "$url" -i "$work/items.txt" --timeout "$timeout_s" >/dev/null
  local -a pids=() watch_name=() watch_at=() watch_held=()
  delays=()
  kills=0
  drain_time_wait
  local answered_before
  answered_before=$(answered)
  start=$(now)
  for ((w = 0; w < workers; w++)); do
    "$serentak" job work "$job" -c "$c" --threads 1 >"$work/$name.w$w.0.out" 2>&1 &
    pids[w]=$!
    bench_pids+=($!)
  done
  local deadline=$((SECONDS + limit_s))
  next_kill=$((SECONDS + every))
  while (($(rcli HLEN "serentak:$name:records") < items)); do
    if ((SECONDS >= deadline)); then echo "$name: not complete within ${limit_s} s" >&2; return 1; fi
    if ((every > 0 && SECONDS >= next_kill)); then
      pid=${pids[victim]}
      consumer="$me:$pid:"  # its name's prefix
      held=$(held_by "$name" "$consumer")
      { kill -KILL "$pid" && wait "$pid"; } 2>/dev/null || true
      t=$(now)
      kills=$((kills + 1))
      if ((held > 0)); then watch_name+=("$consumer"); watch_at+=("$t"); watch_held+=("$held"); fi
      "$serentak" job work "$job" -c "$c" --threads 1 >"$work/$name.w$victim.$kills.out" 2>&1 &
      pids[victim]=$!
      bench_pids+=($!)
      victim=$(((victim + 1) % workers))
      next_kill=$((next_kill + every))
    fi
    resolve_reclaimed
    sleep 0.2
  done
  resolve_reclaimed  # the reclaim that completed the job
  end=$(now)
  wall=$(echo "$end - $start" | bc -l)
  fetches=$(($(answered) - answered_before - 1))  # the first stats request is counted by the second
  for pid in "${pids[@]}"; do
    timeout 30 tail --pid="$pid" -f /dev/null || { echo "$name: worker $pid did not exit" >&2; return 1; }
  done
  # Fetches whose record was already stored (killed mid-request, or finished after a reclaim).
  refetched=$(cat "$work/$name".w*.out | sed -n 's/.*(\([0-9]*\) already recorded.*/\1/p' |
    awk '{ s += $1 } END { print s + 0 }')
  "$serentak" job collect "$job" -o "$work/$name.jsonl" >/dev/null
  python3 - "$work/$name.jsonl" "$items" <<'PY'
import collections, json, sys
path, n = sys.argv[1], int(sys.argv[2])
seen = collections.Counter()
outcomes = collections.Counter()
with open(path) as f:
    for line in f:
        r = json.loads(line)
        seen[r["index"]] += 1
        outcomes[r["outcome"]] += 1
lost = [i for i in range(n) if seen[i] == 0]
twice = [i for i, k in seen.items() if k > 1]
print(f"records {sum(seen.values())}, items {n}, lost {len(lost)}, more than one record {len(twice)}, "
      f"outcomes {dict(outcomes)}")
sys.exit(0 if not lost and not twice and sum(seen.values()) == n else 1)
PY
}

echo "# serentak job under SIGKILL churn ($(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg))"
echo "# $items items, $workers workers at -c $c --threads 1, one SIGKILLed every ${kill_every} s and restarted;"
echo "# serve --delay-scale $delay_scale (/get_user_profile), --timeout $timeout_s (lease $((2 * timeout_s + 2)) s), binary $serentak"
echo

if ((baseline)); then
  run_job calm 0
  calm_wall=$wall
  printf 'Without kills: %.2f s, %.0f items/s; %s requests answered by the server for %s items.\n\n' "$calm_wall" \
    "$(echo "$items / $calm_wall" | bc -l)" "$fetches" "$items"
fi

run_job churn "$kill_every"
printf 'With a SIGKILL every %s s: %.2f s, %.0f items/s; %s workers killed; %s requests answered by the server for %s items (%s fetched again after a kill); %s records found already stored (dropped).\n' \
  "$kill_every" "$wall" "$(echo "$items / $wall" | bc -l)" "$kills" "$fetches" "$items" "$((fetches - items))" "$refetched"
if ((${#delays[@]} > 0)); then
  printf '%s\n' "${delays[@]}" | awk '{ d[NR] = $1; h += $2; if ($1 > m) m = $1; s += $1 }
    END { printf "Reclaim delay (SIGKILL -> all its items taken over), %d kills holding %d items: mean %.2f s, max %.2f s.\n", NR, h, s / NR, m }'
fi
if ((baseline)); then
  printf 'Time lost to the kills: %.2f s (%.1f%% of the run without them).\n' "$(echo "$wall - $calm_wall" | bc -l)" \
    "$(echo "100 * ($wall - $calm_wall) / $calm_wall" | bc -l)"
fi
