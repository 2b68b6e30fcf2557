package org.retracker.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.retracker.core.TrackerPolicy;
import org.retracker.protocol.FailureReason;

/** The BEP 15 tracker over real datagrams on 127.0.0.1 and ::1. */
class UdpTrackerTest extends LoopbackTrackerTest {
    private static final byte[] HASH = Ids.infoHash(40);
    private static final byte[] OTHER = Ids.infoHash(41);

    @ParameterizedTest
    @ValueSource(strings = {Loopback.V4, Loopback.V6})
    void connectAnnounceScrape(String host) {
        TestTracker t = start(host);
        try (UdpTrackerClient udp = t.udpClient(host)) {
            long id = udp.connect();

            UdpTrackerClient.AnnounceReply first =
                    udp.announce(id, Announce.peer(HASH, 7001).seeder());
            UdpTrackerClient.AnnounceReply second = udp.announce(id, Announce.peer(HASH, 7002));
            List<ScrapeCounts> scrape = udp.scrape(id, HASH, OTHER);

            assertThat(first.interval()).isEqualTo(TrackerPolicy.DEFAULT_ANNOUNCE_INTERVAL);
            assertThat(first.peers()).isEmpty();
            assertThat(second.peers()).containsExactly(Loopback.socket(host, 7001));
            assertThat(second.seeders()).isEqualTo(1);
            assertThat(second.leechers()).isEqualTo(1);
            int peerBytes = host.equals(Loopback.V6) ? 18 : 6;
            assertThat(second.length()).isEqualTo(20 + peerBytes);
            assertThat(scrape).containsExactly(new ScrapeCounts(1, 0, 1), new ScrapeCounts(0, 0, 0));
        }
    }

    @Test
    void repliesCarryOnlyPeersOfTheRequestersFamily() {
        TestTracker t = start(Loopback.V4, Loopback.V6);
        try (UdpTrackerClient v4 = t.udpClient(Loopback.V4);
                UdpTrackerClient v6 = t.udpClient(Loopback.V6)) {
            long id4 = v4.connect();
            long id6 = v6.connect();
            v4.announce(id4, Announce.peer(HASH, 7001));
            v6.announce(id6, Announce.peer(HASH, 7002));

            UdpTrackerClient.AnnounceReply toV6 = v6.announce(id6, Announce.peer(HASH, 7003));
            UdpTrackerClient.AnnounceReply toV4 = v4.announce(id4, Announce.peer(HASH, 7004));

            assertThat(toV6.peers()).containsExactly(Loopback.socket(Loopback.V6, 7002));
            assertThat(toV6.length()).isEqualTo(20 + 18);
            assertThat(toV4.peers()).containsExactly(Loopback.socket(Loopback.V4, 7001));
            assertThat(toV4.length()).isEqualTo(20 + 6);
            assertThat(toV4.leechers()).as("counts cover both families").isEqualTo(4);
        }
    }

    @Test
    void anAnnounceWithAMadeUpConnectionIdGetsNoReply() {
        TestTracker t = start(Loopback.V4);
        try (UdpTrackerClient udp = t.udpClient()) {
            udp.send(Announce.peer(HASH, 7001).udpPacket(0x0123456789abcdefL, 5));

            assertThat(udp.receivesNothing()).isTrue();
            assertThat(t.server().counters().udpBadConnectionIds.sum()).isEqualTo(1);
        }
        assertThat(t.store().peerCount()).isZero();
    }

    @Test
    void aConnectionIdIsValidOnlyFromTheAddressItWasIssuedTo() {
        TestTracker t = start(Loopback.V4);
        try (UdpTrackerClient issuedTo = t.udpClient();
                UdpTrackerClient elsewhere = t.udp(Loopback.V4, Loopback.V4_OTHER)) {
            long id = issuedTo.connect();

            elsewhere.send(Announce.peer(HASH, 7001).udpPacket(id, 6));
            assertThat(elsewhere.receivesNothing()).isTrue();
            assertThat(t.store().peerCount()).isZero();

            // the same datagram from the right address is answered
            assertThat(issuedTo.announce(id, Announce.peer(HASH, 7001)).interval())
                    .isPositive();
        }
    }

    @Test
    void bep41OptionsAfterTheAnnounceAreAccepted() {
        TestTracker t = start(Loopback.V4);
        byte[] urlData = "/announce?passkey=abc".getBytes(StandardCharsets.US_ASCII);
        ByteBuffer options = ByteBuffer.allocate(2 + urlData.length + 2)
                .put((byte) 2) //          URLData
                .put((byte) urlData.length) // its length
                .put(urlData)
                .put((byte) 1) //          NOP
                .put((byte) 0); //         EndOfOptions
        try (UdpTrackerClient udp = t.udpClient()) {
            long id = udp.connect();
            udp.announce(id, Announce.peer(HASH, 7001));

            UdpTrackerClient.AnnounceReply reply = udp.announce(id, Announce.peer(HASH, 7002), options.array());

            assertThat(reply.peers()).containsExactly(Loopback.socket(Loopback.V4, 7001));
        }
    }

