package org.retracker.forward;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** forwarders.yml: the seed's format, its defects fixed, every problem named. */
class ForwardersFileTest {
    @Test
    void readsTheSeedsFormatWithEveryOptionalKey() throws Exception {
        List<ForwarderSpec> specs = ForwardersFile.parse("f.yml", """
                # HTTP trackers
                - uri: http://1.2.3.4:8080/announce
                - uri: https://tracker.example.com/announce
                - uri: udp://tracker.example.com:6969/announce
                - uri: http://5.6.7.8:8080/announce
                  ip: 192.168.1.15
                - uri: http://192.168.1.1:8080/announce
                  host: retracker.local
                - uri: http://tracker.example.net/announce
                  name: my-tracker
                """);

        assertThat(specs)
                .extracting(ForwarderSpec::scheme)
                .containsExactly(
                        ForwarderSpec.Scheme.HTTP,
                        ForwarderSpec.Scheme.HTTPS,
                        ForwarderSpec.Scheme.UDP,
                        ForwarderSpec.Scheme.HTTP,
                        ForwarderSpec.Scheme.HTTP,
                        ForwarderSpec.Scheme.HTTP);
        assertThat(specs.get(3).ip()).hasToString("/192.168.1.15");
        assertThat(specs.get(4).host()).isEqualTo("retracker.local");
        assertThat(specs.get(5).name()).isEqualTo("my-tracker");
        assertThat(specs.get(0).name()).isEqualTo("1.2.3.4:8080");
        assertThat(specs.get(1).port()).isEqualTo(443);
    }

    @Test
    void defaultNamesAreUniqueEvenForTwoUrisOnOneHostAndPort() throws Exception {
        List<ForwarderSpec> specs = ForwardersFile.parse("f.yml", """
                - uri: http://h.example:80/announce
                - uri: udp://h.example:80/announce
                - uri: http://h.example/other
                - uri: http://lone.example/announce
                """);

        assertThat(specs)
                .extracting(ForwarderSpec::name)
                .doesNotHaveDuplicates()
                .contains("lone.example:80")
                .allSatisfy(n -> assertThat(n).isNotBlank());
        assertThat(specs.get(0).name()).startsWith("http://h.example:80");
        assertThat(specs.get(1).name()).isEqualTo("udp://h.example:80");
    }

    @Test
    void aPasskeyQueryAndThePathsCaseAreKept() throws Exception {
        List<ForwarderSpec> specs =
                ForwardersFile.parse("f.yml", "- uri: https://t.example/AbC123/announce.php?passkey=XyZ&x=1\n");

        assertThat(specs.get(0).uri().getRawPath()).isEqualTo("/AbC123/announce.php");
        assertThat(specs.get(0).uri().getRawQuery()).isEqualTo("passkey=XyZ&x=1");
    }

    @Test
    void anEmptyFileMeansNoForwarders() throws Exception {
        assertThat(ForwardersFile.parse("f.yml", "")).isEmpty();
        assertThat(ForwardersFile.parse("f.yml", "# nothing yet\n")).isEmpty();
    }

    @Test
    void everyProblemIsNamedWithTheFileAndTheEntry() {
        assertRefused(
                "- uri: ftp://t.example/announce\n",
                "f.yml: forwarder 1 (ftp://t.example/announce): scheme must be http, https or udp, got 'ftp'");
        assertRefused("- uri: t.example/announce\n", "scheme must be http, https or udp, got ''");
        assertRefused("- uri: udp://t.example/announce\n", "a udp URI needs a port");
        assertRefused("- name: x\n", "f.yml: forwarder 1: missing uri");
        assertRefused("- uri: http://t.example/a\n  bogus: 1\n", "unknown key 'bogus'");
        assertRefused("- uri: http://t.example/a\n  ip: not-an-ip\n", "ip must be an IPv4 or IPv6 address");
        assertRefused("- uri: udp://t.example:1/a\n  host: x\n", "host applies to http and https only");
        assertRefused(
                "- uri: http://a.example/a\n  name: n\n- uri: http://b.example/a\n  name: n\n",
                "f.yml: forwarder 2 (http://b.example/a): name 'n' is used twice");
        assertRefused("- uri: http://a.example/a\n- uri: http://a.example/a\n", "the same forwarder is listed twice");
        assertRefused("uri: http://a.example/a\n", "expected a list of forwarders");
        assertRefused("- uri: [\n", "not valid YAML");
        assertRefused("- http://a.example/a\n", "f.yml: forwarder 1: expected a mapping with uri");
        assertRefused("- uri: 12\n", "uri must be text");
    }

