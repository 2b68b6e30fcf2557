package org.retracker.protocol.udp;

/**
 * SipHash-2-4 (Aumasson, Bernstein 2012) of exactly three 64-bit little-endian words, with a 128-bit
 * key: a keyed MAC that allocates nothing, for {@link ConnectionIds} and the transport's per-client
 * tables (whose slots clients must not be able to aim at).
 */
public final class SipHash {
    private SipHash() {}

    /** SipHash-2-4 under the key {@code (k0, k1)} of the 24-byte message {@code m0 ‖ m1 ‖ m2}. */
    public static long hash(long k0, long k1, long m0, long m1, long m2) {
        long v0 = 0x736f6d6570736575L ^ k0;
        long v1 = 0x646f72616e646f6dL ^ k1;
        long v2 = 0x6c7967656e657261L ^ k0;
        long v3 = 0x7465646279746573L ^ k1;
        for (int i = 0; i < 4; i++) {
            long m = i == 0 ? m0 : i == 1 ? m1 : i == 2 ? m2 : (24L << 56); // last block: length 24, no tail
            v3 ^= m;
            for (int r = 0; r < 2; r++) {
                v0 += v1;
                v1 = Long.rotateLeft(v1, 13);
                v1 ^= v0;
                v0 = Long.rotateLeft(v0, 32);
                v2 += v3;
                v3 = Long.rotateLeft(v3, 16);
                v3 ^= v2;
                v0 += v3;
                v3 = Long.rotateLeft(v3, 21);
                v3 ^= v0;
                v2 += v1;
                v1 = Long.rotateLeft(v1, 17);
                v1 ^= v2;
                v2 = Long.rotateLeft(v2, 32);
            }
            v0 ^= m;
        }
        v2 ^= 0xff;
        for (int r = 0; r < 4; r++) {
            v0 += v1;
            v1 = Long.rotateLeft(v1, 13);
            v1 ^= v0;
            v0 = Long.rotateLeft(v0, 32);
            v2 += v3;
            v3 = Long.rotateLeft(v3, 16);
            v3 ^= v2;
            v0 += v3;
            v3 = Long.rotateLeft(v3, 21);
            v3 ^= v0;
            v2 += v1;
            v1 = Long.rotateLeft(v1, 17);
            v1 ^= v2;
            v2 = Long.rotateLeft(v2, 32);
        }
        return v0 ^ v1 ^ v2 ^ v3;
    }
}
