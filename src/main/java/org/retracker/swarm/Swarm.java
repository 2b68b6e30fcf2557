package org.retracker.swarm;

import java.util.random.RandomGenerator;
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

    /**
     * Makes room for one peer in {@code own} (this swarm's table of the newcomer's family) by removing
     * the least recently seen of {@link SwarmStore#EVICTION_SAMPLE} peers drawn at random from both
     * families, or of every peer when there are no more than that. The other family's table is
     * dropped if it empties; {@code own} is kept for the newcomer.
     */
    void evictStalest(PeerTable own, RandomGenerator random) {
        PeerTable a = v4;
        PeerTable b = v6;
        int inA = a == null ? 0 : a.size();
        int total = inA + (b == null ? 0 : b.size());
        PeerTable victimTable = null;
        int victim = -1;
        int oldest = Integer.MAX_VALUE;
        boolean all = total <= SwarmStore.EVICTION_SAMPLE;
        for (int i = 0; i < (all ? total : SwarmStore.EVICTION_SAMPLE); i++) {
            int n = all ? i : random.nextInt(total);
            PeerTable t = n < inA ? a : b;
            int slot = n < inA ? n : n - inA;
            if (t != null && t.lastSeen(slot) < oldest) {
                oldest = t.lastSeen(slot);
                victimTable = t;
                victim = slot;
            }
        }
        if (victimTable == null) {
            return; // an empty swarm: nothing to make room in
        }
        victimTable.removeAt(victim);
        if (victimTable != own && victimTable.size() == 0) {
            if (victimTable == v4) {
                v4 = null;
            } else {
                v6 = null;
            }
        }
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
