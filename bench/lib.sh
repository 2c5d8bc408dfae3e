# Helpers shared by the bench/*.sh scripts that run `serentak serve` and time `serentak` runs.
# Source it after setting `serentak` (the binary); then call bench_init once.
#   bench_init NAME        work dir in $work, servers started by start_server stopped by PID on
#                          exit, and net.core.somaxconn / tcp_max_syn_backlog restored if
#                          SOMAXCONN=N (root) raised them for the run.
#   start_server SCALE [THREADS]
#                          `serentak serve --seed 42 --delay-scale SCALE` (THREADS: its --threads,
#                          default the server's own: one per core); sets $port.
#   timed CMD...           prints "wall_s user_s sys_s maxrss_kb"; bounded at 300 s.
#   drain_time_wait        waits (at most 120 s) until fewer than 500 sockets are in TIME-WAIT,
#                          so a run of 10,000 fresh connections does not inherit the last run's.
#   warm_up_fixture URL IDS
#                          one uncounted native `fetch -c 10000` of IDS against the server at URL,
#                          after a TIME-WAIT drain; prints its wall time. A just-started server
#                          pays its own first touches of memory on its first 10,000-connection
#                          run (bench/RESULTS.md, sessions 5 and 6); the client is what is measured.
#   median                 the median of the numbers on stdin, one per line.
#   cpu_seconds PID [children]  CPU seconds (user + system) the process has used so far, from
#                          /proc/PID/stat; with "children", its reaped children's too (Redis's AOF rewrite).
#   cpu_since PID BEFORE [children]  cpu_seconds now minus BEFORE (an earlier cpu_seconds), to two decimals.
#   free_port              a free TCP port on 127.0.0.1.
#   start_redis DIR [OPTION ...]  a redis-server on 127.0.0.1 with AOF (appendfsync everysec), no RDB,
#                          its files and log in DIR, plus the options given; sets rport and redis_pid,
#                          adds it to bench_pids and returns once it answers PING (exits if it never does).
#   fetch_quarters URL     four `fetch -c 250 --threads 1` processes on $work/quarter00..03 (from
#                          `split -n l/4 -d ITEMS "$work/quarter"`), each writing $work/quarterN.jsonl,
#                          .time ("user sys") and .err; sets quarters_cpu to their CPU seconds summed.
#                          Returns 1 when one crashed or timed out (its CPU is then missing), after
#                          saying so.
#   ratio A B              A / B to two decimals (0 when B is 0).
#   raise_open_files       the soft open-file limit to the hard one (an `unlimited` hard limit,
#                          which `ulimit -n` refuses to set, is read as fs.nr_open).

bench_init() {
  work=$(mktemp -d "${TMPDIR:-/tmp}/serentak-$1-XXXXXX")
  bench_pids=()
  bench_saved_somaxconn=""
  if [[ -n ${SOMAXCONN:-} ]]; then
    bench_saved_somaxconn=$(accept_queue)
  fi
  trap bench_cleanup EXIT
  # At the default 4096 a burst of 10,000 connects overflows the accept queue, and the dropped
  # SYNs are retried after 1 s, which then dominates the wall time.
  if [[ -n $bench_saved_somaxconn ]] && ! set_accept_queue "$SOMAXCONN" "$SOMAXCONN"; then
    echo "warning: cannot raise net.core.somaxconn to $SOMAXCONN (needs root); 10,000-connection runs will include SYN retries" >&2
    # Nothing to restore unless one of the two writes went through.
    if [[ "$(accept_queue)" == "$bench_saved_somaxconn" ]]; then bench_saved_somaxconn=""; fi
  fi
}

accept_queue() { echo "$(cat /proc/sys/net/core/somaxconn) $(cat /proc/sys/net/ipv4/tcp_max_syn_backlog)"; }

set_accept_queue() {
  { echo "$1" >/proc/sys/net/core/somaxconn && echo "$2" >/proc/sys/net/ipv4/tcp_max_syn_backlog; } 2>/dev/null
}

bench_cleanup() {
  local pid a b
  for pid in "${bench_pids[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
  if [[ -n $bench_saved_somaxconn ]]; then
    read -r a b <<<"$bench_saved_somaxconn"
    set_accept_queue "$a" "$b" || echo "warning: cannot restore net.core.somaxconn=$a tcp_max_syn_backlog=$b" >&2
  fi
  rm -rf "$work"
}

