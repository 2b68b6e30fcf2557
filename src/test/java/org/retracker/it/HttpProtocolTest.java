package org.retracker.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.retracker.protocol.FailureReason;
import org.retracker.protocol.http.QueryParser;

/**
 * The HTTP side around the tracker: errors, paths, methods, limits, keep-alive, pipelining and
 * timeouts, spoken over raw sockets.
 */
class HttpProtocolTest extends LoopbackTrackerTest {
    private static final byte[] HASH = Ids.infoHash(20);
    private static final String GOOD = "info_hash=" + Announce.percentEncode(HASH)
            + "&peer_id=-RT0001-000000000001&uploaded=0&downloaded=0&left=5";

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(
            delimiter = '|',
            value = {
                "peer_id=-RT0001-000000000001&port=6881&uploaded=0&downloaded=0&left=5 | missing info_hash",
                "info_hash=%01%02%03&peer_id=-RT0001-000000000001&port=6881            | info_hash must be 20 bytes",
                "info_hash=aaaaaaaaaaaaaaaaaaaa&port=6881                               | missing peer_id",
                "info_hash=aaaaaaaaaaaaaaaaaaaa&peer_id=short&port=6881                 | peer_id must be 20 bytes",
                "info_hash=aaaaaaaaaaaaaaaaaaaa&peer_id=-RT0001-000000000001            | missing port",
                "info_hash=aaaaaaaaaaaaaaaaaaaa&peer_id=-RT0001-000000000001&port=0     | port must be",
                "info_hash=aaaaaaaaaaaaaaaaaaaa&peer_id=-RT0001-000000000001&port=70000 | port must be",
                "info_hash=aaaaaaaaaaaaaaaaaaaa&peer_id=-RT0001-000000000001&port=x1    | port must be",
                "info_hash=aaaaaaaaaaaaaaaaaaaa&peer_id=-RT0001-000000000001&port=1&left=-1 | left must be",
                "info_hash=aaaaaaaaaaaaaaaaaaaa&peer_id=-RT0001-000000000001&port=1&event=paws | event must be",
                "info_hash=%zz&peer_id=-RT0001-000000000001&port=1                      | malformed percent-encoding",
            })
    void aBadAnnounceIsA200WithAFailureReasonNamingTheProblem(String query, String expected) {
        HttpTrackerClient http = start(Loopback.V4).http();

        HttpReply reply = http.get("/announce?" + query);

        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.header("Content-Type")).startsWith("text/plain");
        assertThat(HttpTrackerClient.failure(reply)).contains(expected);
        assertThat(reply.dict()).doesNotContainKey("peers");
    }

    @Test
    void aGoodAnnounceNeedsOnlyTheRequiredParameters() {
        HttpReply reply = start(Loopback.V4).http().get("/announce?" + GOOD + "&port=6881");

        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.failureReason()).isNull();
        assertThat(reply.dict()).containsKeys("interval", "peers");
    }

    /** QueryParser.MAX_PARAMETERS: six real parameters plus fillers up to 64 pass; one more is refused. */
    @Test
    void moreThanSixtyFourQueryParametersAreRefusedWithAFailureReason() {
        TestTracker t = start(Loopback.V4);
        StringBuilder query = new StringBuilder(GOOD + "&port=6881");
        for (int i = 7; i <= QueryParser.MAX_PARAMETERS; i++) { // GOOD and port are six
            query.append("&x").append(i).append("=1");
        }

        HttpReply atTheLimit = t.http().get("/announce?" + query);
        HttpReply overIt = t.http().get("/announce?" + query + "&one=more");

        assertThat(atTheLimit.failureReason()).isNull();
        assertThat(HttpTrackerClient.failure(overIt)).isEqualTo(FailureReason.TOO_MANY_PARAMETERS.message());
        assertThat(t.store().peerCount()).isEqualTo(1);
    }

    /** A request body is never read (it would be taken for the next request): answer, then close. */
    @Test
    void aRequestWithABodyIsAnsweredAndThenTheConnectionIsClosed() {
        TestTracker t = start(Loopback.V4);
        try (HttpConnection c = t.http().connect()) {
            c.write("GET /announce?" + GOOD + "&port=6881 HTTP/1.1\r\nHost: " + c.host()
                    + "\r\nContent-Length: 5\r\n\r\nhello");

            HttpReply reply = c.read();
            assertThat(reply.status()).isEqualTo(200);
            assertThat(reply.failureReason()).isNull();
            assertThat(reply.header("Connection")).isEqualTo("close");
            assertThat(c.closedByServer()).isTrue();
        }
    }

    /**
     * The last response of a connection is corked so that it leaves with the FIN in one segment; a
     * keep-alive response must not be (TCP_CORK would hold it up to 200 ms). Both arrive at once: the
     * fastest of five of each takes far less than the cork's 200 ms.
     */
    @Test
    void aResponseArrivesAtOnceWhetherItsConnectionClosesOrStays() {
        TestTracker t = start(Loopback.V4);
        long closingBest = Long.MAX_VALUE;
        long keptBest = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            try (HttpConnection c = t.http().connect()) {
                long start = System.nanoTime();
                HttpReply reply = c.get("/announce?" + GOOD + "&port=" + (7000 + i), "Connection: close");
                assertThat(c.closedByServer()).isTrue();
                closingBest = Math.min(closingBest, System.nanoTime() - start);
                assertThat(reply.failureReason()).isNull();
                assertThat(reply.header("Connection")).isEqualTo("close");
            }
            try (HttpConnection c = t.http().connect()) {
                c.get("/announce?" + GOOD + "&port=" + (7100 + i));
                long start = System.nanoTime();
                HttpReply second = c.get("/announce?" + GOOD + "&port=" + (7100 + i));
                keptBest = Math.min(keptBest, System.nanoTime() - start);
                assertThat(second.failureReason()).isNull();
            }
        }
        assertThat(Duration.ofNanos(closingBest)).isLessThan(Duration.ofMillis(100));
        assertThat(Duration.ofNanos(keptBest)).isLessThan(Duration.ofMillis(100));
    }

    @Test
    void anUnknownPathIs404() {
        HttpReply reply = start(Loopback.V4).http().get("/announce/extra?" + GOOD + "&port=6881");

        assertThat(reply.status()).isEqualTo(404);
    }

    @Test
    void faviconIsServedAsAnIcon() throws IOException {
        HttpReply reply = start(Loopback.V4).http().get("/favicon.ico");

        byte[] expected;
        try (InputStream in = getClass().getResourceAsStream("/favicon.ico")) {
            assertThat(in).isNotNull();
            expected = in.readAllBytes();
        }
        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.header("Content-Type")).isEqualTo("image/x-icon");
        assertThat(reply.body()).isNotEmpty().isEqualTo(expected);
    }

    @Test
    void anOversizedRequestLineIs431AndTheConnectionIsClosed() {
        TestTracker t = start(Loopback.V4);
        try (HttpConnection c = t.http().connect()) {
            c.write(HttpConnection.requestHead("/announce?" + GOOD + "&port=6881&pad=" + "x".repeat(5000), c.host()));

            assertThat(c.read().status()).isEqualTo(431);
            assertThat(c.closedByServer()).isTrue();
        }
    }

    @Test
    void aHeadThatNeverEndsWithinTheLimitIs431AndTheConnectionIsClosed() {
        TestTracker t = start(Loopback.V4);
        try (HttpConnection c = t.http().connect()) {
            c.write("GET /announce?" + GOOD + "&port=6881 HTTP/1.1\r\nX-Pad: " + "y".repeat(9000));

            assertThat(c.read().status()).isEqualTo(431);
            assertThat(c.closedByServer()).isTrue();
        }
    }

    @Test
    void postIs405() {
        TestTracker t = start(Loopback.V4);
        try (HttpConnection c = t.http().connect()) {
            c.write("POST /announce HTTP/1.1\r\nHost: " + c.host() + "\r\nContent-Length: 0\r\n\r\n");

            HttpReply reply = c.read();
            assertThat(reply.status()).isEqualTo(405);
            assertThat(reply.header("Allow")).contains("GET");
            assertThat(c.closedByServer()).isTrue();
        }
    }

    @Test
    void http11KeepsTheConnectionForSeveralRequests() {
        TestTracker t = start(Loopback.V4);
        try (HttpConnection c = t.http().connect()) {
            HttpReply first = c.get(Announce.peer(HASH, 7001).httpTarget());
            HttpReply second = c.get(Announce.peer(HASH, 7002).httpTarget());
            HttpReply third = c.get(HttpTrackerClient.scrapeTarget(HASH));

            assertThat(first.header("Connection")).isEqualTo("keep-alive");
            assertThat(new HttpAnnounceReply(second.dict()).compactPeers())
                    .containsExactly(Loopback.socket(Loopback.V4, 7001));
            assertThat(third.status()).isEqualTo(200);
            assertThat(t.server().counters().httpAnnounces.sum()).isEqualTo(2);
        }
    }

    @Test
    void pipelinedRequestsInOneWriteAreAnsweredInOrder() {
        TestTracker t = start(Loopback.V4);
        try (HttpConnection c = t.http().connect()) {
            c.write(HttpConnection.requestHead(Announce.peer(HASH, 7001).httpTarget(), c.host())
                    + HttpConnection.requestHead("/favicon.ico", c.host())
                    + HttpConnection.requestHead(Announce.peer(HASH, 7002).httpTarget(), c.host())
                    + HttpConnection.requestHead("/nowhere", c.host())
                    + HttpConnection.requestHead(HttpTrackerClient.scrapeTarget(HASH), c.host()));

            HttpReply announce1 = c.read();
            HttpReply favicon = c.read();
            HttpReply announce2 = c.read();
            HttpReply missing = c.read();
            HttpReply scrape = c.read();

            assertThat(new HttpAnnounceReply(announce1.dict()).compactPeers()).isEmpty();
            assertThat(favicon.header("Content-Type")).isEqualTo("image/x-icon");
            assertThat(new HttpAnnounceReply(announce2.dict()).compactPeers())
                    .containsExactly(Loopback.socket(Loopback.V4, 7001));
            assertThat(missing.status()).isEqualTo(404);
            assertThat(scrape.text()).contains("10:incompletei2e");
            // and the connection is still good for more
            assertThat(c.get("/favicon.ico").status()).isEqualTo(200);
        }
    }

    @Test
    void http11ConnectionCloseIsHonoured() {
        TestTracker t = start(Loopback.V4);
        try (HttpConnection c = t.http().connect()) {
            HttpReply reply = c.get("/favicon.ico", "Connection: close");

            assertThat(reply.header("Connection")).isEqualTo("close");
            assertThat(c.closedByServer()).isTrue();
        }
    }

    @Test
    void http10ClosesAfterOneReply() {
        TestTracker t = start(Loopback.V4);
        try (HttpConnection c = t.http().connect()) {
            c.write("GET /announce?" + GOOD + "&port=6881 HTTP/1.0\r\n\r\n");

            HttpReply reply = c.read();
            assertThat(reply.status()).isEqualTo(200);
            assertThat(reply.header("Connection")).isEqualTo("close");
            assertThat(c.closedByServer()).isTrue();
        }
    }

    @Test
    void http10WithKeepAliveKeepsTheConnection() {
        TestTracker t = start(Loopback.V4);
        try (HttpConnection c = t.http().connect()) {
            c.write("GET /favicon.ico HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
            HttpReply first = c.read();
            c.write("GET /announce?" + GOOD + "&port=6881 HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n");
            HttpReply second = c.read();

            assertThat(first.header("Connection")).isEqualTo("keep-alive");
            assertThat(second.status()).isEqualTo(200);
            assertThat(second.failureReason()).isNull();
            assertThat(c.silentFor(Duration.ofMillis(200))).as("still open").isTrue();
        }
    }

    @Test
    void aHeadThatNeverCompletesIsClosedAfterTheRequestTimeout() {
        TestTracker t = start(TestTracker.on(Loopback.V4).requestTimeoutSeconds(1));
        try (HttpConnection c = t.http().connect()) {
            long start = System.nanoTime();
            c.write("GET /announce?" + GOOD + "&port=6881 HTTP/1.1\r\nHost: x\r\n");

            assertThat(c.closedByServer()).isTrue();
            Duration waited = Duration.ofNanos(System.nanoTime() - start);
            assertThat(waited).isBetween(Duration.ofMillis(900), Duration.ofMillis(4000));
            assertThat(t.server().counters().httpTimeouts.sum()).isEqualTo(1);
        }
    }

    @Test
    void anIdleKeepAliveConnectionIsClosedAfterTheIdleTimeout() {
        TestTracker t = start(TestTracker.on(Loopback.V4).idleTimeoutSeconds(1));
        try (HttpConnection c = t.http().connect()) {
            assertThat(c.get("/favicon.ico").status()).isEqualTo(200);
            long start = System.nanoTime();

            assertThat(c.closedByServer()).isTrue();
            Duration waited = Duration.ofNanos(System.nanoTime() - start);
            assertThat(waited).isBetween(Duration.ofMillis(500), Duration.ofMillis(4000));
        }
    }

    /** Idle connections are closed while one that goes on reading stays, whichever opened first. */
    @Test
    void onlyConnectionsThatStopReadingAreClosedByTheIdleTimeout() throws InterruptedException {
        TestTracker t = start(TestTracker.on(Loopback.V4).idleTimeoutSeconds(1));
        try (HttpConnection idleFirst = t.http().connect();
                HttpConnection active = t.http().connect();
                HttpConnection idleLast = t.http().connect()) {
            assertThat(idleFirst.get("/health").status()).isEqualTo(200);
            assertThat(active.get("/health").status()).isEqualTo(200);
            assertThat(idleLast.get("/health").status()).isEqualTo(200);
            long end = System.nanoTime() + Duration.ofMillis(3_500).toNanos();
            while (System.nanoTime() < end) {
                assertThat(active.get("/health").status()).isEqualTo(200);
                Thread.sleep(300);
            }

            assertThat(idleFirst.closedByServer()).isTrue();
            assertThat(idleLast.closedByServer()).isTrue();
            assertThat(active.get("/health").status()).isEqualTo(200);
        }
    }
}
