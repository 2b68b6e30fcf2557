package org.retracker.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.retracker.swarm.SwarmLimits;

/**
 * What a client sees at the store's caps ({@code max_torrents}, {@code max_peers_per_swarm}) over
 * loopback HTTP and UDP: a new torrent in a full store is refused with a specific failure and
 * nothing stored, existing swarms go on, and a new peer in a full swarm takes the place of the
 * least recently seen one.
 */
class StoreLimitsTest extends LoopbackTrackerTest {
    private static final String FULL = "tracker is full: too many torrents";
    private static final byte[] FIRST = Ids.infoHash(1);
    private static final byte[] SECOND = Ids.infoHash(2);
    private static final byte[] THIRD = Ids.infoHash(3);

    @Test
    void httpNewTorrentInAFullStoreIsRefusedAndExistingSwarmsAreServed() {
        TestTracker t = start(TestTracker.on(Loopback.V4).metrics().limits(new SwarmLimits(2, 100)));
        HttpTrackerClient http = t.http();
        http.announce(Announce.peer(FIRST, 7001).seeder());
        http.announce(Announce.peer(SECOND, 7002));

        HttpReply refused = http.get(Announce.peer(THIRD, 7003).event("started").httpTarget());
        HttpAnnounceReply served = http.announce(Announce.peer(FIRST, 7004));

        assertThat(HttpTrackerClient.failure(refused)).isEqualTo(FULL);
        assertThat(refused.dict()).as("no BEP 31 retry in").doesNotContainKey("retry in");
        assertThat(served.peers4()).extracting(InetSocketAddress::getPort).containsExactly(7001);
        assertThat(served.complete()).isEqualTo(1);
        assertThat(served.incomplete()).isEqualTo(1);
        assertThat(t.store().swarmCount()).isEqualTo(2);
        assertThat(t.store().peerCount())
                .as("nothing stored for the refused torrent")
                .isEqualTo(3);
        assertThat(http.scrapeOne(THIRD)).isEqualTo(new ScrapeCounts(0, 0, 0));
        assertThat(failures(t, "http")).isEqualTo(1);
    }

    @Test
    void httpNewTorrentGetsInOnceASwarmEmpties() {
        TestTracker t = start(TestTracker.on(Loopback.V4).limits(new SwarmLimits(1, 100)));
        HttpTrackerClient http = t.http();
        http.announce(Announce.peer(FIRST, 7001));
        assertThat(http.announceFailure(Announce.peer(SECOND, 7002))).isEqualTo(FULL);

        http.announce(Announce.peer(FIRST, 7001).event("stopped"));
        HttpAnnounceReply admitted = http.announce(Announce.peer(SECOND, 7002));

        assertThat(admitted.incomplete()).isEqualTo(1);
        assertThat(t.store().swarmCount()).isEqualTo(1);
    }

    @Test
    void udpNewTorrentInAFullStoreGetsAnErrorPacket() {
        TestTracker t = start(TestTracker.on(Loopback.V4).metrics().limits(new SwarmLimits(1, 100)));
        try (UdpTrackerClient udp = t.udpClient()) {
            long id = udp.connect();
            udp.announce(id, Announce.peer(FIRST, 7001));
            int tx = UdpTrackerClient.transactionId();

            UdpTrackerClient.Reply error =
                    udp.exchange(Announce.peer(SECOND, 7002).udpPacket(id, tx));
            UdpTrackerClient.AnnounceReply served = udp.announce(id, Announce.peer(FIRST, 7003));

            assertThat(error.action()).isEqualTo(UdpTrackerClient.ERROR);
            assertThat(error.transactionId()).isEqualTo(tx);
            assertThat(error.errorMessage()).isEqualTo(FULL);
            assertThat(served.leechers()).isEqualTo(2);
            assertThat(served.peers()).extracting(InetSocketAddress::getPort).containsExactly(7001);
            assertThat(t.store().swarmCount()).isEqualTo(1);
            assertThat(failures(t, "udp")).isEqualTo(1);
        }
    }

    @Test
    void newPeerInAFullSwarmReplacesTheLeastRecentlySeen() {
        TestTracker t = start(TestTracker.on(Loopback.V4).metrics().limits(new SwarmLimits(100, 3)));
        HttpTrackerClient http = t.http();
        http.announce(Announce.peer(FIRST, 7001));
        t.clock().advanceSeconds(10);
        http.announce(Announce.peer(FIRST, 7002));
        t.clock().advanceSeconds(10);
        http.announce(Announce.peer(FIRST, 7003));
        t.clock().advanceSeconds(10);
        http.announce(Announce.peer(FIRST, 7001)); // 7002 is now the stalest
        t.clock().advanceSeconds(10);

        HttpAnnounceReply newcomer = http.announce(Announce.peer(FIRST, 7004));
        HttpAnnounceReply evicted = http.announce(Announce.peer(FIRST, 7002).numWant(0));

        assertThat(newcomer.peers4()).extracting(InetSocketAddress::getPort).containsExactlyInAnyOrder(7001, 7003);
        assertThat(newcomer.incomplete()).as("still three peers").isEqualTo(3);
        assertThat(evicted.incomplete())
                .as("the evicted peer comes back in the same way, replacing the next stalest")
                .isEqualTo(3);
        Exposition m = Exposition.parse(http.get("/metrics").text());
        assertThat(m.value("retracker_peers_evicted_total")).isEqualTo(2);
        assertThat(t.store().peerCount()).isEqualTo(3);
    }

    @Test
    void udpNewPeerInAFullSwarmIsServedAndTheSwarmStaysAtTheCap() {
        TestTracker t = start(TestTracker.on(Loopback.V4).limits(new SwarmLimits(100, 2)));
        try (UdpTrackerClient udp = t.udpClient()) {
            long id = udp.connect();
            udp.announce(id, Announce.peer(FIRST, 7001).seeder());
            t.clock().advanceSeconds(5);
            udp.announce(id, Announce.peer(FIRST, 7002).seeder());
            t.clock().advanceSeconds(5);

            UdpTrackerClient.AnnounceReply reply = udp.announce(id, Announce.peer(FIRST, 7003));

            assertThat(reply.seeders() + reply.leechers()).isEqualTo(2);
            assertThat(reply.seeders()).as("the stalest seeder went").isEqualTo(1);
            List<Integer> ports =
                    reply.peers().stream().map(InetSocketAddress::getPort).toList();
            assertThat(ports).containsExactly(7002);
        }
    }

    private static double failures(TestTracker t, String protocol) {
        Exposition m = Exposition.parse(t.http().get("/metrics").text());
        return m.value("retracker_failures_total", "protocol", protocol, "reason", "too_many_torrents");
    }
}
