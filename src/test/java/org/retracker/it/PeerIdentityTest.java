package org.retracker.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A peer is its IP address and port (trackers.md §4.3 "Peer identity"), not its peer_id: nobody can
 * stop or overwrite another peer by knowing its id.
 */
class PeerIdentityTest extends LoopbackTrackerTest {
    private static final byte[] HASH = Ids.infoHash(3);

    @Test
    void stoppedFromTheSameIpButAnotherPortDoesNotRemoveThePeer() {
        HttpTrackerClient http = start(Loopback.V4).http();
        http.announce(Announce.peer(HASH, 6881));

        // Same IP, same peer_id, other port: a different peer that was never there.
        http.announce(Announce.peer(HASH, 6882).peerId(Ids.peerId(6881)).event("stopped"));

        assertThat(http.scrapeOne(HASH).leechers()).isEqualTo(1);
        assertThat(http.announce(Announce.peer(HASH, 6999)).compactPeers())
                .containsExactly(Loopback.socket(Loopback.V4, 6881));
    }

    @Test
    void stoppedFromAnotherIpWithTheSamePortDoesNotRemoveThePeer() {
        TestTracker t = start(Loopback.V4);
        t.http().announce(Announce.peer(HASH, 6881));

        t.httpFrom(Loopback.V4_OTHER).announce(Announce.peer(HASH, 6881).event("stopped"));

        assertThat(t.http().scrapeOne(HASH).leechers()).isEqualTo(1);
    }

    @Test
    void stoppedFromThePeersOwnIpAndPortRemovesIt() {
        HttpTrackerClient http = start(Loopback.V4).http();
        http.announce(Announce.peer(HASH, 6881));
        http.announce(Announce.peer(HASH, 6882));

        HttpAnnounceReply stopped = http.announce(Announce.peer(HASH, 6881).event("stopped"));

        assertThat(stopped.compactPeers()).as("a leaving peer gets no peers").isEmpty();
        assertThat(http.scrapeOne(HASH).leechers()).isEqualTo(1);
        assertThat(http.announce(Announce.peer(HASH, 6999)).compactPeers())
                .containsExactly(Loopback.socket(Loopback.V4, 6882));
    }

    @Test
    void aNewPeerIdFromTheSameIpAndPortReplacesThePeer() {
        HttpTrackerClient http = start(Loopback.V4).http();
        http.announce(Announce.peer(HASH, 6881).peerId(Ids.peerId(1)));

        http.announce(Announce.peer(HASH, 6881).peerId(Ids.peerId(2)));

        HttpAnnounceReply reply = http.announce(Announce.peer(HASH, 6999).compact(false));
        List<HttpAnnounceReply.PeerDict> peers = reply.peerDicts();
        assertThat(peers).as("one entry for ip:port, whatever its id").hasSize(1);
        assertThat(peers.get(0).socketAddress()).isEqualTo(Loopback.socket(Loopback.V4, 6881));
        assertThat(peers.get(0).peerId()).as("no peer ids are kept").isNull();
        assertThat(reply.incomplete()).isEqualTo(2);
    }

    @Test
    void theRequesterNeverReceivesItself() {
        HttpTrackerClient http = start(Loopback.V4).http();
        for (int port = 7001; port <= 7005; port++) {
            http.announce(Announce.peer(HASH, port));
        }

        for (int port = 7001; port <= 7005; port++) {
            HttpAnnounceReply reply = http.announce(Announce.peer(HASH, port).numWant(100));

            assertThat(reply.compactPeers())
                    .hasSize(4)
                    .doesNotHaveDuplicates()
                    .doesNotContain(Loopback.socket(Loopback.V4, port));
        }
    }

    @Test
    void aSeederReceivesOnlyLeechers() {
        HttpTrackerClient http = start(Loopback.V4).http();
        http.announce(Announce.peer(HASH, 7001).seeder());
        http.announce(Announce.peer(HASH, 7002).seeder());
        http.announce(Announce.peer(HASH, 7003));
        http.announce(Announce.peer(HASH, 7004));

        HttpAnnounceReply seeder = http.announce(Announce.peer(HASH, 7001).seeder());
        HttpAnnounceReply leecher = http.announce(Announce.peer(HASH, 7003));

        assertThat(seeder.compactPeers())
                .containsExactlyInAnyOrder(Loopback.socket(Loopback.V4, 7003), Loopback.socket(Loopback.V4, 7004));
        assertThat(leecher.compactPeers())
                .containsExactlyInAnyOrder(
                        Loopback.socket(Loopback.V4, 7001),
                        Loopback.socket(Loopback.V4, 7002),
                        Loopback.socket(Loopback.V4, 7004));
    }
}