start_server() {
  local out="$work/server.$RANDOM.out" threads=()
  [[ -n ${2:-} ]] && threads=(--threads "$2")
  "$serentak" serve --port 0 --quiet --seed 42 "${threads[@]}" --delay-scale "$1" >"$out" 2>&1 &
  bench_pids+=($!)
  for _ in $(seq 100); do
    port=$(grep -o 'http://127.0.0.1:[0-9]*' "$out" | head -1 | cut -d: -f3 || true)
    [[ -n $port ]] && return 0
    sleep 0.05
  done
  echo "server did not start: $(cat "$out")" >&2
  exit 1
}

timed() {
  local t="$work/time.$RANDOM"
  timeout 300 /usr/bin/time -f '%e %U %S %M' -o "$t" "$@" >/dev/null 2>"$work/last.err" || true
  tail -n 1 "$t"  # time writes "Command exited with non-zero status N" first when the run had failures
}

drain_time_wait() {
  for _ in $(seq 240); do
    (($(ss -tan state time-wait | wc -l) < 500)) && return 0
    sleep 0.5
  done
}

warm_up_fixture() {
  local w
  drain_time_wait
  read -r w _ _ _ < <(timed "$serentak" fetch --transport native --url "$1" -i "$2" -c 10000 -q --no-log) || true
  echo "${w:-(failed: $(tail -n 1 "$work/last.err" 2>/dev/null))}"
}

median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

cpu_seconds() {
  awk -v hz="$(getconf CLK_TCK)" -v kids="${2:-}" \
    '{printf "%.3f", ($14 + $15 + (kids == "children" ? $16 + $17 : 0)) / hz}' "/proc/$1/stat"
}

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

start_redis() {
  local dir=$1
  shift
  rport=$(free_port)
  redis-server --bind 127.0.0.1 --port "$rport" --dir "$dir" --appendonly yes --appendfsync everysec --save '' \
    "$@" --daemonize no --logfile "$dir/redis.log" &
  redis_pid=$!
  bench_pids+=("$redis_pid")
  for _ in $(seq 100); do
    [[ $(redis-cli -h 127.0.0.1 -p "$rport" PING 2>/dev/null) == PONG ]] && return 0
    sleep 0.05
  done
  echo "redis-server did not start: $(tail -n 3 "$dir/redis.log" 2>/dev/null)" >&2
  exit 1
}

fetch_quarters() {
  local url=$1 q p status failed=0 kept=${#bench_pids[@]} pids=()
  rm -f "$work"/quarter?.time
  for q in 0 1 2 3; do
    timeout 300 /usr/bin/time -f '%U %S' -o "$work/quarter$q.time" "$serentak" fetch --url "$url" \
      -i "$work/quarter0$q" -c 250 --threads 1 -q --no-log -o "$work/quarter$q.jsonl" \
      >/dev/null 2>"$work/quarter$q.err" &
    pids+=($!)
    bench_pids+=($!)
  done
  for p in "${pids[@]}"; do
    status=0
    wait "$p" || status=$?
    # 1 is some items failing (the seed has 404s); more is a crash or the timeout.
    ((status <= 1)) || { echo "fetch $p exited $status: $(cat "$work"/quarter?.err)" >&2; failed=1; }
  done
  bench_pids=("${bench_pids[@]:0:kept}")  # reaped: their PIDs may be reused
  # shellcheck disable=SC2034  # for the caller
  quarters_cpu=$( (tail -q -n 1 "$work"/quarter?.time 2>/dev/null || true) |
    awk '{c += $1 + $2} END {printf "%.2f", c}')
  return "$failed"
}

cpu_since() { awk -v a="$(cpu_seconds "$1" "${3:-}")" -v b="$2" 'BEGIN {printf "%.2f", a - b}'; }

ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", (b > 0 ? a / b : 0)}'; }

raise_open_files() {
  local hard
  hard=$(ulimit -Hn)
  [[ $hard == unlimited ]] && hard=$(cat /proc/sys/fs/nr_open)
  ulimit -n "$hard"
}
