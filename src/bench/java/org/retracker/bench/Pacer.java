package org.retracker.bench;

/**
 * A token bucket for {@code --rate}: how many requests the lanes of one event loop may send. Used by
 * that loop's thread only. Unlimited when the rate is 0 (the default: a closed loop as fast as the
 * target answers). The bucket holds at most {@link #BURST_NANOS} of tokens, about one lane tick, so a
 * lane that found it empty and sends again at its next tick does not fall behind.
 */
final class Pacer {
    /** Tokens the bucket may hold, in time at the rate: the lanes' tick of 100 ms. */
    static final long BURST_NANOS = 100_000_000L;

    private final double perNano;
    private final double burst;
    private double tokens;
    private long last;

    /** {@code perSecond} requests a second on this loop; 0 for no limit. */
    Pacer(double perSecond) {
        if (!(perSecond >= 0)) {
            throw new IllegalArgumentException("--rate must not be negative");
        }
        this.perNano = perSecond / 1e9;
        this.burst = Math.max(1, perSecond * BURST_NANOS / 1e9);
        this.tokens = Math.min(burst, 1);
        this.last = System.nanoTime();
    }

    boolean limited() {
        return perNano > 0;
    }

    /** Takes one token if there is one (always true when unlimited). */
    boolean take(long now) {
        if (perNano == 0) {
            return true;
        }
        tokens = Math.min(burst, tokens + (now - last) * perNano);
        last = now;
        if (tokens >= 1) {
            tokens -= 1;
            return true;
        }
        return false;
    }
}
