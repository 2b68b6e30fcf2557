package org.retracker.forward;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.NetUtil;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.retracker.it.NettyLeakCheck;
import org.retracker.protocol.AnnounceEvent;
import org.retracker.testing.FakeClock;

/** The BEP 15 forwarder client against a fake tracker on 127.0.0.1 and ::1. */
@ExtendWith(NettyLeakCheck.class)
@Timeout(20)
class UdpUpstreamClientTest {
    private static final String V4 = "127.0.0.1";
    private static final String V6 = "::1";
    /** Resends come quickly in tests; the production value is {@link UdpUpstreamClient#FIRST_RETRANSMIT}. */
    private static final Duration RETRANSMIT = Duration.ofMillis(200);

    private static final Duration TIMEOUT = Duration.ofSeconds(3);
    private static final byte[] PEER4_A = {10, 0, 0, 1, 0x1A, (byte) 0xE1}; // 10.0.0.1:6881
    private static final byte[] PEER4_B = {10, 0, 0, 2, 0x00, 0x50}; // 10.0.0.2:80

    private static EventLoopGroup group;
    private static EventLoopGroup nio;

    private final FakeClock clock = new FakeClock();
    private final List<AutoCloseable> closeAfter = new ArrayList<>();

    @BeforeAll
    static void startLoops() {
        IoHandlerFactory factory = Epoll.isAvailable() ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("fwd-udp-test", true), factory);
        nio = new MultiThreadIoEventLoopGroup(
                1, new DefaultThreadFactory("fwd-udp-test-nio", true), NioIoHandler.newFactory());
    }

    @AfterAll
    static void stopLoops() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
        nio.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
    }

    @AfterEach
    void closeAll() throws Exception {
        for (int i = closeAfter.size() - 1; i >= 0; i--) {
            closeAfter.get(i).close();
        }
    }

    // ---- the wire ----

    @Test
    void announceGoesOutAs98BytesInBep15Order() throws Exception {
        FakeUdpTracker t = tracker(V4);
        UdpUpstreamClient c = client(spec(t.uri(), literal("10.1.2.3")));
        UpstreamAnnounce a =
                new UpstreamAnnounce(hash(1), peerId(1), 51413, 3000, 1000, 2000, AnnounceEvent.STARTED, 80);

        assertThat(c.announce(a).get(5, TimeUnit.SECONDS).outcome()).isEqualTo(UpstreamReply.Outcome.OK);

        byte[] connect = t.connects().getFirst().bytes();
        ByteBuffer in = ByteBuffer.wrap(connect);
        assertThat(connect).hasSize(16);
        assertThat(in.getLong()).as("protocol_id").isEqualTo(FakeUdpTracker.PROTOCOL_ID);
        assertThat(in.getInt()).as("action").isZero();

        byte[] announce = t.announces().getFirst().bytes();
        assertThat(announce).hasSize(98);
        ByteBuffer b = ByteBuffer.wrap(announce);
        assertThat(b.getLong()).as("connection_id").isEqualTo(0x1000);
        assertThat(b.getInt()).as("action").isEqualTo(1);
        b.getInt(); // transaction_id: random
        assertThat(slice(b, 20)).as("info_hash").isEqualTo(hash(1));
        assertThat(slice(b, 20)).as("peer_id").isEqualTo(peerId(1));
        assertThat(b.getLong()).as("downloaded").isEqualTo(1000);
        assertThat(b.getLong()).as("left").isEqualTo(2000);
        assertThat(b.getLong()).as("uploaded").isEqualTo(3000);
        assertThat(b.getInt()).as("event: started").isEqualTo(2);
        assertThat(slice(b, 4)).as("IP address").containsExactly(10, 1, 2, 3);
        b.getInt(); // key: checked below
        assertThat(b.getInt()).as("num_want").isEqualTo(80);
        assertThat(Short.toUnsignedInt(b.getShort())).as("port").isEqualTo(51413);
        assertThat(b.remaining()).isZero();
    }

    @Test
    void ipFieldIsZeroWithoutAnIpv4OverrideAndEventsUseTheirBep15Codes() throws Exception {
        FakeUdpTracker t = tracker(V4);
        UdpUpstreamClient c = client(spec(t.uri(), literal("2001:db8::1")));

        for (AnnounceEvent event : AnnounceEvent.values()) {
            UpstreamAnnounce a = new UpstreamAnnounce(hash(1), peerId(1), 6881, 0, 0, 0, event, -1);
            assertThat(c.announce(a).get(5, TimeUnit.SECONDS).outcome()).isEqualTo(UpstreamReply.Outcome.OK);
        }

        List<FakeUdpTracker.Datagram> sent = t.announceRequests();
        assertThat(sent).hasSize(4);
        for (int i = 0; i < 4; i++) {
            ByteBuffer b = ByteBuffer.wrap(sent.get(i).bytes());
            assertThat(b.getInt(80)).as("event").isEqualTo(i);
            assertThat(b.getInt(84)).as("IP address").isZero();
            assertThat(b.getInt(92)).as("num_want").isEqualTo(-1);
        }
    }

    @Test
    void keyIsStablePerPeerAndDiffersBetweenPeers() throws Exception {
        FakeUdpTracker t = tracker(V4);
        UdpUpstreamClient c = client(t);

        c.announce(announce(1)).get(5, TimeUnit.SECONDS);
        c.announce(announce(1)).get(5, TimeUnit.SECONDS);
        c.announce(announce(2)).get(5, TimeUnit.SECONDS);

        List<Integer> keys = t.announceRequests().stream()
                .map(d -> ByteBuffer.wrap(d.bytes()).getInt(88))
                .toList();
        assertThat(keys.get(1)).isEqualTo(keys.get(0));
        assertThat(keys.get(2)).isNotEqualTo(keys.get(0));
    }

    // ---- replies ----

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void announceReplyIsOkWithIntervalCountsAndIpv4Peers(boolean forceNio) throws Exception {
        FakeUdpTracker t = tracker(V4);
        t.peers = concat(PEER4_A, PEER4_B);
        UdpUpstreamClient c = new UdpUpstreamClient(
                spec(t.uri(), null),
                forceNio ? nio : group,
                TIMEOUT,
                clock,
                UdpUpstreamClientTest::noLookup,
                RETRANSMIT);
        closeAfter.add(c);

        UpstreamReply r = c.announce(announce(1)).get(5, TimeUnit.SECONDS);

        assertThat(r.outcome()).isEqualTo(UpstreamReply.Outcome.OK);
        assertThat(r.interval()).isEqualTo(1800);
        assertThat(r.minInterval()).isEqualTo(UpstreamReply.ABSENT);
        assertThat(r.incomplete()).as("leechers").isEqualTo(5);
        assertThat(r.complete()).as("seeders").isEqualTo(3);
        assertThat(r.peers4()).containsExactly(concat(PEER4_A, PEER4_B));
        assertThat(r.peers6()).isEmpty();
        assertThat(r.message()).isEmpty();
        assertThat(c.localAddress()).isNotNull();
        assertThat(local(c).getAddress().isAnyLocalAddress())
                .as("bound to the wildcard")
                .isTrue();
    }

    @Test
    void ipv6TrackerOnLoopbackReturns18BytePeers() throws Exception {
        assumeTrue(ipv6Loopback(), "no ::1 on this machine");
        FakeUdpTracker t = tracker(V6);
        byte[] peer6 = new byte[18];
        peer6[0] = 0x20;
        peer6[1] = 0x01;
        peer6[15] = 1;
        peer6[16] = 0x1A;
        peer6[17] = (byte) 0xE1; // [2001::1]:6881
        byte[] other6 = peer6.clone();
        other6[15] = 2;
        t.peers = concat(peer6, other6);
        UdpUpstreamClient c = client(t);

        UpstreamReply r = c.announce(announce(1)).get(5, TimeUnit.SECONDS);

        assertThat(r.outcome()).isEqualTo(UpstreamReply.Outcome.OK);
        assertThat(r.peers6()).containsExactly(concat(peer6, other6));
        assertThat(r.peers4()).isEmpty();
        assertThat(r.peerCount()).isEqualTo(2);
        assertThat(local(c).getAddress()).isInstanceOf(Inet6Address.class);
        assertThat(t.received())
                .allSatisfy(d -> assertThat(d.from().getAddress()).isInstanceOf(Inet6Address.class));
    }

    @Test
    void errorReplyIsRefusedWithTheTrackersMessageAndDropsTheConnectionId() throws Exception {
        FakeUdpTracker t = tracker(V4);
        UdpUpstreamClient c = client(t);
        c.announce(announce(1)).get(5, TimeUnit.SECONDS);
        t.refuseAnnounces = "torrent not registered";

        UpstreamReply refused = c.announce(announce(1)).get(5, TimeUnit.SECONDS);
        t.refuseAnnounces = null;
        UpstreamReply next = c.announce(announce(1)).get(5, TimeUnit.SECONDS);

        assertThat(refused.outcome()).isEqualTo(UpstreamReply.Outcome.REFUSED);
        assertThat(refused.message()).isEqualTo("torrent not registered");
        assertThat(next.outcome()).isEqualTo(UpstreamReply.Outcome.OK);
        assertThat(t.connectRequests()).as("a new connect after the error").hasSize(2);
        assertThat(t.announceRequests().getLast().connectionId()).isEqualTo(0x1001);
    }

    @Test
    void trackerThatExpiresIdsEarlyRefusesOnceThenTheClientReconnects() throws Exception {
        FakeUdpTracker t = tracker(V4);
        t.idLifetime = Duration.ofSeconds(30); // stricter than BEP 15's two minutes
        UdpUpstreamClient c = client(t);
        c.announce(announce(1)).get(5, TimeUnit.SECONDS);
        clock.advanceSeconds(31);

        UpstreamReply expired = c.announce(announce(1)).get(5, TimeUnit.SECONDS);
        UpstreamReply renewed = c.announce(announce(1)).get(5, TimeUnit.SECONDS);

        assertThat(expired.outcome()).isEqualTo(UpstreamReply.Outcome.REFUSED);
        assertThat(expired.message()).isEqualTo("connection id expired");
        assertThat(renewed.outcome()).isEqualTo(UpstreamReply.Outcome.OK);
        assertThat(t.announceRequests())
                .extracting(FakeUdpTracker.Datagram::connectionId)
                .containsExactly(0x1000L, 0x1000L, 0x1001L);
    }

    // ---- connection ids ----

    @Test
    void connectionIdIsReusedWithinSixtySecondsAndRenewedAfter() throws Exception {
        FakeUdpTracker t = tracker(V4);
        UdpUpstreamClient c = client(t);

        c.announce(announce(1)).get(5, TimeUnit.SECONDS);
        clock.advanceSeconds(59);
        c.announce(announce(2)).get(5, TimeUnit.SECONDS);
        clock.advanceMillis(999);
        c.announce(announce(3)).get(5, TimeUnit.SECONDS);
        clock.advanceMillis(1);
        c.announce(announce(4)).get(5, TimeUnit.SECONDS);

        assertThat(t.connectRequests()).hasSize(2);
        assertThat(t.announceRequests())
                .extracting(FakeUdpTracker.Datagram::connectionId)
                .containsExactly(0x1000L, 0x1000L, 0x1000L, 0x1001L);
    }

    @Test
    void concurrentAnnouncesShareOneConnect() throws Exception {
        FakeUdpTracker t = tracker(V4);
        t.dropConnects.set(1); // hold the first connect back so that every announce waits for it
        UdpUpstreamClient c = client(t);

        List<CompletableFuture<UpstreamReply>> replies = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            replies.add(c.announce(announce(i)));
        }
        for (CompletableFuture<UpstreamReply> f : replies) {
            assertThat(f.get(5, TimeUnit.SECONDS).outcome()).isEqualTo(UpstreamReply.Outcome.OK);
        }

        assertThat(t.connects()).as("the dropped connect and its resend").hasSizeGreaterThanOrEqualTo(2);
        assertThat(t.connectRequests()).as("one connect").hasSize(1);
        assertThat(t.announceRequests())
                .hasSize(20)
                .allSatisfy(d -> assertThat(d.connectionId()).isEqualTo(0x1000));
    }

    // ---- the socket ----

    @Test
    void everyDatagramLeavesFromOneSourcePort() throws Exception {
        FakeUdpTracker t = tracker(V4);
        UdpUpstreamClient c = client(t);

        for (int i = 0; i < 5; i++) {
            c.announce(announce(i)).get(5, TimeUnit.SECONDS);
            clock.advanceSeconds(61); // forces a connect each time
        }

        assertThat(t.connectRequests()).hasSize(5);
        assertThat(t.announceRequests()).hasSize(5);
        assertThat(t.received()).extracting(d -> d.from().getPort()).containsOnly(local(c).getPort());
    }

    @Test
    void closeCompletesInFlightAnnouncesWithErrorAndReleasesThePort() throws Exception {
        FakeUdpTracker t = tracker(V4);
        t.silent = true;
        UdpUpstreamClient c = client(t);
        CompletableFuture<UpstreamReply> pending = c.announce(announce(1));
        awaitReceived(t, 1);
        int port = local(c).getPort();

        c.close();

        UpstreamReply r = pending.getNow(null);
        assertThat(r).isNotNull();
        assertThat(r.outcome()).isEqualTo(UpstreamReply.Outcome.ERROR);
        assertThat(r.message()).isEqualTo(UdpUpstreamClient.CLOSED);
        assertThat(c.inFlight()).isZero();
        try (DatagramSocket again = new DatagramSocket(new InetSocketAddress(port))) {
            assertThat(again.getLocalPort()).as("the port is free again").isEqualTo(port);
        }
        UpstreamReply after = c.announce(announce(1)).getNow(null);
        assertThat(after).isNotNull();
        assertThat(after.message()).isEqualTo(UdpUpstreamClient.CLOSED);
    }

    @Test
    void beyondTheInFlightLimitAnnouncesFailAtOnce() throws Exception {
        FakeUdpTracker t = tracker(V4);
        t.silent = true;
        UdpUpstreamClient c = client(t);
        List<CompletableFuture<UpstreamReply>> pending = new ArrayList<>();
        for (int i = 0; i < UdpUpstreamClient.MAX_IN_FLIGHT; i++) {
            pending.add(c.announce(announce(i)));
        }

        CompletableFuture<UpstreamReply> refused = c.announce(announce(9999));

        assertThat(refused).isDone();
        assertThat(refused.get().outcome()).isEqualTo(UpstreamReply.Outcome.ERROR);
        assertThat(refused.get().message()).startsWith("too many in flight");
        assertThat(pending).noneMatch(CompletableFuture::isDone);
        // The connect leaves on the client's event loop: let it reach the tracker before closing.
        await().atMost(Duration.ofSeconds(5)).until(() -> !t.connects().isEmpty());
        c.close();
        assertThat(pending)
                .allMatch(f -> f.getNow(null) != null && f.getNow(null).outcome() == UpstreamReply.Outcome.ERROR);
        assertThat(t.connects())
                .extracting(FakeUdpTracker.Datagram::transactionId)
                .as("all of them waited on one connect")
                .containsOnly(t.connects().getFirst().transactionId());
    }

    // ---- loss, timeouts, strangers ----

    @Test
    void lostConnectAndAnnounceAreResentWithTheSameTransactionIds() throws Exception {
        FakeUdpTracker t = tracker(V4);
        t.dropConnects.set(1);
        t.dropAnnounces.set(2);
        UdpUpstreamClient c = client(t);

        UpstreamReply r = c.announce(announce(1)).get(5, TimeUnit.SECONDS);

        assertThat(r.outcome()).isEqualTo(UpstreamReply.Outcome.OK);
        assertThat(t.connects()).hasSizeGreaterThanOrEqualTo(2);
        assertThat(t.connectRequests()).as("resends keep the transaction id").hasSize(1);
        assertThat(t.announces()).hasSizeGreaterThanOrEqualTo(3);
        assertThat(t.announceRequests()).as("resends keep the transaction id").hasSize(1);
        assertThat(t.announces())
                .extracting(FakeUdpTracker.Datagram::bytes)
                .allSatisfy(bytes ->
                        assertThat(bytes).isEqualTo(t.announces().getFirst().bytes()));
    }

    @Test
    void silentTrackerTimesOutWithinTheTimeout() throws Exception {
        FakeUdpTracker t = tracker(V4);
        t.silent = true;
        UdpUpstreamClient c = client(t, Duration.ofSeconds(1));

        long start = System.nanoTime();
        UpstreamReply r = c.announce(announce(1)).get(5, TimeUnit.SECONDS);
        long elapsedMillis = (System.nanoTime() - start) / 1_000_000;

        assertThat(r.outcome()).isEqualTo(UpstreamReply.Outcome.ERROR);
        assertThat(r.message()).isEqualTo("timeout after 1s");
        assertThat(elapsedMillis).isBetween(950L, 1500L);
        assertThat(t.connectRequests()).hasSize(1);
        assertThat(t.connects()).as("resent at 200 and 600 ms").hasSize(3);
        assertThat(c.inFlight()).isZero();
    }

    @Test
    void replyWithAnotherTransactionIdIsIgnoredAndTheRightOneAccepted() throws Exception {
        FakeUdpTracker t = tracker(V4);
        t.wrongTransactionIdFirst = true;
        t.peers = PEER4_A;
        UdpUpstreamClient c = client(t);

        UpstreamReply r = c.announce(announce(1)).get(5, TimeUnit.SECONDS);

        assertThat(r.outcome()).isEqualTo(UpstreamReply.Outcome.OK);
        assertThat(r.peers4()).containsExactly(PEER4_A);
        assertThat(c.ignoredDatagrams()).isPositive();
    }

    @Test
    void replyFromAnotherPortIsIgnored() throws Exception {
        FakeUdpTracker t = tracker(V4);
        t.otherPortFirst = true;
        UdpUpstreamClient c = client(t);

        UpstreamReply r = c.announce(announce(1)).get(5, TimeUnit.SECONDS);

        assertThat(r.outcome()).isEqualTo(UpstreamReply.Outcome.OK);
        assertThat(c.ignoredDatagrams()).isPositive();
    }

    @Test
    void garbageShortAndOversizedDatagramsAreIgnored() throws Exception {
        FakeUdpTracker t = tracker(V4);
        UdpUpstreamClient c = client(t);
        c.announce(announce(1)).get(5, TimeUnit.SECONDS); // connected: the next reply is an announce
        t.peers = PEER4_B;
        byte[] oversized = new byte[UdpUpstreamClient.MAX_REPLY_BYTES + 1];
        t.announceReply = tx -> {
            ByteBuffer.wrap(oversized).putInt(1).putInt(tx); // right transaction, far too big
            return t.announce(tx);
        };
        t.garbageFirst = List.of(
                new byte[] {1, 2, 3}, // shorter than a head
                new byte[] {0, 0, 0, 1, 0, 0, 0}, // one byte short of a head
                FakeUdpTracker.error(0x7fffffff, "nobody asked"), // unknown transaction
                oversized);

        UpstreamReply r = c.announce(announce(2)).get(5, TimeUnit.SECONDS);

        assertThat(r.outcome()).isEqualTo(UpstreamReply.Outcome.OK);
        assertThat(r.peers4()).containsExactly(PEER4_B);
        assertThat(c.ignoredDatagrams()).isGreaterThanOrEqualTo(4);
    }

    @Test
    void aHeaderOnlyAnnounceReplyIsARefusal() throws Exception {
        // opentracker answers an announce for a torrent it does not serve with 8 bytes and no error
        FakeUdpTracker t = tracker(V4);
        t.announceReply = tx -> ByteBuffer.allocate(8).putInt(1).putInt(tx).array();
        UdpUpstreamClient c = client(t);

        UpstreamReply r = c.announce(announce(1)).get(5, TimeUnit.SECONDS);

        assertThat(r.outcome()).isEqualTo(UpstreamReply.Outcome.REFUSED);
        assertThat(r.message()).isEqualTo(UdpUpstreamClient.EMPTY_ANNOUNCE_REPLY);
    }

    @Test
    void aTruncatedAnnounceReplyIsARefusalToo() throws Exception {
        FakeUdpTracker t = tracker(V4);
        t.announceReply =
                tx -> ByteBuffer.allocate(12).putInt(1).putInt(tx).putInt(1800).array();
        UdpUpstreamClient c = client(t);

        UpstreamReply r = c.announce(announce(1)).get(5, TimeUnit.SECONDS);

        assertThat(r.outcome()).isEqualTo(UpstreamReply.Outcome.REFUSED);
    }

    @Test
    void connectReplyToAnAnnounceEndsItWithError() throws Exception {
        FakeUdpTracker t = tracker(V4);
        t.announceReply =
                tx -> ByteBuffer.allocate(16).putInt(0).putInt(tx).putLong(7).array();
        UdpUpstreamClient c = client(t);

        UpstreamReply r = c.announce(announce(1)).get(5, TimeUnit.SECONDS);

        assertThat(r.outcome()).isEqualTo(UpstreamReply.Outcome.ERROR);
        assertThat(r.message()).isEqualTo("connect response to an announce");
    }

    // ---- names ----

    @Test
    void hostNameIsResolvedOffTheEventLoopAndAgainAfterFiveMinutes() throws Exception {
        FakeUdpTracker t = tracker(V4);
        List<Thread> lookups = new CopyOnWriteArrayList<>();
        UdpUpstreamClient c = new UdpUpstreamClient(
                spec(URI.create("udp://tracker.test:" + t.address().getPort() + "/announce"), null),
                group,
                TIMEOUT,
                clock,
                host -> {
                    lookups.add(Thread.currentThread());
                    return t.address().getAddress();
                },
                RETRANSMIT);
        closeAfter.add(c);

        c.announce(announce(1)).get(5, TimeUnit.SECONDS);
        c.announce(announce(2)).get(5, TimeUnit.SECONDS);
        assertThat(lookups).hasSize(1);
        clock.advance(UdpUpstreamClient.RESOLVE_EVERY);
        assertThat(c.announce(announce(3)).get(5, TimeUnit.SECONDS).outcome()).isEqualTo(UpstreamReply.Outcome.OK);

        assertThat(lookups).hasSize(2);
        Thread loopThread = group.next().submit(Thread::currentThread).get();
        assertThat(lookups).doesNotContain(loopThread).allMatch(Thread::isVirtual);
    }

    @Test
    void unresolvableHostIsAnErrorNamingItAndIsTriedAgainNextTime() throws Exception {
        AtomicInteger lookups = new AtomicInteger();
        UdpUpstreamClient c = new UdpUpstreamClient(
                spec(URI.create("udp://tracker.test:6969/announce"), null),
                group,
                TIMEOUT,
                clock,
                host -> {
                    lookups.incrementAndGet();
                    throw new UnknownHostException(host + ": Name or service not known");
                },
                RETRANSMIT);
        closeAfter.add(c);

        UpstreamReply first = c.announce(announce(1)).get(5, TimeUnit.SECONDS);
        UpstreamReply second = c.announce(announce(1)).get(5, TimeUnit.SECONDS);

        assertThat(first.outcome()).isEqualTo(UpstreamReply.Outcome.ERROR);
        assertThat(first.message()).isEqualTo("cannot resolve tracker.test: tracker.test: Name or service not known");
        assertThat(second.outcome()).isEqualTo(UpstreamReply.Outcome.ERROR);
        assertThat(lookups).hasValue(2);
        assertThat(c.localAddress()).as("no socket without an address").isNull();
    }

    @Test
    void afterATimeoutTheNameIsResolvedAgainAndAFreshConnectionIdFetched() throws Exception {
        FakeUdpTracker t = tracker(V4);
        AtomicInteger lookups = new AtomicInteger();
        UdpUpstreamClient c = new UdpUpstreamClient(
                spec(URI.create("udp://tracker.test:" + t.address().getPort() + "/announce"), null),
                group,
                Duration.ofMillis(500),
                clock,
                host -> {
                    lookups.incrementAndGet();
                    return t.address().getAddress();
                },
                RETRANSMIT);
        closeAfter.add(c);
        c.announce(announce(1)).get(5, TimeUnit.SECONDS);
        t.dropAnnounces.set(Integer.MAX_VALUE);

        UpstreamReply lost = c.announce(announce(1)).get(5, TimeUnit.SECONDS);
        t.dropAnnounces.set(0);
        UpstreamReply back = c.announce(announce(1)).get(5, TimeUnit.SECONDS);

        assertThat(lost.message()).isEqualTo("timeout after 0.5s");
        assertThat(back.outcome()).isEqualTo(UpstreamReply.Outcome.OK);
        assertThat(lookups).hasValue(2);
        assertThat(t.connectRequests()).hasSize(2);
    }

    @Test
    void nonUdpSpecsAndMissingPortsAreRefusedAtConstruction() {
        ForwarderSpec http = new ForwarderSpec(
                "h", URI.create("http://127.0.0.1:80/announce"), ForwarderSpec.Scheme.HTTP, null, null);
        ForwarderSpec noPort = spec(URI.create("udp://127.0.0.1/announce"), null);

        org.assertj.core.api.Assertions.assertThatIllegalArgumentException()
                .isThrownBy(() -> new UdpUpstreamClient(http, group, TIMEOUT));
        org.assertj.core.api.Assertions.assertThatIllegalArgumentException()
                .isThrownBy(() -> new UdpUpstreamClient(noPort, group, TIMEOUT))
                .withMessageContaining("port");
    }

    // ---- helpers ----

    private FakeUdpTracker tracker(String host) throws UnknownHostException {
        FakeUdpTracker t = new FakeUdpTracker(literal(host), clock);
        closeAfter.add(t);
        return t;
    }

    private UdpUpstreamClient client(FakeUdpTracker t) {
        return client(spec(t.uri(), null));
    }

    private UdpUpstreamClient client(FakeUdpTracker t, Duration timeout) {
        UdpUpstreamClient c = new UdpUpstreamClient(
                spec(t.uri(), null), group, timeout, clock, UdpUpstreamClientTest::noLookup, RETRANSMIT);
        closeAfter.add(c);
        return c;
    }

    private UdpUpstreamClient client(ForwarderSpec spec) {
        UdpUpstreamClient c =
                new UdpUpstreamClient(spec, group, TIMEOUT, clock, UdpUpstreamClientTest::noLookup, RETRANSMIT);
        closeAfter.add(c);
        return c;
    }

    /** An IP literal as an address, without any name lookup. */
    private static InetAddress literal(String ip) {
        return NetUtil.createInetAddressFromIpAddressString(ip);
    }

    private static InetSocketAddress local(UdpUpstreamClient c) {
        InetSocketAddress a = c.localAddress();
        assertThat(a).as("the client's socket is open").isNotNull();
        return Objects.requireNonNull(a);
    }

    private static InetAddress noLookup(String host) throws UnknownHostException {
        throw new UnknownHostException("tests use IP literals, not " + host);
    }

    private static ForwarderSpec spec(URI uri, @Nullable InetAddress ip) {
        return new ForwarderSpec("fake", uri, ForwarderSpec.Scheme.UDP, ip, null);
    }

    private static UpstreamAnnounce announce(int peer) {
        return new UpstreamAnnounce(hash(7), peerId(peer), 6881, 0, 0, 100, AnnounceEvent.NONE, 50);
    }

    private static byte[] hash(int n) {
        byte[] b = new byte[20];
        Arrays.fill(b, (byte) n);
        b[0] = (byte) 0xA0;
        return b;
    }

    private static byte[] peerId(int n) {
        byte[] b = "-RT0001-000000000000".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        ByteBuffer.wrap(b).putInt(16, n);
        return b;
    }

    private static byte[] slice(ByteBuffer b, int n) {
        byte[] out = new byte[n];
        b.get(out);
        return out;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static void awaitReceived(FakeUdpTracker t, int n) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (t.received().size() < n && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(t.received()).hasSizeGreaterThanOrEqualTo(n);
    }

    private static boolean ipv6Loopback() {
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(literal(V6), 0))) {
            return s.getLocalPort() > 0;
        } catch (IOException e) {
            return false;
        }
    }
}
