package org.retracker.bencode;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;

/**
 * Writes bencode (BEP 3) straight into a {@link ByteBuf}, without intermediate objects. Callers
 * emit dictionary keys in sorted order themselves, as BEP 3 requires; the constants of the
 * announce and scrape encoders are laid out that way.
 */
public final class BencodeWriter {
    private BencodeWriter() {}

    /** Encodes a string key once, for reuse as a constant ({@code "8:interval"}). */
    public static byte[] key(String key) {
        byte[] raw = key.getBytes(StandardCharsets.UTF_8);
        return (raw.length + ":" + key).getBytes(StandardCharsets.UTF_8);
    }

    /** {@code <len>:<bytes>} for {@code length} bytes of {@code src} from {@code offset}. */
    public static void writeBytes(ByteBuf out, byte[] src, int offset, int length) {
        writeDecimal(out, length);
        out.writeByte(':');
        out.writeBytes(src, offset, length);
    }

    public static void writeBytes(ByteBuf out, byte[] src) {
        writeBytes(out, src, 0, src.length);
    }

    /** {@code i<value>e}. */
    public static void writeInteger(ByteBuf out, long value) {
        out.writeByte('i');
        writeDecimal(out, value);
        out.writeByte('e');
    }

    /** ASCII decimal digits of {@code value}, no allocation. */
    public static void writeDecimal(ByteBuf out, long value) {
        if (value < 0) {
            if (value == Long.MIN_VALUE) {
                out.writeCharSequence("-9223372036854775808", StandardCharsets.US_ASCII);
                return;
            }
            out.writeByte('-');
            value = -value;
        }
        if (value < 10) {
            out.writeByte((int) ('0' + value));
            return;
        }
        long divisor = 1;
        while (value / divisor >= 10) {
            divisor *= 10;
        }
        while (divisor > 0) {
            out.writeByte((int) ('0' + (value / divisor) % 10));
            divisor /= 10;
        }
    }

    /** Number of ASCII digits {@link #writeDecimal} writes for a non-negative value. */
    public static int decimalLength(long value) {
        int n = 1;
        while (value >= 10) {
            value /= 10;
            n++;
        }
        return n;
    }
}
