#!/usr/bin/env bash
# retracker against Debian's opentracker on loopback: throughput over UDP, HTTP keep-alive and HTTP
# with one connection per request, and resident memory per peer. Run by `make bench`, which builds
# target/retracker.jar and target/retracker-bench.jar first; see docs/PERFORMANCE.md.
#
# Every process this script starts runs under coreutils' timeout and is stopped by pid on exit;
# everything listens and connects on 127.0.0.1 only.
set -euo pipefail

usage() {
  cat <<'EOF'
Usage: scripts/bench.sh [OPTIONS]

Runs the same workload (scripts' load generator, target/retracker-bench.jar) against retracker and
opentracker in turn, each pinned to one core and the generator to another, and prints both results
and their ratio; then resident memory per peer; then the generator's ceiling against a reflector.

Workload
  --duration D         measured time of one run (default 20s; forms: 500ms, 20s, 2m)
  --warmup D           load before each run's measurement, not counted (default 5s)
  --jvm-warmup D       load per mode before the first measured run against each tracker (default 20s)
  --repeat N           measured runs per tracker and mode; the median is reported (default 3)
  --torrents N         info hashes (default 100000)
  --peers N            peers, each fixed to one torrent (default 1000000)
  --zipf S             torrent popularity exponent (default 1.1)
  --modes LIST         comma-separated: udp, http (keep-alive), http-close (a connection per
                       request) (default udp,http,http-close)
  --trackers LIST      comma-separated: retracker, opentracker (default both)
  --no-prefill         measure without announcing every peer once first (prefill is the default)
Memory
  --memory-peers N     peers inserted for memory per peer (default 1000000)
  --memory-torrents N  over this many torrents (default 100000)
Phases (default throughput,reflector,memory; --scale adds scale)
  --phases LIST        comma-separated: throughput (both trackers), reflector (the generator's
                       ceiling), scale (see --scale), memory (resident bytes per peer)
  --scale PEERS        measure retracker with PEERS peers (torrents scaled alike, e.g. 10000000)
                       and with --peers, same sockets, both prefilled, and print the ratio
  --no-memory, --no-reflector, --memory-only   shorthands for --phases
Machine
  --tracker-cpu N      core of the tracker under test (default 0)
  --load-cpus LIST     cores of the generator, a taskset list such as 1 or 1-3; it runs one event
                       loop per core (default 1)
  --port P             retracker on P, opentracker on P+1, reflector on P+2 (default 27069)
  --heap SIZE          retracker's -Xmx (default 4g)
  --out DIR            logs and results (default target/bench-results/<date-time>)
  --quick              a short smoke run: 3 s runs, 1 repeat, 100000 peers over 10000 torrents
  -h, --help           this text

Installs Debian's opentracker with apt-get (sudo when not root) if it is missing. Prints one
"SUMMARY ..." line per comparison; everything is also in OUT/results.txt.
EOF
}

die() { echo "bench: $*" >&2; exit 2; }

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DURATION=20s
WARMUP=5s
JVM_WARMUP=20s
REPEAT=3
TORRENTS=100000
PEERS=1000000
ZIPF=1.1
MODES=udp,http,http-close
TRACKERS=retracker,opentracker
PREFILL=1
MEMORY=1
MEMORY_ONLY=0
MEM_PEERS=1000000
MEM_TORRENTS=100000
SCALE=0
REFLECTOR=1
PHASES=""
TRACKER_CPU=0
LOAD_CPUS=1
PORT=27069
HEAP=4g
OUT=""
SEED=1

while [ $# -gt 0 ]; do
  case "$1" in
    --duration) DURATION=${2:?}; shift 2 ;;
    --warmup) WARMUP=${2:?}; shift 2 ;;
    --jvm-warmup) JVM_WARMUP=${2:?}; shift 2 ;;
    --repeat) REPEAT=${2:?}; shift 2 ;;
    --torrents) TORRENTS=${2:?}; shift 2 ;;
    --peers) PEERS=${2:?}; shift 2 ;;
    --zipf) ZIPF=${2:?}; shift 2 ;;
    --modes) MODES=${2:?}; shift 2 ;;
    --trackers) TRACKERS=${2:?}; shift 2 ;;
    --no-prefill) PREFILL=0; shift ;;
    --memory-peers) MEM_PEERS=${2:?}; shift 2 ;;
    --memory-torrents) MEM_TORRENTS=${2:?}; shift 2 ;;
    --no-memory) MEMORY=0; shift ;;
    --memory-only) MEMORY_ONLY=1; shift ;;
    --scale) SCALE=${2:?}; shift 2 ;;
    --no-reflector) REFLECTOR=0; shift ;;
    --phases) PHASES=${2:?}; shift 2 ;;
    --tracker-cpu) TRACKER_CPU=${2:?}; shift 2 ;;
    --load-cpus) LOAD_CPUS=${2:?}; shift 2 ;;
    --port) PORT=${2:?}; shift 2 ;;
    --heap) HEAP=${2:?}; shift 2 ;;
    --out) OUT=${2:?}; shift 2 ;;
    --quick)
      DURATION=3s; WARMUP=1s; JVM_WARMUP=3s; REPEAT=1; TORRENTS=10000; PEERS=100000
      MEM_PEERS=100000; MEM_TORRENTS=10000; shift ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; die "unknown option: $1" ;;
  esac
