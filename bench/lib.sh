# Shared by the benchmarks (ab.sh, sync-cost.sh, middleware-cost.sh, tracing-cost.sh; proxy.sh and stream.sh for stop_pids): build commits in throw-away worktrees, serve,
# measure req/s and CPU µs per request, summarise. Source it; it defines functions only.

# ab_build ROOT WORK NAME REF [MSBUILD_ARGS...]: a Release build of REF in WORK/NAME.
ab_build() {
  local root=$1 work=$2 name=$3 ref=$4; shift 4
  git -C "$root" worktree add --detach -q "$work/$name" "$ref"
  echo "building $name ($(git -C "$work/$name" rev-parse --short HEAD), Release)..." >&2
  dotnet build "$work/$name/Siphon.Runtime/Siphon.Runtime.csproj" -c Release -nologo -v q "-clp:ErrorsOnly;NoSummary" "$@" >&2
}

# ab_setup NAME DEFAULT_PORT DEFAULT_WARMUP: the knobs every before/after script shares (ROUNDS, WARMUP,
# PY, PORT, BEFORE, AFTER: from BENCH_ROUNDS, BENCH_WARMUP, SIPHON_PYTHON, BENCH_PORT, BEFORE, AFTER),
# its checks (wrk, the CPython), and both Release builds in WORK/before and WORK/after (removed on exit).
# BEFORE defaults to the merge-base with main unless the caller set BEFORE_REQUIRED=1.
ab_setup() {
  local name=$1
  ROUNDS=${BENCH_ROUNDS:-5}
  WARMUP=${BENCH_WARMUP:-$3}
  PY=${SIPHON_PYTHON:-/usr/bin/python3}
  PORT=${BENCH_PORT:-$2}
  if [ "${BEFORE_REQUIRED:-0}" = 1 ]; then : "${BEFORE:?set BEFORE=<commit> (the build to compare against)}"; fi
  BEFORE=${BEFORE:-$(git -C "$ROOT" merge-base HEAD main)}
  AFTER=${AFTER:-HEAD}
  command -v wrk >/dev/null || { echo "$name: needs wrk (apt-get install wrk)" >&2; exit 1; }
  [ -x "$PY" ] || { echo "$name: no CPython at $PY (set SIPHON_PYTHON)" >&2; exit 1; }
  WORK=$(mktemp -d)
  trap 'ab_cleanup "$ROOT" "$WORK" before after' EXIT
  ab_build "$ROOT" "$WORK" before "$BEFORE"
  ab_build "$ROOT" "$WORK" after "$AFTER"
  # An explicit config both builds accept: the ./http.yaml of the directory this runs from may use
  # keys that the BEFORE build does not know (it would refuse to start).
  printf 'servers:\n  - listen: "127.0.0.1:%s"\n' "$PORT" >"$WORK/http.yaml"
}

# ab_serve BUILD SCRIPT PATH [CONFIG]: serves SCRIPT with WORK/BUILD's Release siphon on PORT (log in
# WORK/BUILD-<script>.log), measures GET PATH with measure_url after WARMUP, stops it. CONFIG
# defaults to WORK/http.yaml.
ab_serve() {
  local build=$1 script=$2 path=$3 config=${4:-$WORK/http.yaml} log pid
  log="$WORK/$build-$(basename "$script" .py).log"
  dotnet "$WORK/$build/Siphon.Runtime/bin/Release/net10.0/siphon.dll" run "$script" --config "$config" \
    --listen "127.0.0.1:$PORT" --python "$PY" >"$log" 2>&1 &
  pid=$!
  wait_for "http://127.0.0.1:$PORT$path" || { echo "$build $(basename "$script") did not answer on $path; log:" >&2; cat "$log" >&2; kill $pid; exit 1; }
  measure_url $pid "http://127.0.0.1:$PORT$path" "$WARMUP"
  kill -TERM $pid; wait $pid 2>/dev/null || true
}

# ab_rounds FN: ROUNDS interleaved rounds of `FN before` and `FN after`; each line of WORK/results is
# "round build <what FN printed>".
ab_rounds() {
  local r build
  : >"$WORK/results"
  for r in $(seq "$ROUNDS"); do
    for build in before after; do
      echo "round $r/$ROUNDS: $build" >&2
      echo "$r $build $("$1" "$build")" | tee -a "$WORK/results" >&2
    done
  done
}

# The servers a script started (append with PIDS+=($!)), stopped on exit with WORK removed:
# trap stop_pids EXIT.
PIDS=()
stop_pids() {
  local pid
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$WORK"
}

# ab_cleanup ROOT WORK NAMES...: removes the worktrees and WORK.
ab_cleanup() {
  local root=$1 work=$2 n; shift 2
  for n in "$@"; do git -C "$root" worktree remove --force "$work/$n" >/dev/null 2>&1 || true; done
  rm -rf "$work"
}

