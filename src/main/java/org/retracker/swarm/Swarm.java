package org.retracker.swarm;

import org.jspecify.annotations.Nullable;

/**
 * The peers of one info hash: an IPv4 and an IPv6 {@link PeerTable}, each created on first use, and
 * the number of completed downloads. Guarded by its {@link SwarmStore} shard lock.
 */
final class Swarm {
    @Nullable
    PeerTable v4;

    @Nullable
    PeerTable v6;
    /** Completed downloads: {@code completed} events that turned a known leecher into a seeder. */
    int downloaded;

    PeerTable table(boolean ipv6, long seed) {
        if (ipv6) {
            PeerTable t = v6;
            if (t == null) {
                t = v6 = new PeerTable(3, seed);
            }
            return t;
        }
        PeerTable t = v4;
        if (t == null) {
            t = v4 = new PeerTable(1, seed);
        }
        return t;
    }

    int seeders() {
        return (v4 == null ? 0 : v4.seeders()) + (v6 == null ? 0 : v6.seeders());
    }

    int leechers() {
        return (v4 == null ? 0 : v4.leechers()) + (v6 == null ? 0 : v6.leechers());
    }

    int size() {
        return (v4 == null ? 0 : v4.size()) + (v6 == null ? 0 : v6.size());
    }

    /** Removes peers last seen before {@code cutoff}; drops a table that became empty. */
    int expire(int cutoff) {
        int removed = 0;
        if (v4 != null) {
            removed += v4.expire(cutoff);
            if (v4.size() == 0) {
                v4 = null;
            }
        }
        if (v6 != null) {
            removed += v6.expire(cutoff);
            if (v6.size() == 0) {
                v6 = null;
            }
        }
        return removed;
    }
}
