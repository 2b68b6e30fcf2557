package org.retracker.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.util.concurrent.EventExecutor;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A task that keeps one event loop busy until {@link #close()}: the loop can neither close its
 * channels nor stop, as when a handler hangs. For tests of bounded shutdown.
 */
public final class StalledLoop implements AutoCloseable {
    private final CountDownLatch release = new CountDownLatch(1);

    private StalledLoop() {}

    /** Stalls {@code loop} and returns once the stalling task runs on it. */
    public static StalledLoop stall(EventExecutor loop) throws InterruptedException {
        StalledLoop stalled = new StalledLoop();
        CountDownLatch running = new CountDownLatch(1);
        loop.execute(() -> {
            running.countDown();
            try {
                stalled.release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        assertThat(running.await(5, TimeUnit.SECONDS))
                .as("the stalling task ran")
                .isTrue();
        return stalled;
    }

    /** Lets the loop go on. */
    @Override
    public void close() {
        release.countDown();
    }
}