    @Test
    void aShortAnnounceWithAValidIdGetsAnErrorNamingTheProblem() {
        TestTracker t = start(Loopback.V4);
        try (UdpTrackerClient udp = t.udpClient()) {
            long id = udp.connect();
            byte[] whole = Announce.peer(HASH, 7001).udpPacket(id, 77);

            UdpTrackerClient.Reply reply = udp.exchange(Arrays.copyOf(whole, 50));

            assertThat(reply.action()).isEqualTo(UdpTrackerClient.ERROR);
            assertThat(reply.transactionId()).isEqualTo(77);
            assertThat(reply.errorMessage()).contains("too short");
            assertThat(reply.length()).as("no larger than the request").isLessThanOrEqualTo(50);
        }
        assertThat(t.store().peerCount()).isZero();
    }

    @Test
    void anUnknownActionGetsAnError() {
        TestTracker t = start(Loopback.V4);
        try (UdpTrackerClient udp = t.udpClient()) {
            long id = udp.connect();
            byte[] request = ByteBuffer.allocate(16)
                    .putLong(id) //  connection id
                    .putInt(9) //    action: none such
                    .putInt(88) //   transaction id
                    .array();

            UdpTrackerClient.Reply reply = udp.exchange(request);

            assertThat(reply.action()).isEqualTo(UdpTrackerClient.ERROR);
            assertThat(reply.transactionId()).isEqualTo(88);
            assertThat(reply.errorMessage()).contains("unknown action");
        }
    }

    /** scrape_max_hashes (74 by default, what one BEP 15 datagram carries): 75 get an error. */
    @Test
    void aScrapeOfMoreHashesThanTheLimitGetsAnError() {
        TestTracker t = start(Loopback.V4);
        int max = TrackerPolicy.DEFAULT_SCRAPE_MAX_HASHES;
        byte[][] hashes = new byte[max + 1][];
        for (int i = 0; i < hashes.length; i++) {
            hashes[i] = Ids.infoHash(1000 + i);
        }
        try (UdpTrackerClient udp = t.udpClient()) {
            long id = udp.connect();
            assertThat(udp.scrape(id, Arrays.copyOf(hashes, max))).hasSize(max);

            ByteBuffer request = ByteBuffer.allocate(16 + 20 * hashes.length)
                    .putLong(id) //                    connection id
                    .putInt(UdpTrackerClient.SCRAPE) // action
                    .putInt(77); //                    transaction id
            for (byte[] h : hashes) {
                request.put(h); //                     info hashes, 20 bytes each
            }
            UdpTrackerClient.Reply reply = udp.exchange(request.array());

            assertThat(reply.transactionId()).isEqualTo(77);
            assertThat(reply.errorMessage()).isEqualTo(FailureReason.TOO_MANY_INFO_HASHES.message());
        }
    }

    /**
     * TrackerServer.UDP_MAX_DATAGRAM (2048 bytes): a longer datagram is read only that far. A scrape
     * of 120 hashes (2416 bytes), allowed by the policy, is cut inside its 102nd hash and refused.
     */
    @Test
    void aDatagramLongerThanTheReadLimitIsCutThereAndFailsItsChecks() {
        TestTracker t = start(TestTracker.on(Loopback.V4).policy(new TrackerPolicy(1800, 900, 50, 200, 3600, 1000)));
        try (UdpTrackerClient udp = t.udpClient()) {
            long id = udp.connect();
            ByteBuffer request = ByteBuffer.allocate(16 + 20 * 120)
                    .putLong(id) //                    connection id
                    .putInt(UdpTrackerClient.SCRAPE) // action
                    .putInt(78); //                    transaction id
            for (int i = 0; i < 120; i++) {
                request.put(Ids.infoHash(2000 + i)); // info hashes, 20 bytes each
            }
            UdpTrackerClient.Reply reply = udp.exchange(request.array());

            assertThat(reply.transactionId()).isEqualTo(78);
            assertThat(reply.errorMessage()).isEqualTo(FailureReason.INVALID_INFO_HASH.message());

            assertThat(udp.scrape(id, HASH)).as("the socket serves on").hasSize(1);
        }
    }

    @Test
    void anIpv4ReplyStaysUnder1200BytesWith300PeersInTheSwarm() {
        TrackerPolicy policy = new TrackerPolicy(1800, 900, 50, 1000, 3600, 74);
        TestTracker t = start(TestTracker.on(Loopback.V4).policy(policy));
        try (UdpTrackerClient udp = t.udpClient()) {
            long id = udp.connect();
            for (int i = 0; i < 300; i++) {
                udp.announce(id, Announce.peer(HASH, 20000 + i));
            }

            UdpTrackerClient.AnnounceReply reply =
                    udp.announce(id, Announce.peer(HASH, 6881).numWant(1000));

            assertThat(reply.length()).isLessThanOrEqualTo(1200);
            assertThat(reply.peers()).hasSize(196).doesNotHaveDuplicates();
            assertThat(reply.leechers()).isEqualTo(301);
        }
    }

    @Test
    void anIpv6ReplyStaysUnder1200Bytes() {
        TrackerPolicy policy = new TrackerPolicy(1800, 900, 50, 1000, 3600, 74);
        TestTracker t = start(TestTracker.on(Loopback.V6).policy(policy));
        try (UdpTrackerClient udp = t.udpClient()) {
            long id = udp.connect();
            for (int i = 0; i < 100; i++) {
                udp.announce(id, Announce.peer(HASH, 20000 + i));
            }

            UdpTrackerClient.AnnounceReply reply =
                    udp.announce(id, Announce.peer(HASH, 6881).numWant(1000));

            assertThat(reply.length()).isLessThanOrEqualTo(1200);
            assertThat(reply.peers()).hasSize(65).doesNotHaveDuplicates();
        }
    }
}
