package org.retracker.bench;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** Shared between the main thread and the lanes: when to stop, and which lanes have finished. */
final class RunControl {
    private volatile boolean stopping;
    private final CountDownLatch lanesLeft;

    RunControl(int lanes) {
        this.lanesLeft = new CountDownLatch(lanes);
    }

    /** Lanes send nothing new once this is true. */
    boolean stopping() {
        return stopping;
    }

    void stop() {
        stopping = true;
    }

    /** {@code --insert-only}: a lane has had every one of its peers answered. */
    void laneFinished() {
        lanesLeft.countDown();
    }

    /** Waits until every lane finished; false when {@code nanos} passed first. */
    boolean awaitLanes(long nanos) throws InterruptedException {
        return lanesLeft.await(nanos, TimeUnit.NANOSECONDS);
    }
}
