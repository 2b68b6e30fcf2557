package org.retracker.bencode;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.retracker.bencode.BencodeReader.Status;
import org.retracker.bencode.BencodeReader.Token;

class BencodeReaderTest {
    private final BencodeReader reader = new BencodeReader();

    @Test
    void aNestedDocumentReadsTokenByToken() {
        byte[] doc = bytes("d3:keyli-7e4:spamdee0:lee");
        reader.reset(doc, 0, doc.length);
        assertThat(reader.next()).isEqualTo(Token.DICT);
        assertThat(reader.next()).isEqualTo(Token.STRING);
        assertThat(reader.isKey()).isTrue();
        assertThat(reader.stringEquals(bytes("key"))).isTrue();
        assertThat(reader.next()).isEqualTo(Token.LIST);
        assertThat(reader.isKey()).isFalse();
        assertThat(reader.next()).isEqualTo(Token.INTEGER);
        assertThat(reader.integer()).isEqualTo(-7);
        assertThat(reader.next()).isEqualTo(Token.STRING);
        assertThat(reader.isKey()).isFalse();
        assertThat(new String(reader.stringBytes(100), StandardCharsets.US_ASCII))
                .isEqualTo("spam");
        assertThat(reader.next()).isEqualTo(Token.DICT);
        assertThat(reader.next()).isEqualTo(Token.END);
        assertThat(reader.next()).isEqualTo(Token.END);
        assertThat(reader.depth()).isEqualTo(1);
        assertThat(reader.next()).isEqualTo(Token.STRING); // "" is a valid key
        assertThat(reader.isKey()).isTrue();
        assertThat(reader.stringLength()).isZero();
        assertThat(reader.next()).isEqualTo(Token.LIST);
        assertThat(reader.next()).isEqualTo(Token.END);
        assertThat(reader.next()).isEqualTo(Token.END);
        assertThat(reader.next()).isEqualTo(Token.EOF);
        assertThat(reader.next()).isEqualTo(Token.EOF);
        assertThat(reader.status()).isEqualTo(Status.OK);
    }

    @Test
    void integersCoverTheWholeLongRange() {
        assertThat(onlyInteger("i9223372036854775807e")).isEqualTo(Long.MAX_VALUE);
        assertThat(onlyInteger("i-9223372036854775808e")).isEqualTo(Long.MIN_VALUE);
        assertThat(onlyInteger("i0e")).isZero();
        assertThat(onlyInteger("i-1e")).isEqualTo(-1);
    }

    @Test
    void malformedIntegersAreRejected() {
        assertThat(errorOf("i03e")).isEqualTo(Status.BAD_INTEGER);
        assertThat(errorOf("i00e")).isEqualTo(Status.BAD_INTEGER);
        assertThat(errorOf("i-0e")).isEqualTo(Status.BAD_INTEGER);
        assertThat(errorOf("i-03e")).isEqualTo(Status.BAD_INTEGER);
        assertThat(errorOf("ie")).isEqualTo(Status.BAD_INTEGER);
        assertThat(errorOf("i-e")).isEqualTo(Status.BAD_INTEGER);
        assertThat(errorOf("i+1e")).isEqualTo(Status.BAD_INTEGER);
        assertThat(errorOf("i1 e")).isEqualTo(Status.BAD_INTEGER);
        assertThat(errorOf("i--1e")).isEqualTo(Status.BAD_INTEGER);
        assertThat(errorOf("i12")).isEqualTo(Status.TRUNCATED);
    }

    @Test
    void overLongIntegersAreRejected() {
        assertThat(errorOf("i9223372036854775808e")).isEqualTo(Status.INTEGER_OVERFLOW);
        assertThat(errorOf("i-9223372036854775809e")).isEqualTo(Status.INTEGER_OVERFLOW);
        assertThat(errorOf("i12345678901234567890e")).isEqualTo(Status.INTEGER_OVERFLOW);
        assertThat(errorOf("i" + "9".repeat(10_000) + "e")).isEqualTo(Status.INTEGER_OVERFLOW);
    }

    @Test
    void malformedStringLengthsAreRejected() {
        assertThat(errorOf("01:a")).isEqualTo(Status.BAD_LENGTH);
        assertThat(errorOf("1x:a")).isEqualTo(Status.BAD_LENGTH);
        assertThat(errorOf("99999999999:a")).isEqualTo(Status.BAD_LENGTH);
        assertThat(errorOf("2147483648:a")).isEqualTo(Status.BAD_LENGTH);
        assertThat(errorOf("5:abc")).isEqualTo(Status.TRUNCATED);
        assertThat(errorOf("2147483647:abc")).isEqualTo(Status.TRUNCATED);
        assertThat(errorOf("12")).isEqualTo(Status.TRUNCATED);
    }

    @Test
    void bytesThatStartNoValueAreRejected() {
        assertThat(errorOf("x")).isEqualTo(Status.UNEXPECTED_BYTE);
        assertThat(errorOf("e")).isEqualTo(Status.UNEXPECTED_BYTE);
        assertThat(errorOf("l-1e")).isEqualTo(Status.UNEXPECTED_BYTE);
        assertThat(errorOf("")).isEqualTo(Status.TRUNCATED);
        assertThat(errorOf("l")).isEqualTo(Status.TRUNCATED);
        assertThat(errorOf("d1:a")).isEqualTo(Status.TRUNCATED);
    }