done

is_count() { [[ $1 =~ ^[1-9][0-9]*$ ]]; }
is_duration() { [[ $1 =~ ^[0-9]+(\.[0-9]+)?(ms|s|m)?$ ]]; }
for v in REPEAT TORRENTS PEERS MEM_PEERS MEM_TORRENTS PORT; do is_count "${!v}" || die "${v,,} must be a positive number: ${!v}"; done
for v in DURATION WARMUP JVM_WARMUP; do is_duration "${!v}" || die "${v,,} is not a duration: ${!v}"; done
[ "$SCALE" = 0 ] || is_count "$SCALE" || die "--scale must be a number of peers: $SCALE"
[ "$PORT" -le 65533 ] || die "--port must leave room for P+2"
[[ $TRACKER_CPU =~ ^[0-9]+$ ]] || die "--tracker-cpu wants one core number: $TRACKER_CPU"
[[ $LOAD_CPUS =~ ^[0-9]+(-[0-9]+)?(,[0-9]+(-[0-9]+)?)*$ ]] || die "--load-cpus wants a core list such as 1 or 1-3: $LOAD_CPUS"
# the generator's cores, one by one
LOAD_CPU_LIST=()
IFS=, read -r -a parts <<<"$LOAD_CPUS"
for part in "${parts[@]}"; do
  if [[ $part == *-* ]]; then
    for ((c = ${part%-*}; c <= ${part#*-}; c++)); do LOAD_CPU_LIST+=("$c"); done
  else
    LOAD_CPU_LIST+=("$part")
  fi
done
LOAD_THREADS=${#LOAD_CPU_LIST[@]}
if [ -z "$PHASES" ]; then
  PHASES=throughput
  [ "$REFLECTOR" = 0 ] || PHASES+=,reflector
  [ "$SCALE" = 0 ] || PHASES+=,scale
  [ "$MEMORY" = 0 ] || PHASES+=,memory
  [ "$MEMORY_ONLY" = 0 ] || PHASES=memory
fi
IFS=, read -r -a PHASE_LIST <<<"$PHASES"
for p in "${PHASE_LIST[@]}"; do
  case $p in throughput|reflector|memory) ;; scale) [ "$SCALE" != 0 ] || die "phase scale needs --scale PEERS" ;; *) die "unknown phase: $p" ;; esac
done
phase() { [[ ,$PHASES, == *",$1,"* ]]; }
IFS=, read -r -a MODE_LIST <<<"$MODES"
IFS=, read -r -a TRACKER_LIST <<<"$TRACKERS"
for m in "${MODE_LIST[@]}"; do case $m in udp|http|http-close) ;; *) die "unknown mode: $m" ;; esac; done
for t in "${TRACKER_LIST[@]}"; do case $t in retracker|opentracker) ;; *) die "unknown tracker: $t" ;; esac; done

# seconds of a duration, rounded up (for the timeouts around every process)
seconds() {
  local d=$1
  case $d in
    *ms) echo $(( (${d%ms} + 999) / 1000 )) ;;
    *s) awk -v v="${d%s}" 'BEGIN { printf "%d", v == int(v) ? v : int(v) + 1 }' ;;
    *m) echo $(( ${d%m} * 60 )) ;;
    *) awk -v v="$d" 'BEGIN { printf "%d", v == int(v) ? v : int(v) + 1 }' ;;
  esac
}

# ---- tools -----------------------------------------------------------------------------------

JAVA_HOME=$("$ROOT/scripts/java-home.sh")
JAVA="$JAVA_HOME/bin/java"
JCMD="$JAVA_HOME/bin/jcmd"
# the Makefile exports JAVA_FLAGS; the same flags when run by hand
JAVA_FLAGS=${JAVA_FLAGS:---sun-misc-unsafe-memory-access=allow -Dio.netty.tryReflectionSetAccessible=true --enable-native-access=ALL-UNNAMED -XX:+UseSerialGC -Xmn32m}
read -r -a JFLAGS <<<"$JAVA_FLAGS"
# the generator and the reflector keep the JVM's own collector choice: the GC flags are the tracker's
GEN_JFLAGS=()
for f in "${JFLAGS[@]}"; do
  case $f in -XX:+Use*GC|-Xmn*) ;; *) GEN_JFLAGS+=("$f") ;; esac
