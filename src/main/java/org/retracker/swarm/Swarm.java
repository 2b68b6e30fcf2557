package org.retracker.swarm;

import java.util.random.RandomGenerator;
import org.jspecify.annotations.Nullable;

/**
 * The peers of one info hash. The object is itself the swarm's IPv4 {@link PeerTable} (a swarm
 * costs one object and one block) and holds its info hash (so the shard table keeps only a reference
 * and a hash per entry), the IPv6 table, created on first use, and the number of completed
 * downloads. Guarded by its {@link SwarmStore} shard lock.
 *
 * <p>Mind the inherited {@link #size()}, {@link #seeders()} and {@link #leechers()}: those count the
 * IPv4 peers only; the whole swarm's are {@link #peerCount()}, {@link #seederCount()} and {@link
 * #leecherCount()}.
 */
final class Swarm extends PeerTable {
    /** The info hash: bytes 0–7, 8–15 and 16–19, big-endian. */
    private final long hash0;

    private final long hash1;
    private final int hash2;

    @Nullable
    PeerTable v6;
    /** Completed downloads: {@code completed} events that turned a known leecher into a seeder. */
    int downloaded;

    Swarm(long w0, long w1, long w2) {
        super(1);
        this.hash0 = w0;
        this.hash1 = w1;
        this.hash2 = (int) w2;
    }

    boolean hasInfoHash(long w0, long w1, long w2) {
        return hash0 == w0 && hash1 == w1 && hash2 == (int) w2;
    }

    long hash0() {
        return hash0;
    }

    long hash1() {
        return hash1;
    }

    long hash2() {
        return hash2 & 0xffffffffL;
    }

    /** The table of the family: this object for IPv4, the IPv6 table (created if need be). */
    PeerTable table(boolean ipv6) {
        if (!ipv6) {
            return this;
        }
        PeerTable t = v6;
        if (t == null) {
            t = v6 = new PeerTable(3);
        }
        return t;
    }

    /** The other family's table, or {@code null}. */
    @Nullable
    PeerTable other(boolean ipv6) {
        return ipv6 ? this : v6;
    }

    int seederCount() {
        return seeders() + (v6 == null ? 0 : v6.seeders());
    }

    int leecherCount() {
        return leechers() + (v6 == null ? 0 : v6.leechers());
    }

    int peerCount() {
        return size() + (v6 == null ? 0 : v6.size());
    }

    /** Drops the IPv6 table when it is empty. */
    void dropEmptyV6() {
        PeerTable t = v6;
        if (t != null && t.size() == 0) {
            v6 = null;
        }
    }

    /**
     * Makes room for one peer by removing the least recently seen of {@link
     * SwarmStore#EVICTION_SAMPLE} peers drawn at random from both families, or of every peer when
     * there are no more than that. {@code now} is the store's tick.
     */
    void evictStalest(int now, RandomGenerator random, PeerBlocks blocks) {
        PeerTable b = v6;
        int inA = size();
        int total = inA + (b == null ? 0 : b.size());
        PeerTable victimTable = null;
        int victim = -1;
        int oldest = -1;
        boolean all = total <= SwarmStore.EVICTION_SAMPLE;
        for (int i = 0; i < (all ? total : SwarmStore.EVICTION_SAMPLE); i++) {
            int n = all ? i : random.nextInt(total);
            PeerTable t = n < inA ? this : b;
            int slot = n < inA ? n : n - inA;
            if (t != null && t.age(slot, now) > oldest) {
                oldest = t.age(slot, now);
                victimTable = t;
                victim = slot;
            }
        }
        if (victimTable != null) {
            victimTable.removeAt(victim, blocks);
        }
    }

    /** Removes peers older than {@code maxAge} ticks at tick {@code now}; drops an emptied IPv6 table. */
    int expire(int now, int maxAge, PeerBlocks blocks) {
        int removed = expireTable(now, maxAge, blocks);
        PeerTable t = v6;
        if (t != null) {
            removed += t.expireTable(now, maxAge, blocks);
            dropEmptyV6();
        }
        return removed;
    }
}
