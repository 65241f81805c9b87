#!/usr/bin/env bash
# Start-up and JIT settings (issue 7: "cold >= 0.8x warm; look at ReadyToRun, Native AOT or tiered
# compilation and measure what each buys"), run by hand, never by CI. Per round, for each variant,
# a fresh Siphon on examples/hello.py: time from launch to the first answered request, req/s over
# the first 10 s of load straight after that (cold), then 20 s of warm-up and 10 s more (warm).
# Prints medians over BENCH_ROUNDS (2) interleaved rounds as a Markdown table.
#
#   shipped   the build as shipped (TieredPGO off, see Siphon.Runtime.csproj)
#   pgo       the same with dynamic PGO back on (DOTNET_TieredPGO=1, .NET's default)
#   r2r       siphon.dll published ReadyToRun (dotnet publish -r linux-x64 -p:PublishReadyToRun=true);
#             the framework's own assemblies are ReadyToRun already
#   no-tiering  DOTNET_TieredCompilation=0: every method JIT-compiled fully optimised at first call
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ROUNDS=${BENCH_ROUNDS:-2}
PY=${SIPHON_PYTHON:-/usr/bin/python3}
PORT=${BENCH_PORT:-18191}
VARIANTS=${BENCH_VARIANTS:-"shipped pgo r2r no-tiering"}
command -v wrk >/dev/null || { echo "jit-settings.sh: needs wrk (bench/run.sh installs it, or: apt-get install wrk)" >&2; exit 1; }

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
echo "building (Release, and a ReadyToRun publish)..." >&2
dotnet build "$ROOT/Siphon.Runtime/Siphon.Runtime.csproj" -c Release -nologo -v q "-clp:ErrorsOnly;NoSummary" >&2
DLL="$ROOT/Siphon.Runtime/bin/Release/net10.0/siphon.dll"
if [[ " $VARIANTS " == *" r2r "* ]]; then
  dotnet publish "$ROOT/Siphon.Runtime/Siphon.Runtime.csproj" -c Release -r linux-x64 --self-contained false \
    -p:PublishReadyToRun=true -o "$WORK/r2r" -nologo -v q "-clp:ErrorsOnly;NoSummary" >&2
fi

run() { # variant -> "first_ms cold_rps warm_rps"
  local dll=$DLL envs=()
  case $1 in
    pgo) envs+=(DOTNET_TieredPGO=1) ;;
    r2r) dll="$WORK/r2r/siphon.dll" ;;
    no-tiering) envs+=(DOTNET_TieredCompilation=0) ;;
  esac
  local t0; t0=$(date +%s%N)
  env "${envs[@]}" dotnet "$dll" run "$ROOT/examples/hello.py" --listen "127.0.0.1:$PORT" --python "$PY" >"$WORK/$1.log" 2>&1 &
  local pid=$! i
  for i in $(seq 3000); do curl -fs "http://127.0.0.1:$PORT/hello" >/dev/null 2>&1 && break; sleep 0.01; done
  local first=$(( ($(date +%s%N) - t0) / 1000000 ))
  local cold warm
  cold=$(wrk -t1 -c64 -d10s "http://127.0.0.1:$PORT/users/42" | awk '/Requests\/sec/ {print $2}')
  wrk -t1 -c64 -d20s -s "$ROOT/bench/warmup.lua" "http://127.0.0.1:$PORT/" >/dev/null
  warm=$(wrk -t1 -c64 -d10s "http://127.0.0.1:$PORT/users/42" | awk '/Requests\/sec/ {print $2}')
  kill -TERM $pid; wait $pid 2>/dev/null || true
  echo "$first $cold $warm"
}

: >"$WORK/results"
for r in $(seq "$ROUNDS"); do
  for v in $VARIANTS; do
    line="$v $(run "$v")"
    echo "round $r/$ROUNDS: $line" >&2
    echo "$line" >>"$WORK/results"
  done
done

median() { sort -g | awk '{x[NR] = $1} END {print (NR % 2) ? x[(NR + 1) / 2] : (x[NR / 2] + x[NR / 2 + 1]) / 2}'; }
echo "# Siphon start-up and JIT settings, $(date -u +%Y-%m-%dT%H:%MZ), commit $(git -C "$ROOT" rev-parse --short HEAD), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "GET /users/42, wrk -t1 -c64; cold = first 10 s of load after the first answer, warm = 10 s after 20 s more; medians of $ROUNDS rounds."
echo
echo "| variant | launch to first answer ms | cold req/s | warm req/s | cold ÷ warm (per round) |"
echo "| --- | ---: | ---: | ---: | --- |"
for v in $VARIANTS; do
  col() { awk -v v="$v" -v c="$1" '$1 == v {print $c}' "$WORK/results" | median; }
  ratios=$(awk -v v="$v" '$1 == v {printf "%s%.2f", sep, $3 / $4; sep = ", "}' "$WORK/results")
  printf '| %s | %.0f | %.0f | %.0f | %s |\n' "$v" "$(col 2)" "$(col 3)" "$(col 4)" "$ratios"
done
