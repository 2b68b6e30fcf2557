package org.retracker.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.util.ResourceLeakDetector;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.retracker.cli.CommandLineParser.Invocation;
import org.retracker.config.ConfigLoader;
import org.retracker.config.Setting;
import org.retracker.config.TrackerConfig;

class MainTest {
    @TempDir
    Path dir;

    private final ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
    private final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(outBytes, true, StandardCharsets.UTF_8);
    private final PrintStream err = new PrintStream(errBytes, true, StandardCharsets.UTF_8);

    private Invocation parse(Map<String, String> env, String... args) {
        return CommandLineParser.parse(args, env, "1.2.3", out, err);
    }

    private TrackerConfig config(Map<String, String> env, String... args) {
        Invocation invocation = parse(env, args);
        assertThat(errBytes.toString(StandardCharsets.UTF_8)).isEmpty();
        assertThat(invocation).isInstanceOf(Invocation.Run.class);
        return ((Invocation.Run) invocation).config();
    }

    private TrackerConfig config(String... args) {
        return config(Map.of(), args);
    }

    private String out() {
        return outBytes.toString(StandardCharsets.UTF_8);
    }

    private String err() {
        return errBytes.toString(StandardCharsets.UTF_8);
    }

    private String file(String yaml) throws IOException {
        Path path = dir.resolve("config.yml");
        Files.writeString(path, yaml);
        return path.toString();
    }

    // ---- help and version ----

    @Test
    void leakDetectionIsOffUnlessALevelIsConfigured() {
        ResourceLeakDetector.Level before = ResourceLeakDetector.getLevel(); // paranoid, from surefire
        try {
            Main.defaultLeakDetection("paranoid");
            assertThat(ResourceLeakDetector.getLevel())
                    .as("a configured level stays")
                    .isEqualTo(before);
            Main.defaultLeakDetection(null);
            assertThat(ResourceLeakDetector.getLevel()).isEqualTo(ResourceLeakDetector.Level.DISABLED);
        } finally {
            ResourceLeakDetector.setLevel(before);
        }
    }

    @Test
    void helpListsEveryOptionWithItsEnvironmentVariableKeyAndDefault() {
        assertThat(parse(Map.of(), "--help")).isEqualTo(new Invocation.Exit(0));

        String help = out();
        for (Setting s : Setting.values()) {
            String shortFlag = s.shortFlag();
            if (shortFlag != null) {
                assertThat(help).contains(shortFlag + ", " + s.longFlag());
            } else {
                assertThat(help).contains(s.longFlag());
            }
            assertThat(help).contains("Env " + s.envVar() + ", key " + s.key() + ".");
            String shown = s.isQuoted() ? "'" + s.defaultText() + "'" : s.defaultText();
            assertThat(help).as(s.key()).contains("Default: " + shown + "\n");
        }
        assertThat(help)
                .contains("-c, --config=FILE")
                .contains("Env RETRACKER_CONFIG")
                .contains("-h, --help")
                .contains("-v, --version")
                .contains("-d, --debug[=BOOL]");
        assertThat(err()).isEmpty();
    }

    @Test
    void shortHelpWorksToo() {
        assertThat(parse(Map.of(), "-h")).isEqualTo(new Invocation.Exit(0));
        assertThat(out()).startsWith("Usage: retracker");
    }

    @Test
    void helpWinsOverBadSettings() {
        assertThat(parse(Map.of("RETRACKER_AGE", "abc"), "-h")).isEqualTo(new Invocation.Exit(0));
        assertThat(err()).isEmpty();
    }

    @Test
    void versionPrintsTheVersion() {
        assertThat(parse(Map.of(), "-v")).isEqualTo(new Invocation.Exit(0));
        assertThat(out()).isEqualTo("retracker 1.2.3" + System.lineSeparator());

        outBytes.reset();
        assertThat(parse(Map.of(), "--version")).isEqualTo(new Invocation.Exit(0));
        assertThat(out()).isEqualTo("retracker 1.2.3" + System.lineSeparator());
    }

    @Test
    void versionIsDevOutsideThePackagedJar() {
        // Test classes are loaded from target/classes: no manifest, no Implementation-Version.
        assertThat(Main.version()).isEqualTo(Main.DEV_VERSION);
    }

    // ---- option syntax ----

    @Test
    void nothingGivenGivesTheDefaults() {
        assertThat(config()).isEqualTo(TrackerConfig.defaults());
    }

    @Test
    void clusteredSwitches() {
        TrackerConfig c = config("-dx");

        assertThat(c.debug()).isTrue();
        assertThat(c.xRealIp()).isTrue();
    }

    @Test
    void prometheusSwitchAndAdminListenerAsTheSeedSpellsThem() {
        TrackerConfig c = config("-l", ":8080", "-x", "-p", "--admin-listen", "127.0.0.1:9090");

        assertThat(c.prometheus()).isTrue();
        assertThat(c.adminListen()).isEqualTo(new InetSocketAddress(InetAddress.getLoopbackAddress(), 9090));
        assertThat(config("--prometheus=false").prometheus()).isFalse();
    }

