package org.retracker.core;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.retracker.swarm.InfoHashSet;

/**
 * Jazzer target for the access list parser, against a model: the same format written as two
 * regular expressions over the file's lines. Any bytes must give exactly the model's set of
 * hashes, or an {@link AccessListFile.InvalidAccessListException} naming the file and the first
 * line the model refuses, never another exception.
 *
 * <p>Regression mode (the default) replays {@code AccessListFileFuzzTestInputs/}; {@code
 * JAZZER_FUZZ=1} fuzzes.
 */
class AccessListFileFuzzTest {
    private static final String SOURCE = "list.txt";
    /** A line with a hash: blanks, 40 hex digits, blanks, maybe a comment (any bytes). */
    private static final Pattern HASH_LINE = Pattern.compile("[ \\t\\r]*([0-9a-fA-F]{40})[ \\t\\r]*(#[\\s\\S]*)?");
    /** A line without one: blanks, maybe a comment. */
    private static final Pattern EMPTY_LINE = Pattern.compile("[ \\t\\r]*(#[\\s\\S]*)?");

    private static final String BOM = "\u00ef\u00bb\u00bf";

    @FuzzTest(maxDuration = "60s")
    void parseAccessList(byte[] content) {
        Set<String> expected = new HashSet<>();
        long badLine = model(content, expected);

        InfoHashSet set;
        try {
            set = AccessListFile.parse(SOURCE, new ByteArrayInputStream(content));
        } catch (AccessListFile.InvalidAccessListException e) {
            assertThat(badLine).as("the model accepts it: %s", e.getMessage()).isPositive();
            assertThat(e.getMessage()).startsWith(SOURCE + ":" + badLine + ": ");
            assertThat(String.valueOf(e.getMessage()).chars().noneMatch(Character::isISOControl))
                    .as("one line: %s", e.getMessage())
                    .isTrue();
            return;
        }
        assertThat(badLine).as("the model refuses line %d", badLine).isZero();
        assertThat(set.size()).isEqualTo(expected.size());
        for (String hex : expected) {
            assertThat(set.contains(HexFormat.of().parseHex(hex), 0)).isTrue();
        }
    }

    /** Fills {@code hashes} from {@code content}; returns the first bad line, or 0. */
    private static long model(byte[] content, Set<String> hashes) {
        String text = new String(content, StandardCharsets.ISO_8859_1); // one char per byte
        if (text.startsWith(BOM)) {
            text = text.substring(BOM.length());
        }
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            Matcher m = HASH_LINE.matcher(lines[i]);
            if (m.matches()) {
                hashes.add(m.group(1).toLowerCase(Locale.ROOT));
            } else if (!EMPTY_LINE.matcher(lines[i]).matches()) {
                return i + 1;
            }
        }
        return 0;
    }
}
