#!/usr/bin/env bash
# Proxy overhead: examples/proxy.py in front of examples/hello.py, both served by siphon (Release).
#
#   upstream: siphon run examples/hello.py             (its own process, 127.0.0.1, ephemeral port)
#   proxy:    siphon run examples/proxy.py             (clients.upstream → the upstream above)
#
# Warms up through the proxy, then runs wrk against the proxy and directly against the upstream in
# the same run, on hello.py's benchmark route GET /users/{id}, and prints req/s, p50 and p99 for
# both and the ratio. Run by hand from anywhere; never by CI.
#
# Knobs (environment): WARMUP (s, default 30), DURATION (s, 10), CONNECTIONS (64), THREADS (1),
# POOL_SIZE (the proxy's pool_size, default = CONNECTIONS), ROUTE (/users/42), NO_BUILD=1.
set -euo pipefail

WARMUP=${WARMUP:-30}
DURATION=${DURATION:-10}
CONNECTIONS=${CONNECTIONS:-64}
THREADS=${THREADS:-1}
POOL_SIZE=${POOL_SIZE:-$CONNECTIONS}
ROUTE=${ROUTE:-/users/42}

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DLL="$ROOT/Siphon.Runtime/bin/Release/net10.0/siphon.dll"
WORK=$(mktemp -d /tmp/siphon-bench-proxy.XXXXXX)
. "$ROOT/bench/lib.sh"
trap stop_pids EXIT

if ! command -v wrk >/dev/null; then
    echo "installing wrk..." >&2
    SUDO=$([ "$(id -u)" = 0 ] && echo "" || echo sudo)
    $SUDO apt-get update -qq && $SUDO apt-get install -y -qq wrk >/dev/null
fi

if [ "${NO_BUILD:-}" != 1 ]; then
    echo "building Release..." >&2
    if ! (cd "$ROOT" && dotnet build Siphon.Runtime -c Release -nologo) >"$WORK/build.log" 2>&1; then
        cat "$WORK/build.log" >&2; exit 1
    fi
fi

# start NAME ARGS...: runs `siphon run ARGS` in the background, waits for its listening line and
# sets URL to it.
start() {
    local name=$1; shift
    local log="$WORK/$name.log"
    (cd "$WORK" && exec dotnet "$DLL" run "$@") >"$log" 2>&1 &
    PIDS+=($!)
    local pid=$!
    for _ in $(seq 1 300); do
        local url
        url=$(sed -n 's/^siphon: listening on \(http[^ ]*\).*/\1/p' "$log" | head -n1)
        if [ -n "$url" ]; then URL=$url; return 0; fi
        if ! kill -0 "$pid" 2>/dev/null; then echo "$name exited:" >&2; cat "$log" >&2; return 1; fi
        sleep 0.1
    done
    echo "$name did not start in 30 s:" >&2; cat "$log" >&2; return 1
}

start upstream "$ROOT/examples/hello.py" --listen 127.0.0.1:0
UPSTREAM=$URL
cat >"$WORK/proxy.yaml" <<EOF
servers:
  - listen: "127.0.0.1:0"
clients:
  upstream:
    base_url: "$UPSTREAM"
    pool_size: $POOL_SIZE
EOF
start proxy "$ROOT/examples/proxy.py" --config "$WORK/proxy.yaml"
PROXY=$URL

check=$(curl -fsS "$PROXY$ROUTE")
echo "upstream $UPSTREAM  proxy $PROXY  GET $ROUTE -> $check"

echo "warming up for ${WARMUP}s through the proxy..."
wrk -t"$THREADS" -c"$CONNECTIONS" -d"${WARMUP}s" "$PROXY$ROUTE" >/dev/null

# run NAME URL: prints "NAME rps p50 p99 non2xx" (latencies in ms)
run() {
    local out
    out=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency "$2")
    echo "$out" >"$WORK/$1.wrk"
    echo "$out" | awk -v name="$1" '
        function ms(v) {
            if (v ~ /us$/) return substr(v, 1, length(v) - 2) / 1000
            if (v ~ /ms$/) return substr(v, 1, length(v) - 2) + 0
            if (v ~ /s$/)  return substr(v, 1, length(v) - 1) * 1000
            return v
        }
        $1 == "50%" { p50 = ms($2) }
        $1 == "99%" { p99 = ms($2) }
        /^Requests\/sec:/ { rps = $2 }
        /Non-2xx or 3xx responses:/ { bad = $NF }
        /Socket errors:/ { errors = $0 }
        END { printf "%s %.0f %.2f %.2f %d\n", name, rps, p50, p99, bad + 0 }'
}

PROXY_RESULT=$(run proxy "$PROXY$ROUTE")
DIRECT_RESULT=$(run direct "$UPSTREAM$ROUTE")

echo
echo "wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s GET $ROUTE ($(nproc) cores; proxy pool_size $POOL_SIZE)"
printf "%-8s %10s %10s %10s %8s\n" target "req/s" "p50 ms" "p99 ms" non2xx
for r in "$PROXY_RESULT" "$DIRECT_RESULT"; do
    # shellcheck disable=SC2086
    printf "%-8s %10s %10s %10s %8s\n" $r
done
read -r _ prps pp50 pp99 _ <<<"$PROXY_RESULT"
read -r _ drps dp50 dp99 _ <<<"$DIRECT_RESULT"
awk -v p="$prps" -v d="$drps" -v pp50="$pp50" -v dp50="$dp50" -v pp99="$pp99" -v dp99="$dp99" 'BEGIN {
    printf "ratio    proxy/direct throughput %.2f, p50 %.2fx, p99 %.2fx\n", p / d, pp50 / dp50, pp99 / dp99 }'
grep -h "Socket errors" "$WORK"/*.wrk || true
