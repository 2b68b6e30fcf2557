package org.retracker.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.retracker.config.TrackerConfig;
import org.retracker.protocol.FailureReason;
import org.retracker.testing.JsonParser;
import org.retracker.transport.ClientLimits;
import org.retracker.transport.TransportCounters;

/**
 * The per-address rate limit ({@code --rate-limit-per-ip-ps}, {@code --rate-limit-per-ip-burst})
 * over real sockets: the burst and the refill over HTTP and UDP, scrapes and both protocols drawing
 * on one bucket, addresses (127.0.0.1, 127.0.0.2, a proxied client) with buckets of their own,
 * spoofed datagrams that cost nobody a token, the counters, and no limit by default.
 */
class RateLimitTest extends LoopbackTrackerTest {
    private static final byte[] HASH = Ids.infoHash(80);
    private static final String LIMITED = FailureReason.RATE_LIMITED.message();
    /** Slow enough that a test's requests all come before a token refills. */
    private static final int RATE = 1;
    /** One token at {@link #RATE}, with a margin. */
    private static final Duration REFILL = Duration.ofMillis(1150);

    private static ClientLimits burst(int burst) {
        return new ClientLimits(RATE, burst, 0);
    }

    private static HttpReply announce(HttpConnection c, int port, String... headers) {
        return c.get(Announce.peer(HASH, port).httpTarget(), headers);
    }

