package org.retracker.testing;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A hand-set {@link InstantSource} for tests: time moves only when the test says so. Thread-safe,
 * so a test thread may move it while event loops read it.
 */
public final class FakeClock implements InstantSource {
    private final AtomicLong millis;

    public FakeClock() {
        this(1_700_000_000_000L);
    }

    public FakeClock(long startMillis) {
        this.millis = new AtomicLong(startMillis);
    }

    @Override
    public Instant instant() {
        return Instant.ofEpochMilli(millis.get());
    }

    @Override
    public long millis() {
        return millis.get();
    }

    public void advanceSeconds(long seconds) {
        millis.addAndGet(seconds * 1000);
    }

    public void advanceMillis(long delta) {
        millis.addAndGet(delta);
    }

    public void advance(Duration d) {
        millis.addAndGet(d.toMillis());
    }
}
