package org.retracker.swarm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.retracker.protocol.AnnounceEvent;
import org.retracker.protocol.AnnounceRequest;
import org.retracker.protocol.AnnounceResponse;
import org.retracker.testing.FakeClock;

/** The store's caps: {@link SwarmLimits#maxTorrents} and {@link SwarmLimits#maxPeersPerSwarm}. */
class SwarmLimitsTest {
    private final FakeClock clock = new FakeClock();
    private final AnnounceRequest request = new AnnounceRequest();
    private final AnnounceResponse response = new AnnounceResponse(1000);

    // ---- torrents ---------------------------------------------------------------------------------

    @Test
    void newTorrentInAFullStoreIsRefusedAndNothingIsStored() {
        SwarmStore store = new SwarmStore(clock, new SwarmLimits(2, 100));
        assertThat(announce(store, 1, v4(1), AnnounceEvent.STARTED, 0)).isTrue();
        assertThat(announce(store, 2, v4(2), AnnounceEvent.STARTED, 0)).isTrue();

        response.complete = -1;
        assertThat(announce(store, 3, v4(3), AnnounceEvent.STARTED, 50)).isFalse();

        assertThat(response.complete).as("response untouched").isEqualTo(-1);
        assertThat(store.swarmCount()).isEqualTo(2);
        assertThat(store.peerCount()).isEqualTo(2);
        store.checkInvariants();
    }

    @Test
    void existingSwarmsTakeNewPeersInAFullStore() {
        SwarmStore store = new SwarmStore(clock, new SwarmLimits(1, 100));
        announce(store, 1, v4(1), AnnounceEvent.STARTED, 0);

        assertThat(announce(store, 1, v4(2), AnnounceEvent.STARTED, 50)).isTrue();

        assertThat(response.peers4Count).isEqualTo(1);
        assertThat(store.peerCount()).isEqualTo(2);
    }

    @Test
    void stoppedForAnUnknownTorrentInAFullStoreIsNoRefusal() {
        SwarmStore store = new SwarmStore(clock, new SwarmLimits(1, 100));
        announce(store, 1, v4(1), AnnounceEvent.STARTED, 0);

        assertThat(announce(store, 2, v4(2), AnnounceEvent.STOPPED, 0)).isTrue();
        assertThat(store.swarmCount()).isEqualTo(1);
    }

    @Test
    void roomComesBackWhenASwarmEmptiesByStopOrExpiry() {
        SwarmStore store = new SwarmStore(clock, new SwarmLimits(2, 100));
        announce(store, 1, v4(1), AnnounceEvent.STARTED, 0);
        announce(store, 2, v4(2), AnnounceEvent.STARTED, 0);

        announce(store, 1, v4(1), AnnounceEvent.STOPPED, 0);
        assertThat(announce(store, 3, v4(3), AnnounceEvent.STARTED, 0)).isTrue();
        assertThat(announce(store, 4, v4(4), AnnounceEvent.STARTED, 0)).isFalse();

        clock.advanceSeconds(100);
        announce(store, 3, v4(3), AnnounceEvent.NONE, 0);
        assertThat(store.expire(60)).as("swarm 2's peer").isEqualTo(1);
        assertThat(announce(store, 4, v4(4), AnnounceEvent.STARTED, 0)).isTrue();
        assertThat(store.swarmCount()).isEqualTo(2);
        store.checkInvariants();
    }

    @Test
    void limitsAreValidated() {
        assertThatThrownBy(() -> new SwarmLimits(0, 10)).hasMessageContaining("max torrents");
        assertThatThrownBy(() -> new SwarmLimits(10, 0)).hasMessageContaining("max peers per swarm");
        assertThatThrownBy(() -> new SwarmLimits(10, SwarmLimits.MAX_PEERS_PER_SWARM_LIMIT + 1))
                .hasMessageContaining("max peers per swarm");
    }

    @Test
    void defaultMaxTorrentsFollowsTheHeap() {
        assertThat(SwarmLimits.defaults(4L << 30).maxTorrents()).isEqualTo(4_194_304);
        assertThat(SwarmLimits.defaults(1L << 20).maxTorrents())
                .as("never below 1024")
                .isEqualTo(1024);
        assertThat(SwarmLimits.resolveMaxTorrents(500, 4L << 30)).isEqualTo(500);
        assertThat(SwarmLimits.resolveMaxTorrents(SwarmLimits.AUTO_MAX_TORRENTS, 1L << 30))
                .isEqualTo(1_048_576);
    }

    // ---- peers per swarm --------------------------------------------------------------------------

    @Test
    void newPeerInAFullSwarmReplacesTheLeastRecentlySeen() {
        SwarmStore store = new SwarmStore(clock, new SwarmLimits(10, 3));
        announce(store, 1, v4(1), AnnounceEvent.STARTED, 0);
        clock.advanceSeconds(10);
        announce(store, 1, v4(2), AnnounceEvent.STARTED, 0);
        clock.advanceSeconds(10);
        announce(store, 1, v4(3), AnnounceEvent.STARTED, 0);
        clock.advanceSeconds(10);
        announce(store, 1, v4(1), AnnounceEvent.NONE, 0); // v4(2) is now the stalest

        announce(store, 1, v4(4), AnnounceEvent.STARTED, 50);

        assertThat(lastBytes(response.peers4, response.peers4Count)).containsExactlyInAnyOrder(1, 3);
        assertThat(response.incomplete).isEqualTo(3);
        assertThat(store.peerCount()).isEqualTo(3);
        assertThat(store.evictedPeers()).isEqualTo(1);
        store.checkInvariants();
    }

