package org.retracker.bench.jmh;

import java.nio.charset.StandardCharsets;
import java.time.InstantSource;
import java.util.SplittableRandom;
import org.retracker.core.AnnounceService;
import org.retracker.core.TrackerPolicy;
import org.retracker.protocol.AnnounceEvent;
import org.retracker.protocol.AnnounceRequest;
import org.retracker.protocol.AnnounceResponse;
import org.retracker.protocol.FailureReason;
import org.retracker.swarm.SwarmStore;

/**
 * A tracker prefilled the way a public tracker looks, and the announces its peers send.
 *
 * <p>{@link #TORRENTS} swarms whose sizes fall off with rank as {@code 5000 / rank^0.8} (at least
 * one peer): the largest has 5000 peers, about 58 000 have a single one, ~245 000 peers in all.
 * One peer in eight is IPv6; half of the peers are seeders. Every peer re-announces at the same
 * rate, so the requests are a uniform sample of the peers (fixed seed): big swarms get most of the
 * traffic, as they do in life. Each request is a regular re-announce ({@code event} none, same
 * {@code left}), so the store's shape does not change while a benchmark runs and what is measured
 * is the steady state, not the growth of tables.
 *
 * <p>The store runs on the system clock, as in production, with the default {@link TrackerPolicy}
 * (numwant 50, at most 200).
 */
final class Population {
    static final int TORRENTS = 100_000;
    /** Requests cycled through: a power of two, so the next index is a mask. */
    static final int REQUESTS = 1 << 16;

    static final int LARGEST_SWARM = 5000;
    static final double FALL_OFF = 0.8;

    final TrackerPolicy policy = TrackerPolicy.defaults();
    final SwarmStore store = new SwarmStore(InstantSource.system());
    final AnnounceService service = new AnnounceService(policy, store);

    final byte[][] infoHashes = new byte[TORRENTS][];
    final int peers;
    final int[] torrentOf;
    /** 4 (IPv4) or 16 (IPv6) bytes. */
    final byte[][] addressOf;

    final int[] portOf;
    final byte[][] peerIdOf;
    final long[] leftOf;
    /** Peer index of each request. */
    final int[] requests = new int[REQUESTS];

    Population() {
        SplittableRandom random = new SplittableRandom(42);
        int total = 0;
        for (int t = 0; t < TORRENTS; t++) {
            infoHashes[t] = randomBytes(random, AnnounceRequest.ID_LENGTH);
            total += swarmSize(t);
        }
        peers = total;
        torrentOf = new int[peers];
        addressOf = new byte[peers][];
        portOf = new int[peers];
        peerIdOf = new byte[peers][];
        leftOf = new long[peers];
        int p = 0;
        for (int t = 0; t < TORRENTS; t++) {
            for (int k = swarmSize(t); k > 0; k--, p++) {
                torrentOf[p] = t;
                addressOf[p] = p % 8 == 7 ? ipv6(p) : ipv4(p);
                portOf[p] = 1024 + random.nextInt(65536 - 1024);
                peerIdOf[p] = peerId(random);
                leftOf[p] = random.nextBoolean() ? 0 : 1 + random.nextLong(1L << 32);
            }
        }
        AnnounceRequest request = new AnnounceRequest();
        AnnounceResponse response = new AnnounceResponse(policy.numwantMax());
        for (p = 0; p < peers; p++) {
            fill(request, p, AnnounceEvent.STARTED);
            request.numWant = 0;
            FailureReason failure = service.announce(request, policy.numwantMax(), true, response);
            if (failure != null) {
                throw new IllegalStateException("prefill refused: " + failure.message());
            }
        }
        if (store.peerCount() != peers || store.swarmCount() != TORRENTS) {
            throw new IllegalStateException("prefill: " + store.peerCount() + " peers in " + store.swarmCount());
        }
        for (int i = 0; i < REQUESTS; i++) {
            requests[i] = random.nextInt(peers);
        }
    }

    static int swarmSize(int rank) {
        return Math.max(1, (int) (LARGEST_SWARM / Math.pow(rank + 1, FALL_OFF)));
    }

    /** Sets {@code request} as the transport would after decoding peer {@code p}'s announce. */
    void fill(AnnounceRequest request, int p, AnnounceEvent event) {
        request.reset();
        System.arraycopy(infoHashes[torrentOf[p]], 0, request.infoHash, 0, AnnounceRequest.ID_LENGTH);
        System.arraycopy(peerIdOf[p], 0, request.peerId, 0, AnnounceRequest.ID_LENGTH);
        byte[] address = addressOf[p];
        System.arraycopy(address, 0, request.address, 0, address.length);
        request.addressLength = address.length;
        request.port = portOf[p];
        request.left = leftOf[p];
        request.event = event;
        request.compact = true;
    }

    private static byte[] ipv4(int p) {
        return new byte[] {10, (byte) (p >>> 16), (byte) (p >>> 8), (byte) p};
    }

    private static byte[] ipv6(int p) {
        byte[] a = new byte[16];
        a[0] = 0x20;
        a[1] = 0x01;
        a[2] = 0x0d;
        a[3] = (byte) 0xb8;
        a[12] = (byte) (p >>> 24);
        a[13] = (byte) (p >>> 16);
        a[14] = (byte) (p >>> 8);
        a[15] = (byte) p;
        return a;
    }

    /** An Azureus-style id as qBittorrent sends it: {@code -qB4650-} and 12 random characters. */
    private static byte[] peerId(SplittableRandom random) {
        byte[] id = "-qB4650-............".getBytes(StandardCharsets.US_ASCII);
        String chars = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
        for (int i = 8; i < id.length; i++) {
            id[i] = (byte) chars.charAt(random.nextInt(chars.length()));
        }
        return id;
    }

    static byte[] randomBytes(SplittableRandom random, int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }
}
