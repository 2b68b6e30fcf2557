package org.retracker.scripts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/** {@code scripts/update-forwarders.sh}, run on local lists only: the tests never touch the network. */
class UpdateForwardersScriptTest {
    private static final Path SCRIPT = Path.of("scripts/update-forwarders.sh").toAbsolutePath();
    private static final Path FIXTURES =
            Path.of("src/test/resources/update-forwarders").toAbsolutePath();

    @TempDir
    Path dir;

    private record Result(int exit, String stdout, String stderr) {}

    /** Runs the script in {@link #dir} with stdin closed; output files and sources are given as args. */
    private Result run(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("/bin/bash", SCRIPT.toString()));
        command.addAll(List.of(args));
        Path out = Files.createTempFile("update-forwarders", ".stdout");
        Path err = Files.createTempFile("update-forwarders", ".stderr");
        try {
            Process process = new ProcessBuilder(command)
                    .directory(dir.toFile())
                    .redirectOutput(out.toFile())
                    .redirectError(err.toFile())
                    .start();
            process.getOutputStream().close();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                fail("update-forwarders.sh did not finish within 10 s");
            }
            return new Result(
                    process.exitValue(),
                    Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    private Path list(String name, String... lines) throws IOException {
        Path path = dir.resolve(name);
        Files.writeString(path, String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
        return path;
    }

    /** Loads the output with SnakeYAML Engine: a list of maps with exactly a {@code uri} key each. */
    private static List<String> uris(Path yaml) throws IOException {
        Object document = new Load(LoadSettings.builder().build()).loadFromString(Files.readString(yaml));
        assertThat(document).isInstanceOf(List.class);
        List<String> uris = new ArrayList<>();
        for (Object entry : (List<?>) document) {
            assertThat(entry).isInstanceOf(Map.class);
            Map<?, ?> map = (Map<?, ?>) entry;
            assertThat(new ArrayList<Object>(map.keySet())).containsExactly("uri");
            assertThat(map.get("uri")).isInstanceOf(String.class);
            uris.add(String.valueOf(map.get("uri")));
        }
        return uris;
    }

    private static void assertWritten(Result result) {
        assertThat(result.exit()).as(result.stderr()).isZero();
    }

    @Test
    void prefersUdpThenHttpsThenHttpPerHostComparedWithoutCaseOrPort() throws Exception {
        Path in = list(
                "in.txt",
                "http://a.example/announce",
                "https://b.example/announce",
                "http://c.example/announce",
                "https://A.EXAMPLE:8443/announce",
                "http://b.example/announce",
                "udp://a.example:6969/announce",
                "https://c.example/first",
                "https://c.example/second",
                "udp://d.example:1/announce",
                "https://D.example/announce");
        Path yaml = dir.resolve("out.yml");

        Result result = run("-o", yaml.toString(), in.toString());

        assertWritten(result);
        assertThat(uris(yaml))
                .containsExactly(
                        "udp://a.example:6969/announce",
                        "https://b.example/announce",
                        "https://c.example/first",
                        "udp://d.example:1/announce");
        assertThat(result.stderr()).contains("4 entries from 10 lines, 0 skipped");
    }

    @Test
    void keepsUrlsAsWrittenButForTheScheme() throws Exception {
        Path in = list(
                "in.txt",
                "https://Private.Example/AbC123xYz/announce",
                "http://php.example:8080/announce.php?passkey=QwErTy&uid=42",
                "udp://nopath.example:2710",
                "HTTP://upper.example/Announce",
                "udp://[2001:db8::1]:6969/announce",
                "http://192.0.2.7:80/a%2Fb?info=%41");
        Path yaml = dir.resolve("out.yml");

        Result result = run("-o", yaml.toString(), in.toString());

        assertWritten(result);
        assertThat(uris(yaml))
                .containsExactly(
                        "https://Private.Example/AbC123xYz/announce",
                        "http://php.example:8080/announce.php?passkey=QwErTy&uid=42",
                        "udp://nopath.example:2710",
                        "http://upper.example/Announce",
                        "udp://[2001:db8::1]:6969/announce",
                        "http://192.0.2.7:80/a%2Fb?info=%41");
    }

    @Test
    void quotesWhatYamlWouldMisread() throws Exception {
        List<String> tricky = List.of(
                "http://hash.example/announce#frag",
                "http://colon.example/announce?a=b:c&d=:",
                "http://chars.example/'single'!*&x,[y]@z",
                "http://percent.example/%25%23?k=%20");
        Path in = list("in.txt", tricky.toArray(String[]::new));
        Path yaml = dir.resolve("out.yml");

        Result result = run("-o", yaml.toString(), in.toString());

        assertWritten(result);
        assertThat(uris(yaml)).containsExactlyElementsOf(tricky);
        assertThat(Files.readAllLines(yaml))
                .filteredOn(line -> !line.startsWith("#"))
                .allSatisfy(line -> assertThat(line).startsWith("- uri: \"").endsWith("\""));
    }

    @Test
    void readsBlankLineSeparatedListsCommentsAndSeparators() throws Exception {
        Path newtrackon = FIXTURES.resolve("newtrackon-style.txt");
        Path mixed = FIXTURES.resolve("mixed.txt");
        Path yaml = dir.resolve("out.yml");

        Result result = run("-o", yaml.toString(), newtrackon.toString(), mixed.toString());

        assertWritten(result);
        assertThat(uris(yaml))
                .containsExactly(
                        "udp://tracker.alpha.example:1337/announce",
                        "udp://open.beta.example:6969/announce",
                        "https://tracker.gamma.example:443/announce",
                        "udp://tracker.delta.example:2710/announce",
                        "http://tracker.epsilon.example/announce",
                        "https://tracker.zeta.example/announce",
                        "udp://tracker.eta.example:6969/announce",
                        "udp://tracker.theta.example:6969/announce");
        String header = Files.readString(yaml);
        assertThat(header)
                .startsWith("# ")
                .contains("Generated by scripts/update-forwarders.sh on ")
                .contains("#   " + newtrackon)
                .contains("#   " + mixed)
                .doesNotContain("name:");
        assertThat(result.stderr()).contains("8 entries from 14 lines, 6 skipped, 2 duplicates");
    }

    @Test
    void skipsMalformedAndUnsupportedUrlsNamingSourceAndLine() throws Exception {
        Path mixed = FIXTURES.resolve("mixed.txt");
        Path yaml = dir.resolve("out.yml");

        Result result = run("-o", yaml.toString(), mixed.toString());

        assertWritten(result);
        String prefix = "skipping " + mixed + ":";
        assertThat(result.stderr().lines().filter(line -> line.startsWith("skipping ")))
                .containsExactly(
                        prefix
                                + "6: unsupported scheme wss (only udp, http, https): 'wss://tracker.webtorrent.example'",
                        prefix + "7: no scheme: 'tracker.noscheme.example:6969/announce'",
                        prefix + "8: udp URL without a port: 'udp://tracker.noport.example/announce'",
                        prefix + "9: space inside the URL: 'http://tracker.bad port.example/announce'",
                        prefix + "10: bad port '70000': 'http://tracker.badport.example:70000/announce'",
                        prefix + "11: no host: 'http:///announce'");
        assertThat(uris(yaml)).hasSize(5).noneMatch(uri -> uri.contains("noport") || uri.contains("webtorrent"));
        assertThat(result.stderr()).contains("5 entries from 10 lines, 6 skipped, 1 duplicates");
    }

    @Test
    void skipsBadHostsPortsAndCharacters() throws Exception {
        Path in = list(
                "in.txt",
                "http://under_score.example/announce",
                "http://192.0.2.300/announce",
                "http://[not:v6]/announce",
                "http://ok.example:0/announce",
                "http://ok.example:/announce",
                "http://ok.example:80x/announce",
                "http://ok.example/\"quoted\"",
                "http://ok.example/%zz",
                "ftp://ok.example/announce",
                "udp://good.example:6969/announce");
        Path yaml = dir.resolve("out.yml");

        Result result = run("-o", yaml.toString(), in.toString());

        assertWritten(result);
        assertThat(uris(yaml)).containsExactly("udp://good.example:6969/announce");
        for (int line = 1; line <= 9; line++) {
            assertThat(result.stderr()).contains("skipping " + in + ":" + line + ": ");
        }
        assertThat(result.stderr()).contains("1 entries from 10 lines, 9 skipped");
    }

    @Test
    void removesDuplicatesAcrossSourcesKeepingTheFirst() throws Exception {
        Path first = list("first.txt", "udp://x.example:1/announce", "http://y.example/one");
        Path second = list(
                "second.txt",
                "http://y.example/two",
                "udp://x.example:1/announce",
                "udp://X.example:2/other",
                "http://z.example/announce",
                "http://y.example/one");
        Path yaml = dir.resolve("out.yml");

        Result result = run("-o", yaml.toString(), first.toString(), second.toString());

        assertWritten(result);
        assertThat(uris(yaml))
                .containsExactly("udp://x.example:1/announce", "http://y.example/one", "http://z.example/announce");
        assertThat(result.stderr()).contains("3 entries from 7 lines, 0 skipped, 4 duplicates");
    }

    @Test
    void sameInputGivesTheSameEntries() throws Exception {
        Path mixed = FIXTURES.resolve("mixed.txt");
        Path one = dir.resolve("one.yml");
        Path two = dir.resolve("two.yml");

        assertWritten(run("-o", one.toString(), mixed.toString()));
        assertWritten(run("-o", two.toString(), mixed.toString()));

        assertThat(Files.readAllLines(two).stream().filter(line -> !line.startsWith("#")))
                .containsExactlyElementsOf(Files.readAllLines(one).stream()
                        .filter(line -> !line.startsWith("#"))
                        .toList());
    }

    @Test
    void keepsTheOldFileWhenNothingIsUsable() throws Exception {
        Path junk = list("junk.txt", "# nothing here", "", "wss://only.example/announce", "not a url");
        Path yaml = dir.resolve("forwarders.yml");
        Files.writeString(yaml, "- uri: udp://old.example:1/announce\n");

        Result result = run(
                "-o",
                yaml.toString(),
                junk.toString(),
                dir.resolve("missing.txt").toString());

        assertThat(result.exit()).isEqualTo(1);
        assertThat(Files.readString(yaml)).isEqualTo("- uri: udp://old.example:1/announce\n");
        assertThat(result.stderr())
                .contains("skipping " + junk + ":3: unsupported scheme wss")
                .contains("skipping " + junk + ":4: space inside the URL")
                .contains("cannot read " + dir.resolve("missing.txt"))
                .contains("0 entries from 2 lines, 2 skipped")
                .contains("no usable tracker URL found");
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.map(path -> path.getFileName().toString()))
                    .containsExactlyInAnyOrder("junk.txt", "forwarders.yml");
        }
    }

