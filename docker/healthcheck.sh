#!/usr/bin/env bash
# Container health probe: healthy when GET PATH on the tracker's HTTP listener answers 200.
#
#   healthcheck.sh [PATH [HOST:PORT]]     PATH defaults to /health
#
# Without HOST:PORT the address comes from RETRACKER_LISTEN (default :6969); a listener on every
# interface (:6969, 0.0.0.0:6969, [::]:6969) is probed on loopback. It uses bash's /dev/tcp, so the
# runtime image needs neither curl nor wget.
set -euo pipefail

path=${1:-/health}
listen=${2:-${RETRACKER_LISTEN-:6969}}
if [ -z "$listen" ]; then
  echo "unhealthy: HTTP is off (RETRACKER_LISTEN is empty)" >&2
  exit 1
fi
port=${listen##*:}
host=${listen%:*}
host=${host#[}
host=${host%]}
case $host in
  '' | 0.0.0.0) host=127.0.0.1 ;;
  :: ) host=::1 ;;
esac

if ! { exec 3<>"/dev/tcp/$host/$port"; } 2>/dev/null; then
  echo "unhealthy: cannot connect to $host port $port" >&2
  exit 1
fi
printf 'GET %s HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n' "$path" >&3
status=
IFS= read -r -t 5 status <&3 || true
status=${status%$'\r'}
case $status in
  'HTTP/1.'?' 200'*) exit 0 ;;
esac
echo "unhealthy: GET $path from $host port $port: ${status:-no reply}" >&2
exit 1
