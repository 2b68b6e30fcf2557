package org.retracker.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.retracker.core.AccessList;
import org.retracker.core.TrackerPolicy;
import org.retracker.transport.Cidr;
import org.retracker.transport.ClientLimits;
import org.retracker.transport.ServerOptions;
import org.retracker.yaml.BoundedYaml;

class ConfigLoaderTest {
    @TempDir
    Path dir;

    private String file(String yaml) throws IOException {
        Path path = dir.resolve("config.yml");
        Files.writeString(path, yaml);
        return path.toString();
    }

    private static TrackerConfig load(@Nullable String file, Map<String, String> env, Map<Setting, String> flags)
            throws ConfigException {
        return ConfigLoader.load(file, flags, env);
    }

    private static String error(@Nullable String file, Map<String, String> env, Map<Setting, String> flags) {
        try {
            ConfigLoader.load(file, flags, env);
        } catch (ConfigException e) {
            return String.valueOf(e.getMessage());
        }
        throw new AssertionError("expected a ConfigException");
    }

    private String fileError(String yaml) throws IOException {
        return error(file(yaml), Map.of(), Map.of());
    }

    // ---- defaults ----

    @Test
    void nothingGivenGivesTheDefaults() throws Exception {
        TrackerConfig c = load(null, Map.of(), Map.of());

        assertThat(c.listen()).isEqualTo(new InetSocketAddress(6969));
        assertThat(Objects.requireNonNull(c.listen()).getAddress().isAnyLocalAddress())
                .isTrue();
        assertThat(c.udpListen()).isEqualTo(new InetSocketAddress(6969));
        assertThat(c.age()).isEqualTo(60.0);
        assertThat(c.debug()).isFalse();
        assertThat(c.xRealIp()).isFalse();
        assertThat(c.announceInterval()).isEqualTo(1800);
        assertThat(c.minAnnounceInterval()).isEqualTo(900);
        assertThat(c.statsInterval()).isEqualTo(60);
        assertThat(c.trackerId()).isEmpty();
        assertThat(c.trustedProxies()).containsExactly(Cidr.parse("127.0.0.0/8"), Cidr.parse("::1/128"));
        assertThat(c.numwantDefault()).isEqualTo(50);
        assertThat(c.numwantMax()).isEqualTo(200);
        assertThat(c.scrapeMaxHashes()).isEqualTo(74);
        assertThat(c.connectionIdGrace()).isZero();
        assertThat(c.ioThreads()).isZero();
        assertThat(c.httpIdleTimeout()).isEqualTo(60);
        assertThat(c.httpRequestTimeout()).isEqualTo(10);
        assertThat(c).isEqualTo(TrackerConfig.defaults());
        assertThat(c.warnings()).isEmpty();
    }

    @Test
    void defaultsAgreeWithTheCoreAndTransportDefaults() {
        TrackerConfig c = TrackerConfig.defaults();

        assertThat(c.toPolicy()).isEqualTo(TrackerPolicy.defaults());
        assertThat(c.trustedProxies()).isEqualTo(ServerOptions.DEFAULT_TRUSTED_PROXIES);
        assertThat(c.httpIdleTimeout()).isEqualTo(ServerOptions.DEFAULT_HTTP_IDLE_TIMEOUT);
        assertThat(c.httpRequestTimeout()).isEqualTo(ServerOptions.DEFAULT_HTTP_REQUEST_TIMEOUT);
    }

    // ---- each layer overrides the one below, for every type ----

    @Test
    void fileSetsEveryKey() throws Exception {
        String f = file("""
                listen: "127.0.0.1:7001"
                udp_listen: "[::1]:7002"
                age: 2.5
                debug: true
                x_real_ip: true
                announce_response_interval: 120
                min_announce_interval: 60
                stats_interval: 0
                tracker_id: abc
                trusted_proxies: [10.0.0.0/8, "fd00::/8"]
                numwant_default: 10
                numwant_max: 20
                scrape_max_hashes: 5
                connection_id_grace: 30
                io_threads: 3
                http_idle_timeout: 7
                http_request_timeout: 4
                """);

        TrackerConfig c = load(f, Map.of(), Map.of());

        assertThat(c.listen()).isEqualTo(new InetSocketAddress(literal("127.0.0.1"), 7001));
        assertThat(c.udpListen()).isEqualTo(new InetSocketAddress(literal("::1"), 7002));
        assertThat(c.age()).isEqualTo(2.5);
        assertThat(c.debug()).isTrue();
        assertThat(c.xRealIp()).isTrue();
        assertThat(c.announceInterval()).isEqualTo(120);
        assertThat(c.minAnnounceInterval()).isEqualTo(60);
        assertThat(c.statsInterval()).isZero();
        assertThat(c.trackerId()).isEqualTo("abc");
        assertThat(c.trustedProxies()).containsExactly(Cidr.parse("10.0.0.0/8"), Cidr.parse("fd00::/8"));
        assertThat(c.numwantDefault()).isEqualTo(10);
        assertThat(c.numwantMax()).isEqualTo(20);
        assertThat(c.scrapeMaxHashes()).isEqualTo(5);
        assertThat(c.connectionIdGrace()).isEqualTo(30);
        assertThat(c.ioThreads()).isEqualTo(3);
        assertThat(c.httpIdleTimeout()).isEqualTo(7);
        assertThat(c.httpRequestTimeout()).isEqualTo(4);
    }

