package org.retracker.interop;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * One external client process, its output captured into a log file.
 *
 * <p>Every command runs under coreutils' {@code timeout}, so it ends by itself after {@code
 * lifetime} even if the test JVM dies before its teardown. {@code timeout} passes the signals it
 * receives on to the client, so {@link #stop} reaches the client through it. The handle is kept: the
 * process tree is stopped by process id, never by name.
 */
final class ClientProcess implements AutoCloseable {
    /** Time a client gets to announce {@code stopped} and exit after a polite signal. */
    static final Duration STOP_GRACE = Duration.ofSeconds(6);
    /** Bytes of the log shown in an assertion message. */
    private static final int TAIL_BYTES = 6 * 1024;

    private final String name;
    private final Process process;
    private final Path log;

    private ClientProcess(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
    }

    static ClientProcess start(String name, List<String> command, Path log, Duration lifetime) throws IOException {
        List<String> bounded = new ArrayList<>(
                List.of("timeout", "--kill-after=" + STOP_GRACE.toSeconds(), Long.toString(lifetime.toSeconds())));
        bounded.addAll(command);
        Files.createDirectories(log.toAbsolutePath().getParent());
        Files.writeString(log, "$ " + String.join(" ", bounded) + "\n", StandardCharsets.UTF_8);
        Process process = new ProcessBuilder(bounded)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                .start();
        return new ClientProcess(name, process, log);
    }

    String name() {
        return name;
    }

    /**
     * The client itself: the child that {@code timeout} forked, or empty before it has (or after it
     * has gone). Signals for the client alone go here: {@code timeout} answers every signal it passes
     * on by arming its {@code --kill-after} timer, so even a SIGHUP sent through it ends the client.
     */
    Optional<ProcessHandle> client() {
        return process.children().findFirst();
    }

    /** The process id of the {@code timeout} wrapper. */
    long wrapperPid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** Waits up to {@code timeout} for the client to exit; its exit status, or -1 if still running. */
    int awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            return -1;
        }
        return process.exitValue();
    }

    /**
     * Sends {@code signal} (e.g. "TERM", "INT") for a graceful exit, waits {@link #STOP_GRACE}, then
     * kills whatever is left of the tree.
     */
    void stop(String signal) throws InterruptedException {
        List<ProcessHandle> tree = new ArrayList<>(process.descendants().toList());
        try {
            if (process.isAlive()) {
                signal(signal);
                process.waitFor(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS);
            }
        } finally {
            tree.addAll(process.descendants().toList());
            for (ProcessHandle p : tree) {
                p.destroyForcibly();
            }
            process.destroyForcibly();
        }
        process.waitFor(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void signal(String signal) throws InterruptedException {
        if (signal.equals("TERM")) {
            process.destroy();
            return;
        }
        try {
            Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid()))
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
            kill.waitFor(5, TimeUnit.SECONDS);
        } catch (IOException e) {
            process.destroy();
        }
    }

    @Override
    public void close() throws InterruptedException {
        stop("TERM");
    }

    /** The end of the client's log, for assertion messages. */
    String tail() {
        try (RandomAccessFile f = new RandomAccessFile(log.toFile(), "r")) {
            long from = Math.max(0, f.length() - TAIL_BYTES);
            byte[] bytes = new byte[(int) (f.length() - from)];
            f.seek(from);
            f.readFully(bytes);
            return "---- " + name + " (" + log + ") ----\n" + new String(bytes, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "---- " + name + ": no log (" + e + ")";
        }
    }
}
