package org.retracker.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Jazzer target for the address parser: any bytes give 0, 4 or 16, never an exception; an accepted
 * text means what {@link InetAddress} says it means and formats back to the same bytes.
 */
class AddressParserFuzzTest {
    private final byte[] dst = new byte[16];
    private final byte[] again = new byte[16];

    @FuzzTest(maxDuration = "60s")
    void parse(byte[] text) throws UnknownHostException {
        int length = AddressParser.parse(text, 0, text.length, dst);
        assertThat(length).isIn(0, 4, 16);
        if (length == 0) {
            return;
        }
        byte[] address = Arrays.copyOf(dst, length);

        // Only address characters were accepted, so Java parses the literal without any DNS lookup.
        String s = new String(text, StandardCharsets.ISO_8859_1);
        for (int i = 0; i < s.length(); i++) {
            assertThat("0123456789abcdefABCDEF:.[]").contains(String.valueOf(s.charAt(i)));
        }
        String bare = s.startsWith("[") ? s.substring(1, s.length() - 1) : s;
        String literal = bare.indexOf(':') >= 0 ? "[" + bare + "]" : bare;
        assertThat(InetAddress.getByName(literal).getAddress()).as(s).isEqualTo(address);

        // Java's formatting of the bytes parses back to them.
        String formatted = InetAddress.getByAddress(address).getHostAddress();
        byte[] f = formatted.getBytes(StandardCharsets.US_ASCII);
        assertThat(AddressParser.parse(f, 0, f.length, again)).as(formatted).isEqualTo(length);
        assertThat(Arrays.copyOf(again, length)).isEqualTo(address);
    }
}