done
JAR="$ROOT/target/retracker.jar"
BENCH_JAR="$ROOT/target/retracker-bench.jar"
[ -f "$JAR" ] || die "$JAR is missing: run make bench (or make build)"
[ -f "$BENCH_JAR" ] || die "$BENCH_JAR is missing: run make bench (or make bench-build)"
for tool in taskset timeout ss awk sort; do
  command -v "$tool" >/dev/null || die "$tool is needed (util-linux, coreutils, iproute2, gawk/mawk)"
done
CORES=$(nproc)
PIN=1
if [ "$CORES" -lt 2 ]; then
  echo "bench: only $CORES core: nothing is pinned, and tracker and generator share it" >&2
  PIN=0
else
  [ "$TRACKER_CPU" -lt "$CORES" ] || die "--tracker-cpu $TRACKER_CPU: this machine has cores 0..$((CORES - 1))"
  for c in "${LOAD_CPU_LIST[@]}"; do
    [ "$c" -lt "$CORES" ] || die "--load-cpus $LOAD_CPUS: this machine has cores 0..$((CORES - 1))"
    [ "$c" != "$TRACKER_CPU" ] || die "--load-cpus $LOAD_CPUS includes the tracker's core $TRACKER_CPU"
  done
fi
TRACKER_PIN=()
LOAD_PIN=()
if [ "$PIN" = 1 ]; then
  TRACKER_PIN=(taskset -c "$TRACKER_CPU")
  LOAD_PIN=(taskset -c "$LOAD_CPUS")
fi

install_opentracker() {
  command -v opentracker >/dev/null && return 0
  echo "bench: installing Debian's opentracker (apt-get)" >&2
  local sudo=()
  [ "$(id -u)" = 0 ] || sudo=(sudo)
  timeout 600 "${sudo[@]}" apt-get update -qq >&2 || true
  DEBIAN_FRONTEND=noninteractive timeout 600 "${sudo[@]}" apt-get install -y -qq --no-install-recommends \
    opentracker >&2 || die "could not install opentracker; run with --trackers retracker to skip it"
  # the package may start a service of its own on :6969; this script starts its own instances
  if command -v systemctl >/dev/null 2>&1; then "${sudo[@]}" systemctl stop opentracker >/dev/null 2>&1 || true; fi
}
needs_opentracker=0
if phase throughput || phase memory; then
  for t in "${TRACKER_LIST[@]}"; do [ "$t" != opentracker ] || needs_opentracker=1; done
fi
[ "$needs_opentracker" = 0 ] || install_opentracker

# a clean environment for retracker: no settings from the caller's RETRACKER_* and the like
for v in $(compgen -e); do
  case $v in RETRACKER_*|FORWARDER_*|MAX_FORWARDER_*|QUEUE_*|RATE_LIMIT_*) unset "$v" ;; esac
done

[ -n "$OUT" ] || OUT="$ROOT/target/bench-results/$(date +%Y%m%d-%H%M%S)"
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
RESULTS="$OUT/results.txt"
: >"$RESULTS"
say() { echo "$*" | tee -a "$RESULTS"; }

# ---- processes -------------------------------------------------------------------------------

