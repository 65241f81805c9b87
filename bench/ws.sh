#!/usr/bin/env bash
# WebSockets (issue 28): 64 connections each echoing a 32-byte text message, one in flight per
# connection, against Siphon (bench/ws_app.py, one worker) and uvicorn + Starlette's WebSocket
# endpoint (bench/peers/starlette_ws_app.py, one worker, uvloop) with --ws websockets and with
# --ws wsproto, interleaved for ROUNDS rounds. Per server: messages/s (round trips) and the
# server's CPU µs per message (its process's user+system time over the measurement ÷ round
# trips). The load is Node's built-in WebSocket client (bench/ws_load.mjs). Run by hand; never by CI.
#
# Knobs (environment): ROUNDS (default 5), SECONDS_PER_RUN (default 10), CONNECTIONS (default 64),
# SIPHON_PYTHON (the CPython to embed; default Debian's /usr/bin/python3, the one uvicorn runs on), NO_BUILD=1.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH="$ROOT/bench"
PY=/usr/bin/python3
ROUNDS=${ROUNDS:-5} SECS=${SECONDS_PER_RUN:-10} CONNS=${CONNECTIONS:-64}
DLL="$ROOT/Siphon.Runtime/bin/Release/net10.0/siphon.dll"
WORK=$(mktemp -d /tmp/siphon-bench-ws.XXXXXX)
. "$BENCH/lib.sh"
trap 'stop_pids; rm -rf "$WORK"' EXIT
export SIPHON_PYTHON=${SIPHON_PYTHON:-$PY}

for mod in uvicorn starlette uvloop websockets wsproto; do
  $PY -c "import $mod" 2>/dev/null || { echo "ws.sh: $PY lacks $mod (apt-get install python3-$mod)" >&2; exit 1; }
done
command -v node >/dev/null || { echo "ws.sh: node (20+) is required for the load" >&2; exit 1; }
if [ "${NO_BUILD:-}" != 1 ]; then
  echo "building Siphon (Release)..." >&2
  dotnet build "$ROOT/Siphon.Runtime/Siphon.Runtime.csproj" -c Release -nologo -v q "-clp:ErrorsOnly;NoSummary" >"$WORK/build.log" 2>&1 || { cat "$WORK/build.log" >&2; exit 1; }
fi

free_port() { $PY -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# start NAME PORT: the server NAME on PORT; sets PID once it accepts a websocket.
start() {
  case "$1" in
    siphon) dotnet "$DLL" run "$BENCH/ws_app.py" --listen "127.0.0.1:$2" --workers 1 >"$WORK/$1.log" 2>&1 & ;;
    uvicorn-websockets|uvicorn-wsproto)
      $PY -m uvicorn --app-dir "$BENCH/peers" --host 127.0.0.1 --port "$2" --loop uvloop --ws "${1#uvicorn-}" \
        --no-access-log --log-level warning starlette_ws_app:app >"$WORK/$1.log" 2>&1 & ;;
  esac
  PID=$!; PIDS+=("$PID")
  for _ in $(seq 300); do
    node --no-warnings --experimental-websocket "$BENCH/ws_load.mjs" "ws://127.0.0.1:$2/echo" 1 0.05 >/dev/null 2>&1 && return 0
    kill -0 "$PID" 2>/dev/null || { cat "$WORK/$1.log" >&2; exit 1; }
    sleep 0.1
  done
  echo "ws.sh: $1 did not start" >&2; cat "$WORK/$1.log" >&2; exit 1
}

SERVERS="siphon uvicorn-websockets uvicorn-wsproto"
declare -A PORT SPID
for s in $SERVERS; do PORT[$s]=$(free_port); start "$s" "${PORT[$s]}"; SPID[$s]=$PID; done

RESULTS="$WORK/results"
for round in $(seq "$ROUNDS"); do
  for s in $SERVERS; do
    url="ws://127.0.0.1:${PORT[$s]}/echo"
    node --no-warnings --experimental-websocket "$BENCH/ws_load.mjs" "$url" "$CONNS" 2 >/dev/null  # warm-up
    before=$(cpu_ticks "${SPID[$s]}")
    n=$(node --no-warnings --experimental-websocket "$BENCH/ws_load.mjs" "$url" "$CONNS" "$SECS")
    after=$(cpu_ticks "${SPID[$s]}")
    awk -v r="$round" -v s="$s" -v n="$n" -v secs="$SECS" -v hz="$(getconf CLK_TCK)" -v d=$((after - before)) \
      'BEGIN {printf "%s %s %.0f %.2f\n", r, s, n / secs, d * 1e6 / hz / n}' | tee -a "$RESULTS" >&2
  done
done

echo "$(date -u +%Y-%m-%d), $(nproc) cores, $ROUNDS rounds of ${SECS} s, $CONNS connections, 32-byte text echo"
echo
echo "| server | messages/s | CPU µs/message |"
echo "| --- | ---: | ---: |"
for s in $SERVERS; do
  printf '| %s | %s | %s |\n' "$s" "$(awk -v s="$s" '$2 == s {print $3}' "$RESULTS" | stats)" "$(awk -v s="$s" '$2 == s {print $4}' "$RESULTS" | stats)"
done
echo
echo "Per-round ratios, median (min–max):"
echo
echo "| ratio | messages/s | CPU µs/message |"
echo "| --- | ---: | ---: |"
for peer in uvicorn-websockets uvicorn-wsproto; do
  printf '| siphon ÷ %s | %s | %s |\n' "$peer" "$(round_ratio "$RESULTS" 1 siphon "$peer" 3)" "$(round_ratio "$RESULTS" 1 siphon "$peer" 4)"
done