    private static void assertAnswered(HttpReply reply) {
        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.failureReason()).as(reply.text()).isNull();
    }

    private static void assertLimited(HttpReply reply) {
        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.failureReason()).isEqualTo(LIMITED);
        assertThat(Bdecode.number(reply.dict(), "retry in"))
                .as("BEP 31 retry in, minutes")
                .isEqualTo(1);
    }

    private static byte[] scrapePacket(long connectionId, int transactionId) {
        return ByteBuffer.allocate(36)
                .putLong(connectionId) //          0 connection id
                .putInt(UdpTrackerClient.SCRAPE) // 8 action
                .putInt(transactionId) //         12 transaction id
                .put(HASH) //                      16 info hash
                .array();
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    @Test
    void httpAnnouncesPastTheBurstAreRefusedWithRetryInUntilATokenRefills() {
        TestTracker t = start(TestTracker.on(Loopback.V4).limits(burst(3)));
        try (HttpConnection c = t.http().connect()) {
            for (int port = 6881; port <= 6883; port++) {
                assertAnswered(announce(c, port));
            }
            assertLimited(announce(c, 6884));
            assertThat(t.store().peerCount())
                    .as("the refused announce stored nothing")
                    .isEqualTo(3);

            sleep(REFILL);

            assertAnswered(announce(c, 6885));
        }
        TransportCounters counters = t.server().counters();
        assertThat(counters.rateLimitedCount(false, false)).isEqualTo(1);
        assertThat(counters.failures(false, FailureReason.RATE_LIMITED)).isEqualTo(1);
        assertThat(counters.httpAnnounces.sum())
                .as("a refused announce is still a request")
                .isEqualTo(5);
    }

    @Test
    void udpAnnouncesPastTheBurstGetAnErrorUntilATokenRefillsAndConnectsAreFree() {
        TestTracker t = start(TestTracker.on(Loopback.V4).limits(burst(3)));
        try (UdpTrackerClient udp = t.udpClient()) {
            long id = 0;
            for (int i = 0; i < 10; i++) {
                id = udp.connect(); // connects are stateless: they take no token
            }
            for (int port = 7001; port <= 7003; port++) {
                udp.announce(id, Announce.peer(HASH, port));
            }
            UdpTrackerClient.Reply refused =
                    udp.exchange(Announce.peer(HASH, 7004).udpPacket(id, 44));
            assertThat(refused.transactionId()).isEqualTo(44);
            assertThat(refused.errorMessage()).isEqualTo(LIMITED);
            assertThat(t.store().peerCount())
                    .as("the refused announce stored nothing")
                    .isEqualTo(3);

            sleep(REFILL);

            assertThat(udp.announce(id, Announce.peer(HASH, 7005)).interval()).isPositive();
        }
        assertThat(t.server().counters().rateLimitedCount(true, false)).isEqualTo(1);
        assertThat(t.server().counters().failures(true, FailureReason.RATE_LIMITED))
                .isEqualTo(1);
    }

    @Test
    void scrapesCountAndHttpAndUdpDrawOnOneBucket() {
        TestTracker t = start(TestTracker.on(Loopback.V4).limits(burst(4)));
        HttpTrackerClient http = t.http();
        try (UdpTrackerClient udp = t.udpClient()) {
            long id = udp.connect();
            http.announce(Announce.peer(HASH, 6881));
            http.scrapeOne(HASH);
            udp.announce(id, Announce.peer(HASH, 7001));
            assertThat(udp.scrape(id, HASH)).hasSize(1);

            assertLimited(http.get(HttpTrackerClient.scrapeTarget(HASH)));
            assertLimited(http.get(Announce.peer(HASH, 6882).httpTarget()));
            assertThat(udp.exchange(scrapePacket(id, 5)).errorMessage()).isEqualTo(LIMITED);
            assertThat(udp.exchange(Announce.peer(HASH, 7002).udpPacket(id, 6)).errorMessage())
                    .isEqualTo(LIMITED);
        }
        TransportCounters c = t.server().counters();
        assertThat(c.rateLimitedCount(false, false)).isEqualTo(1);
        assertThat(c.rateLimitedCount(false, true)).isEqualTo(1);
        assertThat(c.rateLimitedCount(true, false)).isEqualTo(1);
        assertThat(c.rateLimitedCount(true, true)).isEqualTo(1);
    }

    @Test
    void twoClientAddressesHaveBucketsOfTheirOwn() {
        TestTracker t = start(TestTracker.on(Loopback.V4).limits(burst(2)));
        try (HttpConnection first = t.http().connect()) {
            assertAnswered(announce(first, 6881));
            assertAnswered(announce(first, 6882));
            assertLimited(announce(first, 6883));
        }

        try (HttpConnection second = t.httpFrom(Loopback.V4_OTHER).connect()) {
            assertAnswered(announce(second, 6891));
        }
        try (UdpTrackerClient udp = t.udp(Loopback.V4, Loopback.V4_OTHER)) {
            long id = udp.connect();
            udp.announce(id, Announce.peer(HASH, 7001));
            assertThat(udp.exchange(Announce.peer(HASH, 7002).udpPacket(id, 9)).errorMessage())
                    .as("127.0.0.2's own bucket, shared by its HTTP and UDP requests")
                    .isEqualTo(LIMITED);
        }
    }

    @Test
    void behindATrustedProxyTheForwardedClientAddressIsTheKey() {
        TestTracker t = start(TestTracker.on(Loopback.V4)
                .realIpHeader()
                .trustedProxies("127.0.0.0/8")
                .limits(burst(2)));
        try (HttpConnection proxy = t.http().connect()) {
            assertAnswered(announce(proxy, 6881, "X-Real-IP: 203.0.113.1"));
            assertAnswered(announce(proxy, 6882, "X-Real-IP: 203.0.113.1"));
            assertLimited(announce(proxy, 6883, "X-Real-IP: 203.0.113.1"));
            assertLimited(announce(proxy, 6884, "X-Forwarded-For: 198.51.100.9, 203.0.113.1"));
            assertLimited(proxy.get(HttpTrackerClient.scrapeTarget(HASH), "X-Real-IP: 203.0.113.1"));

            assertAnswered(announce(proxy, 6885, "X-Real-IP: 203.0.113.2"));
            assertAnswered(announce(proxy, 6886, "X-Forwarded-For: 203.0.113.1, 203.0.113.3"));
        }
        assertThat(t.store().peerCount()).isEqualTo(4);
    }

    @Test
    void datagramsWithoutAValidConnectionIdTakeNoToken() {
        TestTracker t = start(TestTracker.on(Loopback.V4).limits(burst(2)));
        Random random = new Random(11);
        try (UdpTrackerClient udp = t.udpClient()) {
            for (int i = 0; i < 200; i++) {
                udp.send(Announce.peer(HASH, 7000).udpPacket(random.nextLong(), i));
            }
            assertThat(udp.receivesNothing()).isTrue();

            long id = udp.connect();
            udp.announce(id, Announce.peer(HASH, 7001));
            udp.announce(id, Announce.peer(HASH, 7002));
        }
        assertThat(t.server().counters().udpBadConnectionIds.sum()).isEqualTo(200);
        assertThat(t.server().counters().rateLimitedCount(true, false)).isZero();
    }

    @Test
    void byDefaultThereIsNoLimit() {
        assertThat(TrackerConfig.defaults().clientLimits().rateLimited()).isFalse();
        TestTracker t = start(
                TestTracker.on(Loopback.V4).limits(TrackerConfig.defaults().clientLimits()));

        try (HttpConnection c = t.http().connect()) {
            for (int i = 0; i < 300; i++) {
                assertAnswered(announce(c, 1000 + i));
            }
        }
        try (UdpTrackerClient udp = t.udpClient()) {
            long id = udp.connect();
            for (int i = 0; i < 300; i++) {
                udp.announce(id, Announce.peer(HASH, 2000 + i));
            }
        }
        assertThat(t.store().peerCount()).isEqualTo(600);
    }

    @Test
    void refusalsAreCountedInMetricsAndStats() {
        TestTracker t = start(TestTracker.on(Loopback.V4).metrics().limits(burst(1)));
        HttpTrackerClient http = t.http();
        http.announce(Announce.peer(HASH, 6881));
        assertLimited(http.get(Announce.peer(HASH, 6882).httpTarget()));
        assertLimited(http.get(HttpTrackerClient.scrapeTarget(HASH)));
        assertLimited(http.get(HttpTrackerClient.scrapeTarget(HASH)));
        try (UdpTrackerClient udp = t.udpClient()) {
            long id = udp.connect();
            assertThat(udp.exchange(Announce.peer(HASH, 7001).udpPacket(id, 1)).errorMessage())
                    .isEqualTo(LIMITED);
        }

        Exposition m = Exposition.parse(new String(http.get("/metrics").body(), StandardCharsets.UTF_8));
        assertThat(m.value("retracker_rate_limited_total", "protocol", "http", "kind", "announce"))
                .isEqualTo(1);
        assertThat(m.value("retracker_rate_limited_total", "protocol", "http", "kind", "scrape"))
                .isEqualTo(2);
        assertThat(m.value("retracker_rate_limited_total", "protocol", "udp", "kind", "announce"))
                .isEqualTo(1);
        assertThat(m.value("retracker_rate_limited_total", "protocol", "udp", "kind", "scrape"))
                .isZero();
        assertThat(m.value("retracker_failures_total", "protocol", "http", "reason", "rate_limited"))
                .isEqualTo(3);

        Map<String, Object> stats =
                JsonParser.parseObject(new String(http.get("/stats?format=json").body(), StandardCharsets.UTF_8));
        assertThat(field(stats, "http", "rate_limited")).isEqualTo(3);
        assertThat(field(stats, "udp", "rate_limited")).isEqualTo(1);
        assertThat(field(stats, "config", "rate_limit_per_ip_per_sec")).isEqualTo(RATE);
        assertThat(field(stats, "config", "rate_limit_per_ip_burst")).isEqualTo(1);
        String text = new String(http.get("/stats").body(), StandardCharsets.UTF_8);
        assertThat(text).contains("timeouts, 3 rate limited, ").contains("dropped, 1 rate limited\n");
    }

    private static int field(Map<String, Object> stats, String object, String key) {
        Object inner = stats.get(object);
        assertThat(inner).as(object).isInstanceOf(Map.class);
        Object value = ((Map<?, ?>) Objects.requireNonNull(inner)).get(key);
        assertThat(value).as(object + "." + key).isInstanceOf(BigDecimal.class);
        return ((BigDecimal) Objects.requireNonNull(value)).intValueExact();
    }
}
