#!/usr/bin/env bash
# Mixed load, before/after, run by hand: bench/mixed_app.py served by two builds (Release, throw-away
# worktrees), interleaved per round. While 20 connections keep its 20 `def` routes sleeping 200 ms
# each (on the sync pool) and 2 connections keep its CPU-bound `async def` route busy, wrk -t1 -c4
# --latency measures its fast `async def` route for 10 s; prints the fast route's req/s and p50/p99
# (median, min–max over BENCH_ROUNDS, 5) per build. The functional part (every request answered,
# the fast route answered while the others run) is a test: MixedLoadTests.
#   BEFORE=<ref> [AFTER=<ref>] bench/mixed.sh
# Environment: SIPHON_PYTHON (default /usr/bin/python3), BENCH_PORT (18196), BENCH_WARMUP (5 s).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$ROOT/bench/lib.sh"
BEFORE_REQUIRED=1 ab_setup mixed.sh 18196 5
APP=$ROOT/bench/mixed_app.py
URL=http://127.0.0.1:$PORT

# ms: a wrk latency figure ("812.00us", "3.41ms", "1.02s") in milliseconds.
ms() { awk '{v = $1; if (v ~ /us$/) {sub(/us$/, "", v); v /= 1000} else if (v ~ /ms$/) sub(/ms$/, "", v); else if (v ~ /s$/) {sub(/s$/, "", v); v *= 1000}; printf "%.3f\n", v}'; }

run() { # build -> "rps p50_ms p99_ms"
  local build=$1 log=$WORK/$1-mixed.log pid bg1 bg2 out
  dotnet "$WORK/$build/Siphon.Runtime/bin/Release/net10.0/siphon.dll" run "$APP" --config "$WORK/http.yaml" \
    --listen "127.0.0.1:$PORT" --python "$PY" >"$log" 2>&1 &
  pid=$!
  wait_for "$URL/fast" || { echo "$build did not answer; log:" >&2; cat "$log" >&2; kill $pid; exit 1; }
  wrk -t1 -c4 -d"${WARMUP}s" "$URL/fast" >/dev/null
  wrk -t1 -c20 -d14s -s "$ROOT/bench/mixed.lua" "$URL" >/dev/null & bg1=$!
  wrk -t1 -c2 -d14s "$URL/cpu" >/dev/null & bg2=$!
  sleep 2 # the background load under way
  out=$(wrk -t1 -c4 -d10s --latency "$URL/fast")
  wait $bg1 $bg2 || true
  kill -TERM $pid; wait $pid 2>/dev/null || true
  printf '%s %s %s\n' "$(awk '/Requests\/sec/ {print $2}' <<<"$out")" \
    "$(awk '$1 == "50%" {print $2}' <<<"$out" | ms)" "$(awk '$1 == "99%" {print $2}' <<<"$out" | ms)"
}

ab_rounds run

echo "# Mixed load, $(date -u +%Y-%m-%dT%H:%MZ): before $(git -C "$WORK/before" rev-parse --short HEAD), after $(git -C "$WORK/after" rev-parse --short HEAD); $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); $("$PY" --version 2>&1)"
echo
echo "GET /fast with wrk -t1 -c4 -d10s --latency while 20 connections keep 20 def routes sleeping 200 ms and 2 keep a 5 ms CPU-bound async def route busy; $ROUNDS interleaved rounds, median (min–max)."
echo
echo "| build | fast req/s | fast p50 ms | fast p99 ms |"
echo "| --- | ---: | ---: | ---: |"
for build in before after; do
  printf '| %s | %s | %s | %s |\n' $build "$(awk -v b=$build '$2 == b {print $3}' "$WORK/results" | stats)" \
    "$(awk -v b=$build '$2 == b {print $4}' "$WORK/results" | stats)" "$(awk -v b=$build '$2 == b {print $5}' "$WORK/results" | stats)"
done
echo
printf '| after ÷ before, per round | %s | %s | %s |\n' "$(round_ratio "$WORK/results" 1 after before 3)" \
  "$(round_ratio "$WORK/results" 1 after before 4)" "$(round_ratio "$WORK/results" 1 after before 5)"
