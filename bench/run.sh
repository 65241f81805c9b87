#!/usr/bin/env bash
# The load benchmark of issue 7: Siphon next to Python and .NET peers serving the same two routes
# (GET /users/{id} -> {"id": "<id>"} as JSON, GET /hello -> "hello, world"), run by hand, never by CI.
#
#   bench/run.sh            full run: 30 s warm-up for .NET servers, 3 s for Python ones, 3 rounds
#   bench/run.sh --quick    smoke test of the script itself: 3 s warm-ups, 1 round
#
# Per round, each server in turn: start on a free loopback port, wait until it answers, warm up,
# wrk -t1 -c64 -d10s --latency on /users/42 then /hello, stop it. The medians over the rounds are
# printed as a Markdown table with ratios to `siphon`, then Siphon's extras (start-up time, cold vs
# warm throughput, RSS after 100k and 1M requests). CPU µs per request is the user+system time
# of the server's whole process group (uvicorn's workers included) over a measurement ÷ the
# requests wrk completed: far steadier between runs than req/s on a shared machine. Raw wrk output: bench/results/<timestamp>/;
# the report is also written to bench/results/latest.md. See bench/README.md for how to read it.
#
# Environment: BENCH_ROUNDS (3), BENCH_WARMUP_DOTNET (30 s), BENCH_WARMUP_PY (3 s),
# BENCH_DURATION (10 s per measurement), BENCH_PIN=1 (run wrk under `taskset -c 1`),
# BENCH_SERVERS (space-separated subset of: siphon siphon-async siphon-w2 starlette-1 starlette-2 asgi-raw kestrel;
# siphon serves examples/hello.py's `def` handlers, siphon-async the same routes as `async def`, bench/hello_async.py),
# BENCH_NO_EXTRAS=1, SIPHON_PYTHON (default here: Debian's /usr/bin/python3, the peers' interpreter).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH="$ROOT/bench"
DLL="$ROOT/Siphon.Runtime/bin/Release/net10.0/siphon.dll"
PEER_DLL="$BENCH/peers/KestrelPeer/bin/Release/net10.0/kestrel-peer.dll"
PY=/usr/bin/python3
ALL_SERVERS="siphon siphon-async siphon-w2 starlette-1 starlette-2 asgi-raw kestrel"

quick=0
for arg in "$@"; do
  case "$arg" in
    --quick) quick=1 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "run.sh: unknown argument '$arg' (try --help)" >&2; exit 2 ;;
  esac
done
if [ $quick = 1 ]; then d_rounds=1 d_warm_dotnet=3 d_warm_py=3; else d_rounds=3 d_warm_dotnet=30 d_warm_py=3; fi
ROUNDS=${BENCH_ROUNDS:-$d_rounds}
WARMUP_DOTNET=${BENCH_WARMUP_DOTNET:-$d_warm_dotnet}
WARMUP_PY=${BENCH_WARMUP_PY:-$d_warm_py}
DURATION=${BENCH_DURATION:-10}
SERVERS=${BENCH_SERVERS:-$ALL_SERVERS}
CONNECTIONS=64
WRK=(wrk)
[ "${BENCH_PIN:-0}" = 1 ] && WRK=(taskset -c 1 wrk)

STAMP=$(date -u +%Y%m%dT%H%M%SZ)
OUT="$BENCH/results/$STAMP"
mkdir -p "$OUT/raw"
RESULTS="$OUT/results.tsv"   # round server route rps p50_ms p99_ms requests non2xx socket_errors cpu_us_per_request context_switches_per_request
STARTS="$OUT/starts.tsv"     # server start_ms (launch to first answered GET /hello)
NOTES="$OUT/notes.md"        # servers that did not start or died, one Markdown item each
: >"$RESULTS"; : >"$STARTS"; : >"$NOTES"

say() { echo "[$(date +%H:%M:%S)] $*" >&2; }

# ---- dependencies -------------------------------------------------------------------------------
apt_updated=0
apt_install() {
  if [ "$(id -u)" != 0 ]; then echo "run.sh: need root to apt-get install $*" >&2; exit 1; fi
  if [ $apt_updated = 0 ]; then say "apt-get update"; DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null; apt_updated=1; fi
  say "apt-get install $*"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}
