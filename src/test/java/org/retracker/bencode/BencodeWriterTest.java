package org.retracker.bencode;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class BencodeWriterTest {
    @Test
    void decimalsHaveNoLeadingZerosAndCoverTheLongRange() {
        long[] values = {0, 1, 9, 10, 99, 100, 12345, Integer.MAX_VALUE, Long.MAX_VALUE, -1, -10, Long.MIN_VALUE};
        for (long v : values) {
            assertThat(written(out -> BencodeWriter.writeDecimal(out, v))).isEqualTo(Long.toString(v));
        }
    }

    @Test
    void decimalLengthMatchesWhatIsWritten() {
        for (long v = 0; v < 100_000; v = v * 3 + 1) {
            assertThat(BencodeWriter.decimalLength(v))
                    .isEqualTo(Long.toString(v).length());
        }
        assertThat(BencodeWriter.decimalLength(Long.MAX_VALUE)).isEqualTo(19);
    }

    @Test
    void integersAreWrappedInIAndE() {
        assertThat(written(out -> BencodeWriter.writeInteger(out, 0))).isEqualTo("i0e");
        assertThat(written(out -> BencodeWriter.writeInteger(out, -42))).isEqualTo("i-42e");
    }

    @Test
    void byteStringsArePrefixedWithTheirLength() {
        byte[] src = "xxhelloxx".getBytes(StandardCharsets.US_ASCII);
        assertThat(written(out -> BencodeWriter.writeBytes(out, src, 2, 5))).isEqualTo("5:hello");
        assertThat(written(out -> BencodeWriter.writeBytes(out, new byte[0]))).isEqualTo("0:");
    }

    @Test
    void keysCountUtf8Bytes() {
        assertThat(new String(BencodeWriter.key("interval"), StandardCharsets.UTF_8))
                .isEqualTo("8:interval");
        assertThat(BencodeWriter.key("é")).containsExactly('2', ':', 0xC3, 0xA9);
    }

    private static String written(Consumer<ByteBuf> writer) {
        ByteBuf out = Unpooled.buffer();
        try {
            writer.accept(out);
            return out.toString(StandardCharsets.ISO_8859_1);
        } finally {
            out.release();
        }
    }
}
