#!/usr/bin/env bash
# What running sync handlers on the sync pool costs (issue 13), run by hand, never by CI.
# Builds two commits in Release in throw-away worktrees — BEFORE (default: the merge-base with
# main, where a `def` handler ran on the event-loop thread) and AFTER (default: HEAD, where it runs
# on a pool thread) — and serves one script from each with `/hello` as a plain `def` and as
# `async def`. Rounds interleave the four (build × route) runs; each: start, warm up
# (BENCH_WARMUP, 10 s), then wrk -t1 -c64 -d10s while reading the process's CPU time from /proc.
# Prints medians (min–max) over BENCH_ROUNDS (5) rounds of req/s and CPU µs per request
# (user+system of every thread ÷ requests), and the def ÷ async ratios per round.
#   bench/sync-cost.sh                    # before = merge-base with main, after = HEAD
#   BEFORE=<ref> AFTER=<ref> bench/sync-cost.sh
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$ROOT/bench/lib.sh"
ab_setup sync-cost.sh 18191 10

cat >"$WORK/hello.py" <<'EOF'
from siphon import http

HEADERS = {"content-type": "text/plain; charset=utf-8"}


@http.route("/def")
def hello_def(req):
    return http.Response(200, HEADERS, "hello, world")


@http.route("/async")
async def hello_async(req):
    return http.Response(200, HEADERS, "hello, world")
EOF


measure() { ab_serve "$1" "$WORK/hello.py" "/$2"; } # build route -> "rps cpu_us"

: >"$WORK/results"
for r in $(seq "$ROUNDS"); do
  for build in before after; do
    for route in def async; do
      echo "round $r/$ROUNDS: $build /$route" >&2
      echo "$r $build $route $(measure $build $route)" | tee -a "$WORK/results" >&2
    done
  done
done

echo "# Sync pool cost, $(date -u +%Y-%m-%dT%H:%MZ), before $(git -C "$WORK/before" rev-parse --short HEAD), after $(git -C "$WORK/after" rev-parse --short HEAD), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "GET /hello as \`def\` and \`async def\`, wrk -t1 -c64 -d10s after ${WARMUP}s warm-up, $ROUNDS interleaved rounds, median (min–max); CPU = user+system of all threads ÷ requests."
echo
ab_tables "$WORK/results" handler "before:def before:async after:def after:async" \
  "after def after async" "before def before async" "after def before def" "after async before async"
