#!/usr/bin/env bash
# What tracing costs (issue 31), run by hand, never by CI. Builds two commits in Release in
# throw-away worktrees — BEFORE (default: the merge-base with main, without tracing) and AFTER
# (default: HEAD) — and serves GET /users/42 (examples/hello.py) three ways:
#   before off   the build without tracing code
#   after  off   no `tracing:` key: no ActivityListener, so no Activity is created (target: ≤ 1 % CPU)
#   after  on    `tracing:` with sample_ratio 1.0: every request's server span recorded and sent
#                over OTLP/HTTP to a local sink (target: ≤ 5 % CPU)
# The sink (a small Python HTTP server in its own process, not counted) answers every POST
# /v1/traces with 200 and counts the bytes, so the run checks that spans really went out.
# Rounds interleave every run; each: start, warm up (BENCH_WARMUP, 20 s), then wrk -t1 -c64
# -d10s while reading the siphon process's CPU time (user+system of every thread) from /proc.
# Prints medians (min–max) over BENCH_ROUNDS (5) rounds and the per-round ratios.
#   bench/tracing-cost.sh                    # before = merge-base with main, after = HEAD
#   BEFORE=<ref> AFTER=<ref> bench/tracing-cost.sh
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$ROOT/bench/lib.sh"
ab_setup tracing-cost.sh 18390 20
SINK_PORT=$((PORT + 1))

# The OTLP sink: 200 to every POST, bytes received counted in WORK/sink.bytes.
cat >"$WORK/sink.py" <<'PY'
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

received = 0

class Sink(BaseHTTPRequestHandler):
    def do_POST(self):
        global received
        received += len(self.rfile.read(int(self.headers.get("content-length", 0))))
        with open(sys.argv[2], "w") as f:
            f.write(str(received))
        self.send_response(200)
        self.send_header("content-length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass

ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Sink).serve_forever()
PY
"$PY" "$WORK/sink.py" "$SINK_PORT" "$WORK/sink.bytes" &
SINK=$!
trap 'kill $SINK 2>/dev/null || true; ab_cleanup "$ROOT" "$WORK" before after' EXIT
echo 0 >"$WORK/sink.bytes"

cp "$WORK/http.yaml" "$WORK/off.yaml"
printf 'servers:\n  - listen: "127.0.0.1:%s"\ntracing:\n  otlp_endpoint: "http://127.0.0.1:%s"\n  sample_ratio: 1.0\n' \
  "$PORT" "$SINK_PORT" >"$WORK/on.yaml"

RUNS="before:off after:off after:on"
: >"$WORK/results"
for r in $(seq "$ROUNDS"); do
  for run in $RUNS; do
    build=${run%%:*} variant=${run#*:}
    echo "round $r/$ROUNDS: $build $variant" >&2
    sent=$(cat "$WORK/sink.bytes")
    echo "$r $build $variant $(ab_serve "$build" "$ROOT/examples/hello.py" /users/42 "$WORK/$variant.yaml")" | tee -a "$WORK/results" >&2
    if [ "$variant" = on ] && [ "$(cat "$WORK/sink.bytes")" -le "$sent" ]; then
      echo "tracing-cost.sh: the 'on' run sent no spans to the sink" >&2; exit 1
    fi
  done
done

echo "# Tracing cost, $(date -u +%Y-%m-%dT%H:%MZ): before $(git -C "$WORK/before" rev-parse --short HEAD), after $(git -C "$WORK/after" rev-parse --short HEAD); $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); $("$PY" --version 2>&1)"
echo
echo "GET /users/42 (examples/hello.py), wrk -t1 -c64 -d10s after ${WARMUP}s warm-up, $ROUNDS interleaved rounds, median (min–max); CPU = user+system of all threads ÷ requests; on = sample_ratio 1.0 to a local OTLP/HTTP sink ($(cat "$WORK/sink.bytes") bytes received)."
echo
ab_tables "$WORK/results" tracing "$RUNS" "after off before off" "after on after off" "after on before off"
