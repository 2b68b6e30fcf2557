package org.retracker.forward;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.retracker.forward.FakeHttpTracker.Bodies.bytes;
import static org.retracker.forward.FakeHttpTracker.Bodies.compact;
import static org.retracker.forward.FakeHttpTracker.Bodies.failure;
import static org.retracker.forward.FakeHttpTracker.chunked;
import static org.retracker.forward.FakeHttpTracker.closeAfter;
import static org.retracker.forward.FakeHttpTracker.drip;
import static org.retracker.forward.FakeHttpTracker.hang;
import static org.retracker.forward.FakeHttpTracker.ok;
import static org.retracker.forward.FakeHttpTracker.slow;
import static org.retracker.forward.FakeHttpTracker.status;
import static org.retracker.forward.FakeHttpTracker.untilClose;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.retracker.forward.FakeHttpTracker.Request;
import org.retracker.forward.UpstreamReply.Outcome;
import org.retracker.it.NettyLeakCheck;
import org.retracker.protocol.AnnounceEvent;
import org.retracker.protocol.AnnounceRequest;
import org.retracker.protocol.http.QueryParser;

@ExtendWith(NettyLeakCheck.class)
@Timeout(20)
class HttpUpstreamClientTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(3);
    /** Extra time a timed-out announce may take to complete: scheduling, closing. */
    private static final long SLACK_MILLIS = 400;

    private static final byte[] PEER_A = {10, 0, 0, 1, 0x1A, (byte) 0xE1}; // 10.0.0.1:6881
    private static final byte[] PEER_B = {(byte) 192, (byte) 168, 1, 2, 0, 80}; // 192.168.1.2:80
    private static final byte[] PEER6 = {
        0x20,
        0x01,
        0x0d,
        (byte) 0xb8,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        1, // 2001:db8::1
        0x1A,
        (byte) 0xE1 // port 6881
    };

    private static EventLoopGroup group;

    @TempDir
    static Path certificateDir;

    private static @Nullable TestCertificate certificate;

    private final List<AutoCloseable> toClose = new ArrayList<>();

    @BeforeAll
    static void startLoopsAndWarmUp() throws Exception {
        IoHandlerFactory factory = Epoll.isAvailable() ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        group = new MultiThreadIoEventLoopGroup(2, factory);
        // The first announce of a JVM loads the HTTP codec's classes; timing tests measure later ones.
        try (FakeHttpTracker tracker = FakeHttpTracker.start();
                HttpUpstreamClient client = new HttpUpstreamClient(
                        spec(tracker.uri("/announce"), null, null), group, Duration.ofSeconds(10))) {
            for (int i = 0; i < 2; i++) {
                assertThat(reply(client.announce(announce(AnnounceEvent.NONE))).outcome())
                        .isEqualTo(Outcome.OK);
            }
        }
    }

    @AfterAll
    static void stopLoops() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
    }

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : toClose.reversed()) {
            c.close();
        }
    }

    // ---- the request ----

    @Test
    void theAnnounceParametersFollowThePasskeyQueryOfTheUri() throws Exception {
        FakeHttpTracker tracker = tracker();
        HttpUpstreamClient client = client(tracker.uri("/a/announce.php?passkey=s3cr%2Bt&uid=7"));
        byte[] infoHash = "ABCDEFGHIJ0123456789".getBytes(StandardCharsets.US_ASCII);
        byte[] peerId = "-RT0100-~_.xyz012345".getBytes(StandardCharsets.US_ASCII);
        reply(client.announce(new UpstreamAnnounce(infoHash, peerId, 6881, 100, 200, 300, AnnounceEvent.NONE, 50)));
        assertThat(tracker.lastRequest().line())
                .isEqualTo("GET /a/announce.php?passkey=s3cr%2Bt&uid=7&info_hash=ABCDEFGHIJ0123456789"
                        + "&peer_id=-RT0100-~_.xyz012345&port=6881&uploaded=100&downloaded=200&left=300"
                        + "&compact=1&numwant=50 HTTP/1.1");
    }

    @Test
    void aUriWithoutQueryStartsTheParametersWithAQuestionMark() throws Exception {
        FakeHttpTracker tracker = tracker();
        reply(client(tracker.uri("/announce")).announce(announce(AnnounceEvent.NONE)));
        assertThat(tracker.lastRequest().target()).startsWith("/announce?info_hash=");
        reply(client(tracker.uri("")).announce(announce(AnnounceEvent.NONE)));
        assertThat(tracker.lastRequest().target()).startsWith("/?info_hash=");
    }

    @Test
    void everyByteValueOfInfoHashAndPeerIdArrivesIntact() throws Exception {
        FakeHttpTracker tracker = tracker();
        HttpUpstreamClient client = client(tracker.uri("/announce"));
        QueryParser parser = new QueryParser();
        AnnounceRequest parsed = new AnnounceRequest();
        for (int first = 0; first < 256; first += 20) {
            byte[] infoHash = new byte[20];
            byte[] peerId = new byte[20];
            for (int i = 0; i < 20; i++) {
                infoHash[i] = (byte) (first + i);
                peerId[i] = (byte) (255 - first - i);
            }
            reply(client.announce(new UpstreamAnnounce(infoHash, peerId, 1, 0, 0, 0, AnnounceEvent.NONE, 1)));
            byte[] query = tracker.lastRequest().query().getBytes(StandardCharsets.US_ASCII);
            assertThat(parser.parseAnnounce(query, 0, query.length, parsed)).isNull();
            assertThat(parsed.infoHash).isEqualTo(infoHash);
            assertThat(parsed.peerId).isEqualTo(peerId);
        }
        for (Request r : tracker.requests()) {
            assertThat(r.query()).matches("[A-Za-z0-9\\-._~%&=]*");
        }
    }

    @Test
    void ipIsSentOnlyWhenConfigured() throws Exception {
        FakeHttpTracker tracker = tracker();
        reply(client(tracker.uri("/announce")).announce(announce(AnnounceEvent.NONE)));
        assertThat(tracker.lastRequest().query()).doesNotContain("ip=");

        ForwarderSpec withIp = spec(tracker.uri("/announce"), InetAddress.getByName("192.0.2.7"), null);
        reply(client(withIp).announce(announce(AnnounceEvent.NONE)));
        assertThat(tracker.lastRequest().query()).endsWith("&ip=192.0.2.7");

        ForwarderSpec withIp6 = spec(tracker.uri("/announce"), InetAddress.getByName("2001:db8::7"), null);
        reply(client(withIp6).announce(announce(AnnounceEvent.NONE)));
        assertThat(tracker.lastRequest().query()).endsWith("&ip=2001%3Adb8%3A0%3A0%3A0%3A0%3A0%3A7");
    }

    @Test
    void theEventParameterNamesTheEventAndIsLeftOutForRegularAnnounces() throws Exception {
        FakeHttpTracker tracker = tracker();
        HttpUpstreamClient client = client(tracker.uri("/announce"));
        reply(client.announce(announce(AnnounceEvent.NONE)));
        assertThat(tracker.lastRequest().query()).doesNotContain("event=");
        reply(client.announce(announce(AnnounceEvent.STARTED)));
        assertThat(tracker.lastRequest().query()).contains("&event=started");
        reply(client.announce(announce(AnnounceEvent.COMPLETED)));
        assertThat(tracker.lastRequest().query()).contains("&event=completed");
        reply(client.announce(announce(AnnounceEvent.STOPPED)));
        assertThat(tracker.lastRequest().query()).contains("&event=stopped");
    }

    @Test
    void theHostHeaderIsTheUrisHostAndPortUnlessOverridden() throws Exception {
        FakeHttpTracker tracker = tracker();
        reply(client(tracker.uri("/announce")).announce(announce(AnnounceEvent.NONE)));
        Request plain = tracker.lastRequest();
        assertThat(plain.header("Host")).isEqualTo("127.0.0.1:" + tracker.port());
        assertThat(plain.header("User-Agent")).startsWith("retracker/");
        assertThat(plain.header("Connection")).isEqualTo("keep-alive");

        reply(client(spec(tracker.uri("/announce"), null, "tracker.example.org"))
                .announce(announce(AnnounceEvent.NONE)));
        assertThat(tracker.lastRequest().header("Host")).isEqualTo("tracker.example.org");
    }

    @Test
    void theHostHeaderLeavesOutTheSchemesDefaultPort() {
        ForwarderSpec http = new ForwarderSpec(
                "t", URI.create("http://tracker.example.org:80/announce"), ForwarderSpec.Scheme.HTTP, null, null);
        assertThat(HttpUpstreamClient.hostHeader(http)).isEqualTo("tracker.example.org");
        ForwarderSpec https = new ForwarderSpec(
                "t", URI.create("https://[2001:db8::1]:8443/announce"), ForwarderSpec.Scheme.HTTPS, null, null);
        assertThat(HttpUpstreamClient.hostHeader(https)).isEqualTo("[2001:db8::1]:8443");
    }

    // ---- connections ----

    @Test
    void sequentialAnnouncesShareOneConnection() throws Exception {
        FakeHttpTracker tracker = tracker();
        HttpUpstreamClient client = client(tracker.uri("/announce"));
        for (int i = 0; i < 3; i++) {
            assertThat(reply(client.announce(announce(AnnounceEvent.NONE))).outcome())
                    .isEqualTo(Outcome.OK);
        }
        assertThat(tracker.requests()).hasSize(3);
        assertThat(tracker.connections()).isEqualTo(1);
    }

    @Test
    void aConnectionTheTrackerClosedIsReplacedTransparently() throws Exception {
        FakeHttpTracker tracker = tracker().answer(closeAfter(ok(compact(PEER_A))));
        HttpUpstreamClient client = client(tracker.uri("/announce"));
        for (int i = 0; i < 5; i++) {
            UpstreamReply r = reply(client.announce(announce(AnnounceEvent.NONE)));
            assertThat(r.outcome()).as(r.message()).isEqualTo(Outcome.OK);
            assertThat(r.peers4()).isEqualTo(PEER_A);
        }
        assertThat(tracker.connections()).isEqualTo(5);
    }

    @Test
    void aConnectionClosedWhileIdleIsNotReused() throws Exception {
        FakeHttpTracker tracker = tracker().answer(closeAfter(ok(compact(PEER_A))));
        HttpUpstreamClient client = client(tracker.uri("/announce"));
        reply(client.announce(announce(AnnounceEvent.NONE)));
        Thread.sleep(200); // the close reaches the client while the connection is idle
        assertThat(reply(client.announce(announce(AnnounceEvent.NONE))).outcome())
                .isEqualTo(Outcome.OK);
        assertThat(tracker.connections()).isEqualTo(2);
        assertThat(tracker.requests()).hasSize(2);
    }

    @Test
    void aKeptConnectionClosedInsteadOfAnsweringIsRetriedOnceOnANewOne() throws Exception {
        // The first request of each connection is answered; a later one finds the connection closed,
        // as when a tracker's keep-alive timeout strikes just as the request arrives.
        FakeHttpTracker tracker = tracker();
        tracker.answer((req, c) -> {
            if (tracker.requests().stream()
                            .filter(r -> r.connection() == req.connection())
                            .count()
                    > 1) {
                return false;
            }
            return ok(compact(PEER_A)).respond(req, c);
        });
        HttpUpstreamClient client = client(tracker.uri("/announce"));
        assertThat(reply(client.announce(announce(AnnounceEvent.NONE))).outcome())
                .isEqualTo(Outcome.OK);
        UpstreamReply r = reply(client.announce(announce(AnnounceEvent.NONE)));
        assertThat(r.outcome()).as(r.message()).isEqualTo(Outcome.OK);
        assertThat(r.peers4()).isEqualTo(PEER_A);
        assertThat(tracker.requests()).extracting(Request::connection).containsExactly(1, 1, 2);
    }

    @Test
    void aRequestIsRetriedAtMostOnce() throws Exception {
        FakeHttpTracker tracker = tracker();
        tracker.answer((req, c) -> req.connection() == 1
                && tracker.requests().size() == 1
                && ok(compact(PEER_A)).respond(req, c));
        HttpUpstreamClient client = client(tracker.uri("/announce"));
        assertThat(reply(client.announce(announce(AnnounceEvent.NONE))).outcome())
                .isEqualTo(Outcome.OK);
        UpstreamReply r = reply(client.announce(announce(AnnounceEvent.NONE)));
        assertThat(r.outcome()).isEqualTo(Outcome.ERROR);
        assertThat(r.message()).isEqualTo("connection closed before the reply was complete");
        assertThat(tracker.requests()).extracting(Request::connection).containsExactly(1, 1, 2);
    }

    @Test
    void atMostFourIdleConnectionsAreKept() throws Exception {
        FakeHttpTracker tracker = tracker().answer(slow(300, ok(compact(PEER_A))));
        HttpUpstreamClient client = client(tracker.uri("/announce"));
        concurrently(client, 6);
        assertThat(tracker.connections()).isEqualTo(6);
        concurrently(client, 6);
        assertThat(tracker.connections())
                .as("four kept connections reused, two new ones")
                .isEqualTo(6 + 6 - HttpUpstreamClient.MAX_IDLE_CONNECTIONS);
    }

    // ---- replies ----

    @Test
    void aCompactReplyGivesPeersAndCounters() throws Exception {
        FakeHttpTracker tracker = tracker().answer(ok(compact(bytes(PEER_A, PEER_B), PEER6)));
        UpstreamReply r = reply(client(tracker.uri("/announce")).announce(announce(AnnounceEvent.NONE)));
        assertThat(r.outcome()).isEqualTo(Outcome.OK);
        assertThat(r.peers4()).isEqualTo(bytes(PEER_A, PEER_B));
        assertThat(r.peers6()).isEqualTo(PEER6);
        assertThat(r.interval()).isEqualTo(1800);
        assertThat(r.minInterval()).isEqualTo(60);
        assertThat(r.complete()).isEqualTo(2);
        assertThat(r.incomplete()).isEqualTo(1);
        assertThat(r.message()).isEmpty();
        assertThat(r.retryAfterSeconds()).isEqualTo(UpstreamReply.ABSENT);
        assertThat(r.httpStatus()).as("for forwarder_status").isEqualTo(200);
    }

    @Test
    void aNonCompactReplyIsFoldedIntoCompactPeers() throws Exception {
        FakeHttpTracker tracker = tracker()
                .answer(ok(bytes(
                        "d8:intervali900e5:peersl",
                        "d2:ip8:10.0.0.17:peer id20:aaaaaaaaaaaaaaaaaaaa4:porti6881ee",
                        "d2:ip11:2001:db8::14:porti6881ee",
                        "d2:ip7:1.2.3.44:porti0ee",
                        "ee")));
        UpstreamReply r = reply(client(tracker.uri("/announce")).announce(announce(AnnounceEvent.NONE)));
        assertThat(r.outcome()).isEqualTo(Outcome.OK);
        assertThat(r.peers4()).isEqualTo(PEER_A);
        assertThat(r.peers6()).isEqualTo(PEER6);
        assertThat(r.interval()).isEqualTo(900);
        assertThat(r.complete()).isEqualTo(UpstreamReply.ABSENT);
    }

    @Test
    void aWarningMessageComesWithAnOkReply() throws Exception {
        FakeHttpTracker tracker = tracker().answer(ok(bytes("d8:intervali60e5:peers0:15:warning message4:slowe")));
        UpstreamReply r = reply(client(tracker.uri("/announce")).announce(announce(AnnounceEvent.NONE)));
        assertThat(r.outcome()).isEqualTo(Outcome.OK);
        assertThat(r.message()).isEqualTo("slow");
    }

    @Test
    void chunkedAndCloseDelimitedBodiesAreReadWhole() throws Exception {
        byte[] body = compact(bytes(PEER_A, PEER_B), PEER6);
        FakeHttpTracker tracker = tracker().answer(chunked(body, 7));
        HttpUpstreamClient client = client(tracker.uri("/announce"));
        UpstreamReply r = reply(client.announce(announce(AnnounceEvent.NONE)));
        assertThat(r.outcome()).as(r.message()).isEqualTo(Outcome.OK);
        assertThat(r.peerCount()).isEqualTo(3);

        tracker.answer(untilClose(body));
        r = reply(client.announce(announce(AnnounceEvent.NONE)));
        assertThat(r.outcome()).as(r.message()).isEqualTo(Outcome.OK);
        assertThat(r.peerCount()).isEqualTo(3);
        assertThat(reply(client.announce(announce(AnnounceEvent.NONE))).outcome())
                .isEqualTo(Outcome.OK);
        assertThat(tracker.connections())
                .as("a close-delimited body ends its connection")
                .isEqualTo(2);
    }

    @Test
    void aFailureReasonIsRefusedWithItsRetryIn() throws Exception {
        FakeHttpTracker tracker = tracker().answer(ok(failure("unregistered torrent", "i60e")));
        HttpUpstreamClient client = client(tracker.uri("/announce"));
        UpstreamReply r = reply(client.announce(announce(AnnounceEvent.NONE)));
        assertThat(r.outcome()).isEqualTo(Outcome.REFUSED);
        assertThat(r.message()).isEqualTo("unregistered torrent");
        assertThat(r.retryAfterSeconds()).as("BEP 31 counts minutes").isEqualTo(3600);

        tracker.answer(ok(failure("banned", "5:never")));
        r = reply(client.announce(announce(AnnounceEvent.NONE)));
        assertThat(r.outcome()).isEqualTo(Outcome.REFUSED);
        assertThat(r.retryAfterSeconds()).isEqualTo(UpstreamReply.RETRY_NEVER);

        tracker.answer(ok(bytes("d14:failure reason4:nopee")));
        r = reply(client.announce(announce(AnnounceEvent.NONE)));
        assertThat(r.outcome()).isEqualTo(Outcome.REFUSED);
        assertThat(r.retryAfterSeconds()).isEqualTo(UpstreamReply.ABSENT);
        assertThat(tracker.connections()).as("a refusal is a complete reply").isEqualTo(1);
    }

    @Test
    void tooManyRequestsIsRateLimitedForRetryAfterSeconds() throws Exception {
        FakeHttpTracker tracker = tracker().answer(status("429 Too Many Requests", "Retry-After: 120"));
        UpstreamReply r = reply(client(tracker.uri("/announce")).announce(announce(AnnounceEvent.NONE)));
        assertThat(r.outcome()).isEqualTo(Outcome.RATE_LIMITED);
        assertThat(r.retryAfterSeconds()).isEqualTo(120);
        assertThat(r.message()).isEqualTo("HTTP 429 Too Many Requests");
        assertThat(r.httpStatus()).isEqualTo(429);
    }

    @Test
    void retryAfterAsAnHttpDateCountsAsAbsent() throws Exception {
        FakeHttpTracker tracker =
                tracker().answer(status("429 Too Many Requests", "Retry-After: Fri, 31 Dec 1999 23:59:59 GMT"));
        UpstreamReply r = reply(client(tracker.uri("/announce")).announce(announce(AnnounceEvent.NONE)));
        assertThat(r.outcome()).isEqualTo(Outcome.RATE_LIMITED);
        assertThat(r.retryAfterSeconds()).isEqualTo(UpstreamReply.ABSENT);
    }

    @Test
    void serviceUnavailableIsRateLimitedOnlyWithRetryAfter() throws Exception {
        FakeHttpTracker tracker = tracker().answer(status("503 Service Unavailable", "Retry-After: 30"));
        HttpUpstreamClient client = client(tracker.uri("/announce"));
        UpstreamReply r = reply(client.announce(announce(AnnounceEvent.NONE)));
        assertThat(r.outcome()).isEqualTo(Outcome.RATE_LIMITED);
        assertThat(r.retryAfterSeconds()).isEqualTo(30);

        tracker.answer(status("503 Service Unavailable"));
        r = reply(client.announce(announce(AnnounceEvent.NONE)));
        assertThat(r.outcome()).isEqualTo(Outcome.ERROR);
        assertThat(r.message()).isEqualTo("HTTP 503 Service Unavailable");
    }

    @Test
    void anyOtherStatusIsAnErrorNamingIt() throws Exception {
        FakeHttpTracker tracker = tracker().answer(status("404 Not Found"));
        UpstreamReply r = reply(client(tracker.uri("/announce")).announce(announce(AnnounceEvent.NONE)));
        assertThat(r.outcome()).isEqualTo(Outcome.ERROR);
        assertThat(r.message()).isEqualTo("HTTP 404 Not Found");
        assertThat(r.httpStatus()).isEqualTo(404);
    }

    @Test
    void aBodyThatIsNotAnAnnounceReplyIsAnError() throws Exception {
        FakeHttpTracker tracker = tracker().answer(ok("<html>hello</html>".getBytes(StandardCharsets.US_ASCII)));
        HttpUpstreamClient client = client(tracker.uri("/announce"));
        UpstreamReply r = reply(client.announce(announce(AnnounceEvent.NONE)));
        assertThat(r.outcome()).isEqualTo(Outcome.ERROR);
        assertThat(r.message()).startsWith("garbage reply: malformed bencode at byte 0");
        assertThat(r.httpStatus()).as("the status line was 200").isEqualTo(200);

        tracker.answer(ok(bytes("d3:fooi1ee")));
        r = reply(client.announce(announce(AnnounceEvent.NONE)));
        assertThat(r.outcome()).isEqualTo(Outcome.ERROR);
        assertThat(r.message()).startsWith("garbage reply: ");
    }

    @Test
    void aReplyWithAGarbledHeadIsAnError() throws Exception {
        FakeHttpTracker tracker = tracker().answer((req, c) -> {
            c.write("HTTP/1.1 200 OK\r\nContent-Length: banana\r\n\r\n");
            return true;
        });
        UpstreamReply r = reply(client(tracker.uri("/announce")).announce(announce(AnnounceEvent.NONE)));
        assertThat(r.outcome()).isEqualTo(Outcome.ERROR);
        assertThat(r.message()).startsWith("bad HTTP reply");
    }

    @Test
    void aReplyHeadOrStatusLineOverItsLimitIsAnError() throws Exception {
        String body = "d8:intervali1800e5:peers0:e";
        String pad = "X-Pad: " + "p".repeat(HttpUpstreamClient.MAX_HEAD_BYTES) + "\r\n";
        FakeHttpTracker tracker = tracker().answer((req, c) -> {
            c.write("HTTP/1.1 200 OK\r\n" + pad + "Content-Length: " + body.length() + "\r\n\r\n" + body);
            return true;
        });
        UpstreamReply r = reply(client(tracker.uri("/announce")).announce(announce(AnnounceEvent.NONE)));
        assertThat(r.outcome()).isEqualTo(Outcome.ERROR);
        assertThat(r.message()).startsWith("bad HTTP reply");

        String reason = "O".repeat(HttpUpstreamClient.MAX_STATUS_LINE_BYTES);
        tracker.answer((req, c) -> {
            c.write("HTTP/1.1 200 " + reason + "\r\nContent-Length: " + body.length() + "\r\n\r\n" + body);
            return true;
        });
        r = reply(client(tracker.uri("/announce")).announce(announce(AnnounceEvent.NONE)));
        assertThat(r.outcome()).isEqualTo(Outcome.ERROR);
        assertThat(r.message()).startsWith("bad HTTP reply");
    }

    @Test
    void anOversizedReplyIsAnErrorAndItsConnectionIsClosed() throws Exception {
        byte[] huge = compact(new byte[(HttpUpstreamClient.MAX_REPLY_BYTES / 6 + 1) * 6]);
        FakeHttpTracker tracker = tracker().answer(ok(huge));
        HttpUpstreamClient client = client(tracker.uri("/announce"));
        UpstreamReply r = reply(client.announce(announce(AnnounceEvent.NONE)));
        assertThat(r.outcome()).isEqualTo(Outcome.ERROR);
        assertThat(r.message()).startsWith("reply larger than 256 KiB");

        tracker.answer(chunked(huge, 16 * 1024));
        r = reply(client.announce(announce(AnnounceEvent.NONE)));
        assertThat(r.outcome()).isEqualTo(Outcome.ERROR);
        assertThat(r.message()).isEqualTo("reply larger than 256 KiB");
        assertThat(tracker.connections()).isEqualTo(2);
    }

    @Test
    void aReplyOfExactlyTheLimitIsRead() throws Exception {
        byte[] peers = new byte[(HttpUpstreamClient.MAX_REPLY_BYTES - 1000) / 6 * 6];
        for (int i = 0; i < peers.length; i += 6) {
            peers[i + 5] = 1; // port 1
        }
        byte[] reply = compact(peers);
        byte[] open = java.util.Arrays.copyOf(reply, reply.length - 1); // without the closing 'e'
        int pad = 0; // an unknown key "pad" fills the body up to the limit exactly
        while (open.length + ("3:pad" + pad + ":").length() + pad + 1 != HttpUpstreamClient.MAX_REPLY_BYTES) {
            pad++;
        }
        byte[] body = bytes(open, "3:pad" + pad + ":" + "x".repeat(pad) + "e");
        assertThat(body).hasSize(HttpUpstreamClient.MAX_REPLY_BYTES);
        FakeHttpTracker tracker = tracker().answer(ok(body));
        UpstreamReply r = reply(client(tracker.uri("/announce")).announce(announce(AnnounceEvent.NONE)));
        assertThat(r.outcome()).as(r.message()).isEqualTo(Outcome.OK);
        assertThat(r.peers4()).hasSize(peers.length);
    }

    // ---- time ----

    @Test
    void aTrackerThatNeverAnswersTimesOutAndItsConnectionIsClosed() throws Exception {
        FakeHttpTracker tracker = tracker().answer(hang());
        Duration timeout = Duration.ofMillis(500);
        HttpUpstreamClient client = client(spec(tracker.uri("/announce"), null, null), timeout);
        long start = System.nanoTime();
        UpstreamReply r = reply(client.announce(announce(AnnounceEvent.NONE)));
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertThat(r.outcome()).isEqualTo(Outcome.ERROR);
        assertThat(r.message()).isEqualTo("timeout after 0.5s");
        assertThat(millis).isBetween(timeout.toMillis() - 50, timeout.toMillis() + SLACK_MILLIS);
        await().atMost(Duration.ofSeconds(2)).until(() -> tracker.clientCloses() >= 1);
        assertThat(tracker.clientCloses()).isEqualTo(1);
    }

    @Test
    void aTrackerThatDripsItsReplyTimesOut() throws Exception {
        FakeHttpTracker tracker = tracker().answer(drip(50));
        Duration timeout = Duration.ofSeconds(1);
        HttpUpstreamClient client = client(spec(tracker.uri("/announce"), null, null), timeout);
        long start = System.nanoTime();
        UpstreamReply r = reply(client.announce(announce(AnnounceEvent.NONE)));
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertThat(r.outcome()).isEqualTo(Outcome.ERROR);
        assertThat(r.message()).isEqualTo("timeout after 1s");
        assertThat(millis).isBetween(timeout.toMillis() - 50, timeout.toMillis() + SLACK_MILLIS);
        await().atMost(Duration.ofSeconds(2)).until(() -> tracker.clientCloses() >= 1);
        assertThat(tracker.clientCloses()).isEqualTo(1);
    }

    @Test
    void aSlowReplyWithinTheTimeoutIsRead() throws Exception {
        FakeHttpTracker tracker = tracker().answer(slow(300, ok(compact(PEER_A))));
        HttpUpstreamClient client = client(spec(tracker.uri("/announce"), null, null), Duration.ofSeconds(1));
        UpstreamReply r = reply(client.announce(announce(AnnounceEvent.NONE)));
        assertThat(r.outcome()).as(r.message()).isEqualTo(Outcome.OK);
        assertThat(r.peers4()).isEqualTo(PEER_A);
    }

    // ---- names and sockets ----

    @Test
    void aHostThatDoesNotResolveIsAnError() throws Exception {
        ForwarderSpec spec = spec(URI.create("http://tracker.invalid/announce"), null, null);
        HttpUpstreamClient client = keep(new HttpUpstreamClient(spec, group, TIMEOUT, null, host -> {
            throw new UnknownHostException(host + ": Name or service not known");
        }));
        UpstreamReply r = reply(client.announce(announce(AnnounceEvent.NONE)));
        assertThat(r.outcome()).isEqualTo(Outcome.ERROR);
        assertThat(r.message()).isEqualTo("cannot resolve tracker.invalid: tracker.invalid: Name or service not known");
    }

    @Test
    void aSlowLookupBlocksNoEventLoop() throws Exception {
        EventLoopGroup one = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        try {
            FakeHttpTracker tracker = tracker().answer(ok(compact(PEER_A)));
            ForwarderSpec slowSpec = spec(URI.create("http://slow.example/announce"), null, null);
            HttpUpstreamClient slowClient =
                    keep(new HttpUpstreamClient(slowSpec, one, Duration.ofMillis(800), null, host -> {
                        try {
                            Thread.sleep(3000);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                        throw new UnknownHostException(host);
                    }));
            HttpUpstreamClient fast = keep(new HttpUpstreamClient(
                    spec(tracker.uri("/announce"), null, null), one, TIMEOUT, null, InetAddress::getAllByName));
            CompletableFuture<UpstreamReply> stuck = slowClient.announce(announce(AnnounceEvent.NONE));
            long start = System.nanoTime();
            UpstreamReply r = reply(fast.announce(announce(AnnounceEvent.NONE)));
            assertThat(r.outcome()).isEqualTo(Outcome.OK);
            assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(700);
            assertThat(reply(stuck).message()).isEqualTo("timeout after 0.8s");
        } finally {
            for (AutoCloseable c : toClose.reversed()) {
                c.close();
            }
            toClose.clear();
            one.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
        }
    }

    @Test
    void aRefusedConnectionIsAnError() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        HttpUpstreamClient client = client(URI.create("http://127.0.0.1:" + port + "/announce"));
        UpstreamReply r = reply(client.announce(announce(AnnounceEvent.NONE)));
        assertThat(r.outcome()).isEqualTo(Outcome.ERROR);
        assertThat(r.message()).startsWith("cannot connect to 127.0.0.1:" + port + ": ");
        assertThat(r.httpStatus()).as("no status line came").isEqualTo(UpstreamReply.ABSENT);
    }

    @Test
    void addressLiteralsAreConnectedToWithoutLookup() throws Exception {
        FakeHttpTracker tracker = tracker();
        URI v4 = tracker.uri("/announce");
        HttpUpstreamClient client = keep(new HttpUpstreamClient(spec(v4, null, null), group, TIMEOUT, null, host -> {
            throw new AssertionError("looked up " + host);
        }));
        assertThat(reply(client.announce(announce(AnnounceEvent.NONE))).outcome())
                .isEqualTo(Outcome.OK);
    }

    @Test
    void closeEndsAnnouncesInFlightAndRefusesNewOnes() throws Exception {
        FakeHttpTracker tracker = tracker().answer(hang());
        HttpUpstreamClient client = client(tracker.uri("/announce"));
        CompletableFuture<UpstreamReply> inFlight = client.announce(announce(AnnounceEvent.NONE));
        await().atMost(Duration.ofSeconds(2)).until(() -> tracker.requests().size() == 1);
        client.close();
        UpstreamReply r = inFlight.get(1, TimeUnit.SECONDS);
        assertThat(r.outcome()).isEqualTo(Outcome.ERROR);
        assertThat(r.message()).isEqualTo("client closed");
        await().atMost(Duration.ofSeconds(2)).until(() -> tracker.clientCloses() >= 1);
        assertThat(tracker.clientCloses()).isEqualTo(1);

        CompletableFuture<UpstreamReply> after = client.announce(announce(AnnounceEvent.NONE));
        assertThat(after).isCompleted();
        assertThat(after.get().message()).isEqualTo("client closed");
    }

    @Test
    void closeClosesKeptConnections() throws Exception {
        FakeHttpTracker tracker = tracker();
        HttpUpstreamClient client = client(tracker.uri("/announce"));
        reply(client.announce(announce(AnnounceEvent.NONE)));
        client.close();
        await().atMost(Duration.ofSeconds(2)).until(() -> tracker.clientCloses() >= 1);
        assertThat(tracker.clientCloses()).isEqualTo(1);
    }

    @Test
    void nioEventLoopsWorkToo() throws Exception {
        EventLoopGroup nio = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        try {
            FakeHttpTracker tracker = tracker().answer(ok(compact(PEER_A)));
            try (HttpUpstreamClient client =
                    new HttpUpstreamClient(spec(tracker.uri("/announce"), null, null), nio, TIMEOUT)) {
                assertThat(reply(client.announce(announce(AnnounceEvent.NONE))).peers4())
                        .isEqualTo(PEER_A);
            }
        } finally {
            nio.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
        }
    }

    @Test
    void onlyHttpSchemesAreAccepted() {
        ForwarderSpec udp = new ForwarderSpec(
                "u", URI.create("udp://tracker.example.org:6969/announce"), ForwarderSpec.Scheme.UDP, null, null);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new HttpUpstreamClient(udp, group, TIMEOUT))
                .isInstanceOf(IllegalArgumentException.class);
        ForwarderSpec badHost = spec(URI.create("http://127.0.0.1/announce"), null, "evil\r\nX-Injected: 1");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new HttpUpstreamClient(badHost, group, TIMEOUT))
                .isInstanceOf(IllegalArgumentException.class);
    }

    // ---- HTTPS ----

    @Test
    void httpsUsesTheUriHostForSniAndVerificationWhateverTheHostHeader() throws Exception {
        TestCertificate cert = certificate();
        FakeHttpTracker tracker =
                keep(FakeHttpTracker.startTls(cert.serverContext)).answer(ok(compact(PEER_A)));
        URI uri = URI.create("https://localhost:" + tracker.port() + "/announce?pk=1");
        HttpUpstreamClient client = keep(new HttpUpstreamClient(
                spec(uri, null, "tracker.example.org"), group, TIMEOUT, trusting(cert), InetAddress::getAllByName));
        UpstreamReply r = reply(client.announce(announce(AnnounceEvent.NONE)));
        assertThat(r.outcome()).as(r.message()).isEqualTo(Outcome.OK);
        assertThat(r.peers4()).isEqualTo(PEER_A);
        Request req = tracker.lastRequest();
        assertThat(req.sni()).isEqualTo("localhost");
        assertThat(req.header("Host")).isEqualTo("tracker.example.org");
        assertThat(req.target()).startsWith("/announce?pk=1&info_hash=");

        assertThat(reply(client.announce(announce(AnnounceEvent.NONE))).outcome())
                .isEqualTo(Outcome.OK);
        assertThat(tracker.connections()).as("TLS connections are kept too").isEqualTo(1);

        // The same certificate does not name 127.0.0.1: hostname verification must refuse it.
        URI byAddress = URI.create("https://127.0.0.1:" + tracker.port() + "/announce");
        HttpUpstreamClient wrongName = keep(new HttpUpstreamClient(
                spec(byAddress, null, "localhost"), group, TIMEOUT, trusting(cert), InetAddress::getAllByName));
        UpstreamReply refused = reply(wrongName.announce(announce(AnnounceEvent.NONE)));
        assertThat(refused.outcome()).isEqualTo(Outcome.ERROR);
        assertThat(refused.message()).startsWith("TLS handshake failed: ").contains("subject alternative names");
    }

    @Test
    void httpsWithTheDefaultTrustStoreRefusesAnUnknownCertificate() throws Exception {
        TestCertificate cert = certificate();
        FakeHttpTracker tracker =
                keep(FakeHttpTracker.startTls(cert.serverContext)).answer(ok(compact(PEER_A)));
        URI uri = URI.create("https://localhost:" + tracker.port() + "/announce");
        HttpUpstreamClient client = client(spec(uri, null, null), TIMEOUT);
        UpstreamReply r = reply(client.announce(announce(AnnounceEvent.NONE)));
        assertThat(r.outcome()).isEqualTo(Outcome.ERROR);
        assertThat(r.message()).startsWith("TLS handshake failed: ").contains("certification path");
        assertThat(tracker.requests()).isEmpty();
    }

    // ---- helpers ----

    private void concurrently(HttpUpstreamClient client, int n) throws Exception {
        List<CompletableFuture<UpstreamReply>> all = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            all.add(client.announce(announce(AnnounceEvent.NONE)));
        }
        for (CompletableFuture<UpstreamReply> f : all) {
            UpstreamReply r = reply(f);
            assertThat(r.outcome()).as(r.message()).isEqualTo(Outcome.OK);
        }
    }

    /** One keytool run for the class. */
    private static synchronized TestCertificate certificate() throws Exception {
        TestCertificate c = certificate;
        if (c == null) {
            c = TestCertificate.forLocalhost(certificateDir);
            certificate = c;
        }
        return c;
    }

    private static SslContext trusting(TestCertificate cert) throws Exception {
        return SslContextBuilder.forClient()
                .sslProvider(SslProvider.JDK)
                .trustManager(cert.certificate)
                .endpointIdentificationAlgorithm("HTTPS")
                .build();
    }

    private FakeHttpTracker tracker() throws Exception {
        return keep(FakeHttpTracker.start());
    }

    private HttpUpstreamClient client(URI uri) {
        return client(spec(uri, null, null), TIMEOUT);
    }

    private HttpUpstreamClient client(ForwarderSpec spec) {
        return client(spec, TIMEOUT);
    }

    private HttpUpstreamClient client(ForwarderSpec spec, Duration timeout) {
        return keep(new HttpUpstreamClient(spec, group, timeout));
    }

    private <T extends AutoCloseable> T keep(T closeable) {
        toClose.add(closeable);
        return closeable;
    }

    private static ForwarderSpec spec(URI uri, @Nullable InetAddress ip, @Nullable String host) {
        ForwarderSpec.Scheme scheme =
                uri.getScheme().equals("https") ? ForwarderSpec.Scheme.HTTPS : ForwarderSpec.Scheme.HTTP;
        return new ForwarderSpec("test", uri, scheme, ip, host);
    }

    private static UpstreamAnnounce announce(AnnounceEvent event) {
        byte[] infoHash = new byte[20];
        byte[] peerId = new byte[20];
        infoHash[0] = 1;
        peerId[0] = 2;
        return new UpstreamAnnounce(infoHash, peerId, 6881, 0, 0, 1000, event, 50);
    }

    private static UpstreamReply reply(CompletableFuture<UpstreamReply> f) throws Exception {
        return f.get(10, TimeUnit.SECONDS);
    }
}
