#!/usr/bin/env bash
# Launch to first answer (issue 30: "<= 0.5 s for the release build, median of 10 launches, side by
# side with uvicorn on the same app"), run by hand, never by CI. On examples/hello.py (uvicorn: the
# same two routes, bench/peers/starlette_app.py), GET /hello:
#
#   release       the release tarball's self-contained ReadyToRun bin/siphon, python3 on the command
#                 line (asked for its libpython at start)
#   release-lib   the same given the libpython path (what the container image does: no python3 asked)
#   build         `dotnet siphon.dll` of a Release build, the way ./siphon runs it (not ReadyToRun)
#   uvicorn       Debian's uvicorn + Starlette, `python3 -m uvicorn` (asyncio loop, h11)
#
# Interleaved over BENCH_ROUNDS (10) rounds; wall time (median, min, max) and the CPU time each had
# used by its first answer (steadier than the wall time on a shared machine). Then where the time
# goes: one traced launch of the release split into phases (bench/startup_phases.py), and the
# floors: the .NET runtime alone (`siphon --version`) and CPython importing what the host imports.
#
#   bench/startup.sh                    # ~3 min (+ scripts/release.sh when artifacts/ has no release yet)
#   BENCH_ROUNDS=5 BENCH_VARIANTS="release uvicorn" bench/startup.sh
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ROUNDS=${BENCH_ROUNDS:-10}
VARIANTS=${BENCH_VARIANTS:-"release release-lib build uvicorn"}
PY=${SIPHON_PYTHON:-/usr/bin/python3}
PORT=${BENCH_PORT:-18231}
version="$("$ROOT/scripts/version.sh")"
out="${ARTIFACTS:-$ROOT/artifacts}"
tarball="$out/siphon-$version-linux-x64.tar.gz"

for mod in uvicorn:python3-uvicorn starlette:python3-starlette; do
  "$PY" -c "import ${mod%%:*}" 2>/dev/null || { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${mod#*:}"; }
done
command -v strace >/dev/null || { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q strace; }
[ -f "$tarball" ] || ARTIFACTS="$out" "$ROOT/scripts/release.sh"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
tar -xzf "$tarball" -C "$WORK"
release="$WORK/siphon-$version-linux-x64/bin/siphon"
if [[ " $VARIANTS " == *" build "* ]]; then
  dotnet build "$ROOT/Siphon.Runtime/Siphon.Runtime.csproj" -c Release -nologo -v q "-clp:ErrorsOnly;NoSummary" >&2
fi
libpython="$("$PY" -c 'import sysconfig, os; print(os.path.join(sysconfig.get_config_var("LIBDIR"), sysconfig.get_config_var("INSTSONAME")))')"

app=("$ROOT/examples/hello.py" --config "$ROOT/http.yaml" --listen "127.0.0.1:{port}")
args=()
for v in $VARIANTS; do
  case $v in
    release)     args+=(--variant "release=$release run ${app[*]} --python $PY") ;;
    release-lib) args+=(--variant "release-lib=$release run ${app[*]} --python $libpython") ;;
    build)       args+=(--variant "build=dotnet $ROOT/Siphon.Runtime/bin/Release/net10.0/siphon.dll run ${app[*]} --python $PY") ;;
    uvicorn)     args+=(--variant "uvicorn=$PY -m uvicorn --app-dir $ROOT/bench/peers --host 127.0.0.1 --port {port} --log-level warning starlette_app:app") ;;
    *) echo "startup.sh: unknown variant '$v'" >&2; exit 2 ;;
  esac
done

echo "## Launch to first answer ($ROUNDS rounds, $(date -u +%FT%TZ), load average $(cut -d' ' -f1-3 /proc/loadavg))"
echo
"$PY" "$ROOT/bench/startup.py" --rounds "$ROUNDS" --port "$PORT" --path /hello "${args[@]}"
echo
echo "## Where the time goes (one launch of the release under strace, $libpython)"
echo
"$PY" "$ROOT/bench/startup_phases.py" --port "$PORT" -- "$release" run "$ROOT/examples/hello.py" \
  --config "$ROOT/http.yaml" --listen "127.0.0.1:$PORT" --python "$libpython"
echo
echo "## Floors (perf stat -r 10: CPU ms, wall ms)"
echo
floor() { # NAME COMMAND...
  local stat
  stat=$(perf stat -r 10 -x, -e task-clock "$@" 2>&1 >/dev/null | grep task-clock | cut -d, -f1)
  local wall0 wall1; wall0=$(date +%s%N); for _ in 1 2 3 4 5; do "$@" >/dev/null 2>&1; done; wall1=$(date +%s%N)
  printf -- "- %s: CPU %.0f ms, wall %.0f ms\n" "$1 ${*:2}" "$stat" "$(( (wall1 - wall0) / 5000000 ))"
}
if command -v perf >/dev/null; then
  floor "$release" --version
  floor "$PY" -c "import asyncio, inspect, json, logging, importlib.abc"
  floor "$PY" -c "import uvicorn, starlette.applications"
else
  echo "(perf not installed: apt-get install linux-perf)"
fi
