package org.retracker.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AddressParserTest {
    // ---- IPv4 -------------------------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"0.0.0.0", "1.2.3.4", "10.0.0.1", "127.0.0.1", "192.168.100.200", "255.255.255.255"})
    void ipv4LiteralsParseAsJavaParsesThem(String text) throws Exception {
        assertParsesLikeJava(text, 4);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "01.2.3.4", // leading zero: octal to some parsers
                "1.2.3.04",
                "1.2.3.00",
                "1.2.3", // three parts
                "1.2.3.4.5", // five parts
                "256.0.0.0", // octet out of range
                "1.2.3.1000",
                "1..2.3",
                ".1.2.3",
                "1.2.3.",
                "1.2.3.-4",
                "1.2.3.4 ",
                " 1.2.3.4",
                "a.b.c.d",
                "1.2.3.4/8",
                "16909060", // one number
                "0x7f.0.0.1",
            })
    void malformedIpv4IsRejected(String text) {
        assertRejected(text);
    }

    @Test
    void everyOctetValueParses() throws Exception {
        for (int o = 0; o < 256; o++) {
            assertParsesLikeJava(o + "." + (255 - o) + "." + o + ".0", 4);
        }
    }

    // ---- IPv6 -------------------------------------------------------------------------------------

    @Test
    void doubleColonInEveryPositionAndLength() throws Exception {
        String[] groups = {"1", "22", "333", "4444", "a", "bb", "ccc", "dddd"};
        int cases = 0;
        for (int at = 0; at <= 8; at++) {
            for (int gap = 1; at + gap <= 8; gap++) {
                String left = String.join(":", Arrays.copyOfRange(groups, 0, at));
                String right = String.join(":", Arrays.copyOfRange(groups, at + gap, 8));
                assertParsesLikeJava(left + "::" + right, 16);
                cases++;
            }
        }
        assertThat(cases).isEqualTo(36);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "::",
                "::1",
                "1::",
                "2001:db8::1",
                "2001:DB8:0:0:8:800:200C:417A",
                "fe80::202:b3ff:fe1e:8329",
                "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
                "0:0:0:0:0:0:0:0",
                "0000:0000:0000:0000:0000:0000:0000:0001",
                "1:2:3:4:5:6:7:8",
                "1:2:3:4:5:6:7::", // "::" standing for one group
                "::2:3:4:5:6:7:8",
            })
    void ipv6LiteralsParseAsJavaParsesThem(String text) throws Exception {
        assertParsesLikeJava(text, 16);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "::1.2.3.4", // IPv4-compatible: stays IPv6
                "64:ff9b::192.0.2.33", // NAT64
                "1:2:3:4:5:6:1.2.3.4", // six groups and a dotted quad
                "::5:6:1.2.3.4",
                "1::1.2.3.4",
            })
    void embeddedDottedQuadIsTheLast32Bits(String text) throws Exception {
        assertParsesLikeJava(text, 16);
    }

    @ParameterizedTest
    @ValueSource(strings = {"::ffff:1.2.3.4", "::FFFF:1.2.3.4", "::ffff:102:304", "0:0:0:0:0:ffff:0102:0304"})
    void ipv4MappedBecomesIpv4(String text) {
        byte[] dst = new byte[16];
        assertThat(parse(text, dst)).isEqualTo(4);
        assertThat(Arrays.copyOf(dst, 4)).containsExactly(1, 2, 3, 4);
    }

    @Test
    void bracketsAreStripped() throws Exception {
        byte[] dst = new byte[16];
        assertThat(parse("[2001:db8::1]", dst)).isEqualTo(16);
        assertThat(dst).containsExactly(InetAddress.getByName("2001:db8::1").getAddress());
        assertThat(parse("[::ffff:10.0.0.1]", dst)).isEqualTo(4);
        assertThat(Arrays.copyOf(dst, 4)).containsExactly(10, 0, 0, 1);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "", // empty
                "[]",
                "[",
                "]",
                "[::1", // unbalanced brackets
                "::1]",
                "[[::1]]",
                ":",
                ":::", // three colons
                "1:::2",
                "::1::", // two "::"
                "1::2::3",
                "1:2:3:4:5:6:7:8:9", // nine groups
                "1:2:3:4:5:6:7", // seven groups, no "::"
                "1::2:3:4:5:6:7:8", // "::" standing for no group
                ":1::",
                ":1:2:3:4:5:6:7:8",
                "1::2:",
                "1:2:3:4:5:6:7:8:",
                "12345::", // five hex digits
                "g::", // bad hex
                "::g",
                "1x2::3", // a non-hex character between digits
                "12g4::1",
                "1:2:3:4:5:6:7:8z",
                "1 2::3",
                "fe80::1%eth0", // zone id
                "fe80::1%1",
                "1.2.3.4::",
                "::1.2.3", // short dotted quad
                "::256.1.1.1",
                "::01.2.3.4",
                "::1.2.3.4.5",
                "::1.2.3.4:5",
                "1:2:3:4:5:6:7:1.2.3.4", // dotted quad after seven groups
                "::ffff:1.2.3.4x",
                "1:2:3:4:5:6:7:8:1.2.3.4",
            })
    void malformedIpv6IsRejected(String text) {
        assertRejected(text);
    }

    @Test
    void textLongerThan45CharactersIsRejected() {
        String longest = "ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255";
        assertThat(longest).hasSize(45);
        assertThat(parse(longest, new byte[16])).isEqualTo(16);
        assertRejected("0" + longest);
        assertRejected("0000:0000:0000:0000:0000:0000:0000:0000:0000");
        assertThat(parse("[" + longest + "]", new byte[16])).isEqualTo(16);
    }

    @Test
    void parsesOnlyTheGivenRange() {
        byte[] src = "xx10.0.0.1yy".getBytes(StandardCharsets.US_ASCII);
        byte[] dst = new byte[16];
        assertThat(AddressParser.parse(src, 2, 10, dst)).isEqualTo(4);
        assertThat(Arrays.copyOf(dst, 4)).containsExactly(10, 0, 0, 1);
    }

    // ---- differential ------------------------------------------------------------------------------

    @Test
    void randomAddressesInEveryTextFormParseToTheirBytes() throws Exception {
        Random random = new Random(42);
        for (int i = 0; i < 20_000; i++) {
            byte[] raw = new byte[16];
            random.nextBytes(raw);
            for (int g = 0; g < 8; g++) {
                if (random.nextInt(3) == 0) {
                    raw[2 * g] = 0; // zero groups, so "::" has something to compress
                    raw[2 * g + 1] = 0;
                }
            }
            raw[0] |= 0x20; // keep clear of ::ffff:0:0/96
            String text = format(raw, random);
            byte[] dst = new byte[16];
            assertThat(parse(text, dst)).as(text).isEqualTo(16);
            assertThat(dst).as(text).containsExactly(raw);
        }
    }

    @Test
    void mutatedLiteralsAreAcceptedExactlyWhenJavaAcceptsThem() {
        // Java's own IPv6 parser is the oracle. Brackets make it refuse instead of trying DNS.
        Random random = new Random(7);
        String alphabet = "0123456789abcdefABCDEF:.";
        String[] seeds = {
            "2001:db8::1", "::", "1:2:3:4:5:6:7:8", "::ffff:1.2.3.4", "64:ff9b::192.0.2.33", "fe80::1:2", "1::"
        };
        List<String> disagreements = new ArrayList<>();
        for (int i = 0; i < 50_000; i++) {
            StringBuilder s = new StringBuilder(seeds[random.nextInt(seeds.length)]);
            int edits = 1 + random.nextInt(3);
            for (int e = 0; e < edits; e++) {
                int pos = random.nextInt(s.length() + 1);
                char c = alphabet.charAt(random.nextInt(alphabet.length()));
                switch (random.nextInt(3)) {
                    case 0 -> s.insert(pos, c);
                    case 1 -> {
                        if (pos < s.length()) {
                            s.deleteCharAt(pos);
                        }
                    }
                    default -> {
                        if (pos < s.length()) {
                            s.setCharAt(pos, c);
                        }
                    }
                }
            }
            String text = s.toString();
            if (text.indexOf(':') < 0 || hasLeadingZeroInDottedQuad(text)) {
                continue; // Java's IPv4 rules differ by design (it reads "01" as 1)
            }
            byte[] dst = new byte[16];
            int length = AddressParser.parse(ascii(text), 0, text.length(), dst);
            if (hasGroupOfMoreThanFourDigits(text)) {
                // Java takes "02001" if the value fits; RFC 4291 §2.2 allows one to four digits.
                if (length != 0) {
                    disagreements.add(text);
                }
                continue;
            }
            byte[] expected = javaIpv6(text);
            boolean agrees = expected == null
                    ? length == 0
                    : length == expected.length && Arrays.equals(Arrays.copyOf(dst, length), expected);
            if (!agrees) {
                disagreements.add(text);
            }
        }
        assertThat(disagreements).isEmpty();
    }

    // ---- helpers ----------------------------------------------------------------------------------

    private static boolean hasGroupOfMoreThanFourDigits(String text) {
        for (String group : text.split("[:.]", -1)) {
            if (group.length() > 4) {
                return true;
            }
        }
        return false;
    }

    private static boolean hasLeadingZeroInDottedQuad(String text) {
        int colon = text.lastIndexOf(':');
        String tail = text.substring(colon + 1);
        if (tail.indexOf('.') < 0) {
            return false;
        }
        for (String part : tail.split("\\.", -1)) {
            if (part.length() > 1 && part.charAt(0) == '0') {
                return true;
            }
        }
        return false;
    }

    /** Java's reading of an IPv6 literal (IPv4-mapped as 4 bytes), or null when Java refuses it. */
    private static byte @Nullable [] javaIpv6(String text) {
        try {
            return InetAddress.getByName("[" + text + "]").getAddress();
        } catch (UnknownHostException e) {
            return null;
        }
    }

    /** One of: full, no leading zeros, longest zero run compressed, upper case, with brackets. */
    private static String format(byte[] raw, Random random) {
        int style = random.nextInt(4);
        String[] groups = new String[8];
        for (int g = 0; g < 8; g++) {
            int word = (raw[2 * g] & 0xff) << 8 | (raw[2 * g + 1] & 0xff);
            groups[g] = style == 0 ? String.format("%04x", word) : Integer.toHexString(word);
        }
        String text;
        if (style >= 2) {
            int bestAt = -1;
            int bestLength = 0;
            for (int g = 0; g < 8; ) {
                int e = g;
                while (e < 8 && groups[e].equals("0")) {
                    e++;
                }
                if (e - g > bestLength) {
                    bestAt = g;
                    bestLength = e - g;
                }
                g = e == g ? g + 1 : e;
            }
            if (bestLength > 0) {
                text = String.join(":", Arrays.copyOfRange(groups, 0, bestAt))
                        + "::"
                        + String.join(":", Arrays.copyOfRange(groups, bestAt + bestLength, 8));
            } else {
                text = String.join(":", groups);
            }
        } else {
            text = String.join(":", groups);
        }
        if (random.nextBoolean()) {
            text = text.toUpperCase(java.util.Locale.ROOT);
        }
        return style == 3 ? "[" + text + "]" : text;
    }

    private static void assertParsesLikeJava(String text, int length) throws UnknownHostException {
        byte[] dst = new byte[16];
        assertThat(parse(text, dst)).as(text).isEqualTo(length);
        InetAddress java = InetAddress.getByName(text);
        assertThat(Arrays.copyOf(dst, length)).as(text).containsExactly(java.getAddress());
        if (length == 16) {
            assertThat(java).isInstanceOf(Inet6Address.class);
        }
    }

    private static void assertRejected(String text) {
        assertThat(parse(text, new byte[16])).as("'%s'", text).isZero();
    }

    private static int parse(String text, byte[] dst) {
        byte[] src = ascii(text);
        return AddressParser.parse(src, 0, src.length, dst);
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
