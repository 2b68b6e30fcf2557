package org.retracker.yaml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.snakeyaml.engine.v2.exceptions.DuplicateKeyException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;

class BoundedYamlTest {
    @Test
    void loadsTheCoreSchema() {
        Object doc = BoundedYaml.load("t.yml", "a: yes\nb: 12\nc: [1.5, null, true]\n");

        assertThat(doc).isEqualTo(Map.of("a", "yes", "b", 12, "c", java.util.Arrays.asList(1.5, null, true)));
        assertThat(BoundedYaml.load("t.yml", "")).isNull();
        assertThat(BoundedYaml.load("t.yml", "# only a comment\n")).isNull();
    }

    @Test
    void nestingUpToTheLimitIsFineOneDeeperIsRefused() {
        int n = BoundedYaml.MAX_DEPTH;

        assertThat(BoundedYaml.load("t.yml", "[".repeat(n) + "]".repeat(n))).isInstanceOf(List.class);
        assertThatThrownBy(() -> BoundedYaml.load("t.yml", "[".repeat(n + 1) + "]".repeat(n + 1)))
                .isInstanceOf(YamlEngineException.class)
                .hasMessage("lists and mappings nested more than 32 deep at line 1, column 33");
        assertThatThrownBy(() -> BoundedYaml.load("t.yml", "{a: ".repeat(n + 1) + "}".repeat(n + 1)))
                .isInstanceOf(YamlEngineException.class)
                .hasMessageStartingWith("lists and mappings nested more than 32 deep");
    }

    @Test
    void aHundredThousandOpenBracketsAreAnErrorNotAStackOverflow() {
        assertThatThrownBy(() -> BoundedYaml.load("t.yml", "[".repeat(100_000)))
                .isInstanceOf(YamlEngineException.class);
        assertThatThrownBy(() -> BoundedYaml.load("t.yml", "- ".repeat(100_000) + "x"))
                .isInstanceOf(YamlEngineException.class);
    }

    @Test
    void aliasesToCollectionsAreBounded() {
        StringBuilder ok = new StringBuilder("a: &a [x]\nb: [");
        ok.append("*a, ".repeat(BoundedYaml.MAX_ALIASES - 1)).append("*a]\n");
        StringBuilder tooMany = new StringBuilder("a: &a [x]\nb: [");
        tooMany.append("*a, ".repeat(BoundedYaml.MAX_ALIASES)).append("*a]\n");

        assertThat(BoundedYaml.load("t.yml", ok.toString())).isInstanceOf(Map.class);
        assertThatThrownBy(() -> BoundedYaml.load("t.yml", tooMany.toString()))
                .isInstanceOf(YamlEngineException.class)
                .hasMessageContaining("aliases");
    }

    @Test
    void textLongerThanTheLimitIsRefusedEvenWhenItIsAllComment() {
        String atLimit = "#" + "x".repeat(BoundedYaml.MAX_CHARS - 2) + "\n";
        String over = "#" + "x".repeat(BoundedYaml.MAX_CHARS - 1) + "\n";

        assertThat(BoundedYaml.load("t.yml", atLimit)).isNull();
        assertThatThrownBy(() -> BoundedYaml.load("t.yml", over))
                .isInstanceOf(YamlEngineException.class)
                .hasMessage("longer than 262144 characters");
    }

    @Test
    void duplicateAndRecursiveKeysAreRefused() {
        assertThatThrownBy(() -> BoundedYaml.load("t.yml", "a: 1\na: 2\n")).isInstanceOf(DuplicateKeyException.class);
        assertThatThrownBy(() -> BoundedYaml.load("t.yml", "? [a]\n: 1\n")).isInstanceOf(YamlEngineException.class);
        assertThatThrownBy(() -> BoundedYaml.load("t.yml", "&a {*a: 1}\n")).isInstanceOf(YamlEngineException.class);
    }

    @Test
    void environmentVariablesAreNotSubstituted() {
        assertThat(BoundedYaml.load("t.yml", "a: ${HOME}\n")).isEqualTo(Map.of("a", "${HOME}"));
    }

    @Test
    void anEscapeCutShortByTheEndIsBadYamlNotANumberFormatException() {
        // SnakeYAML Engine 3.2 throws NumberFormatException here (found by ForwardersFileFuzzTest).
        assertThatThrownBy(() -> BoundedYaml.load("t.yml", "- {\"\\u"))
                .isInstanceOf(YamlEngineException.class)
                .hasMessageStartingWith("the YAML parser failed: java.lang.NumberFormatException")
                .hasCauseInstanceOf(NumberFormatException.class);
        assertThatThrownBy(() -> BoundedYaml.load("t.yml", "\"\\x")).isInstanceOf(YamlEngineException.class);
        assertThatThrownBy(() -> BoundedYaml.load("t.yml", "\"\\U0001")).isInstanceOf(YamlEngineException.class);
    }

    @Test
    void printableWritesControlCharactersAsEscapes() {
        assertThat(BoundedYaml.printable("plain text é")).isEqualTo("plain text é");
        assertThat(BoundedYaml.printable("a\nb\r\tc\u0001d\u007fe\u0085f\u2028"))
                .isEqualTo("a\\nb\\r\\tc\\u0001d\\u007fe\\u0085f\\u2028");
    }

    @Test
    void readTextReadsUtf8UpToTheLimit(@TempDir Path dir) throws IOException {
        Path small = dir.resolve("small.yml");
        Files.writeString(small, "a: é\n");
        Path large = dir.resolve("large.yml");
        Files.write(large, new byte[BoundedYaml.MAX_FILE_BYTES + 1]);
        Path latin1 = dir.resolve("latin1.yml");
        Files.write(latin1, new byte[] {'a', ':', ' ', (byte) 0xe9});

        assertThat(BoundedYaml.readText(small)).isEqualTo("a: é\n");
        assertThatThrownBy(() -> BoundedYaml.readText(large))
                .isInstanceOf(IOException.class)
                .hasMessage("larger than 262144 bytes");
        assertThatThrownBy(() -> BoundedYaml.readText(latin1)).isInstanceOf(CharacterCodingException.class);
    }
}
