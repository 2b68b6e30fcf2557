package org.retracker.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.retracker.forward.ForwarderSpec;
import org.retracker.forward.ForwardingOptions;
import org.retracker.forward.UpstreamAnnounce;
import org.retracker.forward.UpstreamClient;
import org.retracker.forward.UpstreamReply;

/**
 * Forwarding on {@code /metrics}: the seed's {@code forwarder_status} and {@code queue_*} names, and
 * per-forwarder attempts, latency and peers, with in-process fake external trackers.
 */
class ForwarderMetricsTest extends LoopbackTrackerTest {
    private static final byte[] HASH = Ids.infoHash(7);
    private static final int QUEUE_SIZE = 100;
    /** Two IPv4 peers, 6 bytes each (BEP 23). */
    private static final byte[] TWO_PEERS = {10, 0, 0, 1, 0x1a, (byte) 0xe1, 10, 0, 0, 2, 0x1a, (byte) 0xe1};

    @Test
    void everyAttemptIsCountedByForwarderStatusAndOutcome() {
        ForwardingOptions options = new ForwardingOptions(
                Duration.ofSeconds(5), 1, 1, QUEUE_SIZE, 60, 0, 0, 20, 100, 200, 300, 10, 1, 1, 3600);
        UpstreamReply answered = new UpstreamReply(
                UpstreamReply.Outcome.OK,
                1800,
                UpstreamReply.ABSENT,
                1,
                1,
                TWO_PEERS,
                new byte[0],
                "",
                UpstreamReply.ABSENT,
                UpstreamReply.ABSENT);
        List<ForwarderSpec> specs = List.of(
                spec("udp-ok", "udp://ok.invalid:6969/announce", ForwarderSpec.Scheme.UDP),
                spec("http-500", "http://broken.invalid/announce", ForwarderSpec.Scheme.HTTP),
                spec("http-429", "http://busy.invalid/announce", ForwarderSpec.Scheme.HTTP));
        TestTracker t = start(TestTracker.on(Loopback.V4)
                .metrics()
                .forwarding(
                        options,
                        spec -> new Fixed(
                                spec,
                                switch (spec.name()) {
                                    case "udp-ok" -> answered;
                                    case "http-500" ->
                                        UpstreamReply.error("HTTP 500 Internal Server Error")
                                                .withHttpStatus(500);
                                    default ->
                                        UpstreamReply.rateLimited("HTTP 429 Too Many Requests", 60)
                                                .withHttpStatus(429);
                                }),
                        specs));

        t.http().announce(Announce.peer(HASH, 6881).event("started"));
        await().atMost(Duration.ofSeconds(5)).until(() -> metrics(t).sum("retracker_forwarder_requests_total") == 3);

        Exposition m = metrics(t);
        assertThat(m.value("forwarder_status_total", "name", "udp-ok", "status", "200"))
                .isEqualTo(1);
        assertThat(m.value("forwarder_status_total", "name", "http-500", "status", "500"))
                .isEqualTo(1);
        assertThat(m.value("forwarder_status_total", "name", "http-429", "status", "429"))
                .isEqualTo(1);
        assertThat(m.value("retracker_forwarder_requests_total", "name", "udp-ok", "outcome", "ok"))
                .isEqualTo(1);
        assertThat(m.value("retracker_forwarder_requests_total", "name", "http-500", "outcome", "error"))
                .isEqualTo(1);
        assertThat(m.value("retracker_forwarder_requests_total", "name", "http-429", "outcome", "rate_limited"))
                .isEqualTo(1);
        assertThat(m.value("retracker_forwarder_requests_total", "name", "udp-ok", "outcome", "error"))
                .isZero();
        assertThat(m.value("retracker_forwarder_peers_received_total", "name", "udp-ok"))
                .isEqualTo(2);
        assertThat(m.value("retracker_forwarder_up", "name", "udp-ok")).isEqualTo(1);
        assertThat(m.value("retracker_forwarder_up", "name", "http-429"))
                .as("suspended")
                .isZero();
        // The tracker's clock is a fake that stands still: every attempt took 0 s.
        assertThat(m.value("retracker_forwarder_latency_seconds_bucket", "name", "udp-ok", "le", "0.005"))
                .isEqualTo(1);
        assertThat(m.value("retracker_forwarder_latency_seconds_count", "name", "udp-ok"))
                .isEqualTo(1);
        assertThat(m.value("retracker_forwarder_latency_seconds_sum", "name", "udp-ok"))
                .isZero();
        assertThat(m.value("queue_capacity")).isEqualTo(QUEUE_SIZE);
        assertThat(m.value("queue_depth")).isZero();
        assertThat(m.value("queue_fill_pct")).isZero();
        assertThat(m.value("forwarder_workers")).isEqualTo(1);
        assertThat(m.value("queue_dropped_full_total")).isZero();
        assertThat(m.value("queue_rate_limited_total")).isZero();
        assertThat(m.value("queue_throttled_forwarders_total")).isZero();
    }

    private static Exposition metrics(TestTracker t) {
        return Exposition.parse(t.http().get("/metrics").text());
    }

    private static ForwarderSpec spec(String name, String uri, ForwarderSpec.Scheme scheme) {
        return new ForwarderSpec(name, URI.create(uri), scheme, null, null);
    }

    /** An external tracker that always answers the same. */
    private record Fixed(ForwarderSpec spec, UpstreamReply reply) implements UpstreamClient {
        @Override
        public CompletableFuture<UpstreamReply> announce(UpstreamAnnounce announce) {
            return CompletableFuture.completedFuture(reply);
        }

        @Override
        public void close() {}
    }
}
