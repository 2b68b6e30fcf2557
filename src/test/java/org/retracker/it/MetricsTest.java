package org.retracker.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.retracker.protocol.FailureReason;

/**
 * {@code GET /metrics} ({@code -p}) and {@code /health}: exact counts after a scripted sequence of
 * requests over both transports, the swarm gauges against a scrape, and the admin listener's
 * separation of operator paths from tracker paths.
 */
class MetricsTest extends LoopbackTrackerTest {
    private static final byte[] HASH_A = Ids.infoHash(1);
    private static final byte[] HASH_B = Ids.infoHash(2);
    private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

    @Test
    void metricsCountAScriptedSequenceOfAnnouncesScrapesAndFailuresOverHttpAndUdp() {
        TestTracker t = start(TestTracker.on(Loopback.V4).metrics());
        HttpTrackerClient http = t.http();
        for (int port = 6881; port <= 6883; port++) {
            http.announce(Announce.peer(HASH_A, port).event("started"));
        }
        http.announce(Announce.peer(HASH_A, 6884).seeder());
        assertThat(http.announceFailure(Announce.peer(HASH_A, 6885).port(0)))
                .isEqualTo(FailureReason.INVALID_PORT.message());
        http.scrape(HASH_A, HASH_B);
        List<ScrapeCounts> scraped;
        try (UdpTrackerClient udp = t.udpClient()) {
            long id = udp.connect();
            udp.announce(id, Announce.peer(HASH_B, 7001).event("started"));
            udp.announce(id, Announce.peer(HASH_B, 7002).seeder().event("completed"));
            udp.announce(id, Announce.peer(HASH_B, 7003).event("stopped"));
            udp.send(Announce.peer(HASH_B, 7004).udpPacket(id ^ 1, 1)); // dropped: not an id we issued
            scraped = udp.scrape(id, HASH_A, HASH_B); // answered after the drop: same socket, same loop
        }

        HttpReply reply = t.http().get("/metrics");
        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.header("content-type")).isEqualTo(PROMETHEUS_TEXT);
        Exposition m = Exposition.parse(new String(reply.body(), StandardCharsets.UTF_8));

        assertThat(m.value("retracker_announces_total", "protocol", "http", "event", "started"))
                .isEqualTo(3);
        assertThat(m.value("retracker_announces_total", "protocol", "http", "event", "none"))
                .isEqualTo(1);
        assertThat(m.value("retracker_announces_total", "protocol", "http", "event", "completed"))
                .isZero();
        assertThat(m.value("retracker_announces_total", "protocol", "udp", "event", "started"))
                .isEqualTo(1);
        assertThat(m.value("retracker_announces_total", "protocol", "udp", "event", "completed"))
                .isEqualTo(1);
        assertThat(m.value("retracker_announces_total", "protocol", "udp", "event", "stopped"))
                .isEqualTo(1);
        assertThat(m.value("retracker_failures_total", "protocol", "http", "reason", "invalid_port"))
                .isEqualTo(1);
        assertThat(m.sum("retracker_failures_total")).as("no other failure").isEqualTo(1);
        assertThat(m.has("retracker_failures_total", "protocol", "http", "reason", "udp_unknown_action"))
                .as("BEP 15 reasons are not listed for HTTP")
                .isFalse();
        assertThat(m.value("retracker_scrapes_total", "protocol", "http")).isEqualTo(1);
        assertThat(m.value("retracker_scrapes_total", "protocol", "udp")).isEqualTo(1);
        assertThat(m.value("retracker_udp_connects_total")).isEqualTo(1);
        assertThat(m.value("retracker_udp_connection_id_rejections_total")).isEqualTo(1);
        // The seed's counter: 5 HTTP announces, 6 UDP datagrams (connect, 3 announces, the bad id, scrape).
        assertThat(m.value("requests_total")).isEqualTo(11);

