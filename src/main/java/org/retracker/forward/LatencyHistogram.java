package org.retracker.forward;

import java.util.Arrays;

/**
 * How long one forwarder's attempts took, in fixed buckets: the data of a Prometheus classic
 * histogram. Recorded on the forwarding thread, once per attempt; read by scrapes. Guarded by
 * {@code this}: the one writer is not on the hot path, and a reader gets counts and sum of the same
 * instant.
 */
public final class LatencyHistogram {
    /**
     * Bucket upper bounds in milliseconds: from a tracker on the LAN (5 ms) past the default
     * attempt timeout of 30 s; an attempt cut off at a longer {@code -t} lands in the last, open
     * bucket.
     */
    private static final long[] BOUNDS_MILLIS = {
        5, 10, 25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000, 30_000, 60_000
    };

    private final long[] counts = new long[BOUNDS_MILLIS.length + 1];
    private long sumMillis;

    /** Buckets, the last one open (+Inf). */
    public static int buckets() {
        return BOUNDS_MILLIS.length + 1;
    }

    /** Upper bound of bucket {@code i} in seconds; {@link Double#POSITIVE_INFINITY} for the last. */
    public static double upperBoundSeconds(int i) {
        return i < BOUNDS_MILLIS.length ? BOUNDS_MILLIS[i] / 1000.0 : Double.POSITIVE_INFINITY;
    }

    synchronized void record(long millis) {
        long m = Math.max(0, millis);
        int i = 0;
        while (i < BOUNDS_MILLIS.length && m > BOUNDS_MILLIS[i]) {
            i++;
        }
        counts[i]++;
        sumMillis += m;
    }

    synchronized Snapshot snapshot() {
        return new Snapshot(counts.clone(), sumMillis);
    }

    /** Counts and sum of one instant. */
    public static final class Snapshot {
        private final long[] counts;
        private final long sumMillis;

        Snapshot(long[] counts, long sumMillis) {
            this.counts = counts;
            this.sumMillis = sumMillis;
        }

        /** Attempts in bucket {@code i} alone (not cumulative). */
        public long count(int i) {
            return counts[i];
        }

        /** Attempts in all buckets. */
        public long total() {
            return Arrays.stream(counts).sum();
        }

        public double sumSeconds() {
            return sumMillis / 1000.0;
        }
    }
}
