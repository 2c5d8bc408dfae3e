#!/usr/bin/env bash
# Runs every libFuzzer target for a bounded time, starting from its committed corpus, and fails on
# the first finding (a crash, a broken property, a sanitizer report, a leak, a timeout or an input
# using more than the memory limit). New interesting inputs go to a scratch corpus in the build
# folder, not into fuzz/corpus; a finding is saved there too, with the command to reproduce it.
# Usage: fuzz/run.sh BUILD_DIR [SECONDS_PER_TARGET]   (`make fuzz` passes FUZZ_SECONDS, default 10)
set -euo pipefail
cd "$(dirname "$0")/.."

build_dir=${1:?usage: fuzz/run.sh BUILD_DIR [SECONDS_PER_TARGET]}
seconds=${2:-10}
targets=(item_lines url_template log_text resume_file server_request json_body redis_reply)

status=0
for target in "${targets[@]}"; do
  binary="$build_dir/fuzz/fuzz_$target"
  work="$build_dir/fuzz-work/$target"
  mkdir -p "$work/corpus" "$work/findings"
  echo "== fuzz_$target: ${seconds}s from fuzz/corpus/$target =="
  # -timeout: one input taking more than 10 s is a finding; -rss_limit_mb bounds memory (a huge
  # allocation from a hostile input is a finding, not a swapped-out machine).
  if ! "$binary" "$work/corpus" "fuzz/corpus/$target" -max_total_time="$seconds" -timeout=10 \
       -rss_limit_mb=2048 -max_len=4096 -artifact_prefix="$work/findings/" -print_final_stats=1 \
       >"$work/output.txt" 2>&1; then
    echo "fuzz_$target FOUND A PROBLEM; reproduce with: $binary $work/findings/<file>" >&2
    tail -n 40 "$work/output.txt" >&2
    status=1
  else
    grep -E '^stat::number_of_executed_units|^stat::peak_rss_mb' "$work/output.txt" || true
  fi
done
exit $status
