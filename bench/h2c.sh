#!/usr/bin/env bash
# h2c next to HTTP/1.1 on one cleartext listener: `siphon run examples/hello.py` (Release) on a free
# loopback port, warmed up with wrk, then
#
#   h2load -c64 -m1 -D10  http://127.0.0.1:PORT/hello   (HTTP/2 prior knowledge: h2load's default for http://)
#   wrk    -t1 -c64 -d10s http://127.0.0.1:PORT/hello   (HTTP/1.1)
#
# against the same process and socket, printing req/s and latencies for both. -m1 keeps one request
# in flight per connection, as wrk does, so the two differ only in protocol. h2load reports
# min/mean/sd/max per request (no percentiles); wrk adds p50/p99. Run by hand; never by CI.
#
# Knobs (environment): WARMUP (s of wrk, default 30), H2_WARMUP (s of h2load before measuring, so the
# HTTP/2 code is jitted too; default 5, 0 = none), DURATION (s, 10), CONNECTIONS (64), ROUTE (/hello),
# NO_BUILD=1.
set -euo pipefail

WARMUP=${WARMUP:-30}
H2_WARMUP=${H2_WARMUP:-5}
DURATION=${DURATION:-10}
CONNECTIONS=${CONNECTIONS:-64}
ROUTE=${ROUTE:-/hello}

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DLL="$ROOT/Siphon.Runtime/bin/Release/net10.0/siphon.dll"
WORK=$(mktemp -d /tmp/siphon-bench-h2c.XXXXXX)
PID=

cleanup() {
    if [ -n "$PID" ]; then kill -TERM "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; fi
    rm -rf "$WORK"
}
trap cleanup EXIT

if ! command -v wrk >/dev/null || ! command -v h2load >/dev/null; then
    echo "installing wrk and h2load..." >&2
    SUDO=$([ "$(id -u)" = 0 ] && echo "" || echo sudo)
    $SUDO apt-get update -qq && $SUDO apt-get install -y -qq wrk nghttp2-client >/dev/null
fi

if [ "${NO_BUILD:-}" != 1 ]; then
    echo "building Release..." >&2
    if ! (cd "$ROOT" && dotnet build Siphon.Runtime -c Release -nologo) >"$WORK/build.log" 2>&1; then
        cat "$WORK/build.log" >&2; exit 1
    fi
fi

PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
URL="http://127.0.0.1:$PORT"
(cd "$WORK" && exec dotnet "$DLL" run "$ROOT/examples/hello.py" --listen "127.0.0.1:$PORT") >"$WORK/siphon.log" 2>&1 &
PID=$!
for _ in $(seq 1 300); do
    grep -q "^siphon: listening on $URL" "$WORK/siphon.log" && break
    if ! kill -0 "$PID" 2>/dev/null; then echo "siphon exited:" >&2; cat "$WORK/siphon.log" >&2; exit 1; fi
    sleep 0.1
done
grep -q "^siphon: listening on $URL" "$WORK/siphon.log" || { echo "siphon did not start in 30 s:" >&2; cat "$WORK/siphon.log" >&2; exit 1; }

echo "siphon $URL  GET $ROUTE -> $(curl -fsS "$URL$ROUTE")  (h2c: $(curl -fsS -o /dev/null -w '%{http_version}' --http2-prior-knowledge "$URL$ROUTE" 2>/dev/null || echo '?'))"
echo "warming up: wrk ${WARMUP}s, h2load ${H2_WARMUP}s..."
wrk -t1 -c"$CONNECTIONS" -d"${WARMUP}s" "$URL$ROUTE" >/dev/null
if [ "$H2_WARMUP" != 0 ]; then h2load -c"$CONNECTIONS" -m1 -D"$H2_WARMUP" "$URL$ROUTE" >/dev/null; fi

# Both print "NAME rps mean sd max p50 p99 failed" (latencies in ms; '-' where the tool has no number).
MS='function ms(v) {
        if (v ~ /us$/) return substr(v, 1, length(v) - 2) / 1000
        if (v ~ /ms$/) return substr(v, 1, length(v) - 2) + 0
        if (v ~ /s$/)  return substr(v, 1, length(v) - 1) * 1000
        return v
    }'

h2load -c"$CONNECTIONS" -m1 -D"$DURATION" "$URL$ROUTE" >"$WORK/h2load.out"
H2=$(awk "$MS"'
    /^finished in/ { rps = $4 }
    /^requests:/ { failed = $10 + $12 + $14 }
    /^status codes:/ { non2xx = $5 + $7 + $9 }
    /^time for request:/ { min = ms($4); max = ms($5); mean = ms($6); sd = ms($7) }
    /^Application protocol:/ { proto = $3 }
    END { printf "h2load/%s %.0f %.2f %.2f %.2f - - %d\n", proto, rps, mean, sd, max, failed + non2xx }' "$WORK/h2load.out")

wrk -t1 -c"$CONNECTIONS" -d"${DURATION}s" --latency "$URL$ROUTE" >"$WORK/wrk.out"
H1=$(awk "$MS"'
    $1 == "Latency" && NF >= 4 && !done { mean = ms($2); sd = ms($3); max = ms($4); done = 1 }
    $1 == "50%" { p50 = ms($2) }
    $1 == "99%" { p99 = ms($2) }
    /^Requests\/sec:/ { rps = $2 }
    /Non-2xx or 3xx responses:/ { bad = $NF }
    /Socket errors:/ { bad += $4 + $6 + $8 + $10 }
    END { printf "wrk/http1.1 %.0f %.2f %.2f %.2f %.2f %.2f %d\n", rps, mean, sd, max, p50, p99, bad }' "$WORK/wrk.out")

echo
echo "GET $ROUTE, $CONNECTIONS connections, 1 request in flight each, ${DURATION}s ($(nproc) cores, client and server on one machine)"
printf "%-14s %9s %9s %9s %9s %9s %9s %7s\n" tool/protocol "req/s" "mean ms" "sd ms" "max ms" "p50 ms" "p99 ms" errors
for r in "$H2" "$H1"; do
    # shellcheck disable=SC2086
    printf "%-14s %9s %9s %9s %9s %9s %9s %7s\n" $r
done
read -r _ h2rps _ <<<"$H2"
read -r _ h1rps _ <<<"$H1"
awk -v a="$h2rps" -v b="$h1rps" 'BEGIN { printf "h2c/http1.1 throughput ratio %.2f\n", a / b }'
