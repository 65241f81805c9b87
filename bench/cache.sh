#!/usr/bin/env bash
# What siphon.cache costs (issue 12), run by hand, never by CI. One run measures, in order:
#   1. ns per call of cache.fetch / cache.store from Python on the embedded store (and, for scale,
#      of awaiting a trivial coroutine), 200k sequential calls inside one request;
#   2. µs per call of fetch / store on Redis through Siphon (20k sequential calls) next to
#      `redis-benchmark -t get,set -c 1 -P 1` (one connection, no pipelining: per-op latency) on
#      the same Redis in the same run: the latency ratio;
#   3. requests/s of a route doing one cache.fetch (embedded, Redis) vs the same route without it
#      (wrk -t1 -c64), interleaved over BENCH_ROUNDS rounds: the ratio per round and its median.
# Redis is Debian's redis-server started here on a free loopback port (no persistence), stopped at
# the end. Compare ratios within a run only; say whether the machine was shared.
#
# Environment: BENCH_ROUNDS (3), BENCH_DURATION (10 s per wrk run), BENCH_WARMUP (20 s),
# SIPHON_PYTHON (default /usr/bin/python3).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ROUNDS=${BENCH_ROUNDS:-3}
DURATION=${BENCH_DURATION:-10}
WARMUP=${BENCH_WARMUP:-20}
export SIPHON_PYTHON=${SIPHON_PYTHON:-/usr/bin/python3}
say() { echo "[$(date +%H:%M:%S)] $*" >&2; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

command -v redis-server >/dev/null && command -v redis-benchmark >/dev/null && command -v wrk >/dev/null \
  || { echo "cache.sh: needs redis-server, redis-benchmark (scripts/ensure-deps.sh test) and wrk (apt-get install wrk)" >&2; exit 1; }
DLL="$ROOT/Siphon.Runtime/bin/Release/net10.0/siphon.dll"
say "building Release"
dotnet build "$ROOT/Siphon.Runtime/Siphon.Runtime.csproj" -c Release -nologo -v q "-clp:ErrorsOnly;NoSummary" >&2

WORK=$(mktemp -d)
REDIS_PORT=$(free_port)
PORT=$(free_port)
redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save "" --appendonly no --daemonize no --loglevel warning >"$WORK/redis.log" 2>&1 &
REDIS_PID=$!
cat >"$WORK/http.yaml" <<YAML
servers:
  - listen: "127.0.0.1:$PORT"
cache:
  - name: mem
  - name: red
    url: "redis://127.0.0.1:$REDIS_PORT/0"
YAML
dotnet "$DLL" run "$ROOT/bench/cache_app.py" --config "$WORK/http.yaml" >"$WORK/siphon.log" 2>&1 &
SIPHON_PID=$!
trap 'kill $SIPHON_PID $REDIS_PID 2>/dev/null; wait 2>/dev/null; rm -rf "$WORK"' EXIT
URL="http://127.0.0.1:$PORT"
for _ in $(seq 100); do curl -sf "$URL/plain" >/dev/null && break; sleep 0.2; done
curl -sf "$URL/fetch/red" >/dev/null || { cat "$WORK/siphon.log" >&2; exit 1; }

echo "# siphon.cache benchmark, $(date -u +%FT%TZ), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), $("$SIPHON_PYTHON" --version)"
echo
say "warm-up ($WARMUP s)"
wrk -t1 -c64 -d"${WARMUP}s" "$URL/fetch/mem" >/dev/null
wrk -t1 -c64 -d5s "$URL/fetch/red" >/dev/null
for op in fetch store await; do curl -sf "$URL/calls/mem/$op/20000" >/dev/null; done

echo "## 1. Embedded store from Python (ns per call, 200k sequential awaits; 3 runs)"
echo
echo "| call | run 1 | run 2 | run 3 |"
echo "| --- | ---: | ---: | ---: |"
for op in fetch store await; do
  row="| $([ $op = await ] && echo 'await of a trivial coroutine (scale)' || echo "cache.$op")"
  for _ in 1 2 3; do row="$row | $(curl -sf "$URL/calls/mem/$op/200000")"; done
  echo "$row |"
done
echo

echo "## 2. Redis per-op latency: Siphon vs redis-benchmark (one connection, sequential; 3 runs)"
echo
echo "| op | Siphon µs | redis-benchmark µs | ratio |"
echo "| --- | ---: | ---: | ---: |"
for round in 1 2 3; do
  # --csv: test, rps, avg_latency_ms, ...; the average is the per-op latency of one sequential connection.
  rb=$(timeout 120 redis-benchmark -h 127.0.0.1 -p "$REDIS_PORT" -t get,set -n 20000 -c 1 -P 1 -d 64 --csv)
  for op in fetch store; do
    cmd=$([ $op = fetch ] && echo GET || echo SET)
    avg_ms=$(echo "$rb" | tr -d '"' | awk -F, -v c="$cmd" '$1 == c { print $3 }')
    ns=$(curl -sf "$URL/calls/red/$op/20000")
    awk -v op="$op" -v ns="$ns" -v ms="$avg_ms" -v round="$round" 'BEGIN { s = ns / 1000; r = ms * 1000; printf "| %s (run %d) | %.1f | %.1f | %.2f |\n", op, round, s, r, s / r }'
  done
done
echo

echo "## 3. A route with one cache.fetch vs without (wrk -t1 -c64 -d${DURATION}s, requests/s)"
echo
echo "| round | /plain | /fetch/mem | ratio | /fetch/red | ratio |"
echo "| --- | ---: | ---: | ---: | ---: | ---: |"
rps() { wrk -t1 -c64 -d"${DURATION}s" "$URL$1" | awk '/Requests\/sec/ { print $2 }'; }
ratios_mem=(); ratios_red=()
for round in $(seq "$ROUNDS"); do
  p=$(rps /plain); m=$(rps /fetch/mem); r=$(rps /fetch/red)
  rm_=$(awk -v a="$m" -v b="$p" 'BEGIN { printf "%.2f", a / b }'); rr=$(awk -v a="$r" -v b="$p" 'BEGIN { printf "%.2f", a / b }')
  ratios_mem+=("$rm_"); ratios_red+=("$rr")
  echo "| $round | $p | $m | $rm_ | $r | $rr |"
done
median() { printf '%s\n' "$@" | sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
echo
echo "Median ratios: embedded $(median "${ratios_mem[@]}"), Redis $(median "${ratios_red[@]}") (min–max: embedded $(printf '%s\n' "${ratios_mem[@]}" | sort -n | head -1)–$(printf '%s\n' "${ratios_mem[@]}" | sort -n | tail -1), Redis $(printf '%s\n' "${ratios_red[@]}" | sort -n | head -1)–$(printf '%s\n' "${ratios_red[@]}" | sort -n | tail -1))."
echo "Load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)."
