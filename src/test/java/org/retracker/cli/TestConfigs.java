package org.retracker.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.retracker.config.TrackerConfig;

/** Configurations for tests that start a {@link RunningTracker}, parsed as the command line is. */
final class TestConfigs {
    private TestConfigs() {}

    /** The configuration {@code args} give (no environment); fails with the parser's output if they are refused. */
    static TrackerConfig parse(String... args) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream sink = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        CommandLineParser.Invocation invocation = CommandLineParser.parse(args, Map.of(), "test", sink, sink);
        assertThat(invocation)
                .as(bytes.toString(StandardCharsets.UTF_8))
                .isInstanceOf(CommandLineParser.Invocation.Run.class);
        return ((CommandLineParser.Invocation.Run) invocation).config();
    }
}
