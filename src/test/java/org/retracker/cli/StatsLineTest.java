package org.retracker.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.retracker.forward.ForwarderSpec;
import org.retracker.forward.ForwardingOptions;
import org.retracker.forward.ForwardingService;
import org.retracker.forward.UpstreamAnnounce;
import org.retracker.forward.UpstreamClient;
import org.retracker.forward.UpstreamReply;
import org.retracker.protocol.AnnounceEvent;
import org.retracker.protocol.AnnounceRequest;
import org.retracker.protocol.AnnounceResponse;
import org.retracker.swarm.SwarmStore;
import org.retracker.testing.FakeClock;
import org.retracker.transport.TransportCounters;

/** The periodic stats line ({@code -s}): swarm counts, requests since the last line, forwarding. */
class StatsLineTest {
    private final FakeClock clock = new FakeClock();
    private final SwarmStore store = new SwarmStore(clock);
    private final TransportCounters counters = new TransportCounters();
    private final AtomicLong nanos = new AtomicLong(5_000_000_000L);

    @Test
    void theLineCountsSwarmsPeersAndTheRequestsSinceThePreviousLine() {
        counters.httpAnnounces.add(7); // before the first line's window: not counted
        StatsLine line = new StatsLine(store, counters, null, nanos::get);
        announce(1, 1, 0);
        announce(1, 2, 100);
        announce(2, 3, 100);
        counters.httpAnnounces.add(90);
        counters.httpScrapes.add(10);
        counters.udpConnects.add(10);
        counters.udpAnnounces.add(10);
        nanos.addAndGet(60_000_000_000L);

        assertThat(line.next())
                .isEqualTo("stats: 2 swarms, 3 peers (1 seeders, 2 leechers); 120 requests in 60 s (2.0/s)");

        counters.udpScrapes.add(3);
        nanos.addAndGet(2_000_000_000L);
        assertThat(line.next()).endsWith("; 3 requests in 2 s (1.5/s)");
    }

    @Test
    void withForwardingTheLineShowsTheQueueAndItsWorkers() {
        ForwardingOptions options =
                new ForwardingOptions(Duration.ofSeconds(5), 3, 6, 200, 60, 0, 0, 20, 100, 200, 300, 1, 1, 1, 3600);
        try (ForwardingService f = new ForwardingService(options, clock, Failing::new)) {
            ForwarderSpec spec = new ForwarderSpec(
                    "dead", URI.create("http://dead.invalid/announce"), ForwarderSpec.Scheme.HTTP, null, null);
            f.setForwarders(List.of(spec));
            StatsLine line = new StatsLine(store, counters, f, nanos::get);
            nanos.addAndGet(60_000_000_000L);

            assertThat(line.next())
                    .isEqualTo("stats: 0 swarms, 0 peers (0 seeders, 0 leechers); 0 requests in 60 s (0.0/s);"
                            + " forwarding: queue 0/200 (0%), 0 in flight, 3 workers, 0 dropped (queue full),"
                            + " 0 rate limited, 0 throttled");
        }
    }

    private void announce(int hash, int host, long left) {
        AnnounceRequest r = new AnnounceRequest();
        r.infoHash[19] = (byte) hash;
        r.address[0] = 10;
        r.address[3] = (byte) host;
        r.addressLength = 4;
        r.port = 6881;
        r.left = left;
        r.event = AnnounceEvent.STARTED;
        store.announce(r, 0, false, new AnnounceResponse(10));
    }

    /** An external tracker that always fails. */
    private record Failing(ForwarderSpec spec) implements UpstreamClient {
        @Override
        public CompletableFuture<UpstreamReply> announce(UpstreamAnnounce announce) {
            return CompletableFuture.completedFuture(UpstreamReply.error("down"));
        }

        @Override
        public void close() {}
    }
}
