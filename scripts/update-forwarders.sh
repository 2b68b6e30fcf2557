#!/usr/bin/env bash
# Builds retracker's forwarders.yml (the external trackers announces are forwarded to) from
# tracker lists: one announce URL per line, from URLs (fetched with curl) or local files.
# Run with -h for usage. Needs bash 4+, coreutils, and curl when a source is a URL.
set -euo pipefail

prog=${0##*/}
root=$(cd "$(dirname "$0")/.." && pwd)
default_sources=(
  https://newtrackon.com/api/stable
  https://raw.githubusercontent.com/ngosang/trackerslist/master/trackers_best.txt
  https://trackerslist.com/best.txt
)
custom_list=$root/scripts/lists/_custom.txt
default_output=$root/configs/forwarders.yml

usage() {
  cat <<EOF
Usage: $prog [-o OUTPUT] [SOURCE...]

Builds a forwarders.yml for retracker from tracker lists. Each SOURCE is an http(s) URL
(fetched with curl) or a local file (- for standard input) with one announce URL per line;
blank lines and # comments are ignored, and a line may hold several URLs separated by commas
or spaces.

Without SOURCE, the public lists are used:
$(printf '  %s\n' "${default_sources[@]}")
plus scripts/lists/_custom.txt when it exists.

Only udp, http and https URLs are accepted (udp needs a port); they are kept as written (case,
path, passkey, query), only the scheme is written in lower case. One entry per host (compared
case-insensitively, port ignored): udp is preferred over https over http, otherwise the first
one seen wins. Entries keep the order in which their hosts first appear. Malformed and
unsupported URLs are skipped with a message on stderr.

The output is written atomically, and only when at least one entry was found.

Options:
  -o OUTPUT  file to write (default: configs/forwarders.yml in the repository)
  -h         print this help

Exit status: 0 written, 1 nothing usable found (the old file is kept), 2 usage error.
EOF
}

die_usage() {
  echo "$prog: $1" >&2
  echo "Try '$prog -h'." >&2
  exit 2
}

output=$default_output
for arg in "$@"; do
  case $arg in
    --help) usage; exit 0 ;;
    --) break ;;
  esac
done
while getopts ':o:h' opt; do
  case $opt in
    o) output=$OPTARG ;;
    h) usage; exit 0 ;;
    :) die_usage "option -$OPTARG needs an argument" ;;
    *) die_usage "unknown option -$OPTARG" ;;
  esac
done
shift $((OPTIND - 1))
[ -n "$output" ] || die_usage "empty output path"

