package org.retracker.testing;

import java.util.Arrays;
import java.util.function.IntConsumer;

/**
 * Latency of the same requests against two systems, a baseline and a subject, taken alternately
 * request by request, so that machine noise (other tests, a fuzzer, GC) hits both alike.
 */
public final class PairedLatency {
    private final long[] baseline;
    private final long[] subject;

    private PairedLatency(long[] baseline, long[] subject) {
        this.baseline = baseline;
        this.subject = subject;
        Arrays.sort(baseline);
        Arrays.sort(subject);
    }

    /**
     * Runs {@code warmUp + measured} rounds; round {@code i} times {@code baseline.accept(i)}, then
     * {@code subject.accept(i)}. Only the last {@code measured} rounds count.
     */
    public static PairedLatency measure(int warmUp, int measured, IntConsumer baseline, IntConsumer subject) {
        if (warmUp < 0 || measured < 100) {
            throw new IllegalArgumentException("a p99 needs at least 100 measured rounds");
        }
        long[] b = new long[measured];
        long[] s = new long[measured];
        for (int i = 0; i < warmUp + measured; i++) {
            long t0 = System.nanoTime();
            baseline.accept(i);
            long t1 = System.nanoTime();
            subject.accept(i);
            long t2 = System.nanoTime();
            if (i >= warmUp) {
                b[i - warmUp] = t1 - t0;
                s[i - warmUp] = t2 - t1;
            }
        }
        return new PairedLatency(b, s);
    }

    /** The baseline's {@code percentile}th percentile (0 to 99), in nanoseconds. */
    public long baseline(int percentile) {
        return at(baseline, percentile);
    }

    /** The subject's {@code percentile}th percentile (0 to 99), in nanoseconds. */
    public long subject(int percentile) {
        return at(subject, percentile);
    }

    private static long at(long[] sorted, int percentile) {
        if (percentile < 0 || percentile > 99) {
            throw new IllegalArgumentException("percentile " + percentile);
        }
        return sorted[sorted.length * percentile / 100];
    }

    /** "median 80 vs 75 µs, p99 400 vs 390 µs" (subject vs baseline), for assertion messages. */
    @Override
    public String toString() {
        return "median " + subject(50) / 1000 + " vs " + baseline(50) / 1000 + " µs, p99 " + subject(99) / 1000 + " vs "
                + baseline(99) / 1000 + " µs (subject vs baseline)";
    }
}