WRAPPERS=()   # pids of the timeout processes this script started
cleanup() {
  local pid
  [ -z "${CURRENT_LOAD:-}" ] || kill -TERM "$CURRENT_LOAD" 2>/dev/null || true
  for pid in "${WRAPPERS[@]}"; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in "${WRAPPERS[@]}"; do
    for _ in 1 2 3 4 5 6 7 8 9 10; do kill -0 "$pid" 2>/dev/null || break; sleep 0.3; done
    kill -KILL "$pid" 2>/dev/null || true
  done
  if [ -n "${OT_DIR:-}" ] && [ -d "$OT_DIR" ]; then rm -rf "$OT_DIR"; fi
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

stop() {
  local wrapper=$1
  kill -TERM "$wrapper" 2>/dev/null || true
  for _ in $(seq 1 30); do kill -0 "$wrapper" 2>/dev/null || return 0; sleep 0.2; done
  kill -KILL "$wrapper" 2>/dev/null || true
}

port_free() {
  [ -z "$(ss -Hlnt "sport = :$1" 2>/dev/null)" ] && [ -z "$(ss -Hlnu "sport = :$1" 2>/dev/null)" ]
}

# lanes_for PEERS BASE: the sockets (or connections) to use: BASE, unless the peers need more source
# addresses than BASE is a multiple of. The generator gives the peers ceil(PEERS / 65535) addresses
# rounded up to a multiple of 16 (see Workload), and lanes that are a multiple of that keep every
# peer's address and port the same whatever the mode: a UDP prefill is re-announced over HTTP.
lanes_for() {
  local peers=$1 base=$2 sources
  sources=$(( (peers + 65534) / 65535 ))
  sources=$(( (sources + 15) / 16 * 16 ))
  [ "$sources" -le 254 ] || die "$peers peers need more than 254 source addresses (at most $((254 * 65535)) peers)"
  if [ $(( base % sources )) = 0 ]; then echo "$base"; else echo "$sources"; fi
}

# the generator's JVM: a fixed young generation, touched at start-up, so that the datagrams' short-lived
# objects reuse the same pages instead of faulting fresh ones in during the measurement
LOAD_JVM=(-Xms512m -Xmx2g -Xmn64m -XX:+AlwaysPreTouch)

# run_load LOG LIMIT ARGS...: runs the generator pinned to its cores, bounded in time, and sets R to
# its RESULT line ('' if it printed none). In the background with wait, so that a signal to this
# script is handled at once and the trap stops the generator too.
R=""
CURRENT_LOAD=""
run_load() {
  local log=$1 limit=$2
  shift 2
  timeout --kill-after=5 "$limit" "${LOAD_PIN[@]}" \
    "$JAVA" "${GEN_JFLAGS[@]}" "${LOAD_JVM[@]}" -jar "$BENCH_JAR" load --threads "$LOAD_THREADS" "$@" \
    >"$OUT/.result" 2>>"$log" &
  CURRENT_LOAD=$!
  wait "$CURRENT_LOAD" || true
  CURRENT_LOAD=""
  R=$(grep '^RESULT' "$OUT/.result" || true)
  rm -f "$OUT/.result"
}

# mode_args MODE PORT PEERS [WINDOW]: the generator's target and lanes for a mode
mode_args() {
  local mode=$1 port=$2 peers=$3 window=${4:-} udp_lanes http_lanes
  udp_lanes=$(lanes_for "$peers" 16)
  http_lanes=$(lanes_for "$peers" 64)
  # by default the same datagrams in flight (128) whatever the number of sockets: opentracker keeps
  # the kernel's default receive buffer, which more would overflow
  if [ -z "$window" ]; then
    window=$(( 128 / udp_lanes )); [ "$window" -ge 1 ] || window=1
  fi
  case $mode in
    udp) echo "--target udp://127.0.0.1:$port --sockets $udp_lanes --window $window" ;;
    http) echo "--target http://127.0.0.1:$port --connections $http_lanes" ;;
    http-close) echo "--target http://127.0.0.1:$port --connections $http_lanes --connection-per-request" ;;
  esac
}

# waits until a tracker answers a BEP 15 announce for the workload's first torrent
await_ready() {
  local port=$1 name=$2 wrapper=$3 deadline=$((SECONDS + 60)) r
  while [ "$SECONDS" -lt "$deadline" ]; do
    kill -0 "$wrapper" 2>/dev/null || die "$name exited; see $OUT/$name.log"
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      run_load "$OUT/probe.log" 20 --target "udp://127.0.0.1:$port" --insert-only --torrents 1 --peers 1 \
        --sockets 1 --duration 5s --timeout 500ms --seed "$SEED"
      r=$R
      case $r in *" errors=0 "*) return 0 ;; esac
    fi
    sleep 0.5
  done
  die "$name did not answer on 127.0.0.1:$port within 60 s; see $OUT/$name.log"
}

LIFETIME=$((6 * 3600)) # no tracker outlives a run by more than this, whatever happens to the script

# start_retracker PORT LOGNAME: sets TRACKER_WRAPPER and TRACKER_PID
start_retracker() {
  local port=$1 name=$2
  port_free "$port" || die "port $port is in use on this machine: choose another with --port"
  timeout --kill-after=10 "$LIFETIME" "${TRACKER_PIN[@]}" \
    "$JAVA" "${JFLAGS[@]}" -Xmx"$HEAP" -jar "$JAR" -c '' -l "127.0.0.1:$port" -u "127.0.0.1:$port" \
    --io-threads 1 -s 0 >"$OUT/$name.log" 2>&1 &
  TRACKER_WRAPPER=$!
  WRAPPERS+=("$TRACKER_WRAPPER")
  TRACKER_PID=$(child_of "$TRACKER_WRAPPER") || die "retracker did not start; see $OUT/$name.log"
  await_ready "$port" "$name" "$TRACKER_WRAPPER"
}

