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

    private Workload(long seed, int torrents, int peers, int lanes, int sources, byte[] hashes, int[] torrentOf) {
        this.seed = seed;
        this.torrents = torrents;
        this.peers = peers;
        this.lanes = lanes;
        this.sources = sources;
        this.hashes = hashes;
        this.torrentOf = torrentOf;
        this.state = new byte[peers];
    }

    /**
     * Generates the workload.
     *
     * @throws IllegalArgumentException when the peers do not fit the ports of {@code lanes} lanes
     */
    static Workload generate(long seed, int torrents, int peers, double zipf, int lanes) {
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
        return new Workload(seed, torrents, peers, lanes, sources, hashes, torrentOf);
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

    int torrentOf(int peer) {
        return torrentOf[peer];
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

    /** {@code -RB0100-} and the peer's index in 12 decimal digits. */
    static void writePeerId(int peer, ByteBuf out) {
        out.writeBytes(PEER_ID_PREFIX);
        long div = 100_000_000_000L;
        while (div > 0) {
            out.writeByte('0' + (int) ((peer / div) % 10));
            div /= 10;
        }
    }

    /** BEP 15 {@code key}: stable per peer. */
    int key(int peer) {
        return (int) mix(seed + peer);
    }

    /** A quarter of the peers join as seeders. */
    private boolean seedsFromStart(int peer) {
        return (mix(seed * 31 + peer) & 3) == 0;
    }

    /**
     * Chooses the event of the next announce of {@code peer} and moves it to its new state: an
     * absent peer starts; a present one mostly re-announces, sometimes stops, and a leecher sometimes
     * completes. {@code percent} is a random number in 0..99.
     */
    int nextEvent(int peer, int percent) {
        byte s = state[peer];
        if (s == ABSENT) {
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