    @Test
    void anythingAfterTheTopLevelValueIsRejected() {
        assertThat(errorOf("dei0e")).isEqualTo(Status.TRAILING_DATA);
        assertThat(errorOf("i1ei2e")).isEqualTo(Status.TRAILING_DATA);
        assertThat(errorOf("le ")).isEqualTo(Status.TRAILING_DATA);
        assertThat(errorOf("lee")).isEqualTo(Status.TRAILING_DATA);
    }

    @Test
    void dictionaryKeysMustBeStringsWithValues() {
        assertThat(errorOf("di1ei2ee")).isEqualTo(Status.KEY_NOT_STRING);
        assertThat(errorOf("dlei2ee")).isEqualTo(Status.KEY_NOT_STRING);
        assertThat(errorOf("d1:ae")).isEqualTo(Status.KEY_WITHOUT_VALUE);
        assertThat(errorOf("d1:ai1e1:be")).isEqualTo(Status.KEY_WITHOUT_VALUE);
    }

    @Test
    void unsortedAndDuplicateKeysAreAccepted() {
        assertThat(tokens("d1:bi1e1:ai2e1:ai3ee")).endsWith(Token.EOF);
    }

    @Test
    void nestingIsBoundedByMaxDepth() {
        int max = BencodeReader.MAX_DEPTH;
        assertThat(tokens("l".repeat(max) + "e".repeat(max))).endsWith(Token.EOF);
        assertThat(errorOf("l".repeat(max + 1) + "e".repeat(max + 1))).isEqualTo(Status.TOO_DEEP);
    }

    @Test
    void valuesAreBoundedByMaxElements() {
        int max = BencodeReader.MAX_ELEMENTS;
        assertThat(tokens("l" + "i0e".repeat(max - 1) + "e")).endsWith(Token.EOF);
        assertThat(errorOf("l" + "i0e".repeat(max) + "e")).isEqualTo(Status.TOO_MANY_ELEMENTS);
    }

    @Test
    void anErrorIsFinal() {
        byte[] doc = bytes("li01ei1ee");
        reader.reset(doc, 0, doc.length);
        assertThat(reader.next()).isEqualTo(Token.LIST);
        assertThat(reader.next()).isEqualTo(Token.ERROR);
        assertThat(reader.position()).isEqualTo(2);
        assertThat(reader.next()).isEqualTo(Token.ERROR);
        assertThat(reader.status()).isEqualTo(Status.BAD_INTEGER);
    }

    @Test
    void skipPassesOverAWholeContainer() {
        byte[] doc = bytes("ld1:ald1:bi1eeee3:endi9ee");
        reader.reset(doc, 0, doc.length);
        assertThat(reader.next()).isEqualTo(Token.LIST);
        assertThat(reader.skip(reader.next())).isTrue();
        assertThat(reader.next()).isEqualTo(Token.STRING);
        assertThat(reader.skip(Token.STRING)).isTrue();
        assertThat(reader.next()).isEqualTo(Token.INTEGER);
        assertThat(reader.integer()).isEqualTo(9);
        assertThat(reader.next()).isEqualTo(Token.END);
        assertThat(reader.next()).isEqualTo(Token.EOF);
    }

    @Test
    void skipReportsMalformedInsideTheContainer() {
        byte[] doc = bytes("ll1:ai-0eee");
        reader.reset(doc, 0, doc.length);
        assertThat(reader.next()).isEqualTo(Token.LIST);
        assertThat(reader.skip(reader.next())).isFalse();
        assertThat(reader.status()).isEqualTo(Status.BAD_INTEGER);
    }

    @Test
    void onlyTheGivenRangeIsRead() {
        byte[] doc = bytes("xx4:spamyy");
        reader.reset(doc, 2, 8);
        assertThat(reader.next()).isEqualTo(Token.STRING);
        assertThat(reader.stringStart()).isEqualTo(4);
        assertThat(reader.next()).isEqualTo(Token.EOF);
        reader.reset(doc, 2, 7);
        assertThat(reader.next()).isEqualTo(Token.ERROR);
        assertThat(reader.status()).isEqualTo(Status.TRUNCATED);
    }

    @Test
    void resetForgetsThePreviousDocument() {
        assertThat(errorOf("i-0e")).isEqualTo(Status.BAD_INTEGER);
        assertThat(tokens("i5e")).containsExactly(Token.INTEGER, Token.EOF);
    }

    private long onlyInteger(String doc) {
        byte[] b = bytes(doc);
        reader.reset(b, 0, b.length);
        assertThat(reader.next()).isEqualTo(Token.INTEGER);
        long value = reader.integer();
        assertThat(reader.next()).isEqualTo(Token.EOF);
        return value;
    }

    /** Reads to the end and returns the status of the error it must hit. */
    private Status errorOf(String doc) {
        assertThat(tokens(doc)).as(doc).endsWith(Token.ERROR);
        return reader.status();
    }

    private List<Token> tokens(String doc) {
        byte[] b = bytes(doc);
        reader.reset(b, 0, b.length);
        List<Token> out = new ArrayList<>();
        Token t;
        do {
            t = reader.next();
            out.add(t);
        } while (t != Token.EOF && t != Token.ERROR);
        return out;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }
}