    @Test
    void aReannouncingPeerOfAFullSwarmEvictsNobody() {
        SwarmStore store = new SwarmStore(clock, new SwarmLimits(10, 2));
        announce(store, 1, v4(1), AnnounceEvent.STARTED, 0);
        announce(store, 1, v4(2), AnnounceEvent.STARTED, 0);

        announce(store, 1, v4(1), AnnounceEvent.NONE, 50);
        announce(store, 1, v4(2), AnnounceEvent.COMPLETED, 50);

        assertThat(store.evictedPeers()).isZero();
        assertThat(response.complete).isEqualTo(1);
        assertThat(response.incomplete).isEqualTo(1);
    }

    @Test
    void aNewcomerOfOneFamilyMayReplaceAPeerOfTheOther() {
        SwarmStore store = new SwarmStore(clock, new SwarmLimits(10, 2));
        announce(store, 1, v4(1), AnnounceEvent.STARTED, 0);
        clock.advanceSeconds(1);
        announce(store, 1, v6(2), AnnounceEvent.STARTED, 0);
        clock.advanceSeconds(1);

        announce(store, 1, v6(3), AnnounceEvent.STARTED, 50);

        assertThat(response.peers6Count).as("the other IPv6 peer").isEqualTo(1);
        assertThat(response.peers4Count).as("the IPv4 peer was the stalest").isZero();
        assertThat(store.peerCount()).isEqualTo(2);
        store.checkInvariants();
    }

    @Test
    void inALargeFullSwarmNewcomersReplaceMostlyStalePeers() {
        int max = 1000;
        SwarmStore store = new SwarmStore(clock, new SwarmLimits(10, max));
        for (int i = 0; i < max / 2; i++) {
            announce(store, 1, v4(i), AnnounceEvent.STARTED, 0); // stale: 10.0.x.x, seen at 0
        }
        clock.advanceSeconds(100);
        for (int i = 0; i < max / 2; i++) {
            announce(store, 1, v4(0x10000 + i), AnnounceEvent.STARTED, 0); // fresh: 10.1.x.x
        }
        clock.advanceSeconds(100);
        int newcomers = 200;
        for (int i = 0; i < newcomers; i++) {
            announce(store, 1, v4(0x20000 + i), AnnounceEvent.STARTED, 0); // 10.2.x.x
        }

        announce(store, 1, v4(0x30000), AnnounceEvent.NONE, 0);
        announce(store, 1, v4(0x30000), AnnounceEvent.STOPPED, 0);
        int[] byAge = countBySecondByte(store, max);
        assertThat(store.peerCount()).isEqualTo(max);
        assertThat(byAge[2]).as("every newcomer got in").isEqualTo(newcomers);
        // The least recently seen of 8 random peers is stale unless all 8 are fresh: at most
        // (1 - 300/1000)^8 = 5.8 % of the time here, about 4 of the 200 replacements on average.
        assertThat(byAge[1]).as("fresh peers replaced").isGreaterThanOrEqualTo(max / 2 - 20);
        assertThat(byAge[0]).as("stale peers left").isLessThanOrEqualTo(max / 2 - newcomers + 20);
        assertThat(store.evictedPeers()).isEqualTo(newcomers + 1);
        store.checkInvariants();
    }

    @Test
    void randomOperationsKeepBothCaps() {
        Random random = new Random(7);
        SwarmStore store = new SwarmStore(clock, new SwarmLimits(5, 40));
        for (int step = 0; step < 20_000; step++) {
            int hash = random.nextInt(8);
            byte[] address = random.nextInt(4) == 0 ? v6(random.nextInt(60)) : v4(random.nextInt(60));
            AnnounceEvent event = random.nextInt(10) == 0 ? AnnounceEvent.STOPPED : AnnounceEvent.NONE;
            boolean taken = announce(store, hash, address, event, random.nextInt(60));
            if (!taken) {
                assertThat(store.swarmCount()).isEqualTo(5);
            }
            if (random.nextInt(50) == 0) {
                clock.advanceSeconds(random.nextInt(30));
                store.expire(60);
            }
            store.checkInvariants();
        }
        assertThat(store.evictedPeers()).as("the swarms reached their cap").isPositive();
    }

    // ---- helpers ----------------------------------------------------------------------------------

    private boolean announce(SwarmStore store, int hash, byte[] address, AnnounceEvent event, int numWant) {
        request.reset();
        Arrays.fill(request.infoHash, (byte) 0);
        request.infoHash[0] = (byte) hash;
        Arrays.fill(request.peerId, (byte) 'p');
        System.arraycopy(address, 0, request.address, 0, address.length);
        request.addressLength = address.length;
        request.port = 6881;
        request.left = 100;
        request.event = event;
        if (event == AnnounceEvent.COMPLETED) {
            request.left = 0;
        }
        return store.announce(request, numWant, true, response);
    }

    /** Peers of swarm 1 by the second byte of their address (10.N.x.x), seen from a new leecher. */
    private int[] countBySecondByte(SwarmStore store, int max) {
        int[] counts = new int[4];
        announce(store, 1, v4(0x30001), AnnounceEvent.STARTED, max);
        for (int i = 0; i < response.peers4Count; i++) {
            counts[response.peers4[i * 6 + 1]]++;
        }
        return counts;
    }

    private static int[] lastBytes(byte[] peers, int count) {
        int[] out = new int[count];
        for (int i = 0; i < count; i++) {
            out[i] = peers[i * 6 + 3] & 0xff;
        }
        return out;
    }

    private static byte[] v4(int i) {
        return new byte[] {10, (byte) (i >>> 16), (byte) (i >>> 8), (byte) i};
    }

    private static byte[] v6(int i) {
        byte[] a = new byte[16];
        a[0] = 0x20;
        a[1] = 0x01;
        a[15] = (byte) i;
        return a;
    }
}