        assertThat(m.value("retracker_swarms")).isEqualTo(2);
        assertThat(m.value("retracker_seeders")).isEqualTo(2);
        assertThat(m.value("retracker_leechers")).isEqualTo(4);
        assertThat(m.value("retracker_peers")).isEqualTo(6);
        assertThat(m.value("retracker_seeders"))
                .as("seeders as a scrape of the same swarms tells")
                .isEqualTo(scraped.stream().mapToInt(ScrapeCounts::seeders).sum());
        assertThat(m.value("retracker_leechers"))
                .isEqualTo(scraped.stream().mapToInt(ScrapeCounts::leechers).sum());

        assertThat(m.value("jvm_memory_used_bytes", "area", "heap")).isPositive();
        assertThat(m.samples().keySet()).anyMatch(k -> k.startsWith("jvm_gc_collection_seconds_count"));
        assertThat(m.has("queue_depth"))
                .as("forwarding metrics only with forwarders")
                .isFalse();
    }

    @Test
    void openMetricsIsServedWhenTheScraperAsksForIt() {
        TestTracker t = start(TestTracker.on(Loopback.V4).metrics());

        HttpReply reply = t.http()
                .get("/metrics", "Accept: application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5");

        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.header("content-type")).startsWith("application/openmetrics-text");
        String body = new String(reply.body(), StandardCharsets.UTF_8);
        assertThat(body)
                .contains("# TYPE requests counter\n", "\nrequests_total 0")
                .endsWith("# EOF\n");
    }

    @Test
    void metricsAreNotFoundWithoutTheFlagWhileHealthIsAlwaysOk() {
        TestTracker t = start(Loopback.V4);

        assertThat(t.http().get("/metrics").status()).isEqualTo(404);
        HttpReply health = t.http().get("/health");
        assertThat(health.status()).isEqualTo(200);
        assertThat(health.header("content-type")).isEqualTo("text/plain");
        assertThat(health.text()).isEqualTo("ok\n");
    }

    @Test
    void withAnAdminListenerStatsAndMetricsAreServedThereOnly() {
        TestTracker t = start(TestTracker.on(Loopback.V4).metrics().adminListener());
        HttpTrackerClient tracker = t.http();
        HttpTrackerClient admin = t.admin(Loopback.V4);

        tracker.announce(Announce.peer(HASH_A, 6881).event("started"));

        assertThat(tracker.get("/metrics").status()).isEqualTo(404);
        assertThat(tracker.get("/stats").status()).isEqualTo(404);
        assertThat(tracker.get("/health").text()).isEqualTo("ok\n");
        assertThat(tracker.get("/favicon.ico").status()).isEqualTo(200);

        HttpReply metrics = admin.get("/metrics");
        assertThat(metrics.status()).isEqualTo(200);
        assertThat(Exposition.parse(metrics.text())
                        .value("retracker_announces_total", "protocol", "http", "event", "started"))
                .as("the admin listener counts the tracker listener's requests")
                .isEqualTo(1);
        assertThat(admin.get("/stats").text()).contains("swarms: 1\n", "http: 1 announces");
        assertThat(admin.get("/health").text()).isEqualTo("ok\n");
        assertThat(admin.get(Announce.peer(HASH_A, 6882).httpTarget()).status())
                .as("no tracker paths on the admin listener")
                .isEqualTo(404);
        assertThat(admin.get(HttpTrackerClient.scrapeTarget(HASH_A)).status()).isEqualTo(404);
    }

    @Test
    void anUnknownUdpActionCountsAsARequestAndAFailure() {
        TestTracker t = start(TestTracker.on(Loopback.V4).metrics());
        try (UdpTrackerClient udp = t.udpClient()) {
            long id = udp.connect();
            UdpTrackerClient.Reply r = udp.exchange(ByteBuffer.allocate(16)
                    .putLong(id) //   0 connection id
                    .putInt(7) //     8 action: none of BEP 15's
                    .putInt(1) //    12 transaction id
                    .array());
            assertThat(r.errorMessage()).isEqualTo(FailureReason.UDP_UNKNOWN_ACTION.message());
        }

        Exposition m = Exposition.parse(t.http().get("/metrics").text());

        assertThat(m.value("requests_total")).isEqualTo(2);
        assertThat(m.value("retracker_failures_total", "protocol", "udp", "reason", "udp_unknown_action"))
                .isEqualTo(1);
    }
}
