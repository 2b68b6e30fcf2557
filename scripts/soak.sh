#!/usr/bin/env bash
# Soak test of retracker on loopback: mixed load with peer churn for a long time (10 minutes by
# default), heap after GC sampled throughout; fails on a growing heap, a Netty leak report, a reply
# the load generator finds wrong, or an unexpected error counted by the tracker. Run by `make soak`;
# see docs/SOAK.md.
#
# Every process this script starts runs under coreutils' timeout and is stopped by pid on exit;
# everything listens and connects on 127.0.0.1 only.
set -euo pipefail

usage() {
  cat <<'EOF'
Usage: scripts/soak.sh [OPTIONS]

Starts retracker on 127.0.0.1 (UDP and HTTP, -p metrics, peer lifetime 1 minute, Netty's leak
detector at paranoid, a GC log) and drives it with three load generators at once for the whole
duration: UDP announces and scrapes, HTTP keep-alive, and HTTP with a connection per request, all
with peer churn (peers stop, vanish and are replaced by new ones in other swarms, so swarms are
created, emptied and expired). Every SAMPLE it records the heap after a full GC (live bytes from
jcmd GC.class_histogram), the resident memory, swarms, peers and the tracker's error counters.

It passes when, over the second half of the run, the least-squares slope of heap after GC adds up
to no more than --slope-limit percent of its mean; the tracker's log has no "LEAK:" line; every
generator reply was valid (errors=0); and retracker_unexpected_errors_total stayed 0.

Options
  --duration D       length of the load (default 10m; forms: 20s, 90s, 10m)
  --sample D         time between samples (default 20s; 5s when --duration is under 2m)
  --peers N          peers of the UDP generator; HTTP keep-alive gets N/2, per request N/10
                     (default 100000)
  --torrents N       info hashes of each generator (default 20000)
  --churn-pct P      percent of a present peer's announces that end its identity (default 2)
  --rate N           most requests a second of the UDP generator; HTTP keep-alive gets N/4, per
                     request N/40 (default 0: each as fast as the tracker answers)
  --slope-limit PCT  most growth of heap after GC over the second half, in percent of its mean
                     (default 5)
  --heap SIZE        retracker's -Xmx (default 1g)
  --port P           UDP and HTTP port of retracker (default 27169)
  --out DIR          logs, samples and summary (default target/soak-results/<date-time>)
  --classpath CP     run retracker and the generator from this class path (no jars, no build)
  --no-build         do not build the jars when they are missing or older than the sources
  -h, --help         this text

Builds target/retracker.jar and target/retracker-bench.jar (make build bench-build) when needed.
Prints one "SOAK result=pass|fail ..." line; the samples are in OUT/samples.tsv, the summary in
OUT/summary.txt. Exit status 0 on pass, 1 on fail, 2 on a bad command line or set-up.
EOF
}

die() { echo "soak: $*" >&2; exit 2; }

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DURATION=10m
SAMPLE=""
PEERS=100000
TORRENTS=20000
CHURN=2
RATE=0
SLOPE_LIMIT=5
HEAP=1g
PORT=27169
OUT=""
CLASSPATH_ARG=""
BUILD=1

while [ $# -gt 0 ]; do
  case "$1" in
    --duration) DURATION=${2:?}; shift 2 ;;
    --sample) SAMPLE=${2:?}; shift 2 ;;
    --peers) PEERS=${2:?}; shift 2 ;;
    --torrents) TORRENTS=${2:?}; shift 2 ;;
    --churn-pct) CHURN=${2:?}; shift 2 ;;
    --rate) RATE=${2:?}; shift 2 ;;
    --slope-limit) SLOPE_LIMIT=${2:?}; shift 2 ;;
    --heap) HEAP=${2:?}; shift 2 ;;
    --port) PORT=${2:?}; shift 2 ;;
    --out) OUT=${2:?}; shift 2 ;;
    --classpath) CLASSPATH_ARG=${2:?}; shift 2 ;;
    --no-build) BUILD=0; shift ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; die "unknown option: $1" ;;
  esac
done