OT_DIR=""
# start_opentracker PORT LOGNAME TORRENTS: sets TRACKER_WRAPPER and TRACKER_PID
start_opentracker() {
  local port=$1 name=$2 torrents=$3
  port_free "$port" || die "port $port is in use on this machine: choose another with --port"
  # Debian's build serves whitelisted info hashes only; as root it chroots into tracker.rootdir and
  # becomes tracker.user, so the directory and the list must be readable by nobody
  [ -n "$OT_DIR" ] || OT_DIR=$(mktemp -d /tmp/retracker-bench-opentracker.XXXXXX)
  chmod 755 "$OT_DIR"
  if [ ! -f "$OT_DIR/whitelist.txt" ] || [ "$(wc -l <"$OT_DIR/whitelist.txt")" -lt "$torrents" ]; then
    timeout 300 "$JAVA" "${GEN_JFLAGS[@]}" -jar "$BENCH_JAR" load --write-whitelist "$OT_DIR/whitelist.txt" \
      --torrents "$torrents" --seed "$SEED" 2>>"$OUT/probe.log" || die "could not write the whitelist"
    chmod 644 "$OT_DIR/whitelist.txt"
  fi
  cat >"$OT_DIR/opentracker.conf" <<EOF
# written by scripts/bench.sh
listen.tcp_udp 127.0.0.1:$port
access.whitelist whitelist.txt
tracker.rootdir $OT_DIR
tracker.user nobody
EOF
  timeout --kill-after=10 "$LIFETIME" "${TRACKER_PIN[@]}" \
    opentracker -f "$OT_DIR/opentracker.conf" >"$OUT/$name.log" 2>&1 &
  TRACKER_WRAPPER=$!
  WRAPPERS+=("$TRACKER_WRAPPER")
  TRACKER_PID=$(child_of "$TRACKER_WRAPPER") || die "opentracker did not start; see $OUT/$name.log"
  await_ready "$port" "$name" "$TRACKER_WRAPPER"
}

start_tracker() { # NAME PORT LOGNAME TORRENTS
  case $1 in
    retracker) start_retracker "$2" "$3" ;;
    opentracker) start_opentracker "$2" "$3" "$4" ;;
  esac
}

port_of() { case $1 in retracker) echo "$PORT" ;; opentracker) echo $((PORT + 1)) ;; reflector) echo $((PORT + 2)) ;; esac; }

rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }

field() { # RESULT-LINE KEY
  local v
  v=$(tr ' ' '\n' <<<"$1" | awk -F= -v k="$2" '$1 == k { print $2 }')
  echo "${v:--}"
}

median() { sort -n | awk '{ a[NR] = $1 } END { if (NR == 0) print "-"; else if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "-" || b == "-" || b == 0) print "-"; else printf "%.2f", a / b }'; }

prefill() { # NAME PORT PEERS TORRENTS PID
  local mode_udp r
  mode_udp=$(mode_args udp "$2" "$3")
  # shellcheck disable=SC2086
  run_load "$OUT/load.log" 900 $mode_udp --insert-only --peers "$3" --torrents "$4" --zipf "$ZIPF" \
    --duration 800s --seed "$SEED" --watch-pid "$5"
  r=$R
  echo "prefill $1 peers=$3 torrents=$4 $r" >>"$RESULTS"
  case $r in *" errors=0 "*) ;; *) echo "bench: prefill of $1 was not clean: $r" >&2 ;; esac
}

# ---- the machine ------------------------------------------------------------------------------

say "# retracker benchmark $(date -u +%Y-%m-%dT%H:%M:%SZ)"
say "# machine: $CORES cores, $(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo), kernel $(uname -r)"
say "# jdk: $("$JAVA" -version 2>&1 | head -1); opentracker: $(dpkg-query -W -f '${Version}' opentracker 2>/dev/null || echo -)"
say "# load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
say "# workload: $PEERS peers over $TORRENTS torrents (zipf $ZIPF), numwant 30, 1% scrapes; runs of $DURATION after $WARMUP, x$REPEAT; prefill $([ "$PREFILL" = 1 ] && echo on || echo off)"
say "# pinned: $([ "$PIN" = 1 ] && echo "tracker on core $TRACKER_CPU, generator on core(s) $LOAD_CPUS" || echo no)"
say "# out: $OUT"

RUN_LIMIT=$(( $(seconds "$DURATION") + $(seconds "$WARMUP") + 90 ))
declare -A RPS P50 P99 CPU ERR GEN

# ---- throughput -----------------------------------------------------------------------------

