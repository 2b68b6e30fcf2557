package org.retracker.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.retracker.swarm.InfoHashSet;

class AccessListFileTest {
    private static final String A = "0123456789abcdef0123456789abcdef01234567";
    private static final String B = "fedcba9876543210fedcba9876543210fedcba98";
    private static final String C = "00000000000000000000000000000000000000ff";

    @Test
    void readsOneHashALineWithCommentsBlankLinesAndEitherCase() throws Exception {
        InfoHashSet set = parse("# torrents of the LAN\n"
                + "\n"
                + A + "\n"
                + "  " + B.toUpperCase(java.util.Locale.ROOT) + "\t# the big one\n"
                + "   # an indented comment\n"
                + "\t\n"
                + C); // no final newline

        assertThat(set.size()).isEqualTo(3);
        assertThat(set.contains(hex(A), 0)).isTrue();
        assertThat(set.contains(hex(B), 0)).isTrue();
        assertThat(set.contains(hex(C), 0)).isTrue();
    }

    @Test
    void takesWindowsLineEndsAndAByteOrderMark() throws Exception {
        byte[] text = ("\uFEFF" + A + "\r\n" + B + "\r\n").getBytes(StandardCharsets.UTF_8);

        InfoHashSet set = AccessListFile.parse("list.txt", new ByteArrayInputStream(text));

        assertThat(set.size()).isEqualTo(2);
        assertThat(set.contains(hex(A), 0)).isTrue();
    }

    @Test
    void aHashListedTwiceCountsOnce() throws Exception {
        assertThat(parse(A + "\n" + A.toUpperCase(java.util.Locale.ROOT) + "\n").size())
                .isEqualTo(1);
    }