missing=()
command -v wrk >/dev/null || missing+=(wrk)
command -v curl >/dev/null || missing+=(curl)
[ -x $PY ] || missing+=(python3)
for mod in uvicorn:python3-uvicorn starlette:python3-starlette uvloop:python3-uvloop httptools:python3-httptools; do
  [ -x $PY ] && $PY -c "import ${mod%%:*}" 2>/dev/null || missing+=("${mod#*:}")
done
[ ${#missing[@]} = 0 ] || apt_install "${missing[@]}"
command -v dotnet >/dev/null || { echo "run.sh: the .NET SDK (dotnet) is required" >&2; exit 1; }
# Siphon embeds the CPython the Python peers run on (Debian's, built with PGO), unless told otherwise.
if [ -z "${SIPHON_PYTHON:-}" ]; then
  libpython=$($PY -c 'import sysconfig; v = sysconfig.get_config_var; print(v("LIBDIR") + "/" + v("INSTSONAME"))')
  [ -e "$libpython" ] || apt_install "libpython$($PY -c 'import sys; print("%d.%d" % sys.version_info[:2])')"
  export SIPHON_PYTHON=$PY
fi
"$ROOT/scripts/ensure-deps.sh" runtime

# ---- build --------------------------------------------------------------------------------------
say "building Siphon (Release) and the Kestrel peer"
for proj in "$ROOT/Siphon.Runtime/Siphon.Runtime.csproj" "$BENCH/peers/KestrelPeer/KestrelPeer.csproj"; do
  if ! dotnet build "$proj" -c Release -nologo -v q "-clp:ErrorsOnly;NoSummary" >>"$OUT/build.log" 2>&1; then
    cat "$OUT/build.log" >&2; exit 1
  fi
done

# ---- servers ------------------------------------------------------------------------------------
free_port() { $PY -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# server_cmd NAME PORT: sets CMD to the command line that serves NAME on 127.0.0.1:PORT.
server_cmd() {
  local uvicorn=($PY -m uvicorn --app-dir "$BENCH/peers" --host 127.0.0.1 --port "$2"
                 --loop uvloop --http httptools --no-server-header --no-access-log --log-level warning)
  case "$1" in
    siphon)      CMD=(dotnet "$DLL" run "$ROOT/examples/hello.py" --config "$ROOT/http.yaml" --listen "127.0.0.1:$2") ;;
    siphon-async) CMD=(dotnet "$DLL" run "$BENCH/hello_async.py" --config "$ROOT/http.yaml" --listen "127.0.0.1:$2") ;;
    siphon-w2)   CMD=(dotnet "$DLL" run "$ROOT/examples/hello.py" --config "$ROOT/http.yaml" --listen "127.0.0.1:$2" --workers 2) ;;
    starlette-1) CMD=("${uvicorn[@]}" --workers 1 starlette_app:app) ;;
    starlette-2) CMD=("${uvicorn[@]}" --workers 2 starlette_app:app) ;;
    asgi-raw)    CMD=("${uvicorn[@]}" --workers 1 asgi_app:app) ;;
    kestrel)     CMD=(dotnet "$PEER_DLL" --listen "127.0.0.1:$2") ;;
    *) echo "run.sh: unknown server '$1'" >&2; exit 2 ;;
  esac
}
is_dotnet() { case "$1" in siphon*|kestrel) return 0 ;; *) return 1 ;; esac; }

