package org.retracker.swarm;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.security.SecureRandom;

/**
 * An immutable set of 20-byte info hashes whose lookup reads the hash straight from a request's
 * byte array and allocates nothing: what an access list is checked against on every announce.
 *
 * <h2>Layout</h2>
 *
 * One open-addressing table (linear probing, load ≤ 1/2, capacity a power of two): slot {@code i} holds the hash in {@code keys[3i..3i+2]}, bytes 0–7
 * and 8–15 as big-endian longs and bytes 16–19 in the low 32 bits of the third. Bit 32 of the third
 * long marks the slot as taken, so an empty slot is three zeros and no key reads as empty, not even
 * twenty zero bytes: no separate occupancy array. 24 bytes a slot, at most 48 bytes an entry plus
 * rounding to a power of two.
 *
 * <h2>Hash</h2>
 *
 * {@link Mix#mix} of the three words with a random seed per set (as the store): a client chooses
 * the hashes it looks up, and with the seed unknown it cannot aim at the table's longest cluster.
 *
 * <h2>Thread safety</h2>
 *
 * Immutable once built: every field is final and the arrays are never written after {@link
 * Builder#build}, so a set published by a volatile write is safe to read from any event loop.
 */
public final class InfoHashSet {
    /** The most entries one set holds: 2^21 slots × 24 bytes, a 48 MiB table. */
    public static final int MAX_SIZE = 1 << 20;

    /** The set with nothing in it. */
    public static final InfoHashSet EMPTY = new Builder().build();

    static final int HASH_LENGTH = 20;
    private static final int MIN_CAPACITY = 16;
    /** Bit 32 of a slot's third word: set for every taken slot, never part of a key's bytes. */
    private static final long TAKEN = 1L << 32;

    private static final VarHandle LONG_BE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle INT_BE = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);

    private final long[] keys;
    private final int mask;
    private final int size;
    private final long seed;

    private InfoHashSet(long[] keys, int size, long seed) {
        this.keys = keys;
        this.mask = keys.length / 3 - 1;
        this.size = size;
        this.seed = seed;
    }

    /** Distinct hashes in the set. */
    public int size() {
        return size;
    }

    /**
     * Whether the 20 bytes of {@code bytes} from {@code offset} are in the set. Reads nothing
     * outside them; allocates nothing.
     */
    public boolean contains(byte[] bytes, int offset) {
        long w0 = (long) LONG_BE.get(bytes, offset);
        long w1 = (long) LONG_BE.get(bytes, offset + 8);
        long w2 = ((int) INT_BE.get(bytes, offset + 16) & 0xffffffffL) | TAKEN;
        long[] k = keys;
        for (int p = (int) Mix.mix(w0 ^ seed, w1, w2) & mask; ; p = (p + 1) & mask) {
            long s2 = k[3 * p + 2];
            if (s2 == 0) {
                return false;
            }
            if (s2 == w2 && k[3 * p] == w0 && k[3 * p + 1] == w1) {
                return true;
            }
        }
    }

    /** Slots of the table, for tests of the load bound. */
    int capacity() {
        return mask + 1;
    }

    /**
     * Collects hashes for one set; duplicates count once. Not thread-safe; {@link #build} hands the
     * table over, so a builder builds once.
     */
    public static final class Builder {
        private final long seed = new SecureRandom().nextLong();
        private long[] keys = new long[MIN_CAPACITY * 3];
        private int size;
        private boolean built;

        /**
         * Adds the 20 bytes of {@code bytes} from {@code offset}.
         *
         * @return whether the hash was new
         * @throws IllegalStateException when the set already holds {@link #MAX_SIZE} hashes and this
         *     one is new, or after {@link #build}
         */
        public boolean add(byte[] bytes, int offset) {
            if (built) {
                throw new IllegalStateException("already built");
            }
            long w0 = (long) LONG_BE.get(bytes, offset);
            long w1 = (long) LONG_BE.get(bytes, offset + 8);
            long w2 = ((int) INT_BE.get(bytes, offset + 16) & 0xffffffffL) | TAKEN;
            int mask = keys.length / 3 - 1;
            int p = (int) Mix.mix(w0 ^ seed, w1, w2) & mask;
            for (; keys[3 * p + 2] != 0; p = (p + 1) & mask) {
                if (keys[3 * p + 2] == w2 && keys[3 * p] == w0 && keys[3 * p + 1] == w1) {
                    return false;
                }
            }
            if (size == MAX_SIZE) {
                throw new IllegalStateException("more than " + MAX_SIZE + " info hashes");
            }
            if ((size + 1) * 2 > mask + 1) {
                grow();
                mask = keys.length / 3 - 1;
                p = (int) Mix.mix(w0 ^ seed, w1, w2) & mask;
                while (keys[3 * p + 2] != 0) {
                    p = (p + 1) & mask;
                }
            }
            keys[3 * p] = w0;
            keys[3 * p + 1] = w1;
            keys[3 * p + 2] = w2;
            size++;
            return true;
        }

        /** Whether the 20 bytes of {@code bytes} from {@code offset} have been added. */
        public boolean contains(byte[] bytes, int offset) {
            long w0 = (long) LONG_BE.get(bytes, offset);
            long w1 = (long) LONG_BE.get(bytes, offset + 8);
            long w2 = ((int) INT_BE.get(bytes, offset + 16) & 0xffffffffL) | TAKEN;
            int mask = keys.length / 3 - 1;
            for (int p = (int) Mix.mix(w0 ^ seed, w1, w2) & mask; keys[3 * p + 2] != 0; p = (p + 1) & mask) {
                if (keys[3 * p + 2] == w2 && keys[3 * p] == w0 && keys[3 * p + 1] == w1) {
                    return true;
                }
            }
            return false;
        }

        /** Distinct hashes added so far. */
        public int size() {
            return size;
        }

        /** The set of everything added. */
        public InfoHashSet build() {
            if (built) {
                throw new IllegalStateException("already built");
            }
            built = true;
            return new InfoHashSet(keys, size, seed);
        }

        private void grow() {
            long[] old = keys;
            int capacity = old.length / 3 * 2;
            long[] grown = new long[capacity * 3];
            int mask = capacity - 1;
            for (int i = 0; i < old.length; i += 3) {
                if (old[i + 2] == 0) {
                    continue;
                }
                int p = (int) Mix.mix(old[i] ^ seed, old[i + 1], old[i + 2]) & mask;
                while (grown[3 * p + 2] != 0) {
                    p = (p + 1) & mask;
                }
                grown[3 * p] = old[i];
                grown[3 * p + 1] = old[i + 1];
                grown[3 * p + 2] = old[i + 2];
            }
            keys = grown;
        }
    }
}
