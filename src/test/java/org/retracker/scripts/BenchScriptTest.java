package org.retracker.scripts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@code scripts/bench.sh} parses and explains itself. The benchmark itself is not run here (it
 * takes minutes and wants a quiet machine); its tools are smoke-tested by {@code
 * LoadGeneratorSmokeTest}.
 */
class BenchScriptTest {
    private static final Path SCRIPT = Path.of("scripts/bench.sh").toAbsolutePath();

    private record Result(int exit, String stdout, String stderr) {}

    private static Result bash(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("/bin/bash"));
        command.addAll(List.of(args));
        Path out = Files.createTempFile("bench", ".stdout");
        Path err = Files.createTempFile("bench", ".stderr");
        try {
            Process process = new ProcessBuilder(command)
                    .redirectOutput(out.toFile())
                    .redirectError(err.toFile())
                    .start();
            process.getOutputStream().close();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                fail("bash " + String.join(" ", args) + " did not finish within 10 s");
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

    @Test
    void isValidBash() throws Exception {
        Result r = bash("-n", SCRIPT.toString());

        assertThat(r.exit()).as(r.stderr()).isZero();
    }

    @Test
    void helpNamesEveryOption() throws Exception {
        Result r = bash(SCRIPT.toString(), "--help");

        assertThat(r.exit()).as(r.stderr()).isZero();
        assertThat(r.stdout())
                .contains("--duration", "--repeat", "--peers", "--torrents", "--modes", "--no-prefill", "--scale")
                .contains("--memory-peers", "--phases", "--tracker-cpu", "--load-cpus", "--quick", "opentracker");
    }

    @Test
    void refusesAnUnknownOptionOrABadValueBeforeStartingAnything() throws Exception {
        Result unknown = bash(SCRIPT.toString(), "--bogus");
        Result badCount = bash(SCRIPT.toString(), "--peers", "many");
        Result badMode = bash(SCRIPT.toString(), "--modes", "udp,tcp");
        Result badPhase = bash(SCRIPT.toString(), "--phases", "scale");

        assertThat(unknown.exit()).isEqualTo(2);
        assertThat(unknown.stderr()).contains("unknown option: --bogus");
        assertThat(badCount.exit()).isEqualTo(2);
        assertThat(badCount.stderr()).contains("peers must be a positive number");
        assertThat(badMode.exit()).isEqualTo(2);
        assertThat(badMode.stderr()).contains("unknown mode: tcp");
        assertThat(badPhase.exit()).isEqualTo(2);
        assertThat(badPhase.stderr()).contains("phase scale needs --scale PEERS");
    }
}