# alive PID: true while PID runs (kill -0 alone would also accept a not yet reaped zombie).
alive() { local s; s=$(cat "/proc/$1/stat" 2>/dev/null) || return 1; s=${s##*) }; [ "${s%% *}" != Z ]; }

SERVER_PID=""
# start_server NAME PORT LOG: launches NAME in its own process group (so uvicorn's workers can be
# stopped with it), polls GET /hello until it answers; sets SERVER_PID and START_MS. Fails when the
# server exits or has not answered within 60 s.
start_server() {
  local name=$1 port=$2 log=$3 t0 now
  server_cmd "$name" "$port"
  echo "\$ ${CMD[*]}" >"$log"
  t0=$(date +%s%N)
  setsid "${CMD[@]}" >>"$log" 2>&1 </dev/null &
  SERVER_PID=$!
  while ! curl -fs -o /dev/null --max-time 2 "http://127.0.0.1:$port/hello"; do
    now=$(date +%s%N)
    if ! alive "$SERVER_PID"; then
      wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=""; return 1
    fi
    if [ $((now - t0)) -gt 60000000000 ]; then stop_server; return 1; fi
    sleep 0.01
  done
  START_MS=$((($(date +%s%N) - t0) / 1000000))
  printf '%s\t%s\n' "$name" "$START_MS" >>"$STARTS"
}

# stop_server: SIGTERM to the server's process group, SIGKILL after 10 s, then to any straggler.
stop_server() {
  [ -n "$SERVER_PID" ] || return 0
  local pid=$SERVER_PID i
  SERVER_PID=""
  kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
  for i in $(seq 100); do alive "$pid" || break; sleep 0.1; done
  alive "$pid" && { say "pid $pid ignored SIGTERM for 10 s: SIGKILL"; kill -KILL -- "-$pid" 2>/dev/null || true; }
  wait "$pid" 2>/dev/null || true
  kill -KILL -- "-$pid" 2>/dev/null || true   # uvicorn workers left behind, if any
}
trap 'stop_server' EXIT
trap 'exit 130' INT TERM

# parse_wrk FILE: prints "rps p50_ms p99_ms requests non2xx socket_errors" (na when wrk ran no test).
parse_wrk() {
  awk '
    function ms(v) {
      if (v ~ /us$/) return substr(v, 1, length(v) - 2) / 1000
      if (v ~ /ms$/) return substr(v, 1, length(v) - 2) + 0
      if (v ~ /m$/)  return substr(v, 1, length(v) - 1) * 60000
      if (v ~ /s$/)  return substr(v, 1, length(v) - 1) * 1000
      return v + 0
    }
    $1 == "50%" { p50 = ms($2) }
    $1 == "99%" { p99 = ms($2) }
    / requests in / { requests = $1 }
    /^Requests\/sec:/ { rps = $2; ok = 1 }
    /Non-2xx or 3xx responses:/ { bad = $NF }
    /Socket errors:/ { gsub(/,/, ""); errors = $4 + $6 + $8 + $10 }
    END {
      if (!ok) { print "na na na 0 0 0"; exit }
      printf "%.1f %.3f %.3f %d %d %d\n", rps, p50, p99, requests, bad, errors
    }' "$1"
}

# group_stats PGID: "ticks switches" of every process in the group (the server was started with
# setsid, so its group id is its pid): user+system clock ticks, and voluntary + involuntary context
# switches of every thread (threads that ended are not counted). The comm field may hold spaces:
# read after ')'.
group_stats() {
  local group=$1 f s ticks=0 dirs=()
  for f in /proc/[0-9]*/stat; do
    read -r s <"$f" 2>/dev/null || continue
    s=${s##*) }
    set -- $s   # state ppid pgrp ... utime (12) stime (13)
    if [ "$3" = "$group" ]; then ticks=$((ticks + ${12} + ${13})); dirs+=("${f%/stat}"); fi
  done
  echo "$ticks $(for f in "${dirs[@]}"; do cat "$f"/task/*/status 2>/dev/null; done | awk '/^(non)?voluntary_ctxt_switches:/ {n += $2} END {print n + 0}')"
}
HZ=$(getconf CLK_TCK)

# wrk_run OUTFILE ARGS...: one wrk run; never fails the script (a dead server gives "na").
wrk_run() { local out=$1; shift; "${WRK[@]}" "$@" >"$out" 2>&1 || true; }

warmup() {  # warmup NAME PORT TAG
  local secs=$WARMUP_PY
  is_dotnet "$1" && secs=$WARMUP_DOTNET
  [ "$secs" -gt 0 ] || return 0
  wrk_run "$OUT/raw/$3-warmup.txt" -t1 -c$CONNECTIONS -d"${secs}s" -s "$BENCH/warmup.lua" "http://127.0.0.1:$2/"
}

check_answers() {  # check_answers NAME PORT TAG: keeps both responses; warns when a body is off
  local users hello
  users=$(curl -s -D "$OUT/raw/$3-check-users.headers" "http://127.0.0.1:$2/users/42" | tee "$OUT/raw/$3-check-users.body")
  hello=$(curl -s -D "$OUT/raw/$3-check-hello.headers" "http://127.0.0.1:$2/hello" | tee "$OUT/raw/$3-check-hello.body")
  [ "$users" = '{"id": "42"}' ] || say "warning: $1 GET /users/42 answered '$users'"
  [ "$hello" = 'hello, world' ] || say "warning: $1 GET /hello answered '$hello'"
}

na_row() { printf '%s\t%s\t%s\tna\tna\tna\t0\t0\t0\tna\tna\n' "$1" "$2" "$3" >>"$RESULTS"; }

# ---- rounds -------------------------------------------------------------------------------------
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
say "results in $OUT (rounds $ROUNDS, warm-up ${WARMUP_DOTNET}s .NET / ${WARMUP_PY}s Python, ${DURATION}s per route)"
for round in $(seq 1 "$ROUNDS"); do
  for name in $SERVERS; do
    tag="r$round-$name"
    port=$(free_port)
    say "round $round/$ROUNDS: $name on 127.0.0.1:$port"
    if ! start_server "$name" "$port" "$OUT/raw/$tag.log"; then
      say "$name did not start (n/a); log: $OUT/raw/$tag.log"
      echo "- round $round: $name did not start (raw/$tag.log: $(grep -v '^\$ ' "$OUT/raw/$tag.log" | tail -n 1 | cut -c1-160))" >>"$NOTES"
      tail -n 5 "$OUT/raw/$tag.log" >&2 || true
      na_row "$round" "$name" users; na_row "$round" "$name" hello
      continue
    fi
    check_answers "$name" "$port" "$tag"
    warmup "$name" "$port" "$tag"
    for route in users hello; do
      path=/hello; [ $route = users ] && path=/users/42
      read -r cpu0 cs0 < <(group_stats "$SERVER_PID")
      wrk_run "$OUT/raw/$tag-$route.txt" -t1 -c$CONNECTIONS -d"${DURATION}s" --latency "http://127.0.0.1:$port$path"
      read -r cpu1 cs1 < <(group_stats "$SERVER_PID")
      if alive "$SERVER_PID"; then
        read -r rps p50 p99 reqs bad errs < <(parse_wrk "$OUT/raw/$tag-$route.txt")
        cpu_us=na; cs=na
        if [ "${reqs:-0}" -gt 0 ]; then
          cpu_us=$(awk -v t=$((cpu1 - cpu0)) -v hz="$HZ" -v n="$reqs" 'BEGIN { printf "%.2f", t * 1e6 / hz / n }')
          cs=$(awk -v c=$((cs1 - cs0)) -v n="$reqs" 'BEGIN { printf "%.3f", c / n }')
        fi
        printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$round" "$name" "$route" "$rps" "$p50" "$p99" "$reqs" "$bad" "$errs" "$cpu_us" "$cs" >>"$RESULTS"
      else
        say "$name exited during the run (n/a)"
        echo "- round $round: $name exited during the $route run (raw/$tag.log)" >>"$NOTES"
        na_row "$round" "$name" "$route"
      fi
    done
    stop_server
  done
done

# ---- Siphon extras ------------------------------------------------------------------------------
rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }
EXTRAS="$OUT/extras.txt"; : >"$EXTRAS"
if [ "${BENCH_NO_EXTRAS:-0}" != 1 ]; then
  # Cold: the first DURATION seconds of load straight after start-up, no warm-up.
  port=$(free_port)
  say "extras: cold start of siphon"
  if start_server siphon "$port" "$OUT/raw/cold.log"; then
    wrk_run "$OUT/raw/cold-users.txt" -t1 -c$CONNECTIONS -d"${DURATION}s" --latency "http://127.0.0.1:$port/users/42"
    read -r rps _ <<<"$(parse_wrk "$OUT/raw/cold-users.txt")"
    echo "cold_rps $rps" >>"$EXTRAS"
    stop_server
  fi

  # Memory: VmRSS idle, after >= 100k and after >= 1M requests of /users/{id}, load in wrk chunks
  # whose counts are summed. wrk stops on whole seconds, so each target is overshot by up to one
  # chunk: 1 s chunks up to 100k (the cold rate says little about the next seconds), then chunks
  # sized from the best rate so far with a margin, at most 10 s.
  port=$(free_port)
  say "extras: RSS of siphon over 1M requests"
  if start_server siphon "$port" "$OUT/raw/rss.log"; then
    echo "rss_idle_kb $(rss_kb "$SERVER_PID")" >>"$EXTRAS"
    total=0 rate=0 chunk=0
    for target in 100000 1000000; do
      while [ "$total" -lt "$target" ] && alive "$SERVER_PID"; do
        secs=1
        if [ "$target" -gt 100000 ] && [ "$rate" -gt 0 ]; then
          secs=$(( (target - total) * 4 / (rate * 5) ))
          [ $secs -ge 1 ] || secs=1
          [ $secs -le 10 ] || secs=10
        fi
        chunk=$((chunk + 1))
        wrk_run "$OUT/raw/rss-chunk$chunk.txt" -t1 -c$CONNECTIONS -d"${secs}s" "http://127.0.0.1:$port/users/42"
        read -r _ _ _ reqs _ <<<"$(parse_wrk "$OUT/raw/rss-chunk$chunk.txt")"
        [ "$reqs" -gt 0 ] || break
        total=$((total + reqs))
        [ $((reqs / secs)) -le "$rate" ] || rate=$((reqs / secs))
      done
      alive "$SERVER_PID" && [ "$total" -ge "$target" ] || break
      echo "rss_at_$target $total $(rss_kb "$SERVER_PID")" >>"$EXTRAS"
    done
    stop_server
  fi
fi
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)

# ---- report -------------------------------------------------------------------------------------
# medians: "server route rps p50 p99 runs non2xx errors cpu_us cpu_min cpu_max switches" per server and route, in order.
medians() {
  awk -F'\t' -v order="$SERVERS" '
    function median(list,   n, a, i, j, t) {
      n = split(list, a, " ")
      for (i = 2; i <= n; i++) { t = a[i] + 0; for (j = i - 1; j >= 1 && a[j] + 0 > t; j--) a[j + 1] = a[j]; a[j + 1] = t }
      return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
    }
    function lo(list,   n, a, i, m) { n = split(list, a, " "); m = a[1] + 0; for (i = 2; i <= n; i++) if (a[i] + 0 < m) m = a[i] + 0; return m }
    function hi(list,   n, a, i, m) { n = split(list, a, " "); m = a[1] + 0; for (i = 2; i <= n; i++) if (a[i] + 0 > m) m = a[i] + 0; return m }
    $4 != "na" { k = $2 SUBSEP $3; rps[k] = rps[k] " " $4; p50[k] = p50[k] " " $5; p99[k] = p99[k] " " $6; runs[k]++; bad[k] += $8; err[k] += $9
                 if ($10 != "na" && $10 != "") cpu[k] = cpu[k] " " $10
                 if ($11 != "na" && $11 != "") cs[k] = cs[k] " " $11 }
    END {
      n = split(order, names, " ")
      for (i = 1; i <= n; i++) for (r = 1; r <= 2; r++) {
        route = r == 1 ? "users" : "hello"; k = names[i] SUBSEP route
        c = cpu[k] == "" ? "na na na" : sprintf("%.2f %.2f %.2f", median(cpu[k]), lo(cpu[k]), hi(cpu[k]))
        sw = cs[k] == "" ? "na" : sprintf("%.3f", median(cs[k]))
        if (runs[k]) printf "%s %s %.1f %.3f %.3f %d %d %d %s %s\n", names[i], route, median(rps[k]), median(p50[k]), median(p99[k]), runs[k], bad[k], err[k], c, sw
        else printf "%s %s na na na 0 0 0 na na na na\n", names[i], route
      }
    }' "$RESULTS"
}

table() {
  medians | awk '
    { name[NR] = $1; route[NR] = $2; rps[NR] = $3; p50[NR] = $4; p99[NR] = $5; runs[NR] = $6; bad[NR] = $7; err[NR] = $8
      cpu[NR] = $9; cmin[NR] = $10; cmax[NR] = $11; sw[NR] = $12
      if ($1 == "siphon" && $3 != "na") { srps[$2] = $3; sp99[$2] = $5; scpu[$2] = $9 } }
    function ratio(a, b) { return (a == "na" || b == "" || b == 0) ? "n/a" : sprintf("%.2f", a / b) }
    END {
      print "| server | route | req/s | p50 ms | p99 ms | CPU µs/req (min–max) | context switches/req | req/s ÷ siphon | p99 ÷ siphon | CPU ÷ siphon |"
      print "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
      for (i = 1; i <= NR; i++) {
        path = route[i] == "users" ? "/users/{id}" : "/hello"
        if (rps[i] == "na") { printf "| %s | %s | n/a | n/a | n/a | n/a | n/a | n/a | n/a | n/a |\n", name[i], path; continue }
        c = cpu[i] == "na" ? "n/a" : sprintf("%.1f (%.1f–%.1f)", cpu[i], cmin[i], cmax[i])
        printf "| %s | %s | %.0f | %.2f | %.2f | %s | %s | %s | %s | %s |\n", name[i], path, rps[i], p50[i], p99[i], c, sw[i] == "na" ? "n/a" : sw[i], ratio(rps[i], srps[route[i]]), ratio(p99[i], sp99[route[i]]), ratio(cpu[i], scpu[route[i]])
        if (bad[i] + err[i] > 0) notes = notes sprintf("- %s %s: %d non-2xx responses and %d socket errors over %d runs (see raw/).\n", name[i], path, bad[i], err[i], runs[i])
      }
      if (notes != "") printf "\n%s", notes
    }'
}

extras() {
  local warm cold starts
  warm=$(medians | awk '$1 == "siphon" && $2 == "users" { print $3 }')
  cold=$(awk '$1 == "cold_rps" { print $2 }' "$EXTRAS")
  starts=$(awk -F'\t' '$1 == "siphon" { print $2 }' "$STARTS" | sort -n | awk '{ a[NR] = $1 } END {
    if (NR) printf "%d ms (median of %d launches; min %d, max %d)", NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2, NR, a[1], a[NR]; else printf "n/a" }')
  echo "Siphon (1 worker):"
  echo
  echo "- launch to first answered request: $starts"
  awk -v warm="$warm" -v cold="$cold" 'BEGIN {
    if (cold == "" || cold == "na") { print "- cold vs warm, /users/{id}: n/a"; exit }
    printf "- cold vs warm, /users/{id}: %.0f req/s over the first %ss after start vs %s warm (table) → ratio %s\n", cold, ENVIRON["DURATION"], (warm == "" || warm == "na") ? "n/a" : sprintf("%.0f", warm), (warm == "" || warm == "na") ? "n/a" : sprintf("%.2f", cold / warm) }'
  awk '
    $1 == "rss_idle_kb" { idle = $2 }
    $1 == "rss_at_100000" { n1 = $2; r1 = $3 }
    $1 == "rss_at_1000000" { n2 = $2; r2 = $3 }
    END {
      if (idle == "") { print "- RSS: n/a"; exit }
      printf "- RSS (VmRSS): %.1f MiB idle after start", idle / 1024
      if (r1 != "") printf ", %.1f MiB after %d requests", r1 / 1024, n1
      if (r2 != "") printf ", %.1f MiB after %d requests → growth %+.1f%% from 100k to 1M", r2 / 1024, n2, (r2 - r1) * 100 / r1
      print ""
    }' "$EXTRAS"
}

