#!/usr/bin/env bash
# Container entrypoint: maps the Go retracker's environment variables to flags, then replaces
# itself with the launcher (exec), so the JVM is PID 1 and gets `docker stop`'s SIGTERM.
#
#   RETRACKER_CONFIG      -> -c FILE
#   RETRACKER_LISTEN      -> -l ADDR
#   RETRACKER_UDP_LISTEN  -> -u ADDR
#   RETRACKER_FORWARDS    -> -f FILE
#   RETRACKER_DEBUG       -> -d when true or 1 (any case, as retracker reads it)
#
# A variable that is set is passed even when empty: RETRACKER_UDP_LISTEN= gives -u '', UDP off.
# An unset one adds nothing. The container's arguments (docker run retracker -x -i 900) follow the
# mapped flags. A flag among the arguments wins over its variable, which is then not mapped:
# retracker refuses an option given twice. retracker reads these and every other RETRACKER_*
# variable itself too, with the same precedence (flag > environment > config file).
#
# RETRACKER_LAUNCHER names the launcher (tests use a fake one).
set -euo pipefail

launcher=${RETRACKER_LAUNCHER:-/opt/retracker/bin/retracker}
args=("$@")

# Whether the arguments already hold the option: -l, -lVALUE, -l:6969, a cluster of switches
# ending in it (-dxl), --listen or --listen=VALUE.
given() {
  local short=$1 long=$2 a
  for a in ${args[@]+"${args[@]}"}; do
    if [[ $a == "$long" || $a == "$long="* || $a =~ ^-[dxhv]*"$short" ]]; then
      return 0
    fi
  done
  return 1
}

flags=()
map() {
  local var=$1 short=$2 long=$3
  if [ -n "${!var+set}" ] && ! given "${short#-}" "$long"; then
    flags+=("$short" "${!var}")
  fi
}
map RETRACKER_CONFIG -c --config
map RETRACKER_LISTEN -l --listen
map RETRACKER_UDP_LISTEN -u --udp-listen
map RETRACKER_FORWARDS -f --forwards
debug=${RETRACKER_DEBUG-}
debug=${debug,,}
if [[ $debug =~ ^[[:space:]]*(true|1)[[:space:]]*$ ]] && ! given d --debug; then
  flags+=(-d)
fi

exec "$launcher" ${flags[@]+"${flags[@]}"} ${args[@]+"${args[@]}"}