# cpu_ticks PID: user+system clock ticks of every thread of PID.
cpu_ticks() {
  local t
  for t in /proc/$1/task/*; do sed 's/.*) //' "$t/stat" | awk '{print $12 + $13}'; done 2>/dev/null | awk '{n += $1} END {print n}'
}

# context_switches PID: voluntary + involuntary context switches of every thread of PID (so far).
context_switches() {
  cat /proc/$1/task/*/status 2>/dev/null | awk '/^(non)?voluntary_ctxt_switches:/ {n += $2} END {print n + 0}'
}

# measure_url PID URL WARMUP_SECS: warms up, then wrk -t1 -c64 -d10s; prints "rps cpu_us_per_request
# context_switches_per_request p99_ms" (threads that ended during the run are not counted in the third).
measure_url() {
  local pid=$1 url=$2 warm=$3 before after out reqs rps cs_before cs_after
  wrk -t1 -c64 -d"${warm}s" "$url" >/dev/null
  before=$(cpu_ticks "$pid"); cs_before=$(context_switches "$pid")
  out=$(wrk -t1 -c64 -d10s --latency "$url")
  after=$(cpu_ticks "$pid"); cs_after=$(context_switches "$pid")
  reqs=$(awk '/requests in/ {print $1}' <<<"$out"); rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p99=$(awk '$1 == "99%" {v = $2; if (v ~ /us$/) {sub(/us$/, "", v); v /= 1000} else if (v ~ /ms$/) sub(/ms$/, "", v); else if (v ~ /s$/) {sub(/s$/, "", v); v *= 1000}; print v}' <<<"$out")
  awk -v reqs="$reqs" -v rps="$rps" -v hz="$(getconf CLK_TCK)" -v d=$((after - before)) -v cs=$((cs_after - cs_before)) -v p99="${p99:-0}" \
    'BEGIN {printf "%s %.2f %.3f %.2f\n", rps, d * 1e6 / hz / reqs, cs / reqs, p99}'
}

# wait_for URL: until it answers (15 s at most).
wait_for() { local i; for i in $(seq 300); do curl -fs "$1" >/dev/null 2>&1 && return 0; sleep 0.05; done; return 1; }

# stats: numbers on stdin → "median (min–max)".
stats() { sort -g | awk '{x[NR] = $1} END {m = (NR % 2) ? x[(NR + 1) / 2] : (x[NR / 2] + x[NR / 2 + 1]) / 2; printf "%.2f (%.2f–%.2f)", m, x[1], x[NR]}'; }

# ab_tables RESULTS COLUMN_NAME "BUILD:VARIANT ..." "RATIO_SPEC" ...: the two Markdown tables of a
# before/after script whose RESULTS lines are "round build variant rps cpu_us": per run, the median
# (min–max) of req/s and CPU µs/request; then per RATIO_SPEC ("after x before x"), the per-round ratios.
ab_tables() {
  local results=$1 column=$2 runs=$3 run build variant spec; shift 3
  echo "| build | $column | req/s | CPU µs/request |"
  echo "| --- | --- | ---: | ---: |"
  for run in $runs; do
    build=${run%%:*} variant=${run#*:}
    printf '| %s | %s | %s | %s |\n' "$build" "$variant" \
      "$(awk -v b="$build" -v v="$variant" '$2 == b && $3 == v {print $4}' "$results" | stats)" \
      "$(awk -v b="$build" -v v="$variant" '$2 == b && $3 == v {print $5}' "$results" | stats)"
  done
  echo
  echo "Per-round ratios, median (min–max):"
  echo
  echo "| ratio | req/s | CPU µs/request |"
  echo "| --- | ---: | ---: |"
  for spec in "$@"; do
    set -- $spec
    printf '| %s %s ÷ %s %s | %s | %s |\n' "$1" "$2" "$3" "$4" "$(round_ratio "$results" 2 "$1 $2" "$3 $4" 4)" "$(round_ratio "$results" 2 "$1 $2" "$3 $4" 5)"
  done
}

# round_ratio RESULTS NKEYS KEY1 KEY2 COLUMN: per round, COLUMN of KEY1 ÷ COLUMN of KEY2, → stats.
# RESULTS lines are "round key1 ... keyN value...", a key being NKEYS words ("after def").
round_ratio() {
  awk -v n="$2" -v k1="$3" -v k2="$4" -v c="$5" '{k = $2; for (i = 3; i <= n + 1; i++) k = k " " $i}
    k == k1 {a[$1] = $c} k == k2 {b[$1] = $c} END {for (r in a) if (r in b) print a[r] / b[r]}' "$1" | stats
}
