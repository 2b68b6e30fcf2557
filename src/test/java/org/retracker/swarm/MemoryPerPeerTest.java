package org.retracker.swarm;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.openjdk.jol.info.GraphLayout;
import org.retracker.protocol.AnnounceEvent;
import org.retracker.protocol.AnnounceRequest;
import org.retracker.protocol.AnnounceResponse;
import org.retracker.testing.FakeClock;

/**
 * Bytes of heap per peer, measured by walking the whole store with JOL ({@link GraphLayout}: every
 * object reachable from the {@link SwarmStore}, headers, padding and slack included) after filling
 * it, minus the empty store. The figures are stable to ±0.2 byte from run to run (only the shard
 * hash seed varies). Each budget sits 5–10% above what was measured on Temurin 25 with compressed
 * oops and class pointers (the default below a 32 GiB heap), so the build fails when the layout
 * grows: even an empty object per peer (16 bytes, and a 4-byte reference to it in a growing array)
 * adds 23 to 48 bytes per peer here and breaks every budget (tried by hand).
 *
 * <p>Where the bytes go (docs/ARCHITECTURE.md "The swarm store"):
 *
 * <ul>
 *   <li>payload: 8 key ({@code ip << 16 | port}) + 4 last-seen second + 20 peer_id = 32 bytes per
 *       IPv4 peer, 24 + 4 + 20 = 48 per IPv6 peer, in three arrays per {@link PeerTable};
 *   <li>growth slack: a table grows from 2 slots ×1.5 (+1): 2, 4, 7, 11, 17, 26, ... so a filled
 *       table is on average about 80% full;
 *   <li>above 16 slots, an {@code int} index of 2 to 4 entries per slot (load ≤ ½): 8 to 16 bytes;
 *   <li>per swarm, shared by its peers: a {@code Swarm} (24 bytes), a {@code PeerTable} (48), the
 *       three array headers (16 each) and the shard entry (3 key longs and a reference, 28 bytes,
 *       at load ≤ ½: 56 to 112). A swarm of one peer costs 184 bytes plus its shard entry.
 * </ul>
 */
class MemoryPerPeerTest {
    /**
     * 10 IPv4 peers per swarm (100 000 peers, 10 000 swarms): measured 55.4 bytes per peer, that is
     * 11 slots × 32 bytes plus ~200 bytes of swarm, over 10 peers.
     */
    static final double BUDGET_TEN_PEER_SWARMS = 60;
    /** The same in IPv6: measured 72.9 bytes per peer. */
    static final double BUDGET_TEN_PEER_SWARMS_V6 = 80;
    /**
     * Swarm sizes falling off as {@code 5000 / rank^0.8} over 20 000 swarms (148 968 peers; the
     * big swarms indexed, a long tail of small ones): measured 75.2 bytes per peer, of which about
     * 27 are the per-swarm cost of the tail.
     */
    static final double BUDGET_SKEWED_MIX = 82;
    /** One IPv4 peer per swarm (50 000 swarms): the per-swarm cost; measured 255.1 bytes per peer. */
    static final double BUDGET_ONE_PEER_SWARMS = 268;

    private final FakeClock clock = new FakeClock();
    private final AnnounceRequest request = new AnnounceRequest();
    private final AnnounceResponse response = new AnnounceResponse(1);
    private final SplittableRandom random = new SplittableRandom(1);

    @Test
    void tenPeerSwarmsStayWithinBudget() {
        assertThat(bytesPerPeer(10_000, rank -> 10, false))
                .as("bytes per peer, 10 IPv4 peers per swarm")
                .isLessThanOrEqualTo(BUDGET_TEN_PEER_SWARMS);
    }

    @Test
    void tenPeerIpv6SwarmsStayWithinBudget() {
        assertThat(bytesPerPeer(10_000, rank -> 10, true))
                .as("bytes per peer, 10 IPv6 peers per swarm")
                .isLessThanOrEqualTo(BUDGET_TEN_PEER_SWARMS_V6);
    }

    @Test
    void skewedSwarmMixStaysWithinBudget() {
        assertThat(bytesPerPeer(20_000, rank -> Math.max(1, (int) (5000 / Math.pow(rank + 1, 0.8))), false))
                .as("bytes per peer, skewed swarm sizes")
                .isLessThanOrEqualTo(BUDGET_SKEWED_MIX);
    }

    @Test
    void onePeerSwarmsStayWithinBudget() {
        assertThat(bytesPerPeer(50_000, rank -> 1, false))
                .as("bytes per peer, one peer per swarm")
                .isLessThanOrEqualTo(BUDGET_ONE_PEER_SWARMS);
    }

    private interface SwarmSizes {
        int of(int rank);
    }

    /** Fills a new store with {@code swarms} swarms of the given sizes, half seeders; returns its bytes per peer. */
    private double bytesPerPeer(int swarms, SwarmSizes sizes, boolean ipv6) {
        SwarmStore store = new SwarmStore(clock);
        long empty = GraphLayout.parseInstance(store).totalSize();
        long peers = 0;
        for (int s = 0; s < swarms; s++) {
            random.nextBytes(request.infoHash);
            for (int p = sizes.of(s); p > 0; p--, peers++) {
                announce(store, peers, ipv6);
            }
        }
        assertThat(store.peerCount()).isEqualTo(peers);
        assertThat(store.swarmCount()).isEqualTo(swarms);
        double perPeer = (double) (GraphLayout.parseInstance(store).totalSize() - empty) / peers;
        System.out.printf(
                "%d peers in %d swarms (%s): %.1f bytes per peer%n", peers, swarms, ipv6 ? "IPv6" : "IPv4", perPeer);
        return perPeer;
    }

    private void announce(SwarmStore store, long n, boolean ipv6) {
        request.reset();
        random.nextBytes(request.peerId);
        if (ipv6) {
            random.nextBytes(request.address);
            request.addressLength = 16;
        } else {
            request.address[0] = 10;
            request.address[1] = (byte) (n >>> 16);
            request.address[2] = (byte) (n >>> 8);
            request.address[3] = (byte) n;
            request.addressLength = 4;
        }
        request.port = 1024 + random.nextInt(60_000);
        request.left = random.nextBoolean() ? 0 : 1000;
        request.event = AnnounceEvent.STARTED;
        store.announce(request, 0, false, response);
    }
}
