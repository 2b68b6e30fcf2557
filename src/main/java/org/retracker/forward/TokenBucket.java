package org.retracker.forward;

import java.time.InstantSource;

/** A token bucket: {@code perSecond} tokens a second, at most {@code burst} saved. Thread-safe. */
final class TokenBucket {
    private final InstantSource clock;
    private final double perMilli;
    private final double burst;
    private double tokens;
    private long lastMillis;

    TokenBucket(InstantSource clock, int perSecond, int burst) {
        this.clock = clock;
        this.perMilli = perSecond / 1000.0;
        this.burst = Math.max(1, burst);
        this.tokens = this.burst;
        this.lastMillis = clock.millis();
    }

    synchronized boolean tryTake() {
        long now = clock.millis();
        if (now > lastMillis) {
            tokens = Math.min(burst, tokens + (now - lastMillis) * perMilli);
            lastMillis = now;
        }
        if (tokens >= 1) {
            tokens -= 1;
            return true;
        }
        return false;
    }
}
