package org.retracker.swarm;

/**
 * How much the {@link SwarmStore} holds at most: a public tracker must survive a flood of random
 * info hashes and a client announcing thousands of ports, without refusing a big legitimate load.
 *
 * <ul>
 *   <li>{@code maxTorrents}: swarms in the whole store. At the cap, the first announce of a new
 *       torrent is refused ({@code "tracker is full: too many torrents"}) and nothing is stored;
 *       existing swarms are served as usual, and a new torrent gets in once a swarm empties. Counted
 *       exactly, with one atomic add when a swarm is created or freed (never per announce).
 *   <li>{@code maxPeersPerSwarm}: peers of one swarm, both address families together. At the cap, a
 *       new peer replaces the least recently seen of a small random sample ({@link
 *       SwarmStore#EVICTION_SAMPLE} peers; all of them when the swarm is smaller): stale peers go
 *       first, and nobody can lock newcomers out of a swarm by filling it.
 * </ul>
 *
 * @param maxTorrents the most swarms the store holds, from 1 to {@link #MAX_TORRENTS_LIMIT}
 * @param maxPeersPerSwarm the most peers one swarm holds, from 1 to {@link
 *     #MAX_PEERS_PER_SWARM_LIMIT}
 * @param peerLifetimeSeconds the longest a peer is kept without announcing (the expiry sweep's
 *     age, {@code age}): the store sizes its 16-bit clock for it ({@link SwarmStore#tickSeconds})
 */
public record SwarmLimits(int maxTorrents, int maxPeersPerSwarm, int peerLifetimeSeconds) {
    /** The peer lifetime when none is given: an hour, the tracker's default {@code age}. */
    public static final int DEFAULT_PEER_LIFETIME_SECONDS = 3600;

    /** The most seconds a peer lifetime may be: a week, as {@code age} allows. */
    public static final int MAX_PEER_LIFETIME_SECONDS = 7 * 24 * 3600;

    /**
     * Heap budgeted per torrent when {@code max_torrents} is left to its default (0): the cap is the
     * JVM's maximum heap divided by this. A flood of one-peer torrents up to that cap fills about an
     * eighth of the heap (a swarm of one IPv4 peer costs about 128 bytes, {@code
     * MemoryPerPeerTest}), and a real tracker with that many torrents of a few peers each still fits:
     * -Xmx4g allows 4,194,304 torrents, 1 GiB 1,048,576.
     */
    public static final int HEAP_BYTES_PER_TORRENT = 1024;

    /** The configuration value that asks for {@link #autoMaxTorrents} ({@code max_torrents: 0}). */
    public static final int AUTO_MAX_TORRENTS = 0;

    /** Hard ceiling: 256 shards of at most 2^22 swarms each stay well inside int-indexed arrays. */
    public static final int MAX_TORRENTS_LIMIT = 1 << 30;

    /**
     * Default peers per swarm: 2,000,000. Far above the largest swarms public trackers report (a few
     * hundred thousand peers) and above the 1.24 M peers of the top torrent in {@code
     * scripts/bench.sh --scale 10000000} (10 M peers over 1 M torrents, Zipf 1.1), so it never bites
     * a real swarm; it bounds what one client announcing many ports (or IPv6 addresses) can make a
     * single swarm cost: about 30 MB of IPv4 peers, and the time a table resize holds its shard lock.
     */
    public static final int DEFAULT_MAX_PEERS_PER_SWARM = 2_000_000;

    /** Hard ceiling: a table's slot numbers must fit the 24 bits its hash index keeps for them. */
    public static final int MAX_PEERS_PER_SWARM_LIMIT = PeerTable.MAX_PEERS;

    /** Limits with the default peer lifetime. */
    public SwarmLimits(int maxTorrents, int maxPeersPerSwarm) {
        this(maxTorrents, maxPeersPerSwarm, DEFAULT_PEER_LIFETIME_SECONDS);
    }

    public SwarmLimits {
        if (peerLifetimeSeconds < 1 || peerLifetimeSeconds > MAX_PEER_LIFETIME_SECONDS) {
            throw new IllegalArgumentException("peer lifetime must be between 1 and " + MAX_PEER_LIFETIME_SECONDS
                    + " seconds, was " + peerLifetimeSeconds);
        }
        if (maxTorrents < 1 || maxTorrents > MAX_TORRENTS_LIMIT) {
            throw new IllegalArgumentException(
                    "max torrents must be between 1 and " + MAX_TORRENTS_LIMIT + ", was " + maxTorrents);
        }
        if (maxPeersPerSwarm < 1 || maxPeersPerSwarm > MAX_PEERS_PER_SWARM_LIMIT) {
            throw new IllegalArgumentException("max peers per swarm must be between 1 and " + MAX_PEERS_PER_SWARM_LIMIT
                    + ", was " + maxPeersPerSwarm);
        }
    }

    /** The default limits for a JVM whose maximum heap is {@code maxHeapBytes}. */
    public static SwarmLimits defaults(long maxHeapBytes) {
        return new SwarmLimits(
                autoMaxTorrents(maxHeapBytes), DEFAULT_MAX_PEERS_PER_SWARM, DEFAULT_PEER_LIFETIME_SECONDS);
    }

    /** The same limits for peers kept {@code seconds} without announcing. */
    public SwarmLimits withPeerLifetime(int seconds) {
        return new SwarmLimits(maxTorrents, maxPeersPerSwarm, seconds);
    }

    /** The default limits for this JVM ({@link Runtime#maxMemory()}). */
    public static SwarmLimits defaults() {
        return defaults(Runtime.getRuntime().maxMemory());
    }

    /**
     * {@code max_torrents} as configured, with {@link #AUTO_MAX_TORRENTS} resolved against {@code
     * maxHeapBytes}: {@code maxHeapBytes / HEAP_BYTES_PER_TORRENT}, at least 1024 and at most {@link
     * #MAX_TORRENTS_LIMIT}.
     */
    public static int resolveMaxTorrents(int configured, long maxHeapBytes) {
        return configured == AUTO_MAX_TORRENTS ? autoMaxTorrents(maxHeapBytes) : configured;
    }

    static int autoMaxTorrents(long maxHeapBytes) {
        long n = maxHeapBytes / HEAP_BYTES_PER_TORRENT;
        return (int) Math.max(1024, Math.min(MAX_TORRENTS_LIMIT, n));
    }
}