    @Test
    void clusterEndingInAnOptionWithAValue() {
        TrackerConfig c = config("-dl:9000");

        assertThat(c.debug()).isTrue();
        assertThat(c.xRealIp()).isFalse();
        assertThat(c.listen()).isEqualTo(new InetSocketAddress(9000));
    }

    @Test
    void attachedShortValue() {
        assertThat(config("-l:8080").listen()).isEqualTo(new InetSocketAddress(8080));
        assertThat(config("-u", ":8081").udpListen()).isEqualTo(new InetSocketAddress(8081));
        assertThat(config("--listen=:8082").listen()).isEqualTo(new InetSocketAddress(8082));
    }

    @Test
    void everyShortFlagTakesItsValue() throws Exception {
        TrackerConfig c =
                config("-l", "127.0.0.1:1", "-u", "127.0.0.1:2", "-a", "30", "-i", "700", "-m", "600", "-s", "5");

        assertThat(c.listen()).isEqualTo(new InetSocketAddress(literal("127.0.0.1"), 1));
        assertThat(c.udpListen()).isEqualTo(new InetSocketAddress(literal("127.0.0.1"), 2));
        assertThat(c.age()).isEqualTo(30.0);
        assertThat(c.announceInterval()).isEqualTo(700);
        assertThat(c.minAnnounceInterval()).isEqualTo(600);
        assertThat(c.statsInterval()).isEqualTo(5);
    }

    @Test
    void everyLongFlagTakesItsValue() {
        TrackerConfig c = config(
                "--tracker-id", "abc",
                "--trusted-proxies", "10.0.0.0/8",
                "--numwant-default", "1",
                "--numwant-max", "2",
                "--scrape-max-hashes", "3",
                "--connection-id-grace", "4",
                "--io-threads", "5",
                "--http-idle-timeout", "6",
                "--http-request-timeout", "7");

        assertThat(c.trackerId()).isEqualTo("abc");
        assertThat(c.trustedProxies()).hasSize(1);
        assertThat(c.numwantDefault()).isEqualTo(1);
        assertThat(c.numwantMax()).isEqualTo(2);
        assertThat(c.scrapeMaxHashes()).isEqualTo(3);
        assertThat(c.connectionIdGrace()).isEqualTo(4);
        assertThat(c.ioThreads()).isEqualTo(5);
        assertThat(c.httpIdleTimeout()).isEqualTo(6);
        assertThat(c.httpRequestTimeout()).isEqualTo(7);
    }

    @Test
    void argumentStartingWithAtIsAValueNotAFile() {
        assertThat(config("--tracker-id", "@abc").trackerId()).isEqualTo("@abc");
    }

    // ---- precedence through the real command line ----

    @Test
    void emptyUdpFlagTurnsUdpOffEvenIfTheFileSetsIt() throws IOException {
        String f = file("udp_listen: '127.0.0.1:7000'\n");

        assertThat(config("-c", f).udpListen()).isNotNull();
        assertThat(config("-c", f, "-u", "").udpListen()).isNull();
        assertThat(config(Map.of("RETRACKER_CONFIG", f), "-u=").udpListen()).isNull();
    }

    @Test
    void longFormSwitchesAFileOrEnvironmentValueOff() throws IOException {
        String f = file("x_real_ip: true\ndebug: true\n");

        TrackerConfig c = config(Map.of("RETRACKER_DEBUG", "true"), "-c", f, "--debug=false", "--x-real-ip=0");

        assertThat(c.debug()).isFalse();
        assertThat(c.xRealIp()).isFalse();
    }

    @Test
    void switchAloneOverridesEnvironmentFalse() {
        assertThat(config(Map.of("RETRACKER_DEBUG", "false"), "-d").debug()).isTrue();
    }

    @Test
    void zeroFlagOverridesEnvironment() {
        assertThat(config(Map.of("RETRACKER_STATS_INTERVAL", "30"), "-s", "0").statsInterval())
                .isZero();
    }

    @Test
    void configFlagWinsOverTheEnvironment() throws IOException {
        String f = file("stats_interval: 7\n");
        String missing = dir.resolve("missing.yml").toString();

        assertThat(config(Map.of(ConfigLoader.CONFIG_ENV, missing), "-c", f).statsInterval())
                .isEqualTo(7);
        assertThat(config(Map.of(ConfigLoader.CONFIG_ENV, missing), "--config=").statsInterval())
                .isEqualTo(60);
    }

    // ---- errors: one line on stderr, exit status 2 ----

    @Test
    void badSettingIsOneLineOnStderr() {
        Invocation invocation = parse(Map.of("RETRACKER_AGE", "abc"));

        assertThat(invocation).isEqualTo(new Invocation.Exit(CommandLineParser.EXIT_USAGE));
        assertThat(err())
                .isEqualTo("environment variable RETRACKER_AGE: expected a positive number of minutes (at least 1"
                        + " second, at most 10080), got 'abc'" + System.lineSeparator());
        assertThat(out()).isEmpty();
    }

