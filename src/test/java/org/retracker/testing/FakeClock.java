package org.retracker.testing;

import java.time.Instant;
import java.time.InstantSource;

/** A hand-set {@link InstantSource} for tests: time moves only when the test says so. */
public final class FakeClock implements InstantSource {
    private long millis;

    public FakeClock() {
        this(1_700_000_000_000L);
    }

    public FakeClock(long startMillis) {
        this.millis = startMillis;
    }

    @Override
    public Instant instant() {
        return Instant.ofEpochMilli(millis);
    }

    @Override
    public long millis() {
        return millis;
    }

    public void advanceSeconds(long seconds) {
        millis += seconds * 1000;
    }

    public void advanceMillis(long delta) {
        millis += delta;
    }
}
