package org.retracker.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.retracker.transport.ClientLimits;

/**
 * {@code --max-connections-per-ip} over real connections: the connection past the cap is closed at
 * once and counted while those within it keep working, on several event loops; another address
 * has its own count; a closed connection gives its place back; trusted proxies are not counted.
 */
class ConnectionCapTest extends LoopbackTrackerTest {
    private static final int CAP = 3;

    /** Loopback is not a trusted proxy here, so its connections count. */
    private static TestTracker.Builder capped() {
        return TestTracker.on(Loopback.V4).trustedProxies("10.0.0.0/8").limits(new ClientLimits(0, 1, CAP));
    }

    private static void assertServes(HttpConnection c) {
        assertThat(c.get("/health").status()).isEqualTo(200);
    }

    private static void closeAll(List<HttpConnection> connections) {
        connections.forEach(HttpConnection::close);
    }

    @Test
    void theConnectionPastTheCapIsClosedAtOnceAndTheOthersKeepWorking() {
        TestTracker t = start(capped().ioThreads(2).metrics().adminListener());
        List<HttpConnection> open = new ArrayList<>();
        try {
            for (int i = 0; i < CAP; i++) {
                HttpConnection c = t.http().connect();
                open.add(c);
                assertServes(c);
            }

            try (HttpConnection extra = t.http().connect()) {
                assertThat(extra.closedByServer()).isTrue();
            }

            for (HttpConnection c : open) {
                assertServes(c);
            }
            assertThat(t.server().counters().httpConnectionsRefused.sum()).isEqualTo(1);
            // the admin listener's connections are not counted: three are open from this address
            Exposition m = Exposition.parse(
                    new String(t.admin(Loopback.V4).get("/metrics").body(), StandardCharsets.UTF_8));
            assertThat(m.value("retracker_http_connections_refused_total")).isEqualTo(1);
            assertThat(new String(t.admin(Loopback.V4).get("/stats").body(), StandardCharsets.UTF_8))
                    .contains(" 1 connections refused\n")
                    .contains("max_connections_per_ip: " + CAP + "\n");
        } finally {
            closeAll(open);
        }
    }

    @Test
    void anotherAddressHasACountOfItsOwn() {
        TestTracker t = start(capped());
        List<HttpConnection> open = new ArrayList<>();
        try {
            for (int i = 0; i < CAP; i++) {
                open.add(t.http().connect());
            }
            for (int i = 0; i < CAP; i++) {
                HttpConnection c = t.httpFrom(Loopback.V4_OTHER).connect();
                open.add(c);
                assertServes(c);
            }
            assertThat(t.server().counters().httpConnectionsRefused.sum()).isZero();
        } finally {
            closeAll(open);
        }
    }

    @Test
    void aClosedConnectionGivesItsPlaceBack() {
        TestTracker t = start(capped());
        List<HttpConnection> open = new ArrayList<>();
        try {
            for (int i = 0; i < CAP; i++) {
                HttpConnection c = t.http().connect();
                open.add(c);
                assertServes(c);
            }
            open.remove(0).close();

            // The tracker sees the close a moment later: until then a new connection may still be refused.
            long deadline = System.nanoTime() + 5_000_000_000L;
            boolean served = false;
            while (!served && System.nanoTime() < deadline) {
                HttpConnection c = t.http().connect();
                try {
                    assertServes(c);
                    open.add(c);
                    served = true;
                } catch (UncheckedIOException refusedStill) {
                    c.close();
                    sleepMillis(20);
                }
            }
            assertThat(served)
                    .as("a new connection served within 5 s of a close")
                    .isTrue();
        } finally {
            closeAll(open);
        }
    }

    @Test
    void connectionsFromATrustedProxyAreNotCounted() {
        TestTracker t = start(TestTracker.on(Loopback.V4).realIpHeader().limits(new ClientLimits(0, 1, CAP)));
        List<HttpConnection> open = new ArrayList<>();
        try {
            for (int i = 0; i < 4 * CAP; i++) {
                HttpConnection c = t.http().connect();
                open.add(c);
                assertServes(c);
            }
            assertThat(t.server().counters().httpConnectionsRefused.sum()).isZero();
        } finally {
            closeAll(open);
        }
    }

    @Test
    void withoutACapConnectionsAreNotCounted() {
        TestTracker t = start(TestTracker.on(Loopback.V4).trustedProxies("10.0.0.0/8"));
        List<HttpConnection> open = new ArrayList<>();
        try {
            for (int i = 0; i < 50; i++) {
                HttpConnection c = t.http().connect();
                open.add(c);
                assertServes(c);
            }
        } finally {
            closeAll(open);
        }
    }

    private static void sleepMillis(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
