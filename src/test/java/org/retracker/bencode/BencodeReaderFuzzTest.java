package org.retracker.bencode;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.retracker.bencode.BencodeReader.Status;
import org.retracker.bencode.BencodeReader.Token;

/**
 * Jazzer target for the bencode reader. Any bytes must end in {@link Token#EOF} or {@link
 * Token#ERROR}, never an exception, within bounds; and because the reader accepts only the one
 * canonical spelling of every value, writing an accepted document's tokens back out must give the
 * input byte for byte.
 *
 * <p>Regression mode (the default) replays {@code BencodeReaderFuzzTestInputs/}; {@code
 * JAZZER_FUZZ=1} fuzzes.
 */
class BencodeReaderFuzzTest {
    private final BencodeReader reader = new BencodeReader();

    @FuzzTest(maxDuration = "60s")
    void readAndWriteBack(byte[] input) {
        // Read a range in the middle of a larger array: nothing outside it may be read.
        byte[] padded = new byte[input.length + 2];
        padded[0] = 'l';
        System.arraycopy(input, 0, padded, 1, input.length);
        padded[padded.length - 1] = 'e';

        reader.reset(padded, 1, padded.length - 1);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int tokens = 0;
        Token t;
        while (true) {
            t = reader.next();
            if (t == Token.EOF || t == Token.ERROR) {
                break;
            }
            tokens++;
            assertThat(reader.depth()).isBetween(0, BencodeReader.MAX_DEPTH);
            switch (t) {
                case INTEGER -> ascii(out, "i" + reader.integer() + "e");
                case STRING -> {
                    assertThat(reader.stringStart()).isBetween(1, padded.length - 1);
                    assertThat(reader.stringStart() + reader.stringLength()).isLessThanOrEqualTo(padded.length - 1);
                    ascii(out, reader.stringLength() + ":");
                    out.write(padded, reader.stringStart(), reader.stringLength());
                }
                case LIST -> out.write('l');
                case DICT -> out.write('d');
                case END -> out.write('e');
                default -> throw new AssertionError(t);
            }
        }
        assertThat(tokens).isLessThanOrEqualTo(2 * BencodeReader.MAX_ELEMENTS);
        if (t == Token.EOF) {
            assertThat(reader.status()).isEqualTo(Status.OK);
            assertThat(reader.depth()).isZero();
            assertThat(out.toByteArray()).isEqualTo(input);
            assertThat(reader.next()).isEqualTo(Token.EOF);
        } else {
            assertThat(reader.status()).isNotEqualTo(Status.OK);
            assertThat(reader.position()).isBetween(1, padded.length - 1);
            assertThat(reader.next()).isEqualTo(Token.ERROR);
        }
    }

    private static void ascii(ByteArrayOutputStream out, String s) {
        out.writeBytes(s.getBytes(StandardCharsets.US_ASCII));
    }
}