export DURATION
{
  echo "# Siphon benchmark, $STAMP"
  echo
  echo "wrk -t1 -c$CONNECTIONS -d${DURATION}s --latency; median of $ROUNDS round(s); warm-up ${WARMUP_DOTNET}s (.NET) / ${WARMUP_PY}s (Python);" \
       "wrk $( [ "${BENCH_PIN:-0}" = 1 ] && echo "pinned to core 1" || echo unpinned ); $(nproc) cores;" \
       "load average ${LOAD_BEFORE} before, ${LOAD_AFTER} after; commit $(git -C "$ROOT" rev-parse --short HEAD)$(git -C "$ROOT" diff --quiet HEAD 2>/dev/null || echo '+changes');" \
       "Siphon on ${SIPHON_PYTHON:-python3}; peers on $($PY --version 2>&1), uvicorn $($PY -c 'import uvicorn; print(uvicorn.__version__)'), starlette $($PY -c 'import starlette; print(starlette.__version__)')."
  echo
  table
  [ -s "$NOTES" ] && { echo; cat "$NOTES"; }
  [ "${BENCH_NO_EXTRAS:-0}" = 1 ] || { echo; extras; }
  echo
  echo "Raw wrk output: bench/results/$STAMP/raw/. Compare ratios within one run only (bench/README.md)."
} >"$OUT/report.md"
cp "$OUT/report.md" "$BENCH/results/latest.md"
cat "$OUT/report.md"
