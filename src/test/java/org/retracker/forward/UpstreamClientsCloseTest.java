package org.retracker.forward;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.EventLoopGroup;
import java.net.URI;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.retracker.testing.StalledLoop;

/** {@link UpstreamClients#close()} returns in bounded time even when a forwarder loop is stuck. */
@Timeout(30)
class UpstreamClientsCloseTest {
    private static final ForwarderSpec UDP =
            new ForwarderSpec("u", URI.create("udp://127.0.0.1:9/announce"), ForwarderSpec.Scheme.UDP, null, null);

    @Test
    void closeStopsTheLoops() {
        UpstreamClients clients = new UpstreamClients(1);
        clients.create(UDP);

        assertThat(clients.close(Duration.ofSeconds(10))).isTrue();
        assertThat(Objects.requireNonNull(clients.eventLoops()).isTerminated()).isTrue();
    }

    @Test
    void closeReturnsWithinItsBoundWhenALoopIsStuck() throws Exception {
        UpstreamClients clients = new UpstreamClients(1);
        clients.create(UDP);
        EventLoopGroup loops = Objects.requireNonNull(clients.eventLoops());
        try (StalledLoop stalled = StalledLoop.stall(loops.next())) {
            // (closed on failure too: a loop left stalled would keep the test JVM alive)
            long start = System.nanoTime();
            boolean done = clients.close(Duration.ofMillis(500));
            long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

            assertThat(done).isFalse();
            assertThat(tookMillis).isBetween(400L, 3_000L);
            stalled.close();
            assertThat(loops.terminationFuture().await(10, TimeUnit.SECONDS)).isTrue();
        }
    }
}
