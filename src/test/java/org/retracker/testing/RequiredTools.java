package org.retracker.testing;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * The external programs the interop tests run (and gcc, for the C benchmark client's smoke test). A
 * test asks for the ones it needs with {@link #require}: when one is missing the test is skipped
 * with the command that installs it, unless {@code RETRACKER_REQUIRE_INTEROP=1} is set (CI), where a
 * missing program fails the test instead.
 */
public enum RequiredTools {
    LIBTORRENT("python3-libtorrent"),
    TRANSMISSION("transmission-daemon and transmission-cli"),
    ARIA2("aria2"),
    /** A real tracker for retracker to forward to (Debian's build: IPv4 only, whitelist only). */
    OPENTRACKER("opentracker"),
    /** coreutils' {@code timeout}: bounds every client's lifetime even if the JVM dies. */
    TIMEOUT("coreutils"),
    /** A C compiler and libc headers: {@code src/bench/c/per-request-client.c}. */
    GCC("gcc and libc6-dev");

    static final String INSTALL =
            "apt-get install aria2 transmission-daemon transmission-cli python3-libtorrent mktorrent opentracker gcc libc6-dev";
    static final String REQUIRE_ENV = "RETRACKER_REQUIRE_INTEROP";
    /** Debian's interpreter: the one python3-libtorrent installs into (a pyenv python3 lacks it). */
    public static final String PYTHON = "/usr/bin/python3";

    private static final Map<RequiredTools, Boolean> PRESENT = new ConcurrentHashMap<>();

    private final String debianPackage;

    RequiredTools(String debianPackage) {
        this.debianPackage = debianPackage;
    }

    /** Skips (or, with {@code RETRACKER_REQUIRE_INTEROP=1}, fails) the test unless all are present. */
    public static void require(RequiredTools... tools) {
        List<String> missing = new ArrayList<>();
        for (RequiredTools tool : tools) {
            if (!PRESENT.computeIfAbsent(tool, RequiredTools::probe)) {
                missing.add(tool.debianPackage);
            }
        }
        if (missing.isEmpty()) {
            return;
        }
        String message =
                "program the test runs is missing: " + String.join(", ", missing) + ". Install with: " + INSTALL;
        if ("1".equals(System.getenv(REQUIRE_ENV))) {
            fail(message + " (" + REQUIRE_ENV + "=1: interop tests must not be skipped)");
        }
        Assumptions.abort(message);
    }

    private boolean probe() {
        return switch (this) {
            case LIBTORRENT -> Files.isExecutable(Path.of(PYTHON)) && runs(PYTHON, "-c", "import libtorrent");
            case TRANSMISSION -> onPath("transmission-daemon") && onPath("transmission-remote");
            case ARIA2 -> onPath("aria2c");
            case OPENTRACKER -> onPath("opentracker");
            case TIMEOUT -> onPath("timeout");
            case GCC -> onPath("gcc") && Files.exists(Path.of("/usr/include/stdio.h"));
        };
    }

    static boolean onPath(String program) {
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String dir : path.split(File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, program))) {
                return true;
            }
        }
        return false;
    }

    private static boolean runs(String... command) {
        try {
            Process p = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return false;
            }
            return p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