if phase throughput; then
  declare -A PIDS WRAP
  for t in "${TRACKER_LIST[@]}"; do
    start_tracker "$t" "$(port_of "$t")" "$t" "$TORRENTS"
    PIDS[$t]=$TRACKER_PID
    WRAP[$t]=$TRACKER_WRAPPER
    [ "$PREFILL" = 0 ] || prefill "$t" "$(port_of "$t")" "$PEERS" "$TORRENTS" "$TRACKER_PID"
    # JVM warm-up (and the same for opentracker): every mode once, not counted
    for m in "${MODE_LIST[@]}"; do
      # shellcheck disable=SC2046
      run_load "$OUT/load.log" $(( $(seconds "$JVM_WARMUP") + 90 )) $(mode_args "$m" "$(port_of "$t")" "$PEERS") \
        --peers "$PEERS" --torrents "$TORRENTS" --zipf "$ZIPF" --duration "$JVM_WARMUP" --warmup 0s --seed "$SEED"
      r=$R
      echo "warmup $t $m $r" >>"$RESULTS"
    done
  done
  for rep in $(seq 1 "$REPEAT"); do
    for t in "${TRACKER_LIST[@]}"; do
      for m in "${MODE_LIST[@]}"; do
        # shellcheck disable=SC2046
        run_load "$OUT/load.log" "$RUN_LIMIT" $(mode_args "$m" "$(port_of "$t")" "$PEERS") \
          --peers "$PEERS" --torrents "$TORRENTS" --zipf "$ZIPF" --duration "$DURATION" --warmup "$WARMUP" \
          --seed "$SEED" --watch-pid "${PIDS[$t]}"
        r=$R
        [ -n "$r" ] || r="RESULT missing (see $OUT/load.log)"
        say "run $rep $t $m $r"
      done
    done
  done
  for t in "${TRACKER_LIST[@]}"; do
    for m in "${MODE_LIST[@]}"; do
      RPS[$t,$m]=$(grep "^run [0-9]* $t $m " "$RESULTS" | while read -r line; do field "$line" responses_per_s; done | median)
      P50[$t,$m]=$(grep "^run [0-9]* $t $m " "$RESULTS" | while read -r line; do field "$line" p50_us; done | median)
      P99[$t,$m]=$(grep "^run [0-9]* $t $m " "$RESULTS" | while read -r line; do field "$line" p99_us; done | median)
      CPU[$t,$m]=$(grep "^run [0-9]* $t $m " "$RESULTS" | while read -r line; do field "$line" target_cpu_us_per_response; done | median)
      GEN[$t,$m]=$(grep "^run [0-9]* $t $m " "$RESULTS" | while read -r line; do field "$line" load_cpu_pct; done | median)
      ERR[$t,$m]=$(grep "^run [0-9]* $t $m " "$RESULTS" | while read -r line; do field "$line" errors; done | awk '{ s += $1 } END { print s + 0 }')
    done
    stop "${WRAP[$t]}"
  done
  sleep 1
fi

# ---- the generator's ceiling ------------------------------------------------------------------

