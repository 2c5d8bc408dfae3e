#!/usr/bin/env bash
# Every benchmark, in one run, printed as Markdown (paste into bench/RESULTS.md with this command).
# Usage: bench/run-all.sh [path/to/serentak] [rounds=5]
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
serentak=${1:-$here/../build/release/apps/serentak/serentak}
rounds=${2:-5}
# SOMAXCONN=N (root): the accept queue raised for every bench below (issue 4's burst included),
# restored on exit; the scripts that source lib.sh themselves restore it to this raised value.
# shellcheck source=bench/lib.sh
source "$here/lib.sh"
bench_init all
"$here/seed_clients_compare.sh" "$serentak" "$rounds"
echo
"$here/bulk_fetch.sh" "$serentak" 3
echo
"$here/scenario_faults.sh" "$serentak" "$rounds" 3 1
echo
"$here/server_throughput.sh" "$serentak" "$rounds" 1 10
echo
"$here/server_burst.sh" "$serentak" 10000 2 10 fixed
echo
"$here/http2_vs_http1.sh" "$serentak"
echo
"$here/post_requests.sh" "$serentak" "$rounds"
echo
"$here/scenario_load.sh" "$serentak" 1000000
echo
"$here/dedupe_memory.sh" "$serentak"
echo
"$here/metrics_scrape.sh" "$serentak"
echo
"$here/dashboard_load.sh" "$serentak" 10000 50 20
echo
"$here/monitor_lag.sh" "$serentak"
echo
"$here/quick.sh" "$serentak"
echo
"$here/job_throughput.sh" "$serentak" 1000000
echo
"$here/job_kill_churn.sh" "$serentak" 200000
echo
"$here/job_redis_cost.sh" "$serentak" 300000 2
echo
"$here/job_layout_estimate.sh" "$serentak" 1000000
