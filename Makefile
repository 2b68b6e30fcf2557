# retracker: the README's two commands are `make run` and `make test`.
# Every target finds a JDK 21+ by itself (scripts/java-home.sh): nothing needs exporting.

JAVA_HOME := $(shell scripts/java-home.sh)
export JAVA_HOME
MVN := ./mvnw -B -ntp
JAR := target/retracker.jar
IMAGE := target/image
BENCH_JAR := target/retracker-bench.jar
# Flags Netty needs on JDK 25 (see docs/ARCHITECTURE.md), and the collector: Serial with a 32 MiB
# young generation keeps resident memory near the live heap (docs/PERFORMANCE.md, "Resident
# memory and the collector"). The launcher, the Docker image and scripts/bench.sh use the same.
JAVA_FLAGS := --sun-misc-unsafe-memory-access=allow -Dio.netty.tryReflectionSetAccessible=true --enable-native-access=ALL-UNNAMED -XX:+UseSerialGC -Xmn32m
# Arguments for `make run`, e.g. make run ARGS="-l :8080 -u :8080 -d"
ARGS ?=
# Arguments for `make jmh` (JMH's own), e.g. make jmh JMH_ARGS="-f 1 -wi 3 -i 5 -w 2s -r 2s UdpBenchmark"
JMH_ARGS ?=
# Arguments for `make bench`, e.g. make bench BENCH_ARGS="--repeat 5 --duration 60s"
BENCH_ARGS ?=
# Arguments for `make soak`, e.g. make soak SOAK_ARGS="--duration 30m"
SOAK_ARGS ?=

.PHONY: run test build image dist jmh bench bench-build soak fmt fmt-check lint lint-fix check clean

## Build the runnable jar and start the tracker (HTTP and UDP on :6969 by default).
run: build
	exec $(JAVA_HOME)/bin/java $(JAVA_FLAGS) -jar $(JAR) $(ARGS)

## Run every test (unit, loopback integration, fuzz regression, real-client interop) and the gates.
test:
	$(MVN) verify

## Build target/retracker.jar without running tests.
build:
	$(MVN) -q -DskipTests package

## Build target/image: a jlink'd Java runtime with the jar and bin/retracker (no JDK needed to run it).
image: build
	JAVA_FLAGS='$(JAVA_FLAGS)' scripts/build-image.sh $(JAR) $(IMAGE)

## Pack the image as target/retracker-<version>-linux-<arch>.tar.gz (one top directory).
dist: image
	@set -e; \
	version=$$($(IMAGE)/bin/retracker --version | sed -n 's/^retracker //p'); \
	arch=$$(uname -m | sed 's/^x86_64$$/x64/'); \
	name=retracker-$$version-linux-$$arch; \
	tar -C target --transform "s,^image,$$name," --owner=0 --group=0 --numeric-owner \
	  -czf target/$$name.tar.gz image; \
	echo "target/$$name.tar.gz ($$(du -h target/$$name.tar.gz | cut -f1))"

## Build target/benchmarks.jar (profile jmh) and run the hot-path JMH benchmarks with -prof gc.
## Forked JVMs inherit these flags; Add-Opens is spelled out because forks do not read the manifest.
jmh:
	$(MVN) -q -Pjmh -Dmaven.test.skip=true package
	$(JAVA_HOME)/bin/java $(JAVA_FLAGS) --add-opens=java.base/java.nio=ALL-UNNAMED \
	  --add-opens=java.base/jdk.internal.misc=ALL-UNNAMED --add-opens=java.base/java.net=ALL-UNNAMED -jar target/benchmarks.jar -prof gc $(JMH_ARGS)

## Build target/retracker-bench.jar: the load generator and reflector (src/bench/java), not in the tracker jar.
bench-build:
	$(MVN) -q -Pbench -Dmaven.test.skip=true package

## retracker against opentracker on loopback: throughput (UDP, HTTP keep-alive, HTTP connection per
## request) and memory per peer; see docs/PERFORMANCE.md. Takes about 20 minutes with the defaults;
## BENCH_ARGS=--quick for a 3-minute check that everything runs.
bench: build bench-build
	JAVA_FLAGS='$(JAVA_FLAGS)' scripts/bench.sh $(BENCH_ARGS)

## Soak test: 10 minutes of mixed UDP/HTTP load with peer churn against retracker on loopback; fails on
## heap growth, a Netty leak report or any error; builds the jars when they are stale. See docs/SOAK.md.
soak:
	JAVA_FLAGS='$(JAVA_FLAGS)' scripts/soak.sh $(SOAK_ARGS)

fmt:
	$(MVN) -q spotless:apply

fmt-check:
	$(MVN) -q spotless:check

## Error Prone + NullAway run inside the compiler: lint is a compile of main and test code.
lint:
	$(MVN) -q -DskipTests test-compile

## Spotless fixes what it can; Error Prone findings need a hand.
lint-fix: fmt lint

check: fmt-check lint

clean:
	$(MVN) -q clean
