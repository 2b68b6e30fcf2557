package org.retracker.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.retracker.protocol.udp.ConnectionIds;
import org.retracker.transport.TransportCounters;

/**
 * BEP 15 under abuse, over real datagrams: forged and expired connection ids, a connect flood from
 * many sources, garbage of every shape, and the address replies leave from. What it proves: a
 * source without a valid connection id never gets more bytes back than it sent, and the tracker
 * keeps no state for it.
 */
class UdpAbuseTest extends LoopbackTrackerTest {
    private static final byte[] HASH = Ids.infoHash(70);
    /** How long "no reply" is waited for when many datagrams are in flight at once. */
    private static final Duration QUIET = Duration.ofMillis(300);

    @Test
    void announceAndScrapeWithAForgedConnectionIdGetNoReplyAndAreCounted() {
        TestTracker t = start(Loopback.V4);
        TransportCounters counters = t.server().counters();
        long forged = new Random(7).nextLong();
        try (UdpTrackerClient udp = t.udpClient()) {
            udp.send(Announce.peer(HASH, 7001).udpPacket(forged, 1));
            assertThat(udp.receivesNothing()).isTrue();

            udp.send(scrapePacket(forged, 2, HASH));
            assertThat(udp.receivesNothing()).isTrue();
        }
        assertThat(counters.udpBadConnectionIds.sum()).isEqualTo(2);
        assertThat(counters.udpAnnounces.sum()).isZero();
        assertThat(counters.udpScrapes.sum()).isZero();
        assertThat(t.store().peerCount()).isZero();
    }

    @Test
    void anExpiredConnectionIdGetsNoReplyAndIsCounted() {
        TestTracker t = start(TestTracker.on(Loopback.V4).connectionIdsOnFakeClock());
        TransportCounters counters = t.server().counters();
        try (UdpTrackerClient udp = t.udpClient()) {
            long id = udp.connect();
            // the last second of its life (the test tracker has no grace): still answered
            t.clock().advanceSeconds(ConnectionIds.LIFETIME_SECONDS);
            assertThat(udp.announce(id, Announce.peer(HASH, 7001)).interval()).isPositive();

            t.clock().advanceSeconds(1);
            udp.send(Announce.peer(HASH, 7002).udpPacket(id, 3));
            assertThat(udp.receivesNothing()).isTrue();
            udp.send(scrapePacket(id, 4, HASH));
            assertThat(udp.receivesNothing()).isTrue();
        }
        assertThat(counters.udpBadConnectionIds.sum()).isEqualTo(2);
        assertThat(counters.udpAnnounces.sum()).isEqualTo(1);
        assertThat(t.store().peerCount()).as("only the announce made in time").isEqualTo(1);
    }

