package org.retracker.protocol.udp;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Checks the three-word SipHash-2-4 against a plain byte-oriented implementation written from the
 * paper (Aumasson, Bernstein: "SipHash: a fast short-input PRF", 2012), which is itself checked
 * against the paper's test vector.
 */
class SipHashTest {
    private static final byte[] KEY = sequence(16); // 00 01 .. 0f, the paper's key

    @Test
    void genericImplementationMatchesThePaperVector() {
        // Appendix A: key 00..0f, message 00..0e (15 bytes)
        assertThat(generic(KEY, sequence(15))).isEqualTo(0xa129ca6149be45e5L);
    }

    @Test
    void genericImplementationMatchesTheReferenceVectorForTheEmptyMessage() {
        // vectors.h of the reference implementation, entry 0
        assertThat(generic(KEY, new byte[0])).isEqualTo(0x726fdb47dd0e0e31L);
    }

    @Test
    void threeWordHashEqualsTheGenericHashOf24Bytes() {
        byte[] message = sequence(24);
        assertThat(SipHash.hash(le(KEY, 0), le(KEY, 8), le(message, 0), le(message, 8), le(message, 16)))
                .isEqualTo(generic(KEY, message));
    }

    @Test
    void threeWordHashEqualsTheGenericHashOnRandomInputs() {
        Random random = new Random(0x5195_4a54L);
        byte[] key = new byte[16];
        byte[] message = new byte[24];
        for (int i = 0; i < 20_000; i++) {
            random.nextBytes(key);
            random.nextBytes(message);
            assertThat(SipHash.hash(le(key, 0), le(key, 8), le(message, 0), le(message, 8), le(message, 16)))
                    .isEqualTo(generic(key, message));
        }
    }

    @Test
    void everyInputWordMatters() {
        long base = SipHash.hash(1, 2, 3, 4, 5);
        assertThat(SipHash.hash(0, 2, 3, 4, 5)).isNotEqualTo(base);
        assertThat(SipHash.hash(1, 0, 3, 4, 5)).isNotEqualTo(base);
        assertThat(SipHash.hash(1, 2, 0, 4, 5)).isNotEqualTo(base);
        assertThat(SipHash.hash(1, 2, 3, 0, 5)).isNotEqualTo(base);
        assertThat(SipHash.hash(1, 2, 3, 4, 0)).isNotEqualTo(base);
    }

    /** SipHash-2-4 of any byte string, straight from the paper's description. */
    static long generic(byte[] key, byte[] m) {
        long k0 = le(key, 0);
        long k1 = le(key, 8);
        long[] v = {
            k0 ^ 0x736f6d6570736575L, // "somepseu"
            k1 ^ 0x646f72616e646f6dL, // "dorandom"
            k0 ^ 0x6c7967656e657261L, // "lygenera"
            k1 ^ 0x7465646279746573L, // "tedbytes"
        };
        int blocks = m.length / 8;
        for (int b = 0; b < blocks; b++) {
            compress(v, le(m, 8 * b));
        }
        // Last block: the remaining bytes, zero padded, with length mod 256 in the top byte.
        long last = (long) (m.length & 0xff) << 56;
        for (int i = 0; i < m.length % 8; i++) {
            last |= (m[8 * blocks + i] & 0xffL) << (8 * i);
        }
        compress(v, last);
        v[2] ^= 0xff;
        for (int r = 0; r < 4; r++) {
            round(v);
        }
        return v[0] ^ v[1] ^ v[2] ^ v[3];
    }

    private static void compress(long[] v, long m) {
        v[3] ^= m;
        round(v);
        round(v);
        v[0] ^= m;
    }

    private static void round(long[] v) {
        v[0] += v[1];
        v[1] = Long.rotateLeft(v[1], 13);
        v[1] ^= v[0];
        v[0] = Long.rotateLeft(v[0], 32);
        v[2] += v[3];
        v[3] = Long.rotateLeft(v[3], 16);
        v[3] ^= v[2];
        v[0] += v[3];
        v[3] = Long.rotateLeft(v[3], 21);
        v[3] ^= v[0];
        v[2] += v[1];
        v[1] = Long.rotateLeft(v[1], 17);
        v[1] ^= v[2];
        v[2] = Long.rotateLeft(v[2], 32);
    }

    /** Little-endian 64-bit word at {@code offset}. */
    static long le(byte[] b, int offset) {
        long x = 0;
        for (int i = 7; i >= 0; i--) {
            x = x << 8 | (b[offset + i] & 0xffL);
        }
        return x;
    }

    private static byte[] sequence(int length) {
        byte[] b = new byte[length];
        for (int i = 0; i < length; i++) {
            b[i] = (byte) i;
        }
        return b;
    }
}
