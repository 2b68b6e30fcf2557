package org.retracker.packaging;

import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** One run of a script or program with a clean environment, its output captured. */
record ScriptRun(int exit, String stdout, String stderr, long pid) {
    /** The repository root: Maven runs the tests there. */
    static final Path ROOT = Path.of("").toAbsolutePath();

    /**
     * Runs {@code command} in {@link #ROOT} with only {@code PATH} and {@code env} in the
     * environment and stdin closed; fails the test when it takes longer than {@code timeout}.
     */
    static ScriptRun run(List<String> command, Map<String, String> env, Duration timeout)
            throws IOException, InterruptedException {
        Path out = Files.createTempFile("script", ".stdout");
        Path err = Files.createTempFile("script", ".stderr");
        try {
            ProcessBuilder builder = new ProcessBuilder(command)
                    .directory(ROOT.toFile())
                    .redirectOutput(out.toFile())
                    .redirectError(err.toFile());
            Map<String, String> environment = builder.environment();
            String path = environment.getOrDefault("PATH", "/usr/bin:/bin");
            environment.clear();
            environment.put("PATH", path);
            environment.putAll(env);
            Process process = builder.start();
            process.getOutputStream().close();
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                fail(command + " did not finish within " + timeout);
            }
            return new ScriptRun(
                    process.exitValue(),
                    Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8),
                    process.pid());
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }
}
