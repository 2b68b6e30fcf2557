package org.retracker.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.InstantSource;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.retracker.core.AnnounceService;
import org.retracker.core.TrackerPolicy;
import org.retracker.it.NettyLeakCheck;
import org.retracker.swarm.SwarmStore;
import org.retracker.transport.ServerOptions;
import org.retracker.transport.TrackerServer;
import picocli.CommandLine;

/**
 * The benchmark tools work: short, bounded runs of the load generator on loopback against an
 * in-process retracker (UDP, HTTP keep-alive, HTTP with a connection per request, insert-only) and
 * against the reflector, each answered without a single error and summed up in a {@code RESULT} line
 * that parses. Not a measurement: the rates are not checked.
 */
@ExtendWith(NettyLeakCheck.class)
@Timeout(60)
class LoadGeneratorSmokeTest {
    /** Small enough to generate in milliseconds, big enough for several swarms per lane. */
    private static final String[] WORKLOAD = {
        "--duration",
        "1s",
        "--warmup",
        "200ms",
        "--torrents",
        "500",
        "--peers",
        "4000",
        "--sockets",
        "4",
        "--connections",
        "4",
        "--timeout",
        "2s"
    };

    private static final InetAddress LOOPBACK = ipv4Loopback();

    private SwarmStore store;
    private TrackerServer tracker;

    @BeforeEach
    void startTracker() throws InterruptedException {
        store = new SwarmStore(InstantSource.system());
        tracker = TrackerServer.start(
                ServerOptions.loopback("127.0.0.1"), new AnnounceService(TrackerPolicy.defaults(), store));
    }

    @AfterEach
    void stopTracker() {
        tracker.close();
    }

    private static InetAddress ipv4Loopback() {
        try {
            return InetAddress.getByAddress(new byte[] {127, 0, 0, 1});
        } catch (UnknownHostException e) {
            throw new AssertionError(e); // four bytes are always an address
        }
    }

    /** Runs the generator with the smoke workload against {@code target}; also used by ReflectorWireTest. */
    static LoadGenerator.Result load(String target, String... extra) throws InterruptedException {
        String[] args = new String[WORKLOAD.length + extra.length + 2];
        args[0] = "--target";
        args[1] = target;
        System.arraycopy(WORKLOAD, 0, args, 2, WORKLOAD.length);
        System.arraycopy(extra, 0, args, 2 + WORKLOAD.length, extra.length);
        LoadGenerator generator = new LoadGenerator();
        new CommandLine(generator).setOverwrittenOptionsAllowed(true).parseArgs(args);
        return generator.run();
    }

    /** {@code RESULT k=v k=v ...} as a map, checking the shape of every field. */
    private static Map<String, String> parse(String line) {
        assertThat(line).startsWith("RESULT ").doesNotContain("\n");
        Map<String, String> fields = new LinkedHashMap<>();
        for (String field : line.substring("RESULT ".length()).split(" ", -1)) {
            int eq = field.indexOf('=');
            assertThat(eq).as(field).isPositive();
            assertThat(fields.put(field.substring(0, eq), field.substring(eq + 1)))
                    .as("duplicate " + field)
                    .isNull();
        }
        assertThat(fields.keySet()).startsWith("target", "mode", "responses_per_s", "errors", "p50_us", "p99_us");
        for (String numeric : new String[] {"responses_per_s", "errors", "p50_us", "p99_us", "responses"}) {
            assertThat(Long.parseLong(Objects.requireNonNull(fields.get(numeric))))
                    .isNotNegative();
        }
        return fields;
    }

    private static Map<String, String> assertClean(LoadGenerator.Result result, String target, String mode) {
        Map<String, String> fields = parse(result.line());
        assertThat(fields).containsEntry("target", target).containsEntry("mode", mode);
        assertThat(result.total().responses()).isPositive();
        assertThat(result.errors()).as(result.line()).isZero();
        assertThat(fields).containsEntry("errors", "0");
        assertThat(Long.parseLong(Objects.requireNonNull(fields.get("responses_per_s"))))
                .isPositive();
        return fields;
    }

    private String udpTarget() {
        return "udp://127.0.0.1:" + Objects.requireNonNull(tracker.udpAddress()).getPort();
    }

    private String httpTarget() {
        return "http://127.0.0.1:"
                + Objects.requireNonNull(tracker.httpAddress()).getPort();
    }

    @Test
    void udpAnnouncesAndScrapesAgainstRetrackerAreAllAnswered() throws Exception {
        long self = ProcessHandle.current().pid();

        LoadGenerator.Result result = load(udpTarget(), "--scrape-pct", "10", "--watch-pid", Long.toString(self));

        Map<String, String> fields = assertClean(result, "udp", "udp");
        assertThat(result.total().announces).isPositive();
        assertThat(result.total().scrapes).isPositive();
        assertThat(fields).containsKeys("load_cpu_pct", "target_cpu_pct", "target_cpu_us_per_response");
    }

