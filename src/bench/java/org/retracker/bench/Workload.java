package org.retracker.bench;

import io.netty.buffer.ByteBuf;
import java.io.BufferedWriter;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.SplittableRandom;
import org.jspecify.annotations.Nullable;

/**
 * The simulated swarms: {@code torrents} info hashes and {@code peers} peers, all derived from one
 * seed, so a run can be repeated and a whitelist written for it beforehand.
 *
 * <ul>
 *   <li><b>Info hashes</b>: torrent {@code t} gets the {@code t}-th 20 bytes of a {@link
 *       SplittableRandom} seeded with {@code seed}, so the first N hashes are the same whatever
 *       {@code torrents} is (one whitelist serves every smaller run).
 *   <li><b>Popularity</b>: each peer belongs to one torrent for the whole run, drawn from a Zipf
 *       distribution ({@code P(rank r) ~ 1 / r^zipf}; 0 is uniform), so requests are skewed the way
 *       real trackers see them: a few huge swarms, a long tail of small ones.
 *   <li><b>Identity</b>: the tracker knows a peer by source address and announced port. Peer
 *       {@code i} has address {@code 127.0.0.(1 + i % S)} and port {@code 1 + i / S}, where {@code
 *       S}, the number of source addresses, depends on the number of peers only: the peers need
 *       {@code ceil(peers / 65535)} addresses, rounded up to a multiple of 16. So a peer is the same
 *       peer whatever the lanes, and a UDP prefill with 16 sockets is re-announced by 64 HTTP
 *       connections. Every 127/8 address works on Linux's loopback without set-up.
 *   <li><b>Lanes</b>: a peer is fixed to one lane (a UDP socket or an HTTP connection slot), peer
 *       {@code i} to lane {@code i % lanes}, and lane {@code l} sends from address {@code l % S}:
 *       the address of each of its peers, as {@code S} divides {@code lanes}. When it does not (a
 *       few lanes, as in tests), {@code S} is the largest divisor of {@code lanes} up to 254, and
 *       identities then depend on the lanes.
 *   <li><b>State</b>: absent, leeching or seeding, one byte per peer. A peer's state is read and
 *       written only by the event loop of its lane.
 *   <li><b>Churn</b> ({@code --churn-pct}, off by default): a share of a present peer's announces
 *       end its identity, half with {@code stopped} and half without a word (the tracker must expire
 *       the old entry). The next announce from that slot is {@code started} by a new peer: the
 *       slot's <i>epoch</i> is incremented, which gives it a new peer_id, key and torrent (drawn
 *       from the same popularity: the torrent of another slot's first identity). Slots keep their
 *       address and port. So the live set stays at most {@code peers}, while the identities seen
 *       over a run are unbounded, and swarms are created and emptied as peers move.
 * </ul>
 */
final class Workload {
    static final int HASH_BYTES = 20;
    /** Source addresses used: 127.0.0.1 .. 127.0.0.254 at most. */
    static final int MAX_SOURCES = 254;
    /** Source addresses come in steps of 16: the UDP sockets (16) and HTTP connections (64) by default. */
    static final int SOURCE_STEP = 16;
    /** Ports a peer may announce: 1..65535. */
    static final int MAX_PORT = 65535;
    /** What a leecher says it has {@code left}: 1 GiB. */
    static final long LEFT_BYTES = 1L << 30;
    /** peer_id prefix, Azureus style: "RB" client, version 0.1.0. */
    private static final byte[] PEER_ID_PREFIX = "-RB0100-".getBytes(StandardCharsets.US_ASCII);

    static final int EVENT_NONE = 0;
    static final int EVENT_COMPLETED = 1;
    static final int EVENT_STARTED = 2;
    static final int EVENT_STOPPED = 3;

    private static final byte ABSENT = 0;
    private static final byte LEECHING = 1;
    private static final byte SEEDING = 2;
    /** Absent after a churned {@code stopped}: the next start is a new identity. */
    private static final byte GONE = 3;
    /** Decimal digits of the peer_id after the prefix. */
    private static final long PEER_ID_NUMBERS = 1_000_000_000_000L;

    /** Of a hundred announces of a present peer: this many are {@code stopped}. */
    private static final int STOPPED_PERCENT = 1;
    /** ... and this many (of a leecher's) {@code completed}. */
    private static final int COMPLETED_PERCENT = 2;

    final int torrents;
    final int peers;
    final int lanes;
    private final long seed;
    /** Source addresses: 127.0.0.1 .. 127.0.0.sources. */
    private final int sources;

    private final byte[] hashes;
    private final int[] torrentOf;
    private final byte[] state;
    /** Percent of a present peer's announces that end its identity (churn); 0 = none. */
    private final double churnPercent;
    /** Identities a slot has had before its current one; null without churn. */
    private final int @Nullable [] epoch;

