package org.retracker.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import org.jspecify.annotations.Nullable;
import org.retracker.protocol.AddressParser;

/**
 * Jazzer target for {@code config.yml}: any bytes as the config file must give a {@link
 * TrackerConfig} or a {@link ConfigException} whose one-line message starts with the file's name,
 * never another exception (no {@code ClassCastException} from an odd YAML type, no {@code
 * StackOverflowError} from deep nesting, no {@code IllegalArgumentException} from a record that
 * the loader should have refused first).
 *
 * <p>Host names are resolved by a resolver that knows literals only, so fuzzing sends nothing to
 * DNS. Regression mode (the default) replays {@code ConfigLoaderFuzzTestInputs/}; {@code
 * JAZZER_FUZZ=1} fuzzes.
 */
class ConfigLoaderFuzzTest {
    private static final String SOURCE = "config.yml";

    /** Literal IPv4 and IPv6 addresses, as {@link InetAddress#getByName} takes them; names are unknown. */
    private static final HostResolver LITERALS_ONLY = host -> {
        byte[] text = host.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        byte[] raw = new byte[16];
        int length = AddressParser.parse(text, 0, text.length, raw);
        if (length == 0) {
            throw new UnknownHostException(host);
        }
        return InetAddress.getByAddress(Arrays.copyOf(raw, length));
    };

    @FuzzTest(maxDuration = "60s")
    void loadConfigFile(byte[] content) {
        TrackerConfig config;
        try {
            config = ConfigLoader.loadFileContent(SOURCE, content, LITERALS_ONLY);
        } catch (ConfigException e) {
            assertOneLine(e.getMessage());
            return;
        }
        // Whatever loads is a valid configuration the rest of the tracker can be built from.
        assertThat(config.minAnnounceInterval()).isLessThanOrEqualTo(config.announceInterval());
        assertThat(config.numwantDefault()).isLessThanOrEqualTo(config.numwantMax());
        assertThat(config.toPolicy()).isNotNull();
        assertThat(config.toServerOptions()).isNotNull();
        assertThat(config.forwarding().toOptions(config.peerLifetimeSeconds())).isNotNull();
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