    @Test
    void badFileNamesTheFile() throws IOException {
        String f = file("age: abc\n");

        assertThat(parse(Map.of(), "-c", f)).isEqualTo(new Invocation.Exit(2));
        assertThat(err()).startsWith(f + ": key 'age': expected a positive number");
    }

    @Test
    void badFlagValueNamesTheFlag() {
        assertThat(parse(Map.of(), "-m", "2000")).isEqualTo(new Invocation.Exit(2));
        assertThat(err())
                .isEqualTo("option -m/--min-announce-interval: expected at most announce_response_interval (1800,"
                        + " from the default), got 2000" + System.lineSeparator());
    }

    @Test
    void badBooleanFlag() {
        assertThat(parse(Map.of(), "--debug=maybe")).isEqualTo(new Invocation.Exit(2));
        assertThat(err()).contains("'--debug'").contains("expected true, false, 1 or 0, got 'maybe'");
        assertThat(err().lines()).hasSize(1);
    }

    @Test
    void unknownOption() {
        assertThat(parse(Map.of(), "-z")).isEqualTo(new Invocation.Exit(2));
        assertThat(err()).isEqualTo("Unknown option: '-z' (see --help)" + System.lineSeparator());
    }

    @Test
    void positionalArgumentIsRefused() {
        assertThat(parse(Map.of(), "config.yml")).isEqualTo(new Invocation.Exit(2));
        assertThat(err()).contains("'config.yml'");
    }

    @Test
    void optionGivenTwiceIsRefused() {
        assertThat(parse(Map.of(), "-l", ":1", "-l", ":2")).isEqualTo(new Invocation.Exit(2));
        assertThat(err()).contains("--listen");
    }

    @Test
    void missingValueIsRefused() {
        assertThat(parse(Map.of(), "-l")).isEqualTo(new Invocation.Exit(2));
        assertThat(err()).contains("--listen");
    }

    // ---- start-up ----

    @Test
    void listenerFailureNamedByTheTransportIsPrintedAsItIs() {
        TrackerConfig c = TrackerConfig.defaults();

        RunningTracker tracker = Main.start(
                c,
                "1.2.3",
                (options, service, counters, metrics) -> {
                    throw new IllegalStateException("cannot listen on HTTP :6969: Address already in use");
                },
                err);

        assertThat(tracker).isNull();
        assertThat(err()).isEqualTo("cannot listen on HTTP :6969: Address already in use" + System.lineSeparator());
    }

    @Test
    void bareSocketErrorGetsTheListenersAdded() {
        TrackerConfig both = TrackerConfig.defaults();
        TrackerConfig udpOnly = config("-l", "", "-u", "127.0.0.1:7000");

        assertThat(Main.startFailure(new BindException("Address already in use"), both))
                .isEqualTo("cannot listen on HTTP :6969 or UDP :6969: Address already in use");
        assertThat(Main.startFailure(new RuntimeException("wrapped", new BindException("Permission denied")), udpOnly))
                .isEqualTo("cannot listen on UDP 127.0.0.1:7000: Permission denied");
    }

    @Test
    void otherStartFailureNamesTheException() {
        assertThat(Main.startFailure(new UnsupportedOperationException("no epoll"), TrackerConfig.defaults()))
                .isEqualTo("cannot start the tracker: UnsupportedOperationException: no epoll");
    }

    @Test
    void startPassesTheConfiguredOptionsToTheServer() {
        TrackerConfig c = config("-l", "127.0.0.1:0", "-u", "", "--tracker-id", "x", "--io-threads", "1");

        Main.start(
                c,
                "1.2.3",
                (options, service, counters, metrics) -> {
                    assertThat(options).isEqualTo(c.toServerOptions());
                    assertThat(service.policy()).isEqualTo(c.toPolicy());
                    throw new IllegalStateException("cannot listen on HTTP 127.0.0.1:0: stop here");
                },
                err);

        assertThat(err()).startsWith("cannot listen on HTTP 127.0.0.1:0: stop here");
    }

    @Test
    void expiryRunsFourTimesPerLifetimeWithinOneSecondAndAMinute() {
        assertThat(RunningTracker.expiryPeriodSeconds(3600)).isEqualTo(60);
        assertThat(RunningTracker.expiryPeriodSeconds(240)).isEqualTo(60);
        assertThat(RunningTracker.expiryPeriodSeconds(120)).isEqualTo(30);
        assertThat(RunningTracker.expiryPeriodSeconds(7)).isEqualTo(1);
        assertThat(RunningTracker.expiryPeriodSeconds(1)).isEqualTo(1);
    }

    @Test
    void addressesAreShownCompactly() throws Exception {
        assertThat(RunningTracker.show(null)).isEqualTo("off");
        assertThat(RunningTracker.show(new InetSocketAddress(literal("::"), 6969)))
                .isEqualTo("[::]:6969");
        assertThat(RunningTracker.show(new InetSocketAddress(literal("127.0.0.1"), 80)))
                .isEqualTo("127.0.0.1:80");
    }

    /** An IP address written as a literal: parsed, never looked up. */
    private static InetAddress literal(String ip) throws UnknownHostException {
        return InetAddress.getByName(ip);
    }
}