    @Test
    void udpWithoutGsoSendsOneDatagramPerRequest() throws Exception {
        LoadGenerator.Result result = load(udpTarget(), "--no-gso", "--scrape-pct", "10");

        assertClean(result, "udp", "udp");
        assertThat(result.total().announces).isPositive();
    }

    @Test
    void rateCapsTheRequestsOfEveryLaneTogether() throws Exception {
        LoadGenerator.Result udp = load(udpTarget(), "--rate", "200", "--warmup", "0s", "--duration", "2s");
        LoadGenerator.Result http = load(httpTarget(), "--rate", "200", "--warmup", "0s", "--duration", "2s");

        // 2 s at 200/s, plus at most one tick's burst (20) and the first connects
        assertClean(udp, "udp", "udp");
        assertThat(udp.total().responses()).isBetween(100L, 2 * 200L + 20 + 4);
        assertClean(http, "http", "keepalive");
        assertThat(http.total().responses()).isBetween(100L, 2 * 200L + 20);
    }

    /**
     * Churn on the wire: 40 slots, so that each announces several times even on a busy machine, and
     * half of a present peer's announces end its identity. What churn does to identities is checked
     * without sockets in {@code BenchPartsTest}; here every reply to it must be valid.
     */
    @Test
    void churnedPeersStopStartAndVanishWithEveryReplyValid() throws Exception {
        LoadGenerator.Result result = load(udpTarget(), "--peers", "40", "--churn-pct", "50", "--duration", "2s");

        assertClean(result, "udp", "udp");
        assertThat(result.total().announces).isGreaterThan(40);
        assertThat(store.peerCount()).as(store.totals().toString()).isPositive();
    }

    @Test
    void httpKeepAliveAgainstRetrackerKeepsItsConnections() throws Exception {
        LoadGenerator.Result result = load(httpTarget(), "--scrape-pct", "10");

        Map<String, String> fields = assertClean(result, "http", "keepalive");
        assertThat(result.total().scrapes).isPositive();
        assertThat(fields).containsEntry("reconnects", "0");
    }

    @Test
    void httpWithAConnectionPerRequestAgainstRetracker() throws Exception {
        LoadGenerator.Result result = load(httpTarget(), "--connection-per-request");

        assertClean(result, "http", "per-request");
    }

    @Test
    void insertOnlyAnnouncesEveryPeerExactlyOnce() throws Exception {
        LoadGenerator.Result result = load(udpTarget(), "--insert-only", "--duration", "20s");

        assertClean(result, "udp", "udp-insert");
        assertThat(result.total().announces).isEqualTo(4000);
        assertThat(store.peerCount())
                .as(store.totals() + " after " + result.line())
                .isEqualTo(4000);
    }

    @Test
    void theReflectorAnswersBothProtocolsWithValidReplies() throws Exception {
        InetSocketAddress any = new InetSocketAddress(LOOPBACK, 0);
        try (Reflector.Running reflector = Reflector.start(any, any, 1, 30)) {
            int udpPort = Objects.requireNonNull(reflector.udpAddress()).getPort();
            int httpPort = Objects.requireNonNull(reflector.httpAddress()).getPort();

            assertClean(load("udp://127.0.0.1:" + udpPort), "udp", "udp");
            assertClean(load("http://127.0.0.1:" + httpPort), "http", "keepalive");
            assertClean(load("http://127.0.0.1:" + httpPort, "--connection-per-request"), "http", "per-request");
        }
    }

    @Test
    void anUnansweredTargetCountsTimeoutsNotResponses() throws Exception {
        InetSocketAddress any = new InetSocketAddress(LOOPBACK, 0);
        int silent;
        try (Reflector.Running reflector = Reflector.start(any, null, 1, 0)) {
            silent = Objects.requireNonNull(reflector.udpAddress()).getPort();
        }

        LoadGenerator.Result result =
                load("udp://127.0.0.1:" + silent, "--timeout", "200ms", "--warmup", "0s", "--duration", "1s");

        Map<String, String> fields = parse(result.line());
        assertThat(result.total().responses()).isZero();
        assertThat(fields).containsKey("error_timeout");
        assertThat(result.errors()).isPositive();
    }

    @Test
    void onlyLoopbackTargetsAreAccepted() {
        assertThatThrownBy(() -> Target.parse("udp://192.0.2.1:6969"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("loopback");
        assertThatThrownBy(() -> Target.parse("https://127.0.0.1:443")).isInstanceOf(IllegalArgumentException.class);
        assertThat(Target.parse("http://127.0.0.1:6969/announce").address().getPort())
                .isEqualTo(6969);
    }
}