is_count() { [[ $1 =~ ^[1-9][0-9]*$ ]]; }
is_number() { [[ $1 =~ ^[0-9]+(\.[0-9]+)?$ ]]; }
# seconds of a duration (20s, 1.5m, 500ms rounded up, a bare number is seconds); empty if malformed
seconds() {
  local d=$1
  [[ $d =~ ^[0-9]+(\.[0-9]+)?(ms|s|m)?$ ]] || return 0
  case $d in
    *ms) awk -v v="${d%ms}" 'BEGIN { s = v / 1000; printf "%d", s == int(s) ? s : int(s) + 1 }' ;;
    *s) awk -v v="${d%s}" 'BEGIN { printf "%d", v == int(v) ? v : int(v) + 1 }' ;;
    *m) awk -v v="${d%m}" 'BEGIN { s = v * 60; printf "%d", s == int(s) ? s : int(s) + 1 }' ;;
    *) awk -v v="$d" 'BEGIN { printf "%d", v == int(v) ? v : int(v) + 1 }' ;;
  esac
}
for v in PEERS TORRENTS PORT; do is_count "${!v}" || die "--${v,,} must be a positive number: ${!v}"; done
[ "$PORT" -le 65535 ] || die "--port must be at most 65535: $PORT"
[ "$PEERS" -ge 10 ] || die "--peers must be at least 10 (the per-request generator gets a tenth)"
is_number "$CHURN" && awk -v c="$CHURN" 'BEGIN { exit !(c <= 100) }' || die "--churn-pct must be within 0..100: $CHURN"
[[ $RATE =~ ^[0-9]+$ ]] || die "--rate must be a whole number of requests a second: $RATE"
is_number "$SLOPE_LIMIT" || die "--slope-limit must be a percentage: $SLOPE_LIMIT"
[[ $HEAP =~ ^[1-9][0-9]*[kKmMgG]$ ]] || die "--heap wants a size such as 512m or 1g: $HEAP"
DURATION_S=$(seconds "$DURATION")
[ -n "$DURATION_S" ] && [ "$DURATION_S" -ge 10 ] || die "--duration must be a duration of at least 10s: $DURATION"
if [ -z "$SAMPLE" ]; then
  if [ "$DURATION_S" -lt 120 ]; then SAMPLE=5s; else SAMPLE=20s; fi
fi
SAMPLE_S=$(seconds "$SAMPLE")
[ -n "$SAMPLE_S" ] && [ "$SAMPLE_S" -ge 1 ] || die "--sample must be a duration of at least 1s: $SAMPLE"
[ $((DURATION_S / SAMPLE_S)) -ge 4 ] || die "--sample $SAMPLE leaves fewer than 4 samples in --duration $DURATION"

# ---- tools -----------------------------------------------------------------------------------

JAVA_HOME=$("$ROOT/scripts/java-home.sh")
JAVA="$JAVA_HOME/bin/java"
JCMD="$JAVA_HOME/bin/jcmd"
[ -x "$JCMD" ] || die "$JCMD is missing: a JDK (not a JRE) is needed for jcmd"
for tool in timeout awk ss; do
  command -v "$tool" >/dev/null || die "$tool is needed (coreutils, gawk/mawk, iproute2)"
done
# the Makefile exports JAVA_FLAGS; the same flags when run by hand, plus the opens a jar's manifest
# would give when running from a class path
JAVA_FLAGS=${JAVA_FLAGS:---sun-misc-unsafe-memory-access=allow -Dio.netty.tryReflectionSetAccessible=true --enable-native-access=ALL-UNNAMED -XX:+UseSerialGC -Xmn32m}
read -r -a JFLAGS <<<"$JAVA_FLAGS"
JFLAGS+=(--add-opens=java.base/java.nio=ALL-UNNAMED --add-opens=java.base/jdk.internal.misc=ALL-UNNAMED --add-opens=java.base/java.net=ALL-UNNAMED)
JAR="$ROOT/target/retracker.jar"
BENCH_JAR="$ROOT/target/retracker-bench.jar"
if [ -n "$CLASSPATH_ARG" ]; then
  TRACKER_CMD=(-cp "$CLASSPATH_ARG" org.retracker.cli.Main)
  LOAD_CMD=(-cp "$CLASSPATH_ARG" org.retracker.bench.BenchMain)
else
  stale() { # stale JAR DIR...: the jar is missing or older than a source under DIR
    local jar=$1; shift
    [ -f "$jar" ] || return 0
    [ -n "$(find "$@" -newer "$jar" -type f -print -quit 2>/dev/null)" ]
  }
  if [ "$BUILD" = 1 ]; then
    if stale "$JAR" "$ROOT/src/main" "$ROOT/pom.xml"; then
      echo "soak: building $JAR (make build)" >&2
      make -C "$ROOT" -s build >&2 || die "make build failed"
    fi
    if stale "$BENCH_JAR" "$ROOT/src/main" "$ROOT/src/bench" "$ROOT/pom.xml"; then
      echo "soak: building $BENCH_JAR (make bench-build)" >&2
      make -C "$ROOT" -s bench-build >&2 || die "make bench-build failed"
    fi
  fi
  [ -f "$JAR" ] || die "$JAR is missing: run make build"
  [ -f "$BENCH_JAR" ] || die "$BENCH_JAR is missing: run make bench-build"
  TRACKER_CMD=(-jar "$JAR")
  LOAD_CMD=(-jar "$BENCH_JAR")
