#!/usr/bin/env bash
# Where Siphon's time per request goes next to bare Kestrel (issue 7's profile evidence), run by
# hand, never by CI. It builds a throw-away copy of the current commit with -p:SiphonHopCost=true,
# which turns on an environment switch, SIPHON_EXP, that short-cuts the request path
# (Siphon.Runtime/Hosting/Dispatch/HopCost.cs; the code is in every build, the switch only in this
# one), and measures four servers on GET /users/42, interleaved per round:
#
#   kestrel      bare Kestrel minimal API (bench/peers/KestrelPeer)
#   csharp-only  Siphon's C# path (routing, request snapshot, response write) with a canned
#                response written on the Kestrel thread: no worker, no Python   (SIPHON_EXP=1)
#   hand-off     the same request posted to the worker thread, which answers it with the canned
#                response without calling Python: the cost of the thread hand-off (SIPHON_EXP=2)
#   siphon       the real thing: examples/hello.py's handler runs in CPython
#
# For each: start, warm up (BENCH_WARMUP, 20 s), then wrk -t1 -c64 -d10s while reading every
# thread's CPU time and context switches from /proc. Prints a Markdown table of medians over
# BENCH_ROUNDS (3) rounds: req/s, CPU µs per request (whole process, and its thread groups: the
# Python threads, .NET's thread pool, the sockets' epoll thread), context switches per request. CPU per request is steadier than req/s on a shared machine.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ROUNDS=${BENCH_ROUNDS:-3}
WARMUP=${BENCH_WARMUP:-20}
PY=${SIPHON_PYTHON:-/usr/bin/python3}
PORT=${BENCH_PORT:-18190}

command -v wrk >/dev/null || { echo "hop-cost.sh: needs wrk (bench/run.sh installs it, or: apt-get install wrk)" >&2; exit 1; }
[ -x "$PY" ] || { echo "hop-cost.sh: no CPython at $PY (set SIPHON_PYTHON)" >&2; exit 1; }

WORK=$(mktemp -d)
cleanup() { git -C "$ROOT" worktree remove --force "$WORK/src" >/dev/null 2>&1 || true; rm -rf "$WORK"; }
trap cleanup EXIT
git -C "$ROOT" worktree add --detach -q "$WORK/src" HEAD
echo "building (Release)..." >&2
dotnet build "$WORK/src/Siphon.Runtime/Siphon.Runtime.csproj" -c Release -p:SiphonHopCost=true -nologo -v q "-clp:ErrorsOnly;NoSummary" >&2
dotnet build "$ROOT/bench/peers/KestrelPeer/KestrelPeer.csproj" -c Release -nologo -v q "-clp:ErrorsOnly;NoSummary" >&2
DLL="$WORK/src/Siphon.Runtime/bin/Release/net10.0/siphon.dll"
PEER="$ROOT/bench/peers/KestrelPeer/bin/Release/net10.0/kestrel-peer.dll"

