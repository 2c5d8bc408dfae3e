#!/usr/bin/env bash
# How long `serentak serve --scenario FILE` takes to load a keyed route of N records (issue 14,
# item 7: linear in the file's size; 1,000,000 records under 5 s). Generates the file, starts the
# server on a free port, and times from the start until its banner ("running on") is printed,
# which comes after the whole file is parsed, checked and the routes built. Then stops it.
# Usage: bench/scenario_load.sh [path/to/serentak] [records=1000000]
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
serentak=${1:-$here/../build/release/apps/serentak/serentak}
records=${2:-1000000}
work=$(mktemp -d "${TMPDIR:-/tmp}/serentak-scenario-load-XXXXXX")
pid=""
cleanup() { [[ -n $pid ]] && kill "$pid" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

python3 - "$records" >"$work/big.json" <<'PY'
import sys
n = int(sys.argv[1])
out = sys.stdout
out.write('{"name":"big","routes":[{"path":"/item","param":"id","records":{')
out.write(",".join('"k%d":{"n":%d,"s":"v%d"}' % (i, i, i) for i in range(n)))
out.write('}}]}\n')
PY
bytes=$(stat -c %s "$work/big.json")
start=$(date +%s.%N)
"$serentak" serve --port 0 --quiet --scenario "$work/big.json" >"$work/out" 2>"$work/err" &
pid=$!
for _ in $(seq 1 6000); do  # at most 600 s
  grep -q 'running on' "$work/out" 2>/dev/null && break
  kill -0 "$pid" 2>/dev/null || { cat "$work/err" >&2; exit 1; }
  sleep 0.1
done
end=$(date +%s.%N)
port=$(grep -o '127.0.0.1:[0-9]*' "$work/out" | head -1 | cut -d: -f2)
answer=$(curl -s "http://127.0.0.1:$port/item?id=k$((records - 1))")
echo "records=$records file_bytes=$bytes load_s=$(echo "$end - $start" | bc) last_record=$answer"
