package org.retracker.swarm;

/** 64-bit finalizer mixing (the MurmurHash3 {@code fmix64} constants) for the store's hash tables. */
final class Mix {
    private Mix() {}

    static long mix(long a, long b, long c) {
        long h = fmix(a) ^ fmix(b + 0x9E3779B97F4A7C15L) ^ fmix(c + 0x632BE59BD9B4E019L);
        return h ^ (h >>> 32);
    }

    static long fmix(long k) {
        k ^= k >>> 33;
        k *= 0xff51afd7ed558ccdL;
        k ^= k >>> 33;
        k *= 0xc4ceb9fe1a85ec53L;
        k ^= k >>> 33;
        return k;
    }
}
