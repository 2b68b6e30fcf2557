package org.retracker.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.retracker.core.AnnounceService;
import org.retracker.core.TrackerPolicy;
import org.retracker.protocol.AnnounceEvent;
import org.retracker.swarm.SwarmStore;
import org.retracker.testing.RequiredTools;
import org.retracker.transport.ServerOptions;
import org.retracker.transport.TrackerServer;
import org.retracker.transport.TransportCounters;

/**
 * {@code src/bench/c/per-request-client.c}, the C client docs/PERFORMANCE.md uses to check the load
 * generator's connection-per-request ceiling, still compiles warning-free and gets valid announce
 * replies from retracker. Needs gcc ({@link RequiredTools#GCC}: skipped without it, failed under CI).
 */
@Timeout(60)
class PerRequestClientSmokeTest {
    private static final Path SOURCE = Path.of("src/bench/c/per-request-client.c");

    @Test
    void theCClientGetsAValidReplyOnEveryConnection(@TempDir Path dir) throws Exception {
        RequiredTools.require(RequiredTools.GCC);
        Path client = dir.resolve("per-request-client");
        Result compile = run(
                List.of("gcc", "-O2", "-Wall", "-Wextra", "-Werror", "-o", client.toString(), SOURCE.toString()), 60);
        assertThat(compile.exit()).as(compile.output()).isZero();

        TransportCounters counters = new TransportCounters();
        SwarmStore store = new SwarmStore(InstantSource.system());
        try (TrackerServer tracker = TrackerServer.start(
                ServerOptions.loopback("127.0.0.1"),
                new AnnounceService(TrackerPolicy.defaults(), store),
                counters,
                null)) {
            int port = Objects.requireNonNull(tracker.httpAddress()).getPort();
            Result load = run(List.of(client.toString(), Integer.toString(port), "4", "1"), 20);

            assertThat(load.exit()).as(load.output()).isZero();
            Map<String, String> result = parse(load.output());
            long responses = Long.parseLong(result.get("responses"));
            assertThat(result).containsEntry("errors", "0").containsEntry("mode", "per-request");
            assertThat(responses).isPositive();
            // every reply it counted was an announce the tracker took (none failed, none made up)
            assertThat(counters.announces(false, AnnounceEvent.NONE)).isGreaterThanOrEqualTo(responses);
        }
    }

    private record Result(int exit, String output) {}

    private static Result run(List<String> command, int seconds) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail(command.get(0) + " did not finish within " + seconds + " s");
        }
        return new Result(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    /** The RESULT line's key=value pairs. */
    private static Map<String, String> parse(String output) {
        Map<String, String> fields = new LinkedHashMap<>();
        String line =
                output.lines().filter(l -> l.startsWith("RESULT ")).findFirst().orElseThrow();
        for (String pair : line.substring("RESULT ".length()).split(" ", -1)) {
            int eq = pair.indexOf('=');
            fields.put(pair.substring(0, eq), pair.substring(eq + 1));
        }
        return fields;
    }
}