    @Test
    void tooManyForwardersAreRefused() {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i <= ForwardersFile.MAX_FORWARDERS; i++) {
            text.append("- uri: udp://t").append(i).append(".example:6969/announce\n");
        }
        assertRefused(text.toString(), "at most " + ForwardersFile.MAX_FORWARDERS);
    }

    @Test
    void deepNestingAndAliasFloodsAreRefusedAsInvalidYaml() {
        assertRefused("- uri: " + "[".repeat(100_000), "f.yml: not valid YAML: lists and mappings nested more than 32");
        StringBuilder aliases = new StringBuilder("- &a {uri: udp://t.example:6969/announce}\n");
        aliases.append("- *a\n".repeat(20));
        assertRefused(aliases.toString(), "f.yml: not valid YAML:");
    }

    @Test
    void aPortOutsideTheSixteenBitsIsRefused() {
        assertRefused(
                "- uri: udp://t.example:69609/announce\n",
                "f.yml: forwarder 1 (udp://t.example:69609/announce): port must be from 1 to 65535, got 69609");
        assertRefused("- uri: http://t.example:0/announce\n", "port must be from 1 to 65535, got 0");
    }

    @Test
    void aMultiLineValueIsShownOnOneLine() {
        assertThatThrownBy(() ->
                        ForwardersFile.parse("f.yml", "- uri: \"http://a.example/\\nannounce\"\n  name: \"a\\tb\"\n"))
                .isInstanceOf(ForwardersFile.InvalidForwardersException.class)
                .hasMessage("f.yml: forwarder 1 (http://a.example/\\nannounce): not a URI: Illegal character in path");
        assertThatThrownBy(() -> ForwardersFile.parse("f.yml", "|\n  two\n  lines\n"))
                .hasMessage("f.yml: expected a list of forwarders (- uri: ...), got 'two\\nlines\\n'");
    }

    @Test
    void aFileThatIsNotUtf8IsNamed(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("latin1.yml");
        Files.write(file, new byte[] {'-', ' ', 'u', 'r', 'i', ':', ' ', (byte) 0xe9, '\n'});

        assertThatThrownBy(() -> ForwardersFile.read(file))
                .isInstanceOf(ForwardersFile.InvalidForwardersException.class)
                .hasMessage(file + ": cannot read: not UTF-8 text");
    }

    @Test
    void aMissingFileIsNamed(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("nope.yml");
        assertThatThrownBy(() -> ForwardersFile.read(file))
                .isInstanceOf(ForwardersFile.InvalidForwardersException.class)
                .hasMessageStartingWith(file + ": cannot read");

        Files.writeString(file, "- uri: udp://t.example:6969/announce\n");
        assertThat(ForwardersFile.read(file)).hasSize(1);
    }

    @Test
    void theTemplateIsValid() throws Exception {
        List<ForwarderSpec> specs = ForwardersFile.read(Path.of("configs", "forwarders.template.yml"));
        assertThat(specs).isNotEmpty();
    }

    private static void assertRefused(String text, String message) {
        assertThatThrownBy(() -> ForwardersFile.parse("f.yml", text))
                .isInstanceOf(ForwardersFile.InvalidForwardersException.class)
                .hasMessageContaining(message);
    }
}