    private Workload(
            long seed,
            int torrents,
            int peers,
            int lanes,
            int sources,
            byte[] hashes,
            int[] torrentOf,
            double churnPercent) {
        this.seed = seed;
        this.torrents = torrents;
        this.peers = peers;
        this.lanes = lanes;
        this.sources = sources;
        this.hashes = hashes;
        this.torrentOf = torrentOf;
        this.state = new byte[peers];
        this.churnPercent = churnPercent;
        this.epoch = churnPercent > 0 ? new int[peers] : null;
    }

    static Workload generate(long seed, int torrents, int peers, double zipf, int lanes) {
        return generate(seed, torrents, peers, zipf, lanes, 0);
    }

    /**
     * Generates the workload.
     *
     * @throws IllegalArgumentException when the peers do not fit the ports of {@code lanes} lanes
     */
    static Workload generate(long seed, int torrents, int peers, double zipf, int lanes, double churnPercent) {
        if (!(churnPercent >= 0) || churnPercent > 100) {
            throw new IllegalArgumentException("--churn-pct must be within 0..100");
        }
        if (torrents < 1 || peers < 1 || lanes < 1) {
            throw new IllegalArgumentException("torrents, peers and lanes must be positive");
        }
        if (!(zipf >= 0) || zipf > 10) {
            throw new IllegalArgumentException("--zipf must be within 0..10");
        }
        int sources = sources(peers, lanes);
        if ((long) peers > (long) MAX_PORT * sources) {
            long needed = ((long) peers + MAX_PORT - 1) / MAX_PORT;
            throw new IllegalArgumentException(peers + " peers need at least " + needed
                    + " sockets/connections (each source address has 65535 ports)");
        }
        byte[] hashes = infoHashes(seed, torrents);
        int[] torrentOf = new int[peers];
        double[] cdf = new double[torrents];
        double sum = 0;
        for (int r = 0; r < torrents; r++) {
            sum += Math.pow(r + 1, -zipf);
            cdf[r] = sum;
        }
        SplittableRandom rng = new SplittableRandom(mix(seed ^ 0x7EE5L));
        for (int i = 0; i < peers; i++) {
            double u = rng.nextDouble() * sum;
            int lo = 0;
            int hi = torrents - 1;
            while (lo < hi) {
                int mid = (lo + hi) >>> 1;
                if (cdf[mid] < u) {
                    lo = mid + 1;
                } else {
                    hi = mid;
                }
            }
            torrentOf[i] = lo;
        }
        return new Workload(seed, torrents, peers, lanes, sources, hashes, torrentOf, churnPercent);
    }

    /**
     * Source addresses for {@code peers} peers on {@code lanes} lanes: the addresses the peers need,
     * rounded up to a multiple of {@link #SOURCE_STEP}, when that divides {@code lanes}; else the
     * largest divisor of {@code lanes} up to {@link #MAX_SOURCES}.
     */
    static int sources(int peers, int lanes) {
        int needed = (int) (((long) peers + MAX_PORT - 1) / MAX_PORT);
        int rounded = Math.max(SOURCE_STEP, (needed + SOURCE_STEP - 1) / SOURCE_STEP * SOURCE_STEP);
        if (rounded <= MAX_SOURCES && lanes % rounded == 0) {
            return rounded;
        }
        for (int s = Math.min(lanes, MAX_SOURCES); s > 1; s--) {
            if (lanes % s == 0) {
                return s;
            }
        }
        return 1;
    }

    static byte[] infoHashes(long seed, int torrents) {
        byte[] out = new byte[torrents * HASH_BYTES];
        SplittableRandom rng = new SplittableRandom(seed);
        byte[] chunk = new byte[24];
        for (int t = 0; t < torrents; t++) {
            for (int j = 0; j < 3; j++) {
                long v = rng.nextLong();
                for (int b = 0; b < 8; b++) {
                    chunk[j * 8 + b] = (byte) (v >>> (56 - 8 * b));
                }
            }
            System.arraycopy(chunk, 0, out, t * HASH_BYTES, HASH_BYTES);
        }
        return out;
    }