# One line per thread: name cpu_ticks context_switches (the name may hold spaces: read after ')').
threads() {
  local t
  for t in /proc/$1/task/*; do
    printf '%s %s %s\n' "$(tr ' ' _ <"$t/comm")" \
      "$(sed 's/.*) //' "$t/stat" | awk '{print $12 + $13}')" \
      "$(awk '/^voluntary_ctxt|^nonvoluntary_ctxt/ {n += $2} END {print n}' "$t/status")"
  done 2>/dev/null
}

measure() { # variant -> "rps cpu_us python_us cs pool_us sockets_us" on stdout
  local variant=$1 cmd
  case $variant in
    kestrel) cmd=(dotnet "$PEER" --listen "127.0.0.1:$PORT") ;;
    csharp-only) cmd=(env SIPHON_EXP=1 dotnet "$DLL" run "$ROOT/examples/hello.py" --listen "127.0.0.1:$PORT" --python "$PY") ;;
    hand-off) cmd=(env SIPHON_EXP=2 dotnet "$DLL" run "$ROOT/examples/hello.py" --listen "127.0.0.1:$PORT" --python "$PY") ;;
    siphon) cmd=(dotnet "$DLL" run "$ROOT/examples/hello.py" --listen "127.0.0.1:$PORT" --python "$PY") ;;
  esac
  "${cmd[@]}" >"$WORK/$variant.log" 2>&1 &
  local pid=$! i
  for i in $(seq 300); do curl -fs "http://127.0.0.1:$PORT/users/1" >/dev/null 2>&1 && break; sleep 0.05; done
  wrk -t1 -c64 -d"${WARMUP}s" "http://127.0.0.1:$PORT/users/42" >/dev/null
  threads $pid >"$WORK/before"
  local out; out=$(wrk -t1 -c64 -d10s "http://127.0.0.1:$PORT/users/42")
  threads $pid >"$WORK/after"
  kill -TERM $pid; wait $pid 2>/dev/null || true
  local reqs rps; reqs=$(awk '/requests in/ {print $1}' <<<"$out"); rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  # Thread groups: python = the worker's loop thread and its sync pool (siphon-worker-N, pyN-sync-M),
  # pool = .NET's thread pool (where Kestrel parses, runs the app and writes), sockets = its epoll thread.
  awk -v reqs="$reqs" -v rps="$rps" -v hz="$(getconf CLK_TCK)" '
    function group(n) { return n ~ /^siphon-worker-|^py[0-9]+-sync-/ ? "python" : n ~ /^\.NET_TP_Worker/ ? "pool" : n ~ /^\.NET_Sockets/ ? "sockets" : "other" }
    FNR == NR { b[$1] += $2; c[$1] += $3; next }
    { a[$1] += $2; d[$1] += $3 }
    END { for (k in a) { cpu += a[k] - b[k]; cs += d[k] - c[k]; g[group(k)] += a[k] - b[k] }
          f = 1e6 / hz / reqs
          printf "%s %.2f %.2f %.2f %.2f %.2f\n", rps, cpu * f, g["python"] * f, cs / reqs, g["pool"] * f, g["sockets"] * f }' "$WORK/before" "$WORK/after"
}

VARIANTS="kestrel csharp-only hand-off siphon"
: >"$WORK/results"
for r in $(seq "$ROUNDS"); do
  for v in $VARIANTS; do
    echo "round $r/$ROUNDS: $v" >&2
    echo "$v $(measure "$v")" | tee -a "$WORK/results" >&2
  done
done

median() { sort -g | awk '{x[NR] = $1} END {print (NR % 2) ? x[(NR + 1) / 2] : (x[NR / 2] + x[NR / 2 + 1]) / 2}'; }
echo "# Siphon hand-off cost, $(date -u +%Y-%m-%dT%H:%MZ), commit $(git -C "$ROOT" rev-parse --short HEAD), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "GET /users/42, wrk -t1 -c64 -d10s after ${WARMUP}s warm-up, median of $ROUNDS rounds; CPU from /proc (user+system, all threads)."
echo
echo "| variant | req/s | ÷ kestrel | CPU µs/request | of which Python threads | thread pool | sockets (epoll) | context switches/request |"
echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
k=$(awk '$1 == "kestrel" {print $2}' "$WORK/results" | median)
for v in $VARIANTS; do
  rps=$(awk -v v=$v '$1 == v {print $2}' "$WORK/results" | median)
  cpu=$(awk -v v=$v '$1 == v {print $3}' "$WORK/results" | median)
  wk=$(awk -v v=$v '$1 == v {print $4}' "$WORK/results" | median)
  cs=$(awk -v v=$v '$1 == v {print $5}' "$WORK/results" | median)
  tp=$(awk -v v=$v '$1 == v {print $6}' "$WORK/results" | median)
  so=$(awk -v v=$v '$1 == v {print $7}' "$WORK/results" | median)
  [ "$v" = kestrel ] || [ "$v" = csharp-only ] && wk="–"
  printf '| %s | %.0f | %.2f | %s | %s | %s | %s | %s |\n' "$v" "$rps" "$(echo "$rps $k" | awk '{print $1 / $2}')" "$cpu" "$wk" "$tp" "$so" "$cs"
done