    @Test
    void fileListenIsNotBeatenByTheDefault() throws Exception {
        // The seed applied its -l default last, so the file's listen never took effect.
        TrackerConfig c = load(file("listen: ':7000'\n"), Map.of(), Map.of());

        assertThat(c.listen()).isEqualTo(new InetSocketAddress(7000));
    }

    @Test
    void stringPrecedence() throws Exception {
        String f = file("tracker_id: from-file\n");

        assertThat(load(f, Map.of(), Map.of()).trackerId()).isEqualTo("from-file");
        assertThat(load(f, Map.of("RETRACKER_TRACKER_ID", "from-env"), Map.of()).trackerId())
                .isEqualTo("from-env");
        assertThat(load(f, Map.of("RETRACKER_TRACKER_ID", ""), Map.of()).trackerId())
                .isEmpty();
        assertThat(load(f, Map.of("RETRACKER_TRACKER_ID", "from-env"), Map.of(Setting.TRACKER_ID, "from-flag"))
                        .trackerId())
                .isEqualTo("from-flag");
        assertThat(load(f, Map.of("RETRACKER_TRACKER_ID", "from-env"), Map.of(Setting.TRACKER_ID, ""))
                        .trackerId())
                .isEmpty();
    }

    @Test
    void listenPrecedenceIncludingEmptyForOff() throws Exception {
        String f = file("listen: '127.0.0.1:7000'\nudp_listen: '127.0.0.1:7001'\n");

        TrackerConfig envOff = load(f, Map.of("RETRACKER_LISTEN", "", "RETRACKER_UDP_LISTEN", ""), Map.of());
        assertThat(envOff.listen()).isNull();
        assertThat(envOff.udpListen()).isNull();

        TrackerConfig flagOn = load(
                f, Map.of("RETRACKER_LISTEN", "", "RETRACKER_UDP_LISTEN", ":7005"), Map.of(Setting.LISTEN, ":7006"));
        assertThat(flagOn.listen()).isEqualTo(new InetSocketAddress(7006));
        assertThat(flagOn.udpListen()).isEqualTo(new InetSocketAddress(7005));

        TrackerConfig flagOff = load(f, Map.of("RETRACKER_UDP_LISTEN", ":7005"), Map.of(Setting.UDP_LISTEN, ""));
        assertThat(flagOff.udpListen()).isNull();
        assertThat(flagOff.listen()).isEqualTo(new InetSocketAddress(literal("127.0.0.1"), 7000));
    }

    @Test
    void integerPrecedenceIncludingZero() throws Exception {
        String f = file("stats_interval: 30\n");

        assertThat(load(f, Map.of(), Map.of()).statsInterval()).isEqualTo(30);
        assertThat(load(f, Map.of("RETRACKER_STATS_INTERVAL", "0"), Map.of()).statsInterval())
                .isZero();
        assertThat(load(f, Map.of("RETRACKER_STATS_INTERVAL", "45"), Map.of()).statsInterval())
                .isEqualTo(45);
        assertThat(load(f, Map.of("RETRACKER_STATS_INTERVAL", "45"), Map.of(Setting.STATS_INTERVAL, "0"))
                        .statsInterval())
                .isZero();
    }

    @Test
    void floatPrecedence() throws Exception {
        String f = file("age: 10\n");

        assertThat(load(f, Map.of(), Map.of()).peerLifetimeSeconds()).isEqualTo(600);
        TrackerConfig env = load(f, Map.of("RETRACKER_AGE", "0.5"), Map.of());
        assertThat(env.age()).isEqualTo(0.5);
        assertThat(env.peerLifetimeSeconds()).isEqualTo(30);
        TrackerConfig flag = load(f, Map.of("RETRACKER_AGE", "0.5"), Map.of(Setting.AGE, "1.25"));
        assertThat(flag.peerLifetimeSeconds()).isEqualTo(75);
        assertThat(flag.toPolicy().peerLifetimeSeconds()).isEqualTo(75);
    }

    @Test
    void booleanPrecedenceIncludingFalse() throws Exception {
        String on = file("debug: true\nx_real_ip: true\n");

        TrackerConfig fromFile = load(on, Map.of(), Map.of());
        assertThat(fromFile.debug()).isTrue();
        assertThat(fromFile.xRealIp()).isTrue();

        TrackerConfig envOff = load(on, Map.of("RETRACKER_DEBUG", "false", "RETRACKER_X_REAL_IP", "0"), Map.of());
        assertThat(envOff.debug()).isFalse();
        assertThat(envOff.xRealIp()).isFalse();

        TrackerConfig flagOff = load(
                null, Map.of("RETRACKER_DEBUG", "true"), Map.of(Setting.DEBUG, "false", Setting.X_REAL_IP, "false"));
        assertThat(flagOff.debug()).isFalse();
        assertThat(flagOff.xRealIp()).isFalse();

        TrackerConfig flagOn =
                load(file("debug: false\n"), Map.of("RETRACKER_DEBUG", "0"), Map.of(Setting.DEBUG, "true"));
        assertThat(flagOn.debug()).isTrue();
    }

