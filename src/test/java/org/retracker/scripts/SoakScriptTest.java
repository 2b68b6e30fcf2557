package org.retracker.scripts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code scripts/soak.sh} parses and explains itself, and a short run of it passes: retracker and
 * the three load generators start from the test class path, the samples are taken and the verdict
 * is printed. The ten-minute soak itself is run by hand ({@code make soak}, see docs/SOAK.md).
 */
class SoakScriptTest {
    private static final Path SCRIPT = Path.of("scripts/soak.sh").toAbsolutePath();

    private record Result(int exit, String stdout, String stderr) {}

    private static Result bash(long timeoutSeconds, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("/bin/bash"));
        command.addAll(List.of(args));
        Path out = Files.createTempFile("soak", ".stdout");
        Path err = Files.createTempFile("soak", ".stderr");
        try {
            Process process = new ProcessBuilder(command)
                    .redirectOutput(out.toFile())
                    .redirectError(err.toFile())
                    .start();
            process.getOutputStream().close();
            if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                // TERM first: the script's trap stops the tracker and generators it started
                process.destroy();
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
                fail("bash " + String.join(" ", args) + " did not finish within " + timeoutSeconds + " s; stderr:\n"
                        + Files.readString(err, StandardCharsets.UTF_8));
            }
            return new Result(
                    process.exitValue(),
                    Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    /** A port free for both TCP and UDP on 127.0.0.1 right now (the tracker listens on both). */
    private static int freePort() throws IOException {
        InetAddress loopback = InetAddress.getByAddress(new byte[] {127, 0, 0, 1});
        for (int attempt = 0; attempt < 20; attempt++) {
            int port;
            try (ServerSocket tcp = new ServerSocket(0, 1, loopback)) {
                port = tcp.getLocalPort();
            }
            try (DatagramSocket udp = new DatagramSocket(port, loopback)) {
                return port;
            } catch (SocketException taken) {
                // UDP side in use: try another
            }
        }
        throw new IllegalStateException("no port free for TCP and UDP");
    }

    @Test
    void isValidBash() throws Exception {
        Result r = bash(10, "-n", SCRIPT.toString());

        assertThat(r.exit()).as(r.stderr()).isZero();
    }

    @Test
    void helpNamesEveryOption() throws Exception {
        Result r = bash(10, SCRIPT.toString(), "--help");

        assertThat(r.exit()).as(r.stderr()).isZero();
        assertThat(r.stdout())
                .contains("--duration", "--sample", "--peers", "--torrents", "--churn-pct", "--rate", "--slope-limit")
                .contains("--heap", "--port", "--out", "--classpath", "--no-build", "LEAK:", "SOAK result=");
    }

    @Test
    void refusesAnUnknownOptionOrABadValueBeforeStartingAnything() throws Exception {
        Result unknown = bash(10, SCRIPT.toString(), "--bogus");
        Result badDuration = bash(10, SCRIPT.toString(), "--duration", "soon");
        Result tooShort = bash(10, SCRIPT.toString(), "--duration", "5s");
        Result badChurn = bash(10, SCRIPT.toString(), "--churn-pct", "150");
        Result fewSamples = bash(10, SCRIPT.toString(), "--duration", "20s", "--sample", "10s");

        assertThat(unknown.exit()).isEqualTo(2);
        assertThat(unknown.stderr()).contains("unknown option: --bogus");
        assertThat(badDuration.exit()).isEqualTo(2);
        assertThat(badDuration.stderr()).contains("--duration must be a duration of at least 10s: soon");
        assertThat(tooShort.exit()).isEqualTo(2);
        assertThat(badChurn.exit()).isEqualTo(2);
        assertThat(badChurn.stderr()).contains("--churn-pct must be within 0..100: 150");
        assertThat(fewSamples.exit()).isEqualTo(2);
        assertThat(fewSamples.stderr()).contains("fewer than 4 samples");
    }

    /**
     * 25 s of load on a small workload, at a few hundred requests a second so that the samples
     * (each a jcmd and a full GC) come quickly on a busy machine too. The store is still filling
     * then (peers live a minute, so none has expired yet), so the heap slope of so short a run
     * means nothing and its limit is wide here; the leak, error and unexpected-error checks are
     * the real ones.
     */
    @Test
    void aShortRunPassesAndWritesItsSamples(@TempDir Path out) throws Exception {
        String classPath = System.getProperty("java.class.path");

        Result r = bash(
                110,
                SCRIPT.toString(),
                "--duration",
                "25s",
                "--sample",
                "2s",
                "--peers",
                "2000",
                "--torrents",
                "500",
                "--slope-limit",
                "50",
                "--rate",
                "400",
                "--heap",
                "256m",
                "--port",
                Integer.toString(freePort()),
                "--out",
                out.toString(),
                "--classpath",
                classPath);

        assertThat(r.exit()).as(r.stdout() + r.stderr()).isZero();
        assertThat(r.stdout()).as(r.stderr()).containsPattern("(?m)^SOAK result=pass ");
        assertThat(r.stdout()).contains(" leaks=0 ", " unexpected_errors=0 ");
        assertThat(r.stdout()).containsPattern(" udp_responses=[1-9]").containsPattern(" http_responses=[1-9]");
        assertThat(r.stdout()).containsPattern(" http_close_responses=[1-9]");
        List<String> samples = Files.readAllLines(out.resolve("samples.tsv"));
        assertThat(samples.get(0)).startsWith("during_load\tt_s\theap_after_gc_bytes\t");
        assertThat(samples.size()).as(String.join("\n", samples)).isGreaterThanOrEqualTo(4);
        assertThat(Files.readString(out.resolve("summary.txt"))).contains("SOAK result=pass");
    }
}