fi

# a clean environment for retracker: no settings from the caller's RETRACKER_* and the like
for v in $(compgen -e); do
  case $v in RETRACKER_*|FORWARDER_*|MAX_FORWARDER_*|QUEUE_*|RATE_LIMIT_*) unset "$v" ;; esac
done

[ -n "$OUT" ] || OUT="$ROOT/target/soak-results/$(date +%Y%m%d-%H%M%S)"
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
SAMPLES="$OUT/samples.tsv"
SUMMARY="$OUT/summary.txt"

# ---- processes -------------------------------------------------------------------------------

WRAPPERS=() # pids of the timeout processes this script started
cleanup() {
  local pid
  for pid in "${WRAPPERS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${WRAPPERS[@]}"; do
    for _ in 1 2 3 4 5 6 7 8 9 10; do kill -0 "$pid" 2>/dev/null || break; sleep 0.3; done
    kill -KILL "$pid" 2>/dev/null || true
  done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# the process timeout started (it runs the command as its child)
child_of() {
  local wrapper=$1 pid=""
  for _ in $(seq 1 100); do
    pid=$(ps -o pid= --ppid "$wrapper" 2>/dev/null | awk 'NR == 1 { print $1 }')
    [ -n "$pid" ] && { echo "$pid"; return 0; }
    sleep 0.05
  done
  return 1
}

port_free() {
  [ -z "$(ss -Hlnt "sport = :$1" 2>/dev/null)" ] && [ -z "$(ss -Hlnu "sport = :$1" 2>/dev/null)" ]
}

# GET /metrics from the tracker (bash's /dev/tcp: no curl needed), bounded in time
metrics() {
  timeout 10 bash -c '
    exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 1
    printf "GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n" >&3
    cat <&3' _ "$PORT" 2>/dev/null | tr -d '\r'
}
# the value of a metric (summed over its labels), from metrics' output on stdin
metric() { awk -v name="$1" '$1 == name || index($1, name "{") == 1 { s += $NF; found = 1 } END { printf "%d", found ? s : -1 }'; }

port_free "$PORT" || die "port $PORT is taken (UDP or TCP): pick another with --port"

# the tracker outlives the load by at most this much, whatever happens to this script
LIMIT=$((DURATION_S + 180))
timeout --kill-after=10 "$LIMIT" "$JAVA" "${JFLAGS[@]}" -Xms64m -Xmx"$HEAP" \
  -Dio.netty.leakDetection.level=paranoid \
  -Xlog:gc:file="$OUT/gc.log":uptime,level,tags \
  "${TRACKER_CMD[@]}" -l "127.0.0.1:$PORT" -u "127.0.0.1:$PORT" -p -a 1 -s 60 \
  >"$OUT/retracker.log" 2>&1 &
TRACKER_WRAPPER=$!
WRAPPERS+=("$TRACKER_WRAPPER")
TRACKER_PID=$(child_of "$TRACKER_WRAPPER") || die "retracker did not start; see $OUT/retracker.log"
deadline=$((SECONDS + 60))
until metrics | grep -q '^retracker_peers '; do
  kill -0 "$TRACKER_WRAPPER" 2>/dev/null || die "retracker exited; see $OUT/retracker.log"
  [ "$SECONDS" -lt "$deadline" ] || die "retracker did not answer /metrics on 127.0.0.1:$PORT within 60 s"
  sleep 0.3
done

# the three generators: each its own seed (so its own hashes), all for the whole duration
LOADS=(udp http http-close)
declare -A LOAD_ARGS LOAD_WRAPPER
common=(--duration "${DURATION_S}s" --warmup 0s --torrents "$TORRENTS" --churn-pct "$CHURN" --scrape-pct 5
  --timeout 10s)
LOAD_ARGS[udp]="--target udp://127.0.0.1:$PORT --seed 1 --peers $PEERS --sockets 16 --window 8"
LOAD_ARGS[http]="--target http://127.0.0.1:$PORT --seed 2 --peers $((PEERS / 2)) --connections 16"
LOAD_ARGS[http-close]="--target http://127.0.0.1:$PORT --seed 3 --peers $((PEERS / 10)) --connections 2 --connection-per-request"
if [ "$RATE" != 0 ]; then
  LOAD_ARGS[udp]+=" --rate $RATE"
  LOAD_ARGS[http]+=" --rate $(( (RATE + 3) / 4 ))"
  LOAD_ARGS[http-close]+=" --rate $(( (RATE + 39) / 40 ))"
fi
for l in "${LOADS[@]}"; do
  read -r -a args <<<"${LOAD_ARGS[$l]}"
  timeout --kill-after=10 $((DURATION_S + 120)) "$JAVA" "${JFLAGS[@]}" -Xmx512m -Xmn64m \
    -Dio.netty.leakDetection.level=disabled "${LOAD_CMD[@]}" load "${args[@]}" "${common[@]}" \
    >"$OUT/load-$l.result" 2>"$OUT/load-$l.log" &
  LOAD_WRAPPER[$l]=$!
  WRAPPERS+=("$!")
done
# the load starts when each generator has built its workload (its first line on stderr)
deadline=$((SECONDS + 120))
for l in "${LOADS[@]}"; do
  until grep -q '^load: ' "$OUT/load-$l.log" 2>/dev/null; do
    kill -0 "${LOAD_WRAPPER[$l]}" 2>/dev/null || break
    [ "$SECONDS" -lt "$deadline" ] || die "generator $l did not start within 120 s; see $OUT/load-$l.log"
    sleep 0.2
  done
done
START=$SECONDS
echo "soak: retracker pid $TRACKER_PID on 127.0.0.1:$PORT; load for ${DURATION_S}s, a sample every ${SAMPLE_S}s; out $OUT" >&2

# ---- samples ---------------------------------------------------------------------------------

printf 'during_load\tt_s\theap_after_gc_bytes\trss_kb\tswarms\tpeers\tannounces\tscrapes\tunexpected_errors\tfailures\n' >"$SAMPLES"
sample() { # sample 1|0: taken during the load or after it
  local during=$1 t=$((SECONDS - START)) live rss m
  # a full GC, then the live objects' bytes (the histogram's Total line)
  live=$(timeout 60 "$JCMD" "$TRACKER_PID" GC.class_histogram 2>/dev/null | awk '$1 == "Total" { print $3 }')
  rss=$(awk '$1 == "VmRSS:" { print $2 }' "/proc/$TRACKER_PID/status" 2>/dev/null || true)
  m=$(metrics)
  printf '%d\t%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$during" "$t" "${live:--1}" "${rss:--1}" \
    "$(metric retracker_swarms <<<"$m")" "$(metric retracker_peers <<<"$m")" \
    "$(metric retracker_announces_total <<<"$m")" "$(metric retracker_scrapes_total <<<"$m")" \
    "$(metric retracker_unexpected_errors_total <<<"$m")" "$(metric retracker_failures_total <<<"$m")" >>"$SAMPLES"
}

running() {
  local l
  for l in "${LOADS[@]}"; do kill -0 "${LOAD_WRAPPER[$l]}" 2>/dev/null && return 0; done
  return 1
}
next=$SAMPLE_S
while running; do
  kill -0 "$TRACKER_WRAPPER" 2>/dev/null || break
  if [ $((SECONDS - START)) -ge "$next" ] && [ $((SECONDS - START)) -lt "$DURATION_S" ]; then
    sample 1
    next=$((next + SAMPLE_S))
  fi
  sleep 0.5
done
for l in "${LOADS[@]}"; do wait "${LOAD_WRAPPER[$l]}" 2>/dev/null || true; done
TRACKER_ALIVE=1
kill -0 "$TRACKER_WRAPPER" 2>/dev/null || TRACKER_ALIVE=0
# the last sample, after the load (the store then holds what the last minute left)
[ "$TRACKER_ALIVE" = 0 ] || sample 0
# the tracker's log, complete: a leak is reported when the leaked buffer has been collected, and
# each sample's full GC gave the detector that chance
if [ "$TRACKER_ALIVE" = 1 ]; then
  kill -TERM "$TRACKER_WRAPPER" 2>/dev/null || true
  for _ in $(seq 1 50); do kill -0 "$TRACKER_WRAPPER" 2>/dev/null || break; sleep 0.2; done
fi

# ---- verdict ---------------------------------------------------------------------------------

field() { tr ' ' '\n' <<<"$1" | awk -F= -v k="$2" '$1 == k { print $2; exit }'; }
: >"$SUMMARY"
say() { echo "$*" | tee -a "$SUMMARY"; }
problems=()
[ "$TRACKER_ALIVE" = 1 ] || problems+=("retracker exited during the run (see $OUT/retracker.log)")
declare -A RESP
for l in "${LOADS[@]}"; do
  r=$(grep '^RESULT' "$OUT/load-$l.result" || true)
  if [ -z "$r" ]; then
    problems+=("generator $l printed no RESULT (see $OUT/load-$l.log)")
    RESP[$l]=0
    continue
  fi
  say "load $l $r"
  RESP[$l]=$(field "$r" responses)
  e=$(field "$r" errors)
  [ "$e" = 0 ] || problems+=("generator $l: $e errors ($(tr ' ' '\n' <<<"$r" | grep '^error_' | tr '\n' ' '))")
done
LEAKS=$(grep -c 'LEAK:' "$OUT/retracker.log" || true)
[ "$LEAKS" = 0 ] || problems+=("$LEAKS LEAK: reports in $OUT/retracker.log")

# heap after GC during the load: start, mean, end; least-squares slope over the samples of the
# second half (after warm-up) and the rise it adds up to over that half, in percent of the mean over
# the whole load; the sample after the load is reported, not fitted
STATS=$(awk -F'\t' -v half="$((DURATION_S / 2))" -v limit="$SLOPE_LIMIT" '
  NR == 1 { next }
  { if (unexpected < $9) unexpected = $9; if ($10 > failures) failures = $10 }
  $3 < 0 { next }
  $1 == 0 { after = $3 / 1048576; next }
  { n++; h = $3 / 1048576; sum += h; if (n == 1) first = h; last = h
    if (min == "" || h < min) min = h; if (h > max) max = h
    if ($4 > rss_max) rss_max = $4; if (n == 1) rss_first = $4; rss_last = $4
    if (pmin == "" || $6 < pmin) pmin = $6; if ($6 > pmax) pmax = $6
    if (smin == "" || $5 < smin) smin = $5; if ($5 > smax) smax = $5
    if ($2 >= half) { m++; sx += $2; sy += h; sxx += $2 * $2; sxy += $2 * h; if (m == 1) t0 = $2; t1 = $2 } }
  END {
    if (n == 0) { print "samples=0"; exit }
    mean = sum / n
    slope = (m >= 2 && m * sxx - sx * sx > 0) ? (m * sxy - sx * sy) / (m * sxx - sx * sx) : 0
    rise = slope * (t1 - t0)
    pct = mean > 0 ? 100 * rise / mean : 0
    printf "samples=%d half_samples=%d heap_start_mb=%.1f heap_mean_mb=%.1f heap_end_mb=%.1f heap_min_mb=%.1f heap_max_mb=%.1f", n, m, first, mean, last, min, max
    printf " heap_after_load_mb=%.1f slope_mb_per_min=%.3f growth_pct=%.2f growth_limit_pct=%s", after, slope * 60, pct, limit
    printf " rss_start_mb=%.0f rss_end_mb=%.0f rss_max_mb=%.0f", rss_first / 1024, rss_last / 1024, rss_max / 1024
    printf " peers_min=%d peers_max=%d swarms_min=%d swarms_max=%d unexpected_errors=%d failures=%d", pmin, pmax, smin, smax, unexpected, failures
    printf " heap_ok=%d\n", (m >= 2 && pct <= limit) ? 1 : 0
  }' "$SAMPLES")
[ "$(field "$STATS" samples)" != 0 ] || problems+=("no heap sample was taken")
[ "$(field "$STATS" half_samples)" -ge 2 ] 2>/dev/null || problems+=("fewer than 2 heap samples in the second half")
[ "$(field "$STATS" heap_ok)" = 1 ] || problems+=("heap after GC grew $(field "$STATS" growth_pct) % of its mean over the second half (limit $SLOPE_LIMIT %)")
[ "$(field "$STATS" unexpected_errors)" = 0 ] || problems+=("retracker_unexpected_errors_total is $(field "$STATS" unexpected_errors)")
FULL_GCS=$(grep -c 'Pause Full' "$OUT/gc.log" 2>/dev/null || true)

result=pass
[ ${#problems[@]} = 0 ] || result=fail
for p in "${problems[@]}"; do say "soak: FAIL: $p"; done
say "SOAK result=$result duration_s=$DURATION_S udp_responses=${RESP[udp]} http_responses=${RESP[http]} http_close_responses=${RESP[http-close]} leaks=$LEAKS ${STATS% heap_ok=*} full_gcs=${FULL_GCS:-0} out=$OUT"
[ "$result" = pass ]
