package org.retracker.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Client names from peer ids, as /stats shows them. */
class PeerIdClientTest {
    @Test
    void azureusStyleIdsNameTheClientAndVersion() {
        assertThat(describe("-TR4060-abcdefghijkl")).isEqualTo("Transmission 4.0.6.0");
        assertThat(describe("-qB4630-abcdefghijkl")).isEqualTo("qBittorrent 4.6.3.0");
        assertThat(describe("-lt20A0-abcdefghijkl")).isEqualTo("libtorrent 2.0.10.0");
        assertThat(describe("-ZZ1234-abcdefghijkl")).isEqualTo("unknown (ZZ) 1.2.3.4");
    }

    @Test
    void mainlineStyleIdsNameTheClient() {
        assertThat(describe("M7-4-3--abcdefghijkl")).isEqualTo("BitTorrent 7.4.3");
    }

    @Test
    void anythingElseIsUnknown() {
        assertThat(describe("abcdefghijklmnopqrst")).isEqualTo("unknown");
        byte[] binary = new byte[20];
        binary[0] = (byte) 0xff;
        assertThat(PeerIdClient.describe(binary, 0)).isEqualTo("unknown");
        assertThat(PeerIdClient.describe(new byte[5], 0)).isEqualTo("unknown");
    }

    @Test
    void theNameDependsOnTheFirstEightBytesOnly() {
        for (String id : new String[] {
            "-TR4060-abcdefghijkl", "-qB4650-000000000000", "M7-4-3--abcdefghijkl", "abcdefghijklmnopqrst"
        }) {
            byte[] bytes = id.getBytes(StandardCharsets.ISO_8859_1);
            long prefix = java.nio.ByteBuffer.wrap(bytes).getLong();
            assertThat(PeerIdClient.describePrefix(prefix)).as(id).isEqualTo(describe(id));
        }
        assertThat(PeerIdClient.describePrefix(0)).isEqualTo("unknown");
    }

    private static String describe(String id) {
        return PeerIdClient.describe(id.getBytes(StandardCharsets.ISO_8859_1), 0);
    }

    @Test
    void censusPrefixKeepsPrefixesThatNameAClientAndFoldsTheRestIntoUnknown() {
        String[] named = {"-TR4060-", "-qB4630-", "-ZZ1234-", "-ZZ\u0001\u0002\u0003\u0004-", "M7-4-3--", "T03-----"};
        for (String id : named) {
            long prefix = prefix(id);
            assertThat(PeerIdClient.censusPrefix(prefix)).as(id).isEqualTo(prefix);
        }
        String[] unknown = {
            "xyzxyzxy", "-Z-1234-", "-TR4060x", "M-------", "\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000"
        };
        for (String id : unknown) {
            long prefix = prefix(id);
            assertThat(PeerIdClient.describePrefix(prefix)).as(id).isEqualTo("unknown");
            assertThat(PeerIdClient.censusPrefix(prefix)).as(id).isEqualTo(PeerIdClient.UNKNOWN_PREFIX);
        }
        assertThat(PeerIdClient.describePrefix(PeerIdClient.UNKNOWN_PREFIX)).isEqualTo("unknown");
    }

    private static long prefix(String eightChars) {
        byte[] b = eightChars.getBytes(StandardCharsets.ISO_8859_1);
        long p = 0;
        for (int i = 0; i < PeerIdClient.PREFIX_LENGTH; i++) {
            p = p << 8 | (b[i] & 0xff);
        }
        return p;
    }
}