    /** The info hashes of a run as opentracker's whitelist: one lowercase hex hash a line. */
    static void writeWhitelist(Path file, long seed, int torrents) throws IOException {
        byte[] hashes = infoHashes(seed, torrents);
        HexFormat hex = HexFormat.of();
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (BufferedWriter w = Files.newBufferedWriter(tmp, StandardCharsets.US_ASCII)) {
            for (int t = 0; t < torrents; t++) {
                w.write(hex.formatHex(hashes, t * HASH_BYTES, (t + 1) * HASH_BYTES));
                w.write('\n');
            }
        }
        Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    /** SplitMix64's finaliser: a cheap, well-mixed hash of a long. */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    /** The torrent of the peer in slot {@code peer} now (its first identity's, or another slot's). */
    int torrentOf(int peer) {
        int e = epochOf(peer);
        if (e == 0) {
            return torrentOf[peer];
        }
        return torrentOf[(int) Long.remainderUnsigned(mix(seed ^ ((long) e << 32 | peer)), peers)];
    }

    private int epochOf(int peer) {
        int[] ep = epoch;
        return ep == null ? 0 : ep[peer];
    }

    /** The number of the identity in slot {@code peer}: the slot itself first, then one per epoch. */
    private long identity(int peer) {
        return (long) epochOf(peer) * peers + peer;
    }

    /** Peers of lane {@code lane}: {@code lane}, {@code lane + lanes}, ... */
    int peersIn(int lane) {
        return lane >= peers ? 0 : (peers - lane + lanes - 1) / lanes;
    }

    /** The {@code k}-th peer of {@code lane}. */
    int peer(int lane, int k) {
        return lane + k * lanes;
    }

    int port(int peer) {
        return 1 + peer / sources;
    }

    /** The address lane {@code lane} (and each of its peers) sends from, port chosen by the system. */
    InetSocketAddress source(int lane) {
        byte[] ip = {127, 0, 0, (byte) (1 + lane % sources)};
        try {
            return new InetSocketAddress(InetAddress.getByAddress(ip), 0);
        } catch (UnknownHostException e) {
            throw new AssertionError(e); // four bytes are always an address
        }
    }

    void writeInfoHash(int torrent, ByteBuf out) {
        out.writeBytes(hashes, torrent * HASH_BYTES, HASH_BYTES);
    }

    byte infoHashByte(int torrent, int i) {
        return hashes[torrent * HASH_BYTES + i];
    }

    /** {@code -RB0100-} and the number of the slot's identity (its index first) in 12 decimal digits. */
    void writePeerId(int peer, ByteBuf out) {
        out.writeBytes(PEER_ID_PREFIX);
        long id = identity(peer) % PEER_ID_NUMBERS;
        long div = PEER_ID_NUMBERS / 10;
        while (div > 0) {
            out.writeByte('0' + (int) ((id / div) % 10));
            div /= 10;
        }
    }

    /** BEP 15 {@code key}: stable per identity. */
    int key(int peer) {
        return (int) mix(seed + identity(peer));
    }

    /** A quarter of the identities join as seeders. */
    private boolean seedsFromStart(int peer) {
        return (mix(seed * 31 + identity(peer)) & 3) == 0;
    }

    /**
     * Chooses the event of the next announce of {@code peer} and moves it to its new state: an
     * absent peer starts; a present one mostly re-announces, sometimes stops, and a leecher sometimes
     * completes. {@code percent} is a random number in 0..99.
     */
    int nextEvent(int peer, int percent) {
        return nextEvent(peer, percent, 100);
    }

    /**
     * Like {@link #nextEvent(int, int)}, with churn: {@code churnDraw} is a random number in
     * [0, 100); below half of {@code --churn-pct} the peer stops for good, below all of it the peer
     * vanishes and a new one starts in its slot at once.
     */
    int nextEvent(int peer, int percent, double churnDraw) {
        byte s = state[peer];
        int[] ep = epoch;
        if (s == ABSENT || s == GONE) {
            if (s == GONE && ep != null) {
                ep[peer]++;
            }
            state[peer] = seedsFromStart(peer) ? SEEDING : LEECHING;
            return EVENT_STARTED;
        }
        if (ep != null && churnDraw < churnPercent) {
            if (churnDraw < churnPercent / 2) {
                state[peer] = GONE;
                return EVENT_STOPPED;
            }
            ep[peer]++; // the old identity says nothing: the tracker expires it
            state[peer] = seedsFromStart(peer) ? SEEDING : LEECHING;
            return EVENT_STARTED;
        }
        if (percent < STOPPED_PERCENT) {
            state[peer] = ABSENT;
            return EVENT_STOPPED;
        }
        if (s == LEECHING && percent < STOPPED_PERCENT + COMPLETED_PERCENT) {
            state[peer] = SEEDING;
            return EVENT_COMPLETED;
        }
        return EVENT_NONE;
    }

    /** The next event of {@code peer} with the lane's random numbers (churn drawn only when on). */
    int nextEvent(int peer, SplittableRandom rng) {
        int percent = rng.nextInt(100);
        return epoch == null ? nextEvent(peer, percent) : nextEvent(peer, percent, rng.nextDouble() * 100);
    }

    /** {@code started}, for {@code --insert-only}: every peer announces once. */
    int startEvent(int peer) {
        state[peer] = seedsFromStart(peer) ? SEEDING : LEECHING;
        return EVENT_STARTED;
    }

    /** Bytes {@code left} for the peer's current state. */
    long left(int peer) {
        return state[peer] == SEEDING ? 0 : LEFT_BYTES;
    }
}
