package org.retracker.forward;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Jazzer target for {@code forwarders.yml}: any text must give a list of forwarders or an {@link
 * ForwardersFile.InvalidForwardersException} whose one-line message starts with the file's name,
 * never another exception. What is accepted must be usable: at most {@link
 * ForwardersFile#MAX_FORWARDERS} forwarders with unique, printable names of at most {@link
 * ForwardersFile#MAX_NAME_LENGTH} characters, a scheme matching the URI's, and a URI that {@code
 * /stats} can show.
 *
 * <p>Regression mode (the default) replays {@code ForwardersFileFuzzTestInputs/}; {@code
 * JAZZER_FUZZ=1} fuzzes.
 */
class ForwardersFileFuzzTest {
    private static final String SOURCE = "forwarders.yml";

    @FuzzTest(maxDuration = "60s")
    void parseForwardersFile(byte[] content) {
        List<ForwarderSpec> specs;
        try {
            specs = ForwardersFile.parse(SOURCE, new String(content, StandardCharsets.UTF_8));
        } catch (ForwardersFile.InvalidForwardersException e) {
            assertOneLine(e.getMessage());
            return;
        }
        assertThat(specs).hasSizeLessThanOrEqualTo(ForwardersFile.MAX_FORWARDERS);
        Set<String> names = new HashSet<>();
        for (ForwarderSpec spec : specs) {
            assertThat(names.add(spec.name())).as("unique name %s", spec.name()).isTrue();
            assertThat(spec.name()).isNotBlank().hasSizeLessThanOrEqualTo(ForwardersFile.MAX_NAME_LENGTH);
            assertThat(spec.name().chars().allMatch(c -> c >= 0x20 && c != 0x7f))
                    .isTrue();
            assertThat(spec.scheme().name()).isEqualToIgnoringCase(spec.uri().getScheme());
            assertThat(spec.port()).isBetween(1, 65_535);
            assertThat(spec.shownUri()).startsWith(spec.uri().getScheme() + "://");
        }
    }

    /** One line naming the file: no line break or other control character, whatever the value. */
    private static void assertOneLine(@Nullable String message) {
        assertThat(message).startsWith(SOURCE + ": ");
        assertThat(String.valueOf(message)
                        .chars()
                        .noneMatch(c -> Character.isISOControl(c) || c == 0x2028 || c == 0x2029))
                .as("one line: %s", message)
                .isTrue();
    }
}