    @Test
    void listPrecedenceIncludingEmpty() throws Exception {
        String f = file("trusted_proxies:\n  - 10.0.0.0/8\n");

        assertThat(load(f, Map.of(), Map.of()).trustedProxies()).containsExactly(Cidr.parse("10.0.0.0/8"));
        assertThat(load(f, Map.of("RETRACKER_TRUSTED_PROXIES", ""), Map.of()).trustedProxies())
                .isEmpty();
        assertThat(load(f, Map.of("RETRACKER_TRUSTED_PROXIES", " 192.168.0.0/16 , ::1 "), Map.of())
                        .trustedProxies())
                .containsExactly(Cidr.parse("192.168.0.0/16"), Cidr.parse("::1/128"));
        assertThat(load(
                                f,
                                Map.of("RETRACKER_TRUSTED_PROXIES", "192.168.0.0/16"),
                                Map.of(Setting.TRUSTED_PROXIES, "172.16.0.0/12"))
                        .trustedProxies())
                .containsExactly(Cidr.parse("172.16.0.0/12"));
        assertThat(load(f, Map.of(), Map.of(Setting.TRUSTED_PROXIES, "")).trustedProxies())
                .isEmpty();
    }

    @Test
    void fileCanSetEmptyListAndNullText() throws Exception {
        TrackerConfig c = load(file("trusted_proxies: []\nlisten:\ntracker_id:\n"), Map.of(), Map.of());

        assertThat(c.trustedProxies()).isEmpty();
        assertThat(c.listen()).isNull();
        assertThat(c.trackerId()).isEmpty();
    }

