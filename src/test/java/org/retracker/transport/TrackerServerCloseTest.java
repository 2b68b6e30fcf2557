package org.retracker.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.util.concurrent.Future;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.retracker.testing.StalledLoop;
import org.retracker.testing.TestServers;

/** {@link TrackerServer#close()} stops everything, and returns in bounded time even when it cannot. */
@Timeout(30)
class TrackerServerCloseTest {
    @Test
    void closeStopsTheListenersAndEveryEventLoop() throws Exception {
        TrackerServer server = start();

        assertThat(server.close(Duration.ofSeconds(10))).isTrue();
        assertThat(server.eventLoops().isTerminated()).isTrue();
    }

    @Test
    void closeReturnsWithinItsBoundWhenAnEventLoopIsStuck() throws Exception {
        TrackerServer server = start();
        try (StalledLoop stalled = StalledLoop.stall(server.eventLoops().next())) {
            // (closed on failure too: a loop left stalled would keep the test JVM alive)
            long start = System.nanoTime();
            boolean done = server.close(Duration.ofMillis(500));
            long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

            assertThat(done).as("a stuck loop cannot have stopped").isFalse();
            assertThat(tookMillis).isBetween(400L, 3_000L);
            // Shutdown was still asked for: once the task ends, the loop closes its channels and stops.
            stalled.close();
            Future<?> termination = server.eventLoops().terminationFuture();
            assertThat(termination.await(10, TimeUnit.SECONDS)).isTrue();
        }
    }

    private static TrackerServer start() throws InterruptedException {
        InetAddress loopback = InetAddress.getLoopbackAddress();
        return TestServers.start(
                new InetSocketAddress(loopback, 0), new InetSocketAddress(loopback, 0), 1, () -> List.of(loopback));
    }
}
