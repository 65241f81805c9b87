#!/usr/bin/env bash
# What metrics cost on the hot path (issue 17), run by hand, never by CI: GET /users/42
# (examples/hello.py) with the admin listener on (metrics recorded, scraped every 5 s as a
# Prometheus would) and off (no admin: key, nothing listens to the instruments). Rounds are
# interleaved (off, on, off, on, ...) so drift in the machine's load falls on both; each run
# starts the server, warms it up (BENCH_WARMUP, 20 s), then runs wrk -t1 -c64 for BENCH_SECONDS
# (10) while reading the process's CPU time from /proc. Prints a Markdown table: per variant the
# median and spread (min-max) of req/s and CPU µs per request over BENCH_ROUNDS (5) rounds, and
# the on/off ratio per round (paired, so the spread of the ratio is the honest figure).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ROUNDS=${BENCH_ROUNDS:-5}
WARMUP=${BENCH_WARMUP:-20}
SECONDS_=${BENCH_SECONDS:-10}
PY=${SIPHON_PYTHON:-/usr/bin/python3}
PORT=${BENCH_PORT:-18290}
ADMIN_PORT=$((PORT + 1))

command -v wrk >/dev/null || { echo "metrics-cost.sh: needs wrk (bench/run.sh installs it, or: apt-get install wrk)" >&2; exit 1; }
[ -x "$PY" ] || { echo "metrics-cost.sh: no CPython at $PY (set SIPHON_PYTHON)" >&2; exit 1; }

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
echo "building (Release)..." >&2
dotnet build "$ROOT/Siphon.Runtime/Siphon.Runtime.csproj" -c Release -nologo -v q "-clp:ErrorsOnly;NoSummary" >&2
DLL="$ROOT/Siphon.Runtime/bin/Release/net10.0/siphon.dll"

printf 'servers:\n  - listen: "127.0.0.1:%s"\n' "$PORT" >"$WORK/off.yaml"
printf 'admin:\n  listen: "127.0.0.1:%s"\nservers:\n  - listen: "127.0.0.1:%s"\n' "$ADMIN_PORT" "$PORT" >"$WORK/on.yaml"

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; } # utime + stime of the whole process

measure() { # variant -> "rps cpu_us_per_request" on stdout
  local variant=$1
  dotnet "$DLL" run "$ROOT/examples/hello.py" --config "$WORK/$variant.yaml" --python "$PY" >"$WORK/$variant.log" 2>&1 &
  local pid=$! i scraper=
  for i in $(seq 600); do curl -fs "http://127.0.0.1:$PORT/users/1" >/dev/null 2>&1 && break; sleep 0.05; done
  if [ "$variant" = on ]; then
    curl -fs "http://127.0.0.1:$ADMIN_PORT/readyz" >/dev/null || { echo "admin listener not ready" >&2; kill $pid; exit 1; }
  fi
  wrk -t1 -c64 -d"${WARMUP}s" "http://127.0.0.1:$PORT/users/42" >/dev/null
  if [ "$variant" = on ]; then
    ( while sleep 5; do curl -fs "http://127.0.0.1:$ADMIN_PORT/metrics" >/dev/null || true; done ) &
    scraper=$!
  fi
  local before after out
  before=$(cpu_ticks $pid)
  out=$(wrk -t1 -c64 -d"${SECONDS_}s" "http://127.0.0.1:$PORT/users/42")
  after=$(cpu_ticks $pid)
  [ -n "$scraper" ] && { kill $scraper; wait $scraper 2>/dev/null || true; }
  if [ "$variant" = on ]; then # the run really recorded: the scrape counts the requests
    grep -q 'siphon_request_duration_seconds_count{.*route="/users/{id}"' <(curl -fs "http://127.0.0.1:$ADMIN_PORT/metrics") \
      || { echo "metrics-cost.sh: the 'on' server's scrape has no /users/{id} count" >&2; kill $pid; exit 1; }
  fi
  kill -TERM $pid; wait $pid 2>/dev/null || true
  local reqs rps; reqs=$(awk '/requests in/ {print $1}' <<<"$out"); rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  awk -v reqs="$reqs" -v rps="$rps" -v b="$before" -v a="$after" -v hz="$(getconf CLK_TCK)" \
    'BEGIN { printf "%s %.2f\n", rps, (a - b) * 1e6 / hz / reqs }'
}

: >"$WORK/results"
for r in $(seq "$ROUNDS"); do
  for v in off on; do
    echo "round $r/$ROUNDS: $v" >&2
    echo "$r $v $(measure "$v")" | tee -a "$WORK/results" >&2
  done
done

median() { sort -g | awk '{x[NR] = $1} END {print (NR % 2) ? x[(NR + 1) / 2] : (x[NR / 2] + x[NR / 2 + 1]) / 2}'; }
spread() { sort -g | awk 'NR == 1 {lo = $1} {hi = $1} END {printf "%s-%s", lo, hi}'; }
echo "# Cost of metrics, $(date -u +%Y-%m-%dT%H:%MZ), commit $(git -C "$ROOT" rev-parse --short HEAD), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "GET /users/42 (examples/hello.py), wrk -t1 -c64 -d${SECONDS_}s after ${WARMUP}s warm-up, $ROUNDS interleaved rounds;"
echo "on = admin listener with metrics, scraped every 5 s; CPU = the siphon process's user+system time from /proc."
echo
echo "| variant | req/s median | req/s spread | CPU µs/request median | CPU µs/request spread |"
echo "| --- | ---: | ---: | ---: | ---: |"
for v in off on; do
  printf '| %s | %.0f | %s | %s | %s |\n' "$v" \
    "$(awk -v v=$v '$2 == v {print $3}' "$WORK/results" | median)" "$(awk -v v=$v '$2 == v {printf "%.0f\n", $3}' "$WORK/results" | spread)" \
    "$(awk -v v=$v '$2 == v {print $4}' "$WORK/results" | median)" "$(awk -v v=$v '$2 == v {print $4}' "$WORK/results" | spread)"
done
echo
# Paired per round: on ÷ off.
awk '$2 == "off" {rps[$1] = $3; cpu[$1] = $4} $2 == "on" {printf "%.3f %.3f\n", $3 / rps[$1], $4 / cpu[$1]}' "$WORK/results" >"$WORK/ratios"
echo "on ÷ off per round: req/s $(cut -d' ' -f1 "$WORK/ratios" | median) (spread $(cut -d' ' -f1 "$WORK/ratios" | spread)), CPU µs/request $(cut -d' ' -f2 "$WORK/ratios" | median) (spread $(cut -d' ' -f2 "$WORK/ratios" | spread))"