    @Test
    void anEmptyFileIsAnEmptyList() throws Exception {
        assertThat(parse("").size()).isZero();
        assertThat(parse("\n\n# nothing yet\n").size()).isZero();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "0123456789abcdef0123456789abcdef0123456", // 39 digits
                "0123456789abcdef0123456789abcdef012345678", // 41 digits
                "0123456789abcdef0123456789abcdef0123456g", // not hex
                "0123456789abcdef 0123456789abcdef01234567", // split
                "0123456789abcdef0123456789abcdef01234567 x", // junk after it
                "0123456789abcdef0123456789abcdef01234567;", // junk right after it
                "magnet:?xt=urn:btih:0123456789abcdef0123456789abcdef01234567",
                "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", // base32
                "0x0123456789abcdef0123456789abcdef01234567",
                "// a comment of another kind",
            })
    void aBadLineStopsTheFileNamingFileAndLine(String line) {
        assertThatThrownBy(() -> parse(A + "\n\n# ok so far\n" + line + "\n" + B + "\n"))
                .isInstanceOf(AccessListFile.InvalidAccessListException.class)
                .hasMessage("list.txt:4: expected an info hash of 40 hex digits (and at most a # comment), got '" + line
                        + "'");
    }

    @Test
    void aShortHashOnTheLastLineWithoutNewlineIsRefusedToo() {
        assertThatThrownBy(() -> parse(A + "\n" + "abc"))
                .isInstanceOf(AccessListFile.InvalidAccessListException.class)
                .hasMessageStartingWith("list.txt:2: ")
                .hasMessageEndingWith("got 'abc'");
    }

    @Test
    void theQuoteIsCutAndControlCharactersAreShownAsQuestionMarks() {
        String longLine = "x\u0000\u001b" + "y".repeat(100);

        assertThatThrownBy(() -> parse(longLine + "\r\n"))
                .hasMessage("list.txt:1: expected an info hash of 40 hex digits (and at most a # comment), got 'x??"
                        + "y".repeat(AccessListFile.MAX_QUOTED_BYTES - 3) + "...'");
        assertThatThrownBy(() -> parse("zz\r\n")).hasMessageEndingWith("got 'zz'");
    }

    @Test
    void aByteOrderMarkAnywhereButTheStartIsAnError() {
        assertThatThrownBy(() -> parse(A + "\n\uFEFF" + B + "\n")).hasMessageStartingWith("list.txt:2: ");
    }

    @Test
    void aReadErrorIsAnInvalidListNamingTheFile() {
        InputStream failing = new InputStream() {
            @Override
            public int read() throws IOException {
                throw new IOException("Input/output error");
            }
        };

        assertThatThrownBy(() -> AccessListFile.parse("list.txt", failing))
                .isInstanceOf(AccessListFile.InvalidAccessListException.class)
                .hasMessage("list.txt: cannot read the access list: Input/output error");
    }

    @Test
    void readTakesTheModeAndNamesTheFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("deny.txt");
        Files.writeString(file, A + "\n");

        AccessList list = AccessListFile.read(file, AccessList.Mode.DENY);

        assertThat(list.isOn()).isTrue();
        assertThat(list.file()).isEqualTo(file.toString());
        assertThat(list.mode()).isEqualTo(AccessList.Mode.DENY);
        assertThat(list.size()).isEqualTo(1);
        assertThat(list.permits(hex(A), 0)).isFalse();
        assertThat(list.permits(hex(B), 0)).isTrue();
        assertThat(list).hasToString("deny list " + file + " (1 info hashes)");
    }

    @Test
    void aMissingFileOrADirectoryIsAnInvalidList(@TempDir Path dir) {
        Path missing = dir.resolve("missing.txt");

        assertThatThrownBy(() -> AccessListFile.read(missing, AccessList.Mode.ALLOW))
                .isInstanceOf(AccessListFile.InvalidAccessListException.class)
                .hasMessage(missing + ": cannot read the access list: no such file");
        assertThatThrownBy(() -> AccessListFile.read(dir, AccessList.Mode.ALLOW))
                .isInstanceOf(AccessListFile.InvalidAccessListException.class)
                .hasMessageStartingWith(dir + ": cannot read the access list: ");
    }

    @Test
    void aListLongerThanAChunkIsReadWhole() throws Exception {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 5000; i++) { // 205 000 bytes: several 64 KiB chunks, lines cut across them
            text.append(String.format("%040x", i)).append('\n');
        }

        InfoHashSet set = parse(text.toString());

        assertThat(set.size()).isEqualTo(5000);
        assertThat(set.contains(hex(String.format("%040x", 4999)), 0)).isTrue();
    }

    @Test
    void modesAreWrittenAllowAndDeny() {
        assertThat(AccessList.Mode.parse("allow")).isEqualTo(AccessList.Mode.ALLOW);
        assertThat(AccessList.Mode.parse(" DENY ")).isEqualTo(AccessList.Mode.DENY);
        assertThat(AccessList.Mode.parse("whitelist")).isNull();
        assertThat(AccessList.Mode.ALLOW.key()).isEqualTo("allow");
        assertThat(AccessList.Mode.DENY.key()).isEqualTo("deny");
    }

    @Test
    void noListPermitsEverythingAnAllowListOnlyItsOwnADenyListAllButItsOwn() throws Exception {
        InfoHashSet one = parse(A);
        AccessList allow = AccessList.of("a.txt", AccessList.Mode.ALLOW, one);
        AccessList deny = AccessList.of("d.txt", AccessList.Mode.DENY, one);

        assertThat(AccessList.NONE.isOn()).isFalse();
        assertThat(AccessList.NONE.permits(hex(A), 0)).isTrue();
        assertThat(AccessList.NONE.permits(hex(B), 0)).isTrue();
        assertThat(allow.permits(hex(A), 0)).isTrue();
        assertThat(allow.permits(hex(B), 0)).isFalse();
        assertThat(deny.permits(hex(A), 0)).isFalse();
        assertThat(deny.permits(hex(B), 0)).isTrue();
        assertThatThrownBy(() -> AccessList.of("", AccessList.Mode.ALLOW, one))
                .isInstanceOf(IllegalArgumentException.class);
    }

    static InfoHashSet parse(String text) throws AccessListFile.InvalidAccessListException {
        return AccessListFile.parse("list.txt", new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)));
    }

    static byte[] hex(String hex) {
        return HexFormat.of().parseHex(hex);
    }
}
