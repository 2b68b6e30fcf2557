#!/usr/bin/env bash
# Prints a JDK home of version 21 or newer: $JAVA_HOME if it qualifies, else the newest under
# /usr/lib/jvm. Exits 1 with a hint when there is none. Used by the Makefile so that the README's
# commands work with nothing exported by hand.
set -euo pipefail
version_of() { "$1/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p'; }
ok() { [ -x "$1/bin/javac" ] && [ "$(version_of "$1")" -ge 21 ] 2>/dev/null; }
if [ -n "${JAVA_HOME:-}" ] && ok "$JAVA_HOME"; then echo "$JAVA_HOME"; exit 0; fi
best=""; best_v=0
for d in /usr/lib/jvm/*/; do
  d=${d%/}
  [ -L "$d" ] && continue
  ok "$d" || continue
  v=$(version_of "$d")
  if [ "$v" -gt "$best_v" ]; then best=$d; best_v=$v; fi
done
if [ -n "$best" ]; then echo "$best"; exit 0; fi
echo "no JDK 21+ found: install one (e.g. Temurin 25 at /usr/lib/jvm/temurin-25-jdk-amd64) or set JAVA_HOME" >&2
exit 1