    @ParameterizedTest
    @CsvSource({"TRUE,true", "True,true", "1,true", "false,false", "FALSE,false", "0,false", "' true ',true"})
    void environmentBooleansAreTrueFalseOneOrZeroInAnyCase(String text, boolean expected) throws Exception {
        assertThat(load(null, Map.of("RETRACKER_DEBUG", text), Map.of()).debug())
                .isEqualTo(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {"yes", "no", "on", "", "2", "t"})
    void anyOtherEnvironmentBooleanIsAnError(String text) {
        assertThat(error(null, Map.of("RETRACKER_DEBUG", text), Map.of()))
                .isEqualTo("environment variable RETRACKER_DEBUG: expected true, false, 1 or 0, got '" + text + "'");
    }

    // ---- the config file's own errors ----

    @Test
    void emptyOrCommentOnlyFileGivesTheDefaults() throws Exception {
        assertThat(load(file(""), Map.of(), Map.of())).isEqualTo(TrackerConfig.defaults());
        assertThat(load(file("# nothing here\n\n"), Map.of(), Map.of())).isEqualTo(TrackerConfig.defaults());
    }

    @Test
    void unknownKeyIsAnError() throws IOException {
        String f = file("listen: ':6969'\nlisen: ':7000'\n");

        assertThat(error(f, Map.of(), Map.of()))
                .startsWith(f + ": unknown key 'lisen' (known keys: listen, udp_listen,");
    }

    @Test
    void metricsAndTheAdminListenerAreOffByDefaultAndSetLikeAnyKey() throws Exception {
        TrackerConfig d = TrackerConfig.defaults();
        assertThat(d.prometheus()).isFalse();
        assertThat(d.adminListen()).isNull();
        assertThat(d.toServerOptions().adminListen()).isNull();

        TrackerConfig fromFile =
                load(file("prometheus_enabled: true\nadmin_listen: '127.0.0.1:9090'\n"), Map.of(), Map.of());
        assertThat(fromFile.prometheus()).isTrue();
        assertThat(fromFile.toServerOptions().adminListen())
                .isEqualTo(new InetSocketAddress(literal("127.0.0.1"), 9090));

        TrackerConfig fromEnv =
                load(null, Map.of("RETRACKER_PROMETHEUS", "1", "RETRACKER_ADMIN_LISTEN", "[::1]:9090"), Map.of());
        assertThat(fromEnv.prometheus()).isTrue();
        assertThat(fromEnv.adminListen()).isEqualTo(new InetSocketAddress(literal("::1"), 9090));

        TrackerConfig flagsWin = load(
                file("prometheus_enabled: true\nadmin_listen: ':9090'\n"),
                Map.of(),
                Map.of(Setting.PROMETHEUS, "false", Setting.ADMIN_LISTEN, ""));
        assertThat(flagsWin.prometheus()).isFalse();
        assertThat(flagsWin.adminListen()).isNull();

        assertThat(fileError("prometheus_enabled: yes\n")).contains("key 'prometheus_enabled'");
    }

    @Test
    void wrongTypeNamesFileKeyAndValue() throws IOException {
        String f = file("age: abc\n");

        assertThat(error(f, Map.of(), Map.of()))
                .isEqualTo(f + ": key 'age': expected a positive number of minutes (at least 1 second, at most 10080),"
                        + " got 'abc'");
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            quoteCharacter = '"',
            value = {
                "debug: yes|key 'debug': expected true or false, got 'yes'",
                "debug: 1|key 'debug': expected true or false, got 1",
                "numwant_max: '10'|key 'numwant_max': expected an integer from 0 to 1000, got '10'",
                "numwant_max: 10.0|key 'numwant_max': expected an integer from 0 to 1000, got 10.0",
                "stats_interval:|key 'stats_interval': expected an integer from 0 to 86400, got nothing",
                "tracker_id: 123|key 'tracker_id': expected text of at most 64 bytes, got 123 (quote it",
                "listen: 6969|key 'listen': expected [host]:port",
                "trusted_proxies: 10.0.0.0/8|key 'trusted_proxies': expected a list of at most 64 CIDR blocks",
                "trusted_proxies: [8]|key 'trusted_proxies': expected a list of at most 64 CIDR blocks such as"
                        + " [10.0.0.0/8, '::1/128'], got an item 8",
                "trusted_proxies: [[a]]|key 'trusted_proxies': expected a list of at most 64 CIDR blocks",
                "age: [1]|key 'age': expected a positive number of minutes",
                "age: {a: 1}|key 'age': expected a positive number of minutes (at least 1 second, at most 10080),"
                        + " got a mapping",
            })
    void wrongTypesAreErrors(String yaml, String message) throws IOException {
        String f = file(yaml + "\n");

        assertThat(error(f, Map.of(), Map.of())).startsWith(f + ": " + message);
    }

    @Test
    void duplicateKeyIsAnError() throws IOException {
        String f = file("age: 1\ndebug: true\nage: 2\n");

        assertThat(error(f, Map.of(), Map.of())).isEqualTo(f + ": key 'age' is given twice (again at line 3)");
    }

    @Test
    void topLevelMustBeAMapping() throws IOException {
        String f = file("- listen\n- udp_listen\n");

        assertThat(error(f, Map.of(), Map.of()))
                .isEqualTo(f + ": expected a mapping of keys to values at the top level, got a list of 2 items");
        assertThat(fileError("just text\n")).endsWith("got 'just text'");
    }

    @Test
    void brokenYamlNamesFileAndLine() throws IOException {
        String f = file("age: 1\n\tdebug: true\n");

        assertThat(error(f, Map.of(), Map.of())).startsWith(f + ": invalid YAML at line 2, column 1: ");
        assertThat(fileError("a: 1\n---\nb: 2\n")).contains("invalid YAML").contains("another document");
    }

    @Test
    void javaTagsAreRefused() throws IOException {
        assertThat(fileError("age: !!java.lang.Object {}\n")).contains("invalid YAML");
    }

    @Test
    void deeplyNestedYamlIsRefusedWithoutOverflowingTheStack() throws IOException {
        String f = file("trusted_proxies: " + "[".repeat(100_000) + "\n");

        // The top-level mapping is the first level, so the 32nd bracket (column 49) is the 33rd.
        assertThat(error(f, Map.of(), Map.of()))
                .isEqualTo(f + ": invalid YAML: lists and mappings nested more than 32 deep at line 1, column 49");
    }

    @Test
    void aliasExpansionIsBounded() throws IOException {
        StringBuilder laughs = new StringBuilder("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
        for (char c = 'b'; c <= 'z'; c++) {
            char p = (char) (c - 1);
            laughs.append(c).append(": &").append(c).append(" [");
            laughs.append(("*" + p + ", ").repeat(9)).append('*').append(p).append("]\n");
        }

        assertThat(fileError(laughs.toString())).contains("invalid YAML").contains("aliases");
    }

    @Test
    void aFileLargerThanTheLimitIsRefused() throws IOException {
        String f = file("# " + "x".repeat(BoundedYaml.MAX_FILE_BYTES) + "\n");

        assertThat(error(f, Map.of(), Map.of()))
                .isEqualTo(f + ": cannot read the config file: larger than 262144 bytes");
    }

    @Test
    void aFileThatIsNotUtf8IsRefused() throws IOException {
        Path path = dir.resolve("latin1.yml");
        Files.write(path, new byte[] {'t', 'r', 'a', 'c', 'k', 'e', 'r', '_', 'i', 'd', ':', ' ', (byte) 0xe9, '\n'});

        assertThat(error(path.toString(), Map.of(), Map.of()))
                .isEqualTo(path + ": cannot read the config file: not UTF-8 text");
        assertThatThrownBy(() -> ConfigLoader.loadFileContent("x.yml", new byte[] {(byte) 0xc3}, HostResolver.SYSTEM))
                .isInstanceOf(ConfigException.class)
                .hasMessage("x.yml: cannot read the config file: not UTF-8 text");
    }

    @Test
    void listenHostNamesGoThroughTheResolverGiven() throws Exception {
        HostResolver lan = host -> {
            if (host.equals("tracker.lan")) {
                return InetAddress.getByAddress(host, new byte[] {10, 1, 2, 3});
            }
            throw new UnknownHostException(host);
        };

        TrackerConfig c = ConfigLoader.loadFileContent(
                "c.yml", "listen: tracker.lan:7000\n".getBytes(StandardCharsets.UTF_8), lan);

        assertThat(Objects.requireNonNull(c.listen()).getAddress().getAddress()).containsExactly(10, 1, 2, 3);
        assertThatThrownBy(() -> ConfigLoader.loadFileContent(
                        "c.yml", "udp_listen: elsewhere:7000\n".getBytes(StandardCharsets.UTF_8), lan))
                .isInstanceOf(ConfigException.class)
                .hasMessage("c.yml: key 'udp_listen': cannot resolve host 'elsewhere' in 'elsewhere:7000'");
    }

    @Test
    void aMultiLineValueIsShownOnOneLine() throws IOException {
        assertThat(fileError("listen: \"a\\nb\"\n"))
                .endsWith("key 'listen': " + "expected [host]:port such as"
                        + " ':6969', '127.0.0.1:6969' or '[::1]:6969', or '' for off, got 'a\\nb'");
        assertThat(error(null, Map.of("RETRACKER_AGE", "1\n2"), Map.of()))
                .isEqualTo("environment variable RETRACKER_AGE: expected a positive number of minutes (at least 1"
                        + " second, at most 10080), got '1\\n2'");
    }

    // ---- access list ----

    @Test
    void accessListIsOffByDefaultAndSetLikeAnyKey() throws Exception {
        TrackerConfig d = load(null, Map.of(), Map.of());
        assertThat(d.accessList()).isEmpty();
        assertThat(d.accessListMode()).isEqualTo(AccessList.Mode.ALLOW);

        String f = file("access_list: /etc/retracker/deny.txt\naccess_list_mode: deny\n");
        TrackerConfig fromFile = load(f, Map.of(), Map.of());
        assertThat(fromFile.accessList()).isEqualTo("/etc/retracker/deny.txt");
        assertThat(fromFile.accessListMode()).isEqualTo(AccessList.Mode.DENY);

        TrackerConfig fromEnv = load(
                f, Map.of("RETRACKER_ACCESS_LIST", "/srv/allow.txt", "RETRACKER_ACCESS_LIST_MODE", "Allow"), Map.of());
        assertThat(fromEnv.accessList()).isEqualTo("/srv/allow.txt");
        assertThat(fromEnv.accessListMode()).isEqualTo(AccessList.Mode.ALLOW);

        TrackerConfig fromFlags = load(
                f,
                Map.of("RETRACKER_ACCESS_LIST_MODE", "allow"),
                Map.of(Setting.ACCESS_LIST, "", Setting.ACCESS_LIST_MODE, "deny"));
        assertThat(fromFlags.accessList()).as("'' turns it off").isEmpty();
        assertThat(fromFlags.accessListMode()).isEqualTo(AccessList.Mode.DENY);
    }

    @Test
    void accessListModeIsAllowOrDeny() throws IOException {
        assertThat(error(null, Map.of("RETRACKER_ACCESS_LIST_MODE", "whitelist"), Map.of()))
                .isEqualTo("environment variable RETRACKER_ACCESS_LIST_MODE: expected allow or deny, got 'whitelist'");
        assertThat(error(null, Map.of(), Map.of(Setting.ACCESS_LIST_MODE, "off")))
                .isEqualTo("option --access-list-mode: expected allow or deny, got 'off'");
        String f = file("access_list_mode: true\n");
        assertThat(error(f, Map.of(), Map.of()))
                .isEqualTo(f + ": key 'access_list_mode': expected allow or deny, got true");
        assertThat(fileError("access_list: [a, b]\n"))
                .endsWith("key 'access_list': expected a file path of at most 4096 bytes, or '' for none, got a list"
                        + " of 2 items (quote it to make it text)");
    }

    @Test
    void missingFileIsAnError() {
        String missing = dir.resolve("nope.yml").toString();

        assertThat(error(missing, Map.of(), Map.of()))
                .isEqualTo(missing + ": cannot read the config file: no such file");
    }

    @Test
    void directoryIsNotAConfigFile() {
        assertThat(error(dir.toString(), Map.of(), Map.of())).startsWith(dir + ": cannot read the config file");
    }

    @Test
    void environmentNamesTheFileWhenNoFlagDoes() throws Exception {
        String f = file("stats_interval: 5\n");
        String missing = dir.resolve("nope.yml").toString();

        assertThat(load(null, Map.of(ConfigLoader.CONFIG_ENV, f), Map.of()).statsInterval())
                .isEqualTo(5);
        assertThat(load(f, Map.of(ConfigLoader.CONFIG_ENV, missing), Map.of()).statsInterval())
                .isEqualTo(5);
        assertThat(load("", Map.of(ConfigLoader.CONFIG_ENV, f), Map.of())).isEqualTo(TrackerConfig.defaults());
        assertThat(load(null, Map.of(ConfigLoader.CONFIG_ENV, ""), Map.of())).isEqualTo(TrackerConfig.defaults());
    }

    // ---- values out of range ----

    @Test
    void minIntervalAboveIntervalIsAnErrorNotAClamp() throws IOException {
        String f = file("announce_response_interval: 600\nmin_announce_interval: 900\n");

        assertThat(error(f, Map.of(), Map.of()))
                .isEqualTo(f + ": key 'min_announce_interval': expected at most announce_response_interval"
                        + " (600, from " + f + "), got 900");
    }

    @Test
    void orderErrorBlamesTheStrongerSource() throws IOException {
        assertThat(error(null, Map.of("RETRACKER_ANNOUNCE_INTERVAL", "600"), Map.of()))
                .isEqualTo("environment variable RETRACKER_ANNOUNCE_INTERVAL: expected at least"
                        + " min_announce_interval (900, from the default), got 600");
        assertThat(error(file("min_announce_interval: 2000\n"), Map.of(), Map.of()))
                .endsWith("key 'min_announce_interval': expected at most announce_response_interval"
                        + " (1800, from the default), got 2000");
        assertThat(error(null, Map.of("RETRACKER_NUMWANT_DEFAULT", "100"), Map.of(Setting.NUMWANT_MAX, "80")))
                .isEqualTo("option --numwant-max: expected at least numwant_default (100, from"
                        + " RETRACKER_NUMWANT_DEFAULT), got 80");
    }

    @Test
    void thePerAddressRateLimitIsOffByDefaultAndComesFromEveryLayer() throws Exception {
        assertThat(TrackerConfig.defaults().clientLimits())
                .isEqualTo(new ClientLimits(0, 100, ClientLimits.DEFAULT_MAX_CONNECTIONS_PER_ADDRESS));
        assertThat(TrackerConfig.defaults().toServerOptions().limits().rateLimited())
                .isFalse();

        String f = file("rate_limit_per_ip_per_sec: 20\nrate_limit_per_ip_burst: 40\nmax_connections_per_ip: 0\n");
        assertThat(load(f, Map.of(), Map.of()).toServerOptions().limits()).isEqualTo(new ClientLimits(20, 40, 0));
        assertThat(load(
                                f,
                                Map.of("RETRACKER_RATE_LIMIT_PER_IP_PER_SEC", "5"),
                                Map.of(Setting.RATE_LIMIT_PER_IP_BURST, "7", Setting.MAX_CONNECTIONS_PER_IP, "9"))
                        .clientLimits())
                .isEqualTo(new ClientLimits(5, 7, 9));
        assertThat(error(null, Map.of(), Map.of(Setting.RATE_LIMIT_PER_IP_PS, "1001")))
                .isEqualTo("option --rate-limit-per-ip-ps: expected an integer from 0 to 1000, got '1001'");
    }

    @Test
    void minIntervalEqualToIntervalIsFine() throws Exception {
        TrackerConfig c =
                load(null, Map.of(), Map.of(Setting.ANNOUNCE_INTERVAL, "600", Setting.MIN_ANNOUNCE_INTERVAL, "600"));

        assertThat(c.toPolicy().minAnnounceInterval()).isEqualTo(600);
    }

    @Test
    void numwantMaxAboveTheHardLimitIsAnError() throws IOException {
        String f = file("numwant_max: 1001\n");

        assertThat(error(f, Map.of(), Map.of()))
                .isEqualTo(f + ": key 'numwant_max': expected an integer from 0 to 1000, got 1001");
        assertThat(error(null, Map.of(), Map.of(Setting.NUMWANT_MAX, "1001")))
                .isEqualTo("option --numwant-max: expected an integer from 0 to 1000, got '1001'");
        assertThat(error(null, Map.of("RETRACKER_NUMWANT_MAX", "99999999999999999999"), Map.of()))
                .isEqualTo("environment variable RETRACKER_NUMWANT_MAX: expected an integer from 0 to 1000,"
                        + " got '99999999999999999999'");
    }

    @ParameterizedTest
    @ValueSource(strings = {"-1", "0", "0.001", "10081", "abc", "NaN", "Infinity", "1f", "0x10", "", "1,5"})
    void badAgeIsAnError(String text) {
        assertThat(error(null, Map.of(), Map.of(Setting.AGE, text)))
                .isEqualTo("option -a/--age: expected a positive number of minutes (at least 1 second, at most"
                        + " 10080), got '" + text + "'");
    }

    @ParameterizedTest
    @ValueSource(strings = {"age: -1", "age: 0", "age: .inf", "age: .nan", "age: 1e9"})
    void badAgeInTheFileIsAnError(String yaml) throws IOException {
        assertThat(fileError(yaml + "\n")).contains("key 'age': expected a positive number of minutes");
    }

    @ParameterizedTest
    @CsvSource({
        "RETRACKER_ANNOUNCE_INTERVAL,0",
        "RETRACKER_MIN_ANNOUNCE_INTERVAL,0",
        "RETRACKER_STATS_INTERVAL,-1",
        "RETRACKER_SCRAPE_MAX_HASHES,0",
        "RETRACKER_SCRAPE_MAX_HASHES,1001",
        "RETRACKER_CONNECTION_ID_GRACE,601",
        "RETRACKER_IO_THREADS,-1",
        "RETRACKER_HTTP_IDLE_TIMEOUT,0",
        "RETRACKER_HTTP_REQUEST_TIMEOUT,3601",
        "RETRACKER_NUMWANT_DEFAULT,-1",
        "RETRACKER_RATE_LIMIT_PER_IP_PER_SEC,-1",
        "RETRACKER_RATE_LIMIT_PER_IP_PER_SEC,1001",
        "RETRACKER_RATE_LIMIT_PER_IP_BURST,0",
        "RETRACKER_RATE_LIMIT_PER_IP_BURST,10001",
        "RETRACKER_MAX_CONNECTIONS_PER_IP,-1",
        "RETRACKER_MAX_CONNECTIONS_PER_IP,65537",
        "RETRACKER_ANNOUNCE_INTERVAL,1.5",
        "RETRACKER_ANNOUNCE_INTERVAL,' '",
    })
    void integerOutOfRangeIsAnError(String env, String text) {
        assertThat(error(null, Map.of(env, text), Map.of()))
                .startsWith("environment variable " + env + ": expected an integer from ")
                .endsWith(", got '" + text + "'");
    }

    @Test
    void longTrackerIdIsAnError() {
        assertThat(error(null, Map.of(), Map.of(Setting.TRACKER_ID, "x".repeat(65))))
                .startsWith("option --tracker-id: expected text of at most 64 bytes");
    }

    // ---- CIDRs and listen addresses ----

    @Test
    void badCidrIsAnError() throws IOException {
        String f = file("trusted_proxies: [10.0.0.0/8, bogus]\n");

        assertThat(error(f, Map.of(), Map.of()))
                .isEqualTo(f + ": key 'trusted_proxies': not an IP address or CIDR block: 'bogus'");
        assertThat(error(null, Map.of("RETRACKER_TRUSTED_PROXIES", "10.0.0.0/33"), Map.of()))
                .isEqualTo("environment variable RETRACKER_TRUSTED_PROXIES: prefix length out of range in"
                        + " '10.0.0.0/33'");
        assertThat(error(null, Map.of("RETRACKER_TRUSTED_PROXIES", "10.0.0.0/8,"), Map.of()))
                .startsWith("environment variable RETRACKER_TRUSTED_PROXIES: not an IP address or CIDR block");
    }

    @Test
    void tooManyTrustedProxiesIsAnError() {
        String many = String.join(",", Collections.nCopies(65, "10.0.0.0/8"));

        assertThat(error(null, Map.of("RETRACKER_TRUSTED_PROXIES", many), Map.of()))
                .startsWith("environment variable RETRACKER_TRUSTED_PROXIES: expected at most 64 comma-separated");
    }

    @Test
    void listenForms() throws Exception {
        assertThat(listen(":6969")).isEqualTo(new InetSocketAddress(6969));
        assertThat(listen(":0")).isEqualTo(new InetSocketAddress(0));
        assertThat(listen("127.0.0.1:80")).isEqualTo(new InetSocketAddress(literal("127.0.0.1"), 80));
        InetSocketAddress v6 = Objects.requireNonNull(listen("[::1]:6969"));
        assertThat(v6.getAddress()).isInstanceOf(Inet6Address.class);
        assertThat(v6.getAddress().isLoopbackAddress()).isTrue();
        assertThat(listen("[::]:1")).isEqualTo(new InetSocketAddress(literal("::"), 1));
        assertThat(listen(" :6970 ")).isEqualTo(new InetSocketAddress(6970));
        assertThat(listen("")).isNull();
    }

    private static @Nullable InetSocketAddress listen(String text) throws ConfigException {
        return load(null, Map.of(), Map.of(Setting.LISTEN, text)).listen();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "6969",
                "::1:6969",
                "[::1]",
                "[::1]:",
                "127.0.0.1:",
                ":70000",
                ":-1",
                ":+80",
                ":123456",
                "host:port",
                "[127.0.0.1]:80",
                "[::1:80",
                "::1]:80",
                "[::1]x:80",
                "1.2.3.4:abc",
                ":"
            })
    void badListenAddressIsAnError(String text) {
        assertThat(error(null, Map.of(), Map.of(Setting.LISTEN, text)))
                .startsWith("option -l/--listen: ")
                .endsWith("'" + text + "'");
        assertThat(error(null, Map.of("RETRACKER_UDP_LISTEN", text), Map.of()))
                .startsWith("environment variable RETRACKER_UDP_LISTEN: ");
    }

    // ---- the record and what it hands on ----

    @Test
    void toPolicyAndServerOptionsCarryEveryValue() throws Exception {
        TrackerConfig c = load(file("""
                        listen: ''
                        udp_listen: '127.0.0.1:0'
                        age: 1.5
                        x_real_ip: true
                        announce_response_interval: 300
                        min_announce_interval: 200
                        tracker_id: t1
                        trusted_proxies: ['10.1.0.0/16']
                        numwant_default: 7
                        numwant_max: 9
                        scrape_max_hashes: 3
                        connection_id_grace: 15
                        io_threads: 2
                        http_idle_timeout: 11
                        http_request_timeout: 6
                        """), Map.of(), Map.of());

        assertThat(c.toPolicy()).isEqualTo(new TrackerPolicy(300, 200, 7, 9, 90, 3));
        ServerOptions o = c.toServerOptions();
        assertThat(o.httpListen()).isNull();
        assertThat(o.udpListen()).isEqualTo(new InetSocketAddress(literal("127.0.0.1"), 0));
        assertThat(o.realIpHeader()).isTrue();
        assertThat(o.trustedProxies()).containsExactly(Cidr.parse("10.1.0.0/16"));
        assertThat(o.connectionIdGraceSeconds()).isEqualTo(15);
        assertThat(o.ioThreads()).isEqualTo(2);
        assertThat(o.httpIdleTimeoutSeconds()).isEqualTo(11);
        assertThat(o.httpRequestTimeoutSeconds()).isEqualTo(6);
        assertThat(o.trackerId()).isEqualTo("t1");
        assertThat(TrackerConfig.defaults().toServerOptions().trackerId()).isNull();
    }

    @Test
    void peerLifetimeRoundsToWholeSeconds() throws Exception {
        assertThat(load(null, Map.of("RETRACKER_AGE", "0.0166667"), Map.of()).peerLifetimeSeconds())
                .isEqualTo(1);
        assertThat(load(null, Map.of("RETRACKER_AGE", "2.509"), Map.of()).peerLifetimeSeconds())
                .isEqualTo(151);
        assertThat(load(null, Map.of("RETRACKER_AGE", "10080"), Map.of()).peerLifetimeSeconds())
                .isEqualTo(604_800);
    }

    @Test
    void recordRejectsWhatTheLoaderRejects() {
        TrackerConfig d = TrackerConfig.defaults();

        assertThatThrownBy(() -> new TrackerConfig(
                        d.listen(),
                        d.udpListen(),
                        d.age(),
                        d.debug(),
                        d.xRealIp(),
                        600,
                        900,
                        d.statsInterval(),
                        d.trackerId(),
                        d.trustedProxies(),
                        d.numwantDefault(),
                        d.numwantMax(),
                        d.scrapeMaxHashes(),
                        d.maxTorrents(),
                        d.maxPeersPerSwarm(),
                        d.connectionIdGrace(),
                        d.ioThreads(),
                        d.httpIdleTimeout(),
                        d.httpRequestTimeout(),
                        d.prometheus(),
                        d.adminListen(),
                        d.accessList(),
                        d.accessListMode(),
                        d.forwarding(),
                        d.clientLimits()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("key 'min_announce_interval': expected at most announce_response_interval (600), got 900");
        assertThatThrownBy(() -> new TrackerConfig(
                        d.listen(),
                        d.udpListen(),
                        -1,
                        d.debug(),
                        d.xRealIp(),
                        d.announceInterval(),
                        d.minAnnounceInterval(),
                        d.statsInterval(),
                        d.trackerId(),
                        d.trustedProxies(),
                        d.numwantDefault(),
                        d.numwantMax(),
                        d.scrapeMaxHashes(),
                        d.maxTorrents(),
                        d.maxPeersPerSwarm(),
                        d.connectionIdGrace(),
                        d.ioThreads(),
                        d.httpIdleTimeout(),
                        d.httpRequestTimeout(),
                        d.prometheus(),
                        d.adminListen(),
                        d.accessList(),
                        d.accessListMode(),
                        d.forwarding(),
                        d.clientLimits()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("key 'age': expected a positive number of minutes");
    }

    @Test
    void trustedProxiesAreCopied() {
        List<Cidr> proxies = new ArrayList<>(List.of(Cidr.parse("10.0.0.0/8")));
        TrackerConfig d = TrackerConfig.defaults();
        TrackerConfig c = new TrackerConfig(
                d.listen(),
                d.udpListen(),
                d.age(),
                d.debug(),
                d.xRealIp(),
                d.announceInterval(),
                d.minAnnounceInterval(),
                d.statsInterval(),
                d.trackerId(),
                proxies,
                d.numwantDefault(),
                d.numwantMax(),
                d.scrapeMaxHashes(),
                d.maxTorrents(),
                d.maxPeersPerSwarm(),
                d.connectionIdGrace(),
                d.ioThreads(),
                d.httpIdleTimeout(),
                d.httpRequestTimeout(),
                d.prometheus(),
                d.adminListen(),
                d.accessList(),
                d.accessListMode(),
                d.forwarding(),
                d.clientLimits());

        proxies.clear();

        assertThat(c.trustedProxies()).hasSize(1);
    }

    @Test
    void warnsAboutLifetimeShorterThanIntervalAndUselessRealIp() throws Exception {
        TrackerConfig c = load(
                null, Map.of("RETRACKER_AGE", "10", "RETRACKER_X_REAL_IP", "1"), Map.of(Setting.TRUSTED_PROXIES, ""));

        assertThat(c.warnings()).hasSize(2);
        assertThat(c.warnings().get(0)).startsWith("age (600 s) is shorter than announce_response_interval (1800 s)");
        assertThat(c.warnings().get(1)).startsWith("x_real_ip is on but trusted_proxies is empty");
    }

    /** An IP address written as a literal: parsed, never looked up. */
    private static InetAddress literal(String ip) throws UnknownHostException {
        return InetAddress.getByName(ip);
    }
}
