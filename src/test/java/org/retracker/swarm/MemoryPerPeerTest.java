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
 *   <li>payload: one long per IPv4 peer (address, port and a 16-bit last-seen tick) + a 2-byte
 *       client code = 10 bytes; IPv6: three longs + 2 = 26 bytes; no peer_id;
 *   <li>growth slack: a small table takes the next size class (1, 2, 3, ... 8, 10, 12, 15, ... by a
 *       quarter to 64, by half to 256 slots), so it is 80–100 % full; a big one adds chunks of 256
 *       slots, all full but the last;
 *   <li>above 16 slots, an index of about 4/3 {@code int} entries per slot: about 5.3 bytes (a
 *       big table's index is rebuilt a quarter larger than it needs, so up to 6.7);
 *   <li>per swarm, shared by its peers: the {@code Swarm} (64 bytes: it is its own IPv4 table and
 *       holds its info hash), one block header (16 bytes) and the shard entry (a reference and an
 *       int hash, 8 bytes at load 3/8 to 3/4: 11 to 21). A swarm of one IPv4 peer costs about
 *       112 bytes in all;
 *   <li>free blocks kept for reuse ({@link PeerBlocks}): at most 32 KiB or 1/32 of the storage.
 * </ul>
 */
class MemoryPerPeerTest {
    /**
     * 10 IPv4 peers per swarm (100 000 peers, 10 000 swarms): measured 19.5 bytes per peer, that is
     * 10 slots of 10 bytes plus ~95 bytes of swarm, over 10 peers.
     */
    static final double BUDGET_TEN_PEER_SWARMS = 21;
    /** The same in IPv6: measured 39.5 bytes per peer. */
    static final double BUDGET_TEN_PEER_SWARMS_V6 = 42;
    /**
     * Swarm sizes falling off as {@code 5000 / rank^0.8} over 20 000 swarms (148 968 peers; the
     * big swarms chunked and indexed, a long tail of small ones): measured 27.8 bytes per peer, of
     * which about 13 are the per-swarm cost of the tail.
     */
    static final double BUDGET_SKEWED_MIX = 30;
    /** One IPv4 peer per swarm (50 000 swarms): the per-swarm cost; measured 111.7 bytes per peer. */
    static final double BUDGET_ONE_PEER_SWARMS = 120;

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
