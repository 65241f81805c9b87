#!/usr/bin/env bash
# Before/after of the whole request path, run by hand, never by CI: builds two commits in Release
# in throw-away worktrees and serves GET /users/42 of examples/hello.py (the README's route) from
# each, interleaved per round; each run: start, warm up (BENCH_WARMUP, 15 s), wrk -t1 -c64 -d10s
# while reading the process's CPU time from /proc. Prints medians (min–max) over BENCH_ROUNDS (5)
# of req/s, CPU µs and context switches per request and p99, and the per-round after ÷ before ratios.
#   BEFORE=<ref> [AFTER=<ref>] bench/ab.sh      # AFTER defaults to HEAD
# Environment: SIPHON_PYTHON (default /usr/bin/python3), BENCH_PATH (/users/42), BENCH_SCRIPT.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$ROOT/bench/lib.sh"
BEFORE_REQUIRED=1 ab_setup ab.sh 18192 15
PATH_=${BENCH_PATH:-/users/42}
SCRIPT=${BENCH_SCRIPT:-$ROOT/examples/hello.py}

run() { ab_serve "$1" "$SCRIPT" "$PATH_"; } # build -> "rps cpu_us"

ab_rounds run

echo "# Before/after, $(date -u +%Y-%m-%dT%H:%MZ): before $(git -C "$WORK/before" rev-parse --short HEAD), after $(git -C "$WORK/after" rev-parse --short HEAD); $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); $("$PY" --version 2>&1)"
echo
echo "GET $PATH_ of $(basename "$SCRIPT"), wrk -t1 -c64 -d10s after ${WARMUP}s warm-up, $ROUNDS interleaved rounds, median (min–max); CPU = user+system of all threads ÷ requests; context switches (voluntary + involuntary, all threads) ÷ requests."
echo
echo "| build | req/s | CPU µs/request | context switches/request | p99 ms |"
echo "| --- | ---: | ---: | ---: | ---: |"
for build in before after; do
  printf '| %s | %s | %s | %s | %s |\n' $build "$(awk -v b=$build '$2 == b {print $3}' "$WORK/results" | stats)" \
    "$(awk -v b=$build '$2 == b {print $4}' "$WORK/results" | stats)" "$(awk -v b=$build '$2 == b {print $5}' "$WORK/results" | stats)" \
    "$(awk -v b=$build '$2 == b {print $6}' "$WORK/results" | stats)"
done
echo
printf '| after ÷ before, per round | %s | %s | %s | %s |\n' "$(round_ratio "$WORK/results" 1 after before 3)" \
  "$(round_ratio "$WORK/results" 1 after before 4)" "$(round_ratio "$WORK/results" 1 after before 5)" "$(round_ratio "$WORK/results" 1 after before 6)"
