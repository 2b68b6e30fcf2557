package org.retracker.core;

/**
 * What the tracker tells clients and how long it remembers them.
 *
 * @param announceInterval seconds between regular announces (BEP 3 {@code interval})
 * @param minAnnounceInterval seconds a client must wait at least (BEP 3 {@code min interval}); never
 *     above {@code announceInterval}
 * @param numwantDefault peers sent when the client asks for no particular number
 * @param numwantMax the most peers one reply carries, whatever the client asks
 * @param peerLifetimeSeconds a peer that has not announced for this long is dropped
 * @param scrapeMaxHashes the most info hashes one scrape may name
 */
public record TrackerPolicy(
        int announceInterval,
        int minAnnounceInterval,
        int numwantDefault,
        int numwantMax,
        int peerLifetimeSeconds,
        int scrapeMaxHashes) {
    /** Hard ceiling on {@code numwantMax}: replies are built in buffers sized for it. */
    public static final int NUMWANT_HARD_LIMIT = 1000;
    /** Hard ceiling on {@code scrapeMaxHashes}. */
    public static final int SCRAPE_HARD_LIMIT = 1000;

    public static final int DEFAULT_ANNOUNCE_INTERVAL = 1800;
    public static final int DEFAULT_MIN_ANNOUNCE_INTERVAL = 900;
    public static final int DEFAULT_NUMWANT = 50;
    public static final int DEFAULT_NUMWANT_MAX = 200;
    /** Two announce intervals: a peer survives one lost announce before it is dropped. */
    public static final int DEFAULT_PEER_LIFETIME = 2 * DEFAULT_ANNOUNCE_INTERVAL;
    /** opentracker allows 64, chihaya 50, aquatic 100, torrust 74: 74 is BEP 15's "about 74". */
    public static final int DEFAULT_SCRAPE_MAX_HASHES = 74;

    public TrackerPolicy {
        if (announceInterval < 1) {
            throw new IllegalArgumentException("announce interval must be at least 1 second");
        }
        if (minAnnounceInterval < 1 || minAnnounceInterval > announceInterval) {
            throw new IllegalArgumentException("min announce interval must be between 1 and the announce interval ("
                    + announceInterval + "), was " + minAnnounceInterval);
        }
        if (numwantMax < 0 || numwantMax > NUMWANT_HARD_LIMIT) {
            throw new IllegalArgumentException("numwant max must be between 0 and " + NUMWANT_HARD_LIMIT);
        }
        if (numwantDefault < 0 || numwantDefault > numwantMax) {
            throw new IllegalArgumentException(
                    "numwant default must be between 0 and numwant max (" + numwantMax + "), was " + numwantDefault);
        }
        if (peerLifetimeSeconds < 1) {
            throw new IllegalArgumentException("peer lifetime must be at least 1 second");
        }
        if (scrapeMaxHashes < 1 || scrapeMaxHashes > SCRAPE_HARD_LIMIT) {
            throw new IllegalArgumentException("scrape max hashes must be between 1 and " + SCRAPE_HARD_LIMIT);
        }
    }

    public static TrackerPolicy defaults() {
        return new TrackerPolicy(
                DEFAULT_ANNOUNCE_INTERVAL,
                DEFAULT_MIN_ANNOUNCE_INTERVAL,
                DEFAULT_NUMWANT,
                DEFAULT_NUMWANT_MAX,
                DEFAULT_PEER_LIFETIME,
                DEFAULT_SCRAPE_MAX_HASHES);
    }
}