    @Test
    void writesNothingWhenTheOnlySourceIsMissing() throws Exception {
        Path yaml = dir.resolve("out.yml");

        Result result = run("-o", yaml.toString(), dir.resolve("missing.txt").toString());

        assertThat(result.exit()).isEqualTo(1);
        assertThat(yaml).doesNotExist();
    }

    @Test
    void writesWhereMinusOSaysCreatingDirectoriesAndLeavingNoTemporaryFile() throws Exception {
        Path in = list("in.txt", "udp://x.example:1/announce");
        Path yaml = dir.resolve("deep/er/custom.yml");

        Result result = run("-o", "deep/er/custom.yml", in.toString());

        assertWritten(result);
        assertThat(uris(yaml)).containsExactly("udp://x.example:1/announce");
        assertThat(result.stderr()).contains("wrote deep/er/custom.yml");
        try (Stream<Path> files = Files.list(yaml.getParent())) {
            assertThat(files.map(path -> path.getFileName().toString())).containsExactly("custom.yml");
        }
        assertThat(result.stdout()).isEmpty();
    }

    @Test
    void helpPrintsUsage() throws Exception {
        Result result = run("-h");

        assertThat(result.exit()).isZero();
        assertThat(result.stdout())
                .startsWith("Usage: update-forwarders.sh [-o OUTPUT] [SOURCE...]")
                .contains("-o OUTPUT")
                .contains("https://newtrackon.com/api/stable");
        assertThat(dir).isEmptyDirectory();
    }

    @Test
    void rejectsUnknownOptionsAndAMissingArgument() throws Exception {
        Result unknown = run("-x");
        Result missing = run("-o");

        assertThat(unknown.exit()).isEqualTo(2);
        assertThat(unknown.stderr()).contains("unknown option -x");
        assertThat(missing.exit()).isEqualTo(2);
        assertThat(missing.stderr()).contains("option -o needs an argument");
        assertThat(dir).isEmptyDirectory();
    }
}
