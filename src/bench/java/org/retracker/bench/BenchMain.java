package org.retracker.bench;

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

    public static void main(String[] args) {
        System.exit(new CommandLine(new BenchMain()).execute(args));
    }
}
