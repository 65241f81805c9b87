#!/usr/bin/env bash
# Streaming bodies (issue 14): throughput and the host's peak RSS growth for large transfers.
#
#   upload:   SIZE_MIB of zeros POSTed chunked to bench/stream_app.py's stream=True /upload
#   download: SIZE_MIB from stream_app.py's /download/{mib} (a streamed Response of 64 KiB chunks)
#   proxy:    SIZE_MIB through examples/stream_proxy.py, its client `files` pointing at the bare
#             Kestrel peer's /download
# each next to the same transfer through the bare Kestrel peer (bench/peers/KestrelPeer) in the
# same run. Prints MiB/s (curl's average) and, for Siphon, the peak RSS growth over idle
# (VmHWM after the transfer − VmRSS before it, VmHWM reset in between through
# /proc/PID/clear_refs). Target: under 64 MiB for each. Run by hand; never by CI.
#
# Knobs (environment): SIZE_MIB (default 1024), SIPHON_PYTHON (the CPython to embed), NO_BUILD=1.
set -euo pipefail

SIZE_MIB=${SIZE_MIB:-1024}
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DLL="$ROOT/Siphon.Runtime/bin/Release/net10.0/siphon.dll"
PEER_DLL="$ROOT/bench/peers/KestrelPeer/bin/Release/net10.0/kestrel-peer.dll"
WORK=$(mktemp -d /tmp/siphon-bench-stream.XXXXXX)
. "$ROOT/bench/lib.sh"
trap stop_pids EXIT

if [ "${NO_BUILD:-}" != 1 ]; then
    echo "building Release (siphon, kestrel-peer)..." >&2
    for proj in "$ROOT/Siphon.Runtime/Siphon.Runtime.csproj" "$ROOT/bench/peers/KestrelPeer/KestrelPeer.csproj"; do
        if ! dotnet build "$proj" -c Release -nologo >"$WORK/build.log" 2>&1; then cat "$WORK/build.log" >&2; exit 1; fi
    done
fi

# wait_listening LOG PATTERN PID: waits until LOG has a line matching the sed PATTERN; sets URL.
wait_listening() {
    for _ in $(seq 1 300); do
        URL=$(sed -n "$2" "$1" | head -n1)
        if [ -n "$URL" ]; then return 0; fi
        if ! kill -0 "$3" 2>/dev/null; then echo "exited:" >&2; cat "$1" >&2; return 1; fi
        sleep 0.1
    done
    echo "did not start in 30 s:" >&2; cat "$1" >&2; return 1
}

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# Bare Kestrel peer.
PEER_PORT=$(free_port)
dotnet "$PEER_DLL" --listen "127.0.0.1:$PEER_PORT" >"$WORK/peer.log" 2>&1 &
PIDS+=($!); PEER_PID=$!
for _ in $(seq 1 300); do curl -fs -o /dev/null "http://127.0.0.1:$PEER_PORT/hello" && break; kill -0 $PEER_PID || exit 1; sleep 0.1; done
PEER="http://127.0.0.1:$PEER_PORT"

# siphon NAME SCRIPT CONFIG: starts the host (one worker: its pid is the process serving).
siphon() {
    (cd "$WORK" && exec dotnet "$DLL" run "$2" --config "$3") >"$WORK/$1.log" 2>&1 &
    PIDS+=($!); SIPHON_PID=$!
    wait_listening "$WORK/$1.log" 's/^siphon: listening on \(http[^ ]*\).*/\1/p' $SIPHON_PID
}
cat >"$WORK/app.yaml" <<EOF
workers: 1
servers:
  - listen: "127.0.0.1:0"
    max_body_bytes: $(( (SIZE_MIB + 1) * 1024 * 1024 ))
    request_timeout_ms: 3600000
EOF
cat >"$WORK/proxy.yaml" <<EOF
workers: 1
servers:
  - listen: "127.0.0.1:0"
clients:
  files:
    base_url: "$PEER/download"
EOF
siphon app "$ROOT/bench/stream_app.py" "$WORK/app.yaml"; APP=$URL; APP_PID=$SIPHON_PID
siphon proxy "$ROOT/examples/stream_proxy.py" "$WORK/proxy.yaml"; PROXY=$URL; PROXY_PID=$SIPHON_PID

kib() { awk -v f="$2:" '$1 == f { print $2 }' "/proc/$1/status"; }

# measure PID KIND URL: runs one transfer; prints "MiB/s growth_MiB" (growth "-" without a pid).
measure() {
    local pid=$1 kind=$2 url=$3 idle=0 speed
    if [ "$pid" != - ]; then echo 5 >"/proc/$pid/clear_refs"; idle=$(kib "$pid" VmRSS); fi
    if [ "$kind" = up ]; then
        speed=$(head -c $((SIZE_MIB * 1024 * 1024)) /dev/zero | curl -fsS -o "$WORK/up.out" -T - -X POST -w '%{speed_upload}' "$url")
        [ "$(cat "$WORK/up.out")" = $((SIZE_MIB * 1024 * 1024)) ] || { echo "upload to $url: wrong count $(cat "$WORK/up.out")" >&2; exit 1; }
    else
        speed=$(curl -fsS -o /dev/null -w '%{speed_download} %{size_download}' "$url")
        [ "${speed#* }" = $((SIZE_MIB * 1024 * 1024)) ] || { echo "download from $url: got ${speed#* } bytes" >&2; exit 1; }
        speed=${speed% *}
    fi
    if [ "$pid" != - ]; then
        awk -v s="$speed" -v g=$(( $(kib "$pid" VmHWM) - idle )) 'BEGIN { printf "%.0f %.1f\n", s / 1048576, g / 1024 }'
    else
        awk -v s="$speed" 'BEGIN { printf "%.0f -\n", s / 1048576 }'
    fi
}

# Warm-up: a small transfer of each kind.
SIZE_SAVE=$SIZE_MIB; SIZE_MIB=16
measure - up "$APP/upload" >/dev/null; measure - down "$APP/download/16" >/dev/null; measure - down "$PROXY/files/16" >/dev/null
measure - up "$PEER/upload" >/dev/null; measure - down "$PEER/download/16" >/dev/null
SIZE_MIB=$SIZE_SAVE

echo
echo "$SIZE_MIB MiB per transfer, curl on 127.0.0.1, HTTP/1.1 ($(nproc) cores; load average $(cut -d' ' -f1-3 /proc/loadavg))"
printf "%-34s %10s %10s %20s\n" transfer "siphon" "kestrel" "siphon peak RSS +MiB"
row() {
    local s k
    read -r s sg <<<"$(measure "$2" "$3" "$4")"
    read -r k _ <<<"$(measure - "$3" "$5")"
    printf "%-34s %7s MiB/s %5s MiB/s %12s\n" "$1" "$s" "$k" "$sg"
}
row "upload via req.stream()" "$APP_PID" up "$APP/upload" "$PEER/upload"
row "download via streamed Response" "$APP_PID" down "$APP/download/$SIZE_MIB" "$PEER/download/$SIZE_MIB"
row "download via stream_proxy.py" "$PROXY_PID" down "$PROXY/files/$SIZE_MIB" "$PEER/download/$SIZE_MIB"
