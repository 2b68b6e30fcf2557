package org.retracker.bench;

/**
 * Latencies in nanoseconds, log-linear: values below 32 are exact, above that every power of two
 * is split into 32 buckets, so a reported value is within about 3% of the true one. Fixed size
 * (1888 counters), no allocation when recording. Not thread-safe: one per event loop, merged at the
 * end.
 */
final class LatencyHistogram {
    /** Sub-buckets per power of two: 2^5 = 32, a relative error of 1/32. */
    private static final int SUB_BITS = 5;

    private static final int SUB = 1 << SUB_BITS;
    /** Exponents 5..62 plus the linear range below 32. */
    private static final int BUCKETS = (62 - SUB_BITS + 2) * SUB;

    private final long[] counts = new long[BUCKETS];
    private long total;
    private long max;

    void record(long nanos) {
        long v = Math.max(0, nanos);
        counts[index(v)]++;
        total++;
        if (v > max) {
            max = v;
        }
    }

    static int index(long v) {
        if (v < SUB) {
            return (int) v;
        }
        int exp = 63 - Long.numberOfLeadingZeros(v);
        return (exp - SUB_BITS + 1) * SUB + (int) ((v >>> (exp - SUB_BITS)) & (SUB - 1));
    }

    /** The largest value that falls into bucket {@code index}. */
    static long upperBound(int index) {
        if (index < SUB) {
            return index;
        }
        int exp = index / SUB + SUB_BITS - 1;
        long lower = (long) (SUB + index % SUB) << (exp - SUB_BITS);
        return lower + (1L << (exp - SUB_BITS)) - 1;
    }

    long count() {
        return total;
    }

    long max() {
        return max;
    }

    /** The value at or below which a fraction {@code q} (0..1) of the recorded values lie; 0 if none. */
    long percentile(double q) {
        if (total == 0) {
            return 0;
        }
        long rank = Math.max(1, (long) Math.ceil(q * total));
        long seen = 0;
        for (int i = 0; i < BUCKETS; i++) {
            seen += counts[i];
            if (seen >= rank) {
                return Math.min(upperBound(i), max);
            }
        }
        return max;
    }

    void add(LatencyHistogram other) {
        for (int i = 0; i < BUCKETS; i++) {
            counts[i] += other.counts[i];
        }
        total += other.total;
        max = Math.max(max, other.max);
    }

    void reset() {
        java.util.Arrays.fill(counts, 0);
        total = 0;
        max = 0;
    }
}
