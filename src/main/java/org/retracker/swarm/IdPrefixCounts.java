package org.retracker.swarm;

/**
 * Peers per peer-id prefix (the first eight bytes, which name the client), counted by a {@link
 * SwarmStore#census} while it holds a shard lock: primitive arrays, no object per peer or prefix.
 *
 * <p>An open-addressing table (linear probing, load ≤ 1/2) of {@code long} prefix → count, where a
 * count of 0 marks an empty entry. Peer ids are chosen by clients, so the hash is seeded and the
 * table holds at most {@link #MAX_PREFIXES} distinct prefixes: peers whose prefix does not fit are
 * counted in {@link #overflow}. That bounds both the memory and the names made afterwards, whatever
 * ids a swarm is flooded with. Owned by one thread.
 */
final class IdPrefixCounts {
    /** Distinct prefixes named; real swarms show a few dozen clients and versions. */
    static final int MAX_PREFIXES = 4096;

    private static final int CAPACITY = MAX_PREFIXES * 2;

    private final long seed;
    private final long[] prefixes = new long[CAPACITY];
    private final long[] counts = new long[CAPACITY];
    private int size;
    private long overflow;

    IdPrefixCounts(long seed) {
        this.seed = seed;
    }

    void add(long prefix) {
        int mask = CAPACITY - 1;
        for (int p = (int) Mix.fmix(prefix ^ seed) & mask; ; p = (p + 1) & mask) {
            if (counts[p] == 0) {
                if (size == MAX_PREFIXES) {
                    overflow++;
                    return;
                }
                prefixes[p] = prefix;
                counts[p] = 1;
                size++;
                return;
            }
            if (prefixes[p] == prefix) {
                counts[p]++;
                return;
            }
        }
    }

    /** Distinct prefixes counted. */
    int size() {
        return size;
    }

    /** Peers whose prefix came after {@link #MAX_PREFIXES} others. */
    long overflow() {
        return overflow;
    }

    /** Calls {@code action} once per distinct prefix with its count. */
    void forEach(Action action) {
        for (int p = 0; p < CAPACITY; p++) {
            if (counts[p] != 0) {
                action.accept(prefixes[p], counts[p]);
            }
        }
    }

    @FunctionalInterface
    interface Action {
        void accept(long prefix, long count);
    }
}
