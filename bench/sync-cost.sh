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
ROUNDS=${BENCH_ROUNDS:-5}
WARMUP=${BENCH_WARMUP:-10}
PY=${SIPHON_PYTHON:-/usr/bin/python3}
PORT=${BENCH_PORT:-18191}
BEFORE=${BEFORE:-$(git -C "$ROOT" merge-base HEAD main)}
AFTER=${AFTER:-HEAD}

command -v wrk >/dev/null || { echo "sync-cost.sh: needs wrk (apt-get install wrk)" >&2; exit 1; }
[ -x "$PY" ] || { echo "sync-cost.sh: no CPython at $PY (set SIPHON_PYTHON)" >&2; exit 1; }

WORK=$(mktemp -d)
cleanup() {
  for b in before after; do git -C "$ROOT" worktree remove --force "$WORK/$b" >/dev/null 2>&1 || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT
for b in before after; do
  ref=$BEFORE; [ $b = after ] && ref=$AFTER
  git -C "$ROOT" worktree add --detach -q "$WORK/$b" "$ref"
  echo "building $b ($(git -C "$WORK/$b" rev-parse --short HEAD), Release)..." >&2
  dotnet build "$WORK/$b/Siphon.Runtime/Siphon.Runtime.csproj" -c Release -nologo -v q "-clp:ErrorsOnly;NoSummary" >&2
done

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

# An explicit config both builds accept: the ./http.yaml of the directory this runs from may use
# keys that the BEFORE build does not know (it would refuse to start).
printf 'servers:\n  - listen: "127.0.0.1:%s"\n' "$PORT" >"$WORK/http.yaml"

cpu_ticks() { # every thread's user+system ticks of PID
  local t
  for t in /proc/$1/task/*; do sed 's/.*) //' "$t/stat" | awk '{print $12 + $13}'; done 2>/dev/null | awk '{n += $1} END {print n}'
}

measure() { # build route -> "rps cpu_us"
  local build=$1 route=$2
  dotnet "$WORK/$build/Siphon.Runtime/bin/Release/net10.0/siphon.dll" run "$WORK/hello.py" --config "$WORK/http.yaml" \
    --listen "127.0.0.1:$PORT" --python "$PY" >"$WORK/$build-$route.log" 2>&1 &
  local pid=$! i
  for i in $(seq 300); do curl -fs "http://127.0.0.1:$PORT/$route" >/dev/null 2>&1 && break; sleep 0.05; done
  wrk -t1 -c64 -d"${WARMUP}s" "http://127.0.0.1:$PORT/$route" >/dev/null
  local before after out
  before=$(cpu_ticks $pid)
  out=$(wrk -t1 -c64 -d10s "http://127.0.0.1:$PORT/$route")
  after=$(cpu_ticks $pid)
  kill -TERM $pid; wait $pid 2>/dev/null || true
  local reqs rps; reqs=$(awk '/requests in/ {print $1}' <<<"$out"); rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  awk -v reqs="$reqs" -v rps="$rps" -v hz="$(getconf CLK_TCK)" -v d=$((after - before)) 'BEGIN {printf "%s %.2f\n", rps, d * 1e6 / hz / reqs}'
}

: >"$WORK/results"
for r in $(seq "$ROUNDS"); do
  for build in before after; do
    for route in def async; do
      echo "round $r/$ROUNDS: $build /$route" >&2
      echo "$r $build $route $(measure $build $route)" | tee -a "$WORK/results" >&2
    done
  done
done

stats() { sort -g | awk '{x[NR] = $1} END {m = (NR % 2) ? x[(NR + 1) / 2] : (x[NR / 2] + x[NR / 2 + 1]) / 2; printf "%.2f (%.2f–%.2f)", m, x[1], x[NR]}'; }
echo "# Sync pool cost, $(date -u +%Y-%m-%dT%H:%MZ), before $(git -C "$WORK/before" rev-parse --short HEAD), after $(git -C "$WORK/after" rev-parse --short HEAD), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "GET /hello as \`def\` and \`async def\`, wrk -t1 -c64 -d10s after ${WARMUP}s warm-up, $ROUNDS interleaved rounds, median (min–max); CPU = user+system of all threads ÷ requests."
echo
echo "| build | handler | req/s | CPU µs/request |"
echo "| --- | --- | ---: | ---: |"
for build in before after; do
  for route in def async; do
    printf '| %s | %s | %s | %s |\n' $build $route \
      "$(awk -v b=$build -v r=$route '$2 == b && $3 == r {print $4}' "$WORK/results" | stats)" \
      "$(awk -v b=$build -v r=$route '$2 == b && $3 == r {print $5}' "$WORK/results" | stats)"
  done
done
echo
echo "Per-round ratios, median (min–max):"
echo
echo "| ratio | req/s | CPU µs/request |"
echo "| --- | ---: | ---: |"
ratio() { # build1 route1 build2 route2 column
  awk -v b1=$1 -v r1=$2 -v b2=$3 -v r2=$4 -v c=$5 '$2 == b1 && $3 == r1 {a[$1] = $c} $2 == b2 && $3 == r2 {b[$1] = $c}
    END {for (k in a) if (k in b) print a[k] / b[k]}' "$WORK/results" | stats
}
for spec in "after def after async" "before def before async" "after def before def" "after async before async"; do
  set -- $spec
  printf '| %s /%s ÷ %s /%s | %s | %s |\n' $1 $2 $3 $4 "$(ratio $1 $2 $3 $4 4)" "$(ratio $1 $2 $3 $4 5)"
done
