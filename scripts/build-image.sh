#!/usr/bin/env bash
# Builds a self-contained runtime image of retracker: a Java runtime cut down with jlink to the
# modules the jar needs, the jar, and the launcher bin/retracker. The target host needs no JDK.
#
#   JAVA_FLAGS='...' scripts/build-image.sh JAR OUTPUT_DIR
#
# JAVA_FLAGS are the JVM flags the launcher passes (the Makefile's, the same as `make run`).
# `make image` runs this with target/retracker.jar and target/image; docker/Dockerfile runs
# `make image`. The JDK is $JAVA_HOME if it is 21+, else scripts/java-home.sh picks one.
# OUTPUT_DIR is replaced, but only when it is absent, empty or an image this script built.
set -euo pipefail

if [ $# -ne 2 ]; then
  echo "usage: JAVA_FLAGS='...' $0 JAR OUTPUT_DIR" >&2
  exit 2
fi
jar=$1
out=$2
if [ -z "${JAVA_FLAGS+set}" ]; then
  echo "$0: set JAVA_FLAGS to the JVM flags of the launcher (see the Makefile)" >&2
  exit 2
fi
[ -f "$jar" ] || { echo "$0: no jar at $jar (run make build)" >&2; exit 1; }

JAVA_HOME=$("$(dirname "$0")/java-home.sh")
for tool in jdeps jlink; do
  [ -x "$JAVA_HOME/bin/$tool" ] || { echo "$0: $JAVA_HOME has no bin/$tool: a full JDK is needed" >&2; exit 1; }
done
feature=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$JAVA_HOME/release")

# What the jar's classes use, found by jdeps (optional dependencies of Netty and logback, such as
# tcnative, brotli or jakarta.mail, are absent and ignored). Typically java.base, java.logging,
# java.naming, java.xml, jdk.jfr (Netty's JFR events) and jdk.unsupported (sun.misc.Unsafe and
# sun.misc.Signal for SIGHUP). Added by hand: java.management, which Netty reads by reflection
# (the JVM's direct memory limit) and which jdeps cannot see. TLS (SunJSSE, SunEC) and the CA
# certificates (lib/security/cacerts, copied from this JDK) are part of java.base.
modules=$("$JAVA_HOME/bin/jdeps" --ignore-missing-deps --multi-release "$feature" --print-module-deps "$jar")
modules="$modules,java.management"

if [ -e "$out" ]; then
  if [ -n "$(ls -A "$out")" ] && ! { [ -f "$out/release" ] && [ -f "$out/bin/retracker" ]; }; then
    echo "$0: $out exists and is not a retracker image: not replacing it" >&2
    exit 1
  fi
  rm -rf "$out"
fi
mkdir -p "$(dirname "$out")"

# --strip-java-debug-attributes, not --strip-debug: that one also strips native libraries with
# objcopy (binutils), which is often missing, and the JDK's libraries are stripped already.
"$JAVA_HOME/bin/jlink" \
  --add-modules "$modules" \
  --strip-java-debug-attributes --no-header-files --no-man-pages --compress=zip-6 \
  --output "$out"
cp "$jar" "$out/lib/retracker.jar"

cat > "$out/bin/retracker" <<EOF
#!/bin/sh
# retracker on this image's own Java runtime; every argument goes to retracker (see --help).
# JDK_JAVA_OPTIONS adds JVM options, e.g. JDK_JAVA_OPTIONS=-Xmx512m.
home=\$(cd "\$(dirname "\$(readlink -f "\$0")")/.." && pwd)
exec "\$home/bin/java" $JAVA_FLAGS -jar "\$home/lib/retracker.jar" "\$@"
EOF
chmod 755 "$out/bin/retracker"

# The image must at least start: print the version with its own runtime.
version=$("$out/bin/retracker" --version)
echo "$version: $out ($(du -sh "$out" | cut -f1), modules $modules)"