if phase reflector; then
  rport=$(port_of reflector)
  port_free "$rport" || die "port $rport is in use: choose another with --port"
  # --busy-poll: the reflector's loop polls epoll while requests keep coming instead of sleeping
  # between them, so that the generator's sends do not pay for waking it (a loaded tracker does not
  # sleep either); its own CPU use is then near 100 % and says nothing
  timeout --kill-after=5 $(( RUN_LIMIT * REPEAT * ${#MODE_LIST[@]} + 60 )) "${TRACKER_PIN[@]}" \
    "$JAVA" "${GEN_JFLAGS[@]}" -jar "$BENCH_JAR" reflector --udp "127.0.0.1:$rport" --http "127.0.0.1:$rport" \
    --peers 30 --busy-poll >"$OUT/reflector.log" 2>&1 &
  w=$!
  WRAPPERS+=("$w")
  rpid=$(child_of "$w") || die "the reflector did not start"
  for _ in $(seq 1 100); do grep -q '^reflector' "$OUT/reflector.log" && break; sleep 0.1; done
  # JVM warm-up of the reflector, as for the trackers: without it the reflector's JIT compiles on
  # its core during the measured runs, and the ceiling came out below the rate retracker reached
  for m in "${MODE_LIST[@]}"; do
    # shellcheck disable=SC2046
    run_load "$OUT/load.log" $(( $(seconds "$JVM_WARMUP") + 90 )) $(mode_args "$m" "$rport" "$PEERS") \
      --peers "$PEERS" --torrents "$TORRENTS" --zipf "$ZIPF" --duration "$JVM_WARMUP" --warmup 0s --seed "$SEED"
    r=$R
    echo "warmup reflector $m $r" >>"$RESULTS"
  done
  for rep in $(seq 1 "$REPEAT"); do
    for m in "${MODE_LIST[@]}"; do
      # shellcheck disable=SC2046
      run_load "$OUT/load.log" "$RUN_LIMIT" $(mode_args "$m" "$rport" "$PEERS") \
        --peers "$PEERS" --torrents "$TORRENTS" --zipf "$ZIPF" --duration "$DURATION" --warmup "$WARMUP" \
        --seed "$SEED" --watch-pid "$rpid"
      r=$R
      [ -n "$r" ] || r="RESULT missing (see $OUT/load.log)"
      say "run $rep reflector $m $r"
    done
  done
  stop "$w"
  for m in "${MODE_LIST[@]}"; do
    RPS[reflector,$m]=$(grep "^run [0-9]* reflector $m " "$RESULTS" | while read -r line; do field "$line" responses_per_s; done | median)
    GEN[reflector,$m]=$(grep "^run [0-9]* reflector $m " "$RESULTS" | while read -r line; do field "$line" load_cpu_pct; done | median)
    CPU[load,$m]=$(grep "^run [0-9]* reflector $m " "$RESULTS" | while read -r line; do field "$line" load_cpu_us_per_response; done | median)
  done
fi

# ---- scale: many more peers -------------------------------------------------------------------

if phase scale; then
  # retracker alone, whose receive buffer (4 MiB) takes more datagrams in flight than opentracker's:
  # with the many sockets the larger count needs, one request each would leave every batch small
  SCALE_WINDOW=4
  scale_torrents=$(awk -v t="$TORRENTS" -v p="$PEERS" -v s="$SCALE" 'BEGIN { printf "%d", t * s / p }')
  # the lanes the larger count needs serve both runs, so only the number of peers differs
  for n in "$PEERS" "$SCALE"; do
    nt=$([ "$n" = "$PEERS" ] && echo "$TORRENTS" || echo "$scale_torrents")
    start_retracker "$PORT" "retracker-scale-$n"
    prefill retracker "$PORT" "$n" "$nt" "$TRACKER_PID"
    for m in "${MODE_LIST[@]}"; do
      [ "$m" = http-close ] && continue
      # shellcheck disable=SC2046
      run_load "$OUT/load.log" $(( $(seconds "$JVM_WARMUP") + 90 )) $(mode_args "$m" "$PORT" "$SCALE" "$SCALE_WINDOW") \
        --peers "$n" --torrents "$nt" --zipf "$ZIPF" --duration "$JVM_WARMUP" --warmup 0s --seed "$SEED"
      r=$R
      for rep in $(seq 1 "$REPEAT"); do
        # shellcheck disable=SC2046
        run_load "$OUT/load.log" "$RUN_LIMIT" $(mode_args "$m" "$PORT" "$SCALE" "$SCALE_WINDOW") \
          --peers "$n" --torrents "$nt" --zipf "$ZIPF" --duration "$DURATION" --warmup "$WARMUP" \
          --seed "$SEED" --watch-pid "$TRACKER_PID"
        r=$R
        say "scale $rep $n $m $r"
      done
    done
    say "scale rss $n peers: $(rss_kb "$TRACKER_PID") kB"
    stop "$TRACKER_WRAPPER"
    sleep 1
  done
fi

# ---- memory per peer --------------------------------------------------------------------------

declare -A MEM_RAW MEM_GC
if phase memory; then
  mem_lanes=$(lanes_for "$MEM_PEERS" 16)
  for t in "${TRACKER_LIST[@]}"; do
    port=$(port_of "$t")
    start_tracker "$t" "$port" "$t-memory" "$MEM_TORRENTS"
    # warm up with a few peers, so what follows measures the peers, not the first use of the heap
    # shellcheck disable=SC2046
    run_load "$OUT/load.log" 120 $(mode_args udp "$port" "$MEM_PEERS") --peers 1000 --torrents 100 \
      --duration 10s --warmup 0s --seed "$SEED"
    r=$R
    echo "memory-warmup $t $r" >>"$RESULTS"
    [ "$t" != retracker ] || "$JCMD" "$TRACKER_PID" GC.run >/dev/null 2>&1 || true
    sleep 2
    before=$(rss_kb "$TRACKER_PID")
    # shellcheck disable=SC2046
    run_load "$OUT/load.log" 900 $(mode_args udp "$port" "$MEM_PEERS") --insert-only \
      --peers "$MEM_PEERS" --torrents "$MEM_TORRENTS" --zipf "$ZIPF" --duration 800s --seed "$SEED" \
      --watch-pid "$TRACKER_PID"
    r=$R
    sleep 2
    after=$(rss_kb "$TRACKER_PID")
    MEM_RAW[$t]=$(awk -v a="$after" -v b="$before" -v n="$MEM_PEERS" 'BEGIN { printf "%.1f", (a - b) * 1024 / n }')
    line="memory $t peers=$MEM_PEERS torrents=$MEM_TORRENTS rss_before_kb=$before rss_after_kb=$after bytes_per_peer=${MEM_RAW[$t]}"
    if [ "$t" = retracker ]; then
      "$JCMD" "$TRACKER_PID" GC.run >/dev/null 2>&1 || true
      sleep 2
      gc=$(rss_kb "$TRACKER_PID")
      MEM_GC[$t]=$(awk -v a="$gc" -v b="$before" -v n="$MEM_PEERS" 'BEGIN { printf "%.1f", (a - b) * 1024 / n }')
      line="$line rss_after_gc_kb=$gc bytes_per_peer_after_gc=${MEM_GC[$t]}"
    fi
    say "$line insert: $r"
    stop "$TRACKER_WRAPPER"
    sleep 1
  done
fi

# ---- summary ----------------------------------------------------------------------------------

say "# load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
say ""
if phase throughput || phase reflector; then
  say "== throughput: median of $REPEAT runs of $DURATION =="
  say "   rate in responses/s; latency p50/p99 in us; the tracker's CPU time per response in us; the"
  say "   generator's CPU use (near 100% means the generator, not the tracker, set the rate)"
  printf '%-11s %-38s %-38s %-6s %s\n' mode retracker opentracker ratio "reflector (generator ceiling)" | tee -a "$RESULTS"
  for m in "${MODE_LIST[@]}"; do
    cell() { echo "${RPS[$1,$m]:--} (${P50[$1,$m]:--}/${P99[$1,$m]:--}, ${CPU[$1,$m]:--}us, gen ${GEN[$1,$m]:--}%)"; }
    printf '%-11s %-38s %-38s %-6s %s\n' "$m" "$(cell retracker)" "$(cell opentracker)" \
      "$(ratio "${RPS[retracker,$m]:--}" "${RPS[opentracker,$m]:--}")" \
      "${RPS[reflector,$m]:--} (generator ${CPU[load,$m]:--}us/response, ${GEN[reflector,$m]:--}%)" | tee -a "$RESULTS"
  done
  for m in "${MODE_LIST[@]}"; do
    say "SUMMARY throughput mode=$m retracker_rps=${RPS[retracker,$m]:--} opentracker_rps=${RPS[opentracker,$m]:--} ratio=$(ratio "${RPS[retracker,$m]:--}" "${RPS[opentracker,$m]:--}") retracker_p50_us=${P50[retracker,$m]:--} retracker_p99_us=${P99[retracker,$m]:--} opentracker_p50_us=${P50[opentracker,$m]:--} opentracker_p99_us=${P99[opentracker,$m]:--} retracker_cpu_us=${CPU[retracker,$m]:--} opentracker_cpu_us=${CPU[opentracker,$m]:--} cpu_ratio=$(ratio "${CPU[opentracker,$m]:--}" "${CPU[retracker,$m]:--}") retracker_errors=${ERR[retracker,$m]:--} opentracker_errors=${ERR[opentracker,$m]:--} generator_cpu_pct_retracker=${GEN[retracker,$m]:--} generator_cpu_pct_opentracker=${GEN[opentracker,$m]:--} reflector_rps=${RPS[reflector,$m]:--}"
  done
fi
if phase scale; then
  for m in "${MODE_LIST[@]}"; do
    [ "$m" = http-close ] && continue
    small=$(grep "^scale [0-9]* $PEERS $m " "$RESULTS" | while read -r line; do field "$line" responses_per_s; done | median)
    large=$(grep "^scale [0-9]* $SCALE $m " "$RESULTS" | while read -r line; do field "$line" responses_per_s; done | median)
    say "SUMMARY scale mode=$m peers=$PEERS rps=$small peers=$SCALE rps=$large ratio=$(ratio "$large" "$small")"
  done
fi
if phase memory; then
  say "SUMMARY memory peers=$MEM_PEERS torrents=$MEM_TORRENTS retracker_bytes_per_peer=${MEM_RAW[retracker]:--} retracker_bytes_per_peer_after_gc=${MEM_GC[retracker]:--} opentracker_bytes_per_peer=${MEM_RAW[opentracker]:--} ratio=$(ratio "${MEM_RAW[retracker]:--}" "${MEM_RAW[opentracker]:--}") ratio_after_gc=$(ratio "${MEM_GC[retracker]:--}" "${MEM_RAW[opentracker]:--}")"
fi
