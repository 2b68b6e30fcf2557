package org.retracker.cli;

import java.io.PrintStream;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.retracker.config.ConfigException;
import org.retracker.config.ConfigLoader;
import org.retracker.config.Setting;
import org.retracker.config.TrackerConfig;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;

/**
 * Turns the command line and the environment into what the process should do: print help or the
 * version, stop on a bad setting, or run with a {@link TrackerConfig}.
 *
 * <p>The options are built from {@link Setting}, one per setting, so {@code --help} always lists
 * every setting with its environment variable, config key and default. Short options cluster
 * ({@code -dx}) and take attached values ({@code -l:8080}); a switch alone means true and its long
 * form takes a value to turn it off ({@code --debug=false}). {@code @file} arguments are not
 * expanded: an argument starting with {@code @} is a value like any other.
 */
final class CommandLineParser {
    /** Exit status for a bad option or setting. */
    static final int EXIT_USAGE = 2;

    private static final int HELP_WIDTH = 100;

    private CommandLineParser() {}

    /** What the command line asks for. */
    sealed interface Invocation {
        /** Stop now with {@code status}; whatever had to be printed has been. */
        record Exit(int status) implements Invocation {}

        /** Start the tracker. */
        record Run(TrackerConfig config) implements Invocation {}
    }

    /**
     * Parses {@code args} against {@code env}. Help and the version go to {@code out}; a bad
     * option or setting goes to {@code err} as one line.
     */
    static Invocation parse(String[] args, Map<String, String> env, String version, PrintStream out, PrintStream err) {
        Map<Setting, OptionSpec> options = new LinkedHashMap<>();
        CommandSpec spec = spec(version, options);
        CommandLine commandLine = new CommandLine(spec);
        commandLine.setExpandAtFiles(false);
        ParseResult result;
        try {
            result = commandLine.parseArgs(args);
        } catch (ParameterException e) {
            err.println(e.getMessage() + " (see --help)");
            return new Invocation.Exit(EXIT_USAGE);
        }
        if (result.isUsageHelpRequested()) {
            commandLine.usage(out);
            return new Invocation.Exit(0);
        }
        if (result.isVersionHelpRequested()) {
            commandLine.printVersionHelp(out);
            return new Invocation.Exit(0);
        }
        Map<Setting, String> flags = new EnumMap<>(Setting.class);
        for (Map.Entry<Setting, OptionSpec> option : options.entrySet()) {
            if (result.hasMatchedOption(option.getValue())) {
                flags.put(option.getKey(), String.valueOf(option.getValue().<Object>getValue()));
            }
        }
        @Nullable String configFlag = result.hasMatchedOption("-c") ? result.matchedOptionValue("-c", "") : null;
        try {
            return new Invocation.Run(ConfigLoader.load(configFlag, flags, env));
        } catch (ConfigException e) {
            err.println(e.getMessage());
            return new Invocation.Exit(EXIT_USAGE);
        }
    }

    private static CommandSpec spec(String version, Map<Setting, OptionSpec> options) {
        CommandSpec spec = CommandSpec.create().name("retracker").version("retracker " + version);
        spec.usageMessage()
                .width(HELP_WIDTH)
                .sortOptions(false)
                .abbreviateSynopsis(true)
                .description("An in-memory BitTorrent tracker: HTTP (BEP 3, 23, 7) and UDP (BEP 15), IPv4 and IPv6.")
                .footer(
                        "",
                        "Every setting can come from the command line, the environment or the config file;"
                                + " that is also the precedence, above the defaults, for any value including"
                                + " false, 0 and ''.",
                        "Booleans are true, false, 1 or 0; a switch alone (-d) means true, --debug=false turns"
                                + " it off.",
                        "Exit status: 0 after --help or --version, 1 when a listener cannot start, 2 for a bad"
                                + " option or setting.");
        spec.addOption(OptionSpec.builder("-c", "--config")
                .paramLabel("FILE")
                .type(String.class)
                .description(
                        "YAML config file (see configs/config.template.yml); '' for none.",
                        "Env " + ConfigLoader.CONFIG_ENV + "; the option wins.")
                .build());
        for (Setting s : Setting.values()) {
            OptionSpec option = option(s);
            options.put(s, option);
            spec.addOption(option);
        }
        spec.addOption(OptionSpec.builder("-h", "--help")
                .usageHelp(true)
                .description("Show this help and exit.")
                .build());
        spec.addOption(OptionSpec.builder("-v", "--version")
                .versionHelp(true)
                .description("Print the version and exit.")
                .build());
        return spec;
    }

    private static OptionSpec option(Setting s) {
        String shortFlag = s.shortFlag();
        OptionSpec.Builder b =
                shortFlag == null ? OptionSpec.builder(s.longFlag()) : OptionSpec.builder(shortFlag, s.longFlag());
        String shownDefault = s.isQuoted() ? "'${DEFAULT-VALUE}'" : "${DEFAULT-VALUE}";
        b.paramLabel(s.paramLabel())
                .defaultValue(s.defaultText())
                .description(
                        s.description(), "Env " + s.envVar() + ", key " + s.key() + ".", "Default: " + shownDefault);
        if (s.isBoolean()) {
            b.type(boolean.class).arity("0..1").converters(CommandLineParser::toBoolean);
        } else {
            b.type(String.class);
        }
        return b.build();
    }

    private static Boolean toBoolean(String text) {
        try {
            return Setting.parseBoolean(text);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.TypeConversionException(String.valueOf(e.getMessage()));
        }
    }
}
