package org.retracker.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.retracker.core.TrackerPolicy;

/** HTTP announce replies (BEP 3, 7, 23) as a client on 127.0.0.1 or ::1 receives them. */
class HttpAnnounceTest extends LoopbackTrackerTest {
    private static final byte[] HASH = Ids.infoHash(1);

    @ParameterizedTest
    @ValueSource(strings = {Loopback.V4, Loopback.V6})
    void compactAnnounceHandsThePeerToTheNextClient(String host) {
        HttpTrackerClient http = start(host).http(host);

        HttpAnnounceReply first = http.announce(Announce.peer(HASH, 6881));
        HttpAnnounceReply second = http.announce(Announce.peer(HASH, 6882));

        assertThat(first.compactPeers()).isEmpty();
        assertThat(second.compactPeers()).containsExactly(Loopback.socket(host, 6881));
        boolean v6 = host.equals(Loopback.V6);
        assertThat(v6 ? second.peers4() : second.peers6()).isEmpty();
    }

    @Test
    void peers6IsAbsentWhileTheSwarmHasOnlyIpv4Peers() {
        HttpTrackerClient http = start(Loopback.V4).http();

        http.announce(Announce.peer(HASH, 6881));
        HttpAnnounceReply reply = http.announce(Announce.peer(HASH, 6882));

        assertThat(reply.has("peers")).isTrue();
        assertThat(reply.has("peers6")).isFalse();
    }

    @Test
    void anIpv6PeerReachesAnIpv4ClientInPeers6AndTheOtherWayRound() {
        TestTracker t = start(Loopback.V4, Loopback.V6);

        t.http(Loopback.V6).announce(Announce.peer(HASH, 7001));
        HttpAnnounceReply v4Client = t.http(Loopback.V4).announce(Announce.peer(HASH, 7002));
        HttpAnnounceReply v6Client = t.http(Loopback.V6).announce(Announce.peer(HASH, 7003));

        assertThat(v4Client.peers4()).isEmpty();
        assertThat(v4Client.peers6()).containsExactly(Loopback.socket(Loopback.V6, 7001));
        assertThat(v6Client.peers6()).containsExactly(Loopback.socket(Loopback.V6, 7001));
        assertThat(v6Client.peers4()).containsExactly(Loopback.socket(Loopback.V4, 7002));
    }

    @ParameterizedTest
    @ValueSource(strings = {Loopback.V4, Loopback.V6})
    void nonCompactReplyListsDictionariesWithIpAndPortButNoPeerId(String host) {
        HttpTrackerClient http = start(host).http(host);
        http.announce(Announce.peer(HASH, 6881).peerId(Ids.peerId(111)));

        HttpAnnounceReply reply = http.announce(Announce.peer(HASH, 6882).compact(false));

        List<HttpAnnounceReply.PeerDict> peers = reply.peerDicts();
        assertThat(peers).hasSize(1);
        HttpAnnounceReply.PeerDict peer = peers.get(0);
        assertThat(peer.keys())
                .as("the tracker keeps no peer ids, as if no_peer_id were sent (BEP 23)")
                .containsExactlyInAnyOrder("ip", "port");
        assertThat(peer.peerId()).isNull();
        assertThat(peer.socketAddress()).isEqualTo(Loopback.socket(host, 6881));
    }

    @Test
    void noPeerIdLeavesThePeerIdOut() {
        HttpTrackerClient http = start(Loopback.V4).http();
        http.announce(Announce.peer(HASH, 6881));

        HttpAnnounceReply reply =
                http.announce(Announce.peer(HASH, 6882).compact(false).noPeerId());

        List<HttpAnnounceReply.PeerDict> peers = reply.peerDicts();
        assertThat(peers).hasSize(1);
        assertThat(peers.get(0).keys()).containsExactlyInAnyOrder("ip", "port");
        assertThat(peers.get(0).peerId()).isNull();
        assertThat(peers.get(0).socketAddress()).isEqualTo(Loopback.socket(Loopback.V4, 6881));
    }

    @Test
    void completeAndIncompleteCountSeedersAndLeechers() {
        HttpTrackerClient http = start(Loopback.V4).http();
        http.announce(Announce.peer(HASH, 6881).seeder());
        http.announce(Announce.peer(HASH, 6882));

        HttpAnnounceReply reply = http.announce(Announce.peer(HASH, 6883));

        assertThat(reply.complete()).isEqualTo(1);
        assertThat(reply.incomplete()).isEqualTo(2);
    }

    @Test
    void intervalsComeFromThePolicy() {
        TrackerPolicy policy = new TrackerPolicy(1234, 567, 50, 200, 3600, 74);
        HttpTrackerClient http =
                start(TestTracker.on(Loopback.V4).policy(policy)).http();

        HttpAnnounceReply reply = http.announce(Announce.peer(HASH, 6881));

        assertThat(reply.interval()).isEqualTo(1234);
        assertThat(reply.minInterval()).isEqualTo(567);
    }

    @Test
    void trackerIdIsSentOnlyWhenConfigured() {
        HttpAnnounceReply without = start(Loopback.V4).http().announce(Announce.peer(HASH, 6881));
        HttpAnnounceReply with = start(TestTracker.on(Loopback.V4).trackerId("retracker-it"))
                .http()
                .announce(Announce.peer(HASH, 6881));

        assertThat(without.has("tracker id")).isFalse();
        assertThat(Bdecode.string(with.dict(), "tracker id")).isEqualTo("retracker-it");
    }
}
