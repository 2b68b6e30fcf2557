package org.retracker.packaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code docker/docker-entrypoint.sh} with a fake launcher that prints its pid and arguments: the
 * mapping of RETRACKER_* variables to flags, and that the launcher replaces the shell.
 */
class DockerEntrypointTest {
    private static final Path ENTRYPOINT = ScriptRun.ROOT.resolve("docker/docker-entrypoint.sh");

    @TempDir
    Path dir;

    private Path launcher = Path.of("unset");

    @BeforeEach
    void fakeLauncher() throws IOException {
        launcher = dir.resolve("retracker");
        // First its pid, then every argument, each ended by NUL so that empty ones show.
        Files.writeString(launcher, "#!/bin/sh\nprintf '%s\\0' \"$$\" \"$@\"\n");
        Files.setPosixFilePermissions(launcher, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private record Launch(long launcherPid, long entrypointPid, List<String> args) {}

    private Launch launch(Map<String, String> env, String... args) throws Exception {
        Map<String, String> environment = new HashMap<>(env);
        environment.put("RETRACKER_LAUNCHER", launcher.toString());
        List<String> command = new ArrayList<>(List.of(ENTRYPOINT.toString()));
        command.addAll(Arrays.asList(args));
        ScriptRun run = ScriptRun.run(command, environment, Duration.ofSeconds(10));
        assertThat(run.exit()).as(run.stderr()).isZero();
        assertThat(run.stderr()).isEmpty();
        assertThat(run.stdout()).endsWith("\0");
        List<String> printed = new ArrayList<>(Arrays.asList(
                run.stdout().substring(0, run.stdout().length() - 1).split("\0", -1)));
        long pid = Long.parseLong(printed.remove(0));
        return new Launch(pid, run.pid(), printed);
    }

    private List<String> argv(Map<String, String> env, String... args) throws Exception {
        return launch(env, args).args();
    }

    @Test
    void addsNothingWhenNoVariableIsSet() throws Exception {
        assertThat(argv(Map.of())).isEmpty();
        assertThat(argv(Map.of("RETRACKER_AGE", "5", "OTHER", "x"))).isEmpty();
    }

    @ParameterizedTest
    @CsvSource({
        "RETRACKER_CONFIG, /app/config.yml, -c",
        "RETRACKER_LISTEN, :8080, -l",
        "RETRACKER_UDP_LISTEN, '[::1]:6969', -u",
        "RETRACKER_FORWARDS, /app/forwarders.yml, -f",
    })
    void mapsEachVariableToItsFlag(String variable, String value, String flag) throws Exception {
        assertThat(argv(Map.of(variable, value))).containsExactly(flag, value);
    }

    @ParameterizedTest
    @CsvSource({"RETRACKER_CONFIG, -c", "RETRACKER_LISTEN, -l", "RETRACKER_UDP_LISTEN, -u", "RETRACKER_FORWARDS, -f"})
    void passesAnEmptyValueAsAnEmptyArgument(String variable, String flag) throws Exception {
        // RETRACKER_UDP_LISTEN= must reach retracker as -u '' (UDP off), not vanish.
        assertThat(argv(Map.of(variable, ""))).containsExactly(flag, "");
    }

    @ParameterizedTest
    @ValueSource(strings = {"true", "1", "TRUE", "True", " true "})
    void debugTrueOrOneAddsTheSwitch(String value) throws Exception {
        assertThat(argv(Map.of("RETRACKER_DEBUG", value))).containsExactly("-d");
    }

    @ParameterizedTest
    @ValueSource(strings = {"false", "0", "", "FALSE", "yes", "2"})
    void debugAnythingElseAddsNothing(String value) throws Exception {
        // retracker reads RETRACKER_DEBUG itself too: false and 0 keep debug off, and a value that
        // is not a boolean stops it with a message naming the variable.
        assertThat(argv(Map.of("RETRACKER_DEBUG", value))).isEmpty();
    }

    @Test
    void mapsAllInAFixedOrderAndAppendsTheArguments() throws Exception {
        Map<String, String> env = Map.of(
                "RETRACKER_CONFIG", "/app/config.yml",
                "RETRACKER_LISTEN", ":6969",
                "RETRACKER_UDP_LISTEN", "",
                "RETRACKER_FORWARDS", "/app/forwarders.yml",
                "RETRACKER_DEBUG", "1");

        assertThat(argv(env, "-x", "-i", "900", "--tracker-id", "a b", ""))
                .containsExactly(
                        "-c",
                        "/app/config.yml",
                        "-l",
                        ":6969",
                        "-u",
                        "",
                        "-f",
                        "/app/forwarders.yml",
                        "-d",
                        "-x",
                        "-i",
                        "900",
                        "--tracker-id",
                        "a b",
                        "");
    }

    @Test
    void passesArgumentsAloneWhenNoVariableIsSet() throws Exception {
        assertThat(argv(Map.of(), "-x", "-p")).containsExactly("-x", "-p");
    }

    @ParameterizedTest
    @ValueSource(strings = {"-l :8080", "-l:8080", "--listen :8080", "--listen=:8080", "-dxl :8080", "-xl:8080"})
    void aListenFlagAmongTheArgumentsWinsOverTheVariable(String given) throws Exception {
        String[] args = given.split(" ");
        Map<String, String> env = Map.of("RETRACKER_LISTEN", ":6969", "RETRACKER_UDP_LISTEN", ":6970");

        // Mapped as well, retracker would stop: "option '--listen' should be specified only once".
        List<String> expected = new ArrayList<>(List.of("-u", ":6970"));
        expected.addAll(Arrays.asList(args));
        assertThat(argv(env, args)).containsExactlyElementsOf(expected);
    }

    @ParameterizedTest
    @CsvSource({
        "RETRACKER_CONFIG, -c, --config",
        "RETRACKER_UDP_LISTEN, -u, --udp-listen",
        "RETRACKER_FORWARDS, -f, --forwards",
    })
    void everyMappedFlagAmongTheArgumentsWins(String variable, String shortFlag, String longFlag) throws Exception {
        assertThat(argv(Map.of(variable, "env"), shortFlag, "arg")).containsExactly(shortFlag, "arg");
        assertThat(argv(Map.of(variable, "env"), longFlag + "=arg")).containsExactly(longFlag + "=arg");
    }

    @ParameterizedTest
    @ValueSource(strings = {"-d", "--debug", "--debug=false", "-xd"})
    void aDebugFlagAmongTheArgumentsWins(String given) throws Exception {
        assertThat(argv(Map.of("RETRACKER_DEBUG", "true"), given)).containsExactly(given);
    }

    @Test
    void otherFlagsDoNotHideAVariable() throws Exception {
        // -i and --tracker-id take values; -x is a switch: none of them is -l.
        assertThat(argv(Map.of("RETRACKER_LISTEN", ":6969"), "-i", "900", "--tracker-id", "lan", "-x"))
                .containsExactly("-l", ":6969", "-i", "900", "--tracker-id", "lan", "-x");
    }

    @Test
    void theLauncherReplacesTheShell() throws Exception {
        // exec: the launcher (then the JVM) keeps the entrypoint's pid, so it is PID 1 in the
        // container and gets docker stop's SIGTERM itself.
        Launch launch = launch(Map.of("RETRACKER_LISTEN", ":6969"));

        assertThat(launch.launcherPid()).isEqualTo(launch.entrypointPid());
    }

    @Test
    void defaultsToTheLauncherOfTheImageInTheContainer() throws Exception {
        assumeFalse(Files.exists(Path.of("/opt/retracker/bin/retracker")), "this host has a real one");
        assertThat(Files.readString(ENTRYPOINT)).contains("${RETRACKER_LAUNCHER:-/opt/retracker/bin/retracker}");
        ScriptRun run = ScriptRun.run(List.of(ENTRYPOINT.toString()), Map.of(), Duration.ofSeconds(10));
        assertThat(run.exit()).isEqualTo(127);
        assertThat(run.stderr()).contains("/opt/retracker/bin/retracker");
    }
}