if [ $# -gt 0 ]; then
  sources=("$@")
else
  sources=("${default_sources[@]}")
  if [ -f "$custom_list" ]; then sources+=("$custom_list"); fi
fi

tmpdir=$(mktemp -d "${TMPDIR:-/tmp}/update-forwarders.XXXXXX")
tmpout=""
cleanup() {
  rm -rf "$tmpdir"
  if [ -n "$tmpout" ]; then rm -f "$tmpout"; fi
}
trap cleanup EXIT

# Per host (lower case, no port): the URL kept, its scheme rank (udp 0, https 1, http 2).
declare -A best_url=() best_rank=()
hosts=()  # hosts in order of first appearance
lines=0 skipped=0 duplicates=0 failed=0

skip() {  # source, line number, reason
  echo "skipping $1:$2: $3" >&2
  skipped=$((skipped + 1))
}

# Validates one candidate URL; on success sets url_scheme, url_host, url_rank.
# On failure sets why and returns 1.
check_url() {
  local url=$1 authority host
  local re_url='^([A-Za-z][A-Za-z0-9+.-]*)://([^/?#]*)'
  local re_bad_char='[[:cntrl:]"<>\^`{|}]'
  local re_bad_percent='%([^0-9A-Fa-f]|.[^0-9A-Fa-f]|.?$)'
  local re_ipv6='^(\[[0-9A-Fa-f:.]+\])(:(.*))?$'
  local re_host_port='^([^:]*)(:(.*))?$'
  if [[ $url =~ [[:space:]] ]]; then why="space inside the URL: '$url'"; return 1; fi
  if [[ ! $url =~ $re_url ]]; then why="no scheme: '$url'"; return 1; fi
  url_scheme=${BASH_REMATCH[1],,}
  authority=${BASH_REMATCH[2]}
  case $url_scheme in
    udp) url_rank=0 ;;
    https) url_rank=1 ;;
    http) url_rank=2 ;;
    *) why="unsupported scheme $url_scheme (only udp, http, https): '$url'"; return 1 ;;
  esac
  if [[ $url =~ $re_bad_char ]]; then
    why="character not allowed in a URL: '$url'"; return 1
  fi
  if [[ $url =~ $re_bad_percent ]]; then
    why="bad percent-encoding: '$url'"; return 1
  fi
  authority=${authority##*@}  # user info, if any, is not part of the host
  local bracketed=0
  if [[ $authority =~ $re_ipv6 ]]; then
    bracketed=1
  elif [[ ! $authority =~ $re_host_port ]]; then
    why="bad host: '$url'"; return 1
  fi
  host=${BASH_REMATCH[1]}
  local has_port=${BASH_REMATCH[2]} port=${BASH_REMATCH[3]}
  if [ -z "$host" ]; then why="no host: '$url'"; return 1; fi
  if [ $bracketed = 0 ]; then
    local ipv4='^([0-9]+)\.([0-9]+)\.([0-9]+)\.([0-9]+)$'
    local name='^([A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?\.)*[A-Za-z]([A-Za-z0-9-]*[A-Za-z0-9])?\.?$'
    if [[ $host =~ $ipv4 ]]; then
      local i
      for i in 1 2 3 4; do
        if [ ${#BASH_REMATCH[i]} -gt 3 ] || [ $((10#${BASH_REMATCH[i]})) -gt 255 ]; then
          why="bad IPv4 address: '$url'"; return 1
        fi
      done
    elif [[ ! $host =~ $name ]]; then
      why="bad host '$host': '$url'"; return 1
    fi
  fi
  if [ -n "$has_port" ]; then
    if [[ ! $port =~ ^[0-9]{1,5}$ ]] || [ $((10#$port)) -lt 1 ] || [ $((10#$port)) -gt 65535 ]; then
      why="bad port '$port': '$url'"; return 1
    fi
  elif [ "$url_scheme" = udp ]; then
    why="udp URL without a port: '$url'"; return 1
  fi
  host=${host,,}
  url_host=${host%.}
}

add_url() {  # source, line number, url
  local url_scheme url_host url_rank why url
  if ! check_url "$3"; then skip "$1" "$2" "$why"; return; fi
  url=$url_scheme://${3#*://}  # the scheme in lower case, the rest as written
  if [ -z "${best_url[$url_host]+set}" ]; then
    hosts+=("$url_host")
    best_url[$url_host]=$url
    best_rank[$url_host]=$url_rank
  else
    duplicates=$((duplicates + 1))
    if [ "$url_rank" -lt "${best_rank[$url_host]}" ]; then
      best_url[$url_host]=$url
      best_rank[$url_host]=$url_rank
    fi
  fi
}

# Splits a line into URLs. Commas and whitespace separate URLs, but a piece that does not start
# with a scheme stays glued (with its separator) to the URL before it, so a URL with a comma in
# its query survives and one with a space inside is reported whole. A piece starting with # after
# whitespace starts a comment.
parse_line() {  # source, line number, line
  local rest=$3 piece sep prev_sep=" " item="" seen=0
  local re_piece='^([^[:space:],]*)([[:space:],]*)(.*)$'
  local re_scheme='^[A-Za-z][A-Za-z0-9+.-]*://'
  # a leading separator is dropped
  [[ $rest =~ ^[[:space:],]*(.*)$ ]] && rest=${BASH_REMATCH[1]}
  while [ -n "$rest" ]; do
    [[ $rest =~ $re_piece ]]
    piece=${BASH_REMATCH[1]} sep=${BASH_REMATCH[2]} rest=${BASH_REMATCH[3]}
    if [[ $piece == \#* && ( -z $item || $prev_sep =~ [[:space:]] ) ]]; then
      break
    fi
    if [ -z "$item" ]; then
      item=$piece
    elif [[ $piece =~ $re_scheme ]]; then
      add_url "$1" "$2" "$item"
      seen=1
      item=$piece
    else
      item+=$prev_sep$piece
    fi
    prev_sep=$sep
  done
  if [ -n "$item" ]; then
    add_url "$1" "$2" "$item"
    seen=1
  fi
  if [ $seen = 1 ]; then lines=$((lines + 1)); fi
}

read_source() {  # source name, file
  local n=0 line
  while IFS= read -r line || [ -n "$line" ]; do
    n=$((n + 1))
    if [ $n = 1 ]; then line=${line#$'\xef\xbb\xbf'}; fi
    parse_line "$1" "$n" "$line"
  done <"$2"
}

sources_read=0
for i in "${!sources[@]}"; do
  src=${sources[i]}
  case ${src,,} in
    http://* | https://*)
      file=$tmpdir/source-$i
      if ! command -v curl >/dev/null 2>&1; then
        echo "$prog: cannot fetch $src: curl is not installed" >&2
        failed=$((failed + 1)); continue
      fi
      if ! curl -fsSL --proto '=http,https' --connect-timeout 10 --max-time 30 --retry 1 \
          -A "retracker-update-forwarders" -o "$file" -- "$src"; then
        echo "$prog: cannot fetch $src (skipped)" >&2
        failed=$((failed + 1)); continue
      fi
      ;;
    -) file=/dev/stdin ;;
    *)
      file=$src
      if [ ! -f "$file" ] || [ ! -r "$file" ]; then
        echo "$prog: cannot read $src (skipped)" >&2
        failed=$((failed + 1)); continue
      fi
      ;;
  esac
  read_source "$src" "$file"
  sources_read=$((sources_read + 1))
done

summary="${#hosts[@]} entries from $lines lines, $skipped skipped, $duplicates duplicates"
if [ $failed -gt 0 ]; then summary+=", $failed of ${#sources[@]} sources unreadable"; fi

if [ ${#hosts[@]} -eq 0 ]; then
  echo "$prog: $summary: no usable tracker URL found, $output left unchanged" >&2
  exit 1
fi

outdir=$(dirname -- "$output")
mkdir -p -- "$outdir"
tmpout=$(mktemp "$outdir/.${output##*/}.XXXXXX")
{
  echo "# retracker forwarders: external trackers announces are forwarded to."
  echo "# Generated by scripts/update-forwarders.sh on $(date -u +%Y-%m-%dT%H:%M:%SZ); edits are"
  echo "# lost on the next run (put your own trackers in scripts/lists/_custom.txt)."
  echo "# Sources:"
  for src in "${sources[@]}"; do
    printf '#   %s\n' "${src//[[:cntrl:]]/?}"
  done
  # Always double-quoted, so that # and ": " cannot be misread; only \ and " need escaping
  # there, as URLs with control characters were rejected.
  for host in "${hosts[@]}"; do
    uri=${best_url[$host]//\\/\\\\}
    uri=${uri//\"/\\\"}
    printf -- '- uri: "%s"\n' "$uri"
  done
} >"$tmpout"
if [ -e "$output" ]; then
  chmod --reference="$output" -- "$tmpout" 2>/dev/null || chmod 644 -- "$tmpout"
else
  chmod "$(printf '%o' $((0666 & ~$(umask))))" -- "$tmpout"
fi
mv -f -- "$tmpout" "$output"
tmpout=""
echo "$prog: $summary; wrote $output" >&2
