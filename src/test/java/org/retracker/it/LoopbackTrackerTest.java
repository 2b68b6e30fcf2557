package org.retracker.it;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Base of the loopback tests: starts trackers through {@link #start}, closes every one of them
 * after each test, bounds each test's time, and fails the class on any Netty buffer leak.
 */
@ExtendWith(NettyLeakCheck.class)
@Timeout(20)
abstract class LoopbackTrackerTest {
    private final List<TestTracker> trackers = new ArrayList<>();

    /** Starts a tracker that is closed after the test. */
    final TestTracker start(TestTracker.Builder builder) {
        TestTracker t = builder.start();
        trackers.add(t);
        return t;
    }

    /** A tracker with the default policy and options on {@code hosts}, closed after the test. */
    final TestTracker start(String... hosts) {
        return start(TestTracker.on(hosts));
    }

    @AfterEach
    final void closeTrackers() {
        for (TestTracker t : trackers) {
            t.close();
        }
        trackers.clear();
    }
}
