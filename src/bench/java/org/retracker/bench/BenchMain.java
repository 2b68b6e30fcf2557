package org.retracker.bench;

import io.netty.util.ResourceLeakDetector;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of {@code retracker-bench.jar}: the {@code load} and {@code reflector} commands. */
@Command(
        name = "retracker-bench",
        mixinStandardHelpOptions = true,
        version = "retracker-bench",
        description = "Load generator and reflector for benchmarking BitTorrent trackers on loopback.",
        subcommands = {LoadGenerator.class, Reflector.class})
public final class BenchMain implements Callable<Integer> {
    /** Exit status for a bad command line. */
    static final int EXIT_USAGE = 2;

    @Override
    public Integer call() {
        CommandLine.usage(this, System.err);
        return EXIT_USAGE;
    }

    /**
     * Runs a command. Netty's leak detector is off in these processes unless {@code
     * -Dio.netty.leakDetection.level} says otherwise: at its default level it records a stack trace
     * for one buffer in 128, CPU the generator would spend on itself (the tests, which run the
     * generator in their own JVM, keep it at paranoid).
     */
    public static void main(String[] args) {
        if (System.getProperty("io.netty.leakDetection.level") == null) {
            ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.DISABLED);
        }
        System.exit(new CommandLine(new BenchMain()).execute(args));
    }
}