    /**
     * 100,000 connects from 49 source addresses and several ports each: the ids are stateless
     * ({@link ConnectionIds} holds no table), so the flood leaves nothing behind in the store and
     * the tracker answers an ordinary client promptly afterwards.
     */
    @Test
    @Timeout(60)
    void aConnectFloodFromManySourcesStoresNothingAndTheTrackerStillAnswers() throws Exception {
        TestTracker t = start(Loopback.V4);
        TransportCounters counters = t.server().counters();
        InetSocketAddress tracker = t.udpAddress(Loopback.V4);
        int total = 100_000;
        List<DatagramChannel> sources = new ArrayList<>();
        try {
            for (int host = 2; host <= 50; host++) {
                for (int port = 0; port < 3; port++) {
                    DatagramChannel ch = DatagramChannel.open();
                    ch.setOption(StandardSocketOptions.SO_RCVBUF, 4096); // replies are not read
                    ch.bind(Loopback.socket("127.0.0." + host, 0));
                    sources.add(ch);
                }
            }
            ByteBuffer connect = ByteBuffer.allocate(16);
            for (int i = 0; i < total; i++) {
                connect.clear()
                        .putLong(UdpTrackerClient.PROTOCOL_ID) // 0 protocol id
                        .putInt(UdpTrackerClient.CONNECT) //      8 action
                        .putInt(i) //                            12 transaction id
                        .flip();
                sources.get(i % sources.size()).send(connect, tracker);
                if (i % 100 == 99) {
                    Thread.sleep(1); // let the one event loop keep up, so much of the flood is seen
                }
            }
        } finally {
            for (DatagramChannel ch : sources) {
                ch.close();
            }
        }
        long seen = waitUntilStable(() -> counters.udpConnects.sum());
        // The kernel drops what the one event loop cannot read in time (about half on a busy
        // 2-core machine); a tenth is enough to make it a flood, and dropped datagrams cost nothing.

        assertThat(seen)
                .as("connects the tracker answered")
                .isGreaterThanOrEqualTo(total / 10)
                .isLessThanOrEqualTo(total);
        assertThat(t.store().swarmCount()).isZero();
        assertThat(t.store().peerCount()).isZero();
        assertThat(counters.unexpectedErrors.sum()).isZero();
        try (UdpTrackerClient udp = t.udpClient()) {
            long start = System.nanoTime();
            long id = udp.connect();
            assertThat(udp.announce(id, Announce.peer(HASH, 7001)).interval()).isPositive();
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(500));
        }
    }

    /**
     * Every kind of datagram a source without a valid id might send: the only reply any of them
     * gets is a connect reply, 16 bytes, to a request of at least 16 bytes.
     */
    @Test
    void noReplyIsLargerThanItsRequestWithoutAValidConnectionId() throws IOException {
        TestTracker t = start(Loopback.V4);
        TransportCounters counters = t.server().counters();
        Random random = new Random(42);
        long badId = random.nextLong();
        Map<Integer, Integer> requestLengthByTx = new HashMap<>();
        List<byte[]> requests = new ArrayList<>();
        // shorter than a BEP 15 header: no transaction id to answer
        requests.add(new byte[0]);
        requests.add(new byte[] {0});
        requests.add(new byte[15]);
        int tx = 1;
        // connect: the good one, one padded, one with the wrong protocol id magic, one with a good magic but action 1
        requests.add(header(UdpTrackerClient.PROTOCOL_ID, UdpTrackerClient.CONNECT, tx++, 16));
        requests.add(header(UdpTrackerClient.PROTOCOL_ID, UdpTrackerClient.CONNECT, tx++, 200));
        requests.add(header(UdpTrackerClient.PROTOCOL_ID + 1, UdpTrackerClient.CONNECT, tx++, 16));
        requests.add(header(UdpTrackerClient.PROTOCOL_ID, UdpTrackerClient.ANNOUNCE, tx++, 98));
        // every action with a made-up id, at its real size and cut short
        requests.add(Announce.peer(HASH, 7001).udpPacket(badId, tx++));
        requests.add(header(badId, UdpTrackerClient.ANNOUNCE, tx++, 16));
        requests.add(scrapePacket(badId, tx++, HASH, HASH, HASH));
        requests.add(header(badId, UdpTrackerClient.SCRAPE, tx++, 16));
        requests.add(header(badId, UdpTrackerClient.ERROR, tx++, 16));
        requests.add(header(badId, 9, tx++, 16));
        requests.add(header(badId, -1, tx++, 1500));
        // random garbage of 16 to 1,200 bytes, each with its own transaction id at offset 12
        for (int i = 0; i < 300; i++) {
            byte[] g = new byte[16 + random.nextInt(1185)];
            random.nextBytes(g);
            ByteBuffer.wrap(g).putInt(12, tx++);
            requests.add(g);
        }
        long expectedBad = 0;
        long expectedDropped = 0;
        for (byte[] r : requests) {
            if (r.length < 16) {
                expectedDropped++;
                continue;
            }
            ByteBuffer b = ByteBuffer.wrap(r);
            requestLengthByTx.put(b.getInt(12), r.length);
            if (b.getLong(0) != UdpTrackerClient.PROTOCOL_ID || b.getInt(8) != UdpTrackerClient.CONNECT) {
                expectedBad++;
            }
        }

        List<byte[]> replies = new ArrayList<>();
        try (DatagramChannel ch = DatagramChannel.open()) {
            ch.bind(Loopback.socket(Loopback.V4, 0));
            InetSocketAddress tracker = t.udpAddress(Loopback.V4);
            for (byte[] r : requests) {
                ch.send(ByteBuffer.wrap(r), tracker);
            }
            receiveUntilQuiet(ch, replies);
        }

        assertThat(replies).as("only the two well-formed connects are answered").hasSize(2);
        for (byte[] reply : replies) {
            assertThat(reply.length).isGreaterThanOrEqualTo(8);
            int replyTx = ByteBuffer.wrap(reply).getInt(4);
            assertThat(requestLengthByTx).as("reply to a request we sent").containsKey(replyTx);
            assertThat(reply.length).as("reply size").isLessThanOrEqualTo(requestLengthByTx.get(replyTx));
        }
        assertThat(counters.udpBadConnectionIds.sum()).isEqualTo(expectedBad);
        assertThat(counters.udpDropped.sum()).isEqualTo(expectedDropped);
        assertThat(t.store().peerCount()).isZero();
    }

    /**
     * A tracker listening on several addresses answers each client from the address the client sent
     * to, or the client (and any NAT or firewall on the way) would not recognise the reply. Here one
     * listener per address; {@link UdpReplySourceTest} does the same for a wildcard listener.
     */
    @Test
    void repliesLeaveFromTheAddressTheRequestArrivedOn() throws IOException {
        TestTracker t = start(Loopback.V4, Loopback.V4_OTHER);
        try (DatagramChannel ch = DatagramChannel.open()) {
            ch.bind(Loopback.socket(Loopback.V4, 0));
            for (String destination : List.of(Loopback.V4, Loopback.V4_OTHER)) {
                InetSocketAddress to = t.udpAddress(destination);
                ch.send(ByteBuffer.wrap(header(UdpTrackerClient.PROTOCOL_ID, UdpTrackerClient.CONNECT, 5, 16)), to);
                List<SocketAddress> from = new ArrayList<>();
                List<byte[]> replies = new ArrayList<>();
                receiveUntilQuiet(ch, replies, from);

                assertThat(replies).as("connect reply to " + destination).hasSize(1);
                assertThat(from).as("source of the reply to " + destination).containsExactly(to);
            }
        }
    }

    /** A BEP 15 header of {@code length} bytes (the rest zero). */
    private static byte[] header(long connectionId, int action, int transactionId, int length) {
        return ByteBuffer.allocate(length)
                .putLong(connectionId) // 0 connection id
                .putInt(action) //        8 action
                .putInt(transactionId) // 12 transaction id
                .array();
    }

    private static byte[] scrapePacket(long connectionId, int transactionId, byte[]... hashes) {
        ByteBuffer b = ByteBuffer.allocate(16 + 20 * hashes.length)
                .putLong(connectionId) //  0 connection id
                .putInt(UdpTrackerClient.SCRAPE) // 8 action
                .putInt(transactionId); // 12 transaction id
        for (byte[] h : hashes) {
            b.put(h); //                  16 info hashes, 20 bytes each
        }
        return b.array();
    }

    private static void receiveUntilQuiet(DatagramChannel ch, List<byte[]> replies) throws IOException {
        receiveUntilQuiet(ch, replies, new ArrayList<>());
    }

    /** Collects datagrams until none has arrived for {@link #QUIET}. */
    private static void receiveUntilQuiet(DatagramChannel ch, List<byte[]> replies, List<SocketAddress> sources)
            throws IOException {
        ch.configureBlocking(false);
        ByteBuffer buf = ByteBuffer.allocate(65536);
        try (Selector selector = Selector.open()) {
            ch.register(selector, SelectionKey.OP_READ);
            while (selector.select(QUIET.toMillis()) > 0) {
                selector.selectedKeys().clear();
                for (SocketAddress source = ch.receive(buf.clear()); source != null; source = ch.receive(buf.clear())) {
                    byte[] d = new byte[buf.flip().remaining()];
                    buf.get(d);
                    replies.add(d);
                    sources.add(source);
                }
            }
            ch.keyFor(selector).cancel();
            selector.selectNow();
        }
        ch.configureBlocking(true);
    }

    /** The value of {@code counter} once it has not changed for {@link #QUIET}. */
    private static long waitUntilStable(LongSupplier counter) throws InterruptedException {
        long before = counter.getAsLong();
        while (true) {
            Thread.sleep(QUIET.toMillis());
            long now = counter.getAsLong();
            if (now == before) {
                return now;
            }
            before = now;
        }
    }
}
