#!/usr/bin/env bash
# What wrap-around middleware costs (issue 14), run by hand, never by CI.
# Builds two commits in Release in throw-away worktrees — BEFORE (default: the merge-base with
# main, without wrappers) and AFTER (default: HEAD) — and serves `GET /users/{id}` (the plain `def`
# handler of examples/hello.py) from scripts that differ only in their middleware:
#   none        no middleware                         (before and after: must cost the same)
#   guard       one `def guard(req)` returning None   (before and after: must cost the same)
#   wrap        one `def wrap(req, call_next)`        (after only: an all-plain chain, sync pool)
#   wrap_async  one `async def wrap(req, call_next)`  (after only: the chain runs on the loop)
# Rounds interleave every (build × variant) run; each: start, warm up (BENCH_WARMUP, 10 s), then
# wrk -t1 -c64 -d10s while reading the process's CPU time from /proc. Prints medians (min–max)
# over BENCH_ROUNDS (5) rounds of req/s and CPU µs per request (user+system of every thread ÷
# requests), and per-round ratios.
#   bench/middleware-cost.sh                    # before = merge-base with main, after = HEAD
#   BEFORE=<ref> AFTER=<ref> bench/middleware-cost.sh
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$ROOT/bench/lib.sh"
ab_setup middleware-cost.sh 18193 10

route='
@http.route("/users/{id}")
def user(req):
    return http.Response(200, {"content-type": "application/json"}, json.dumps({"id": req.path_params["id"]}))
'
head='import json
from siphon import http
'
printf '%s%s' "$head" "$route" >"$WORK/none.py"
printf '%s\n@http.middleware\ndef guard(req):\n    return None\n%s' "$head" "$route" >"$WORK/guard.py"
printf '%s\n@http.middleware\ndef wrap(req, call_next):\n    return call_next(req)\n%s' "$head" "$route" >"$WORK/wrap.py"
printf '%s\n@http.middleware\nasync def wrap(req, call_next):\n    return await call_next(req)\n%s' "$head" "$route" >"$WORK/wrap_async.py"


measure() { ab_serve "$1" "$WORK/$2.py" /users/42; } # build variant -> "rps cpu_us"

RUNS="before:none before:guard after:none after:guard after:wrap after:wrap_async"
: >"$WORK/results"
for r in $(seq "$ROUNDS"); do
  for run in $RUNS; do
    build=${run%%:*} variant=${run#*:}
    echo "round $r/$ROUNDS: $build $variant" >&2
    echo "$r $build $variant $(measure $build $variant)" | tee -a "$WORK/results" >&2
  done
done

echo "# Middleware cost, $(date -u +%Y-%m-%dT%H:%MZ): before $(git -C "$WORK/before" rev-parse --short HEAD), after $(git -C "$WORK/after" rev-parse --short HEAD); $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); $("$PY" --version 2>&1)"
echo
echo "GET /users/{id} (a \`def\` handler), wrk -t1 -c64 -d10s after ${WARMUP}s warm-up, $ROUNDS interleaved rounds, median (min–max); CPU = user+system of all threads ÷ requests."
echo
ab_tables "$WORK/results" middleware "$RUNS" "after none before none" "after guard before guard" "after wrap after guard" \
  "after wrap_async after guard" "after wrap after none"
