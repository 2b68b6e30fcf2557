package org.retracker.swarm;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.random.RandomGenerator;
import org.jspecify.annotations.Nullable;

/**
 * The peers of one address family in one swarm, stored column-wise: no object per peer.
 *
 * <h2>Layout</h2>
 *
 * <pre>
 *   slot:      0 ........ leechers-1 | leechers ........ size-1 | free ... capacity-1
 *              ^ leechers            | ^ seeders                |
 *   keys[]     words per slot: IPv4 1 word  (ip &lt;&lt; 16 | port)
 *                              IPv6 3 words (address high, address low, port)
 *   seen[]     last announce of the slot, in store seconds
 *   ids[]      20 bytes per slot: the peer_id, for non-compact replies (BEP 3)
 *   index[]    open-addressing table of slot+1 (0 = empty), only above {@link #INDEX_THRESHOLD}
 * </pre>
 *
 * <p>A peer is identified by its address and port, never by its peer_id, so nobody can overwrite or
 * stop another peer by knowing its id. Keeping leechers before seeders makes "seeders get only
 * leechers" a range limit instead of a filter, and {@code complete}/{@code incomplete} two
 * subtractions. Removal moves the last leecher into the hole and the last seeder into the leechers'
 * new end: O(1). Small tables (most swarms have a handful of peers) are scanned linearly; larger ones
 * keep a linear-probing index whose hash is seeded per process, so chosen addresses and ports cannot
 * pile up in one probe chain.
 *
 * <p>Memory per IPv4 peer: 8 (key) + 4 (seen) + 20 (id) bytes, plus growth slack and, above 16
 * slots, 8 to 16 bytes of index (MemoryPerPeerTest holds the total to a budget). Not thread-safe:
 * the owning {@link SwarmStore} shard lock guards it.
 */
final class PeerTable {
    /** Capacity of a new table: most swarms hold one or two peers of a family. */
    static final int INITIAL_CAPACITY = 2;
    /** Above this capacity lookups go through the hash index; below, a scan of a few longs is faster. */
    static final int INDEX_THRESHOLD = 16;

    static final int ID_BYTES = 20;
    private static final VarHandle LONG_BE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle INT_BE = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);

    private final int words;
    private final long seed;
    private long[] keys;
    private int[] seen;
    private byte[] ids;
    private int @Nullable [] index;
    private int size;
    private int leechers;

    /** @param words key words per peer: 1 for IPv4, 3 for IPv6 */
    PeerTable(int words, long seed) {
        this.words = words;
        this.seed = seed;
        this.keys = new long[INITIAL_CAPACITY * words];
        this.seen = new int[INITIAL_CAPACITY];
        this.ids = new byte[INITIAL_CAPACITY * ID_BYTES];
    }

    int size() {
        return size;
    }

    int leechers() {
        return leechers;
    }

    int seeders() {
        return size - leechers;
    }

    int capacity() {
        return seen.length;
    }

    /** Store second of the last announce of the peer in {@code slot}. */
    int lastSeen(int slot) {
        return seen[slot];
    }

    boolean isSeederSlot(int slot) {
        return slot >= leechers;
    }

    /** Adds the first eight bytes of every peer's id, as a big-endian long, to {@code counts}. */
    void countIdPrefixes(IdPrefixCounts counts) {
        for (int s = 0; s < size; s++) {
            counts.add((long) LONG_BE.get(ids, s * ID_BYTES));
        }
    }

    /** Returns the slot of the peer with this key, or -1. */
    int find(long k0, long k1, long k2) {
        int[] idx = index;
        if (idx == null) {
            for (int s = 0; s < size; s++) {
                if (matches(s, k0, k1, k2)) {
                    return s;
                }
            }
            return -1;
        }
        int mask = idx.length - 1;
        for (int p = hash(k0, k1, k2) & mask; ; p = (p + 1) & mask) {
            int v = idx[p];
            if (v == 0) {
                return -1;
            }
            if (matches(v - 1, k0, k1, k2)) {
                return v - 1;
            }
        }
    }

    /** Adds a peer known not to be present and returns its slot. */
    int insert(long k0, long k1, long k2, byte[] peerId, boolean seeder, int now) {
        ensureCapacity(size + 1);
        int slot;
        if (seeder) {
            slot = size;
        } else {
            if (leechers < size) {
                move(leechers, size); // the first seeder makes room at the leechers' end
            }
            slot = leechers++;
        }
        int base = slot * words;
        keys[base] = k0;
        if (words == 3) {
            keys[base + 1] = k1;
            keys[base + 2] = k2;
        }
        seen[slot] = now;
        System.arraycopy(peerId, 0, ids, slot * ID_BYTES, ID_BYTES);
        size++;
        if (index != null) {
            indexAdd(slot);
        }
        return slot;
    }

    /** Refreshes a present peer; returns its slot, which moves if it became a seeder or a leecher. */
    int update(int slot, byte[] peerId, boolean seeder, int now) {
        seen[slot] = now;
        System.arraycopy(peerId, 0, ids, slot * ID_BYTES, ID_BYTES);
        boolean wasSeeder = slot >= leechers;
        if (seeder == wasSeeder) {
            return slot;
        }
        int boundary;
        if (seeder) {
            boundary = --leechers;
        } else {
            boundary = leechers++;
        }
        swap(slot, boundary);
        return boundary;
    }

    /** Removes the peer in {@code slot}. */
    void removeAt(int slot) {
        if (index != null) {
            indexRemove(slot);
        }
        int last = size - 1;
        if (slot < leechers) {
            int lastLeecher = leechers - 1;
            if (slot != lastLeecher) {
                move(lastLeecher, slot);
            }
            if (lastLeecher != last) {
                move(last, lastLeecher);
            }
            leechers--;
        } else if (slot != last) {
            move(last, slot);
        }
        size--;
    }

    /**
     * Removes every peer last seen before {@code cutoff} and returns how many went. Walks downwards:
     * a removal only moves peers from higher slots, which have been looked at already.
     */
    int expire(int cutoff) {
        int removed = 0;
        for (int s = size - 1; s >= 0; s--) {
            if (seen[s] < cutoff) {
                removeAt(s);
                removed++;
            }
        }
        if (removed > 0) {
            shrinkIfSparse();
        }
        return removed;
    }

    /**
     * Writes up to {@code max} peers from slots {@code [0, limit)}, skipping {@code exclude}, in wire
     * form into {@code peersOut} (6 or 18 bytes each) and their ids into {@code idsOut} ({@code null}
     * for a compact reply, which sends none: the 20-byte copy per peer is most of a selection's
     * cost, and its cache misses), starting at peer position {@code outPos}. Returns the number
     * written.
     *
     * <p>When there are more candidates than wanted, the walk starts at a random slot and steps by a
     * random stride coprime with {@code limit}: every peer is equally likely to be picked and
     * successive replies differ, not the same first N every time.
     */
    int select(
            int limit,
            int exclude,
            int max,
            byte[] peersOut,
            byte @Nullable [] idsOut,
            int outPos,
            RandomGenerator random) {
        int candidates = limit - (exclude >= 0 && exclude < limit ? 1 : 0);
        if (max <= 0 || candidates <= 0) {
            return 0;
        }
        int peerBytes = words == 1 ? 6 : 18;
        int written = 0;
        if (candidates <= max) {
            for (int s = 0; s < limit; s++) {
                if (s != exclude) {
                    writePeer(s, peersOut, (outPos + written) * peerBytes, idsOut, (outPos + written) * ID_BYTES);
                    written++;
                }
            }
            return written;
        }
        int slot = random.nextInt(limit);
        int stride = coprimeStride(limit, random);
        for (int visited = 0; visited < limit && written < max; visited++) {
            if (slot != exclude) {
                writePeer(slot, peersOut, (outPos + written) * peerBytes, idsOut, (outPos + written) * ID_BYTES);
                written++;
            }
            slot += stride;
            if (slot >= limit) {
                slot -= limit;
            }
        }
        return written;
    }

    private static int coprimeStride(int n, RandomGenerator random) {
        if (n <= 2) {
            return 1;
        }
        int stride = 1 + random.nextInt(n - 1);
        while (gcd(stride, n) != 1) {
            stride = stride + 1 == n ? 1 : stride + 1;
        }
        return stride;
    }

    private static int gcd(int a, int b) {
        while (b != 0) {
            int t = a % b;
            a = b;
            b = t;
        }
        return a;
    }

    private void writePeer(int slot, byte[] peersOut, int peerOffset, byte @Nullable [] idsOut, int idOffset) {
        int base = slot * words;
        if (words == 1) {
            long k = keys[base];
            INT_BE.set(peersOut, peerOffset, (int) (k >>> 16));
            peersOut[peerOffset + 4] = (byte) (k >>> 8);
            peersOut[peerOffset + 5] = (byte) k;
        } else {
            LONG_BE.set(peersOut, peerOffset, keys[base]);
            LONG_BE.set(peersOut, peerOffset + 8, keys[base + 1]);
            long port = keys[base + 2];
            peersOut[peerOffset + 16] = (byte) (port >>> 8);
            peersOut[peerOffset + 17] = (byte) port;
        }
        if (idsOut != null) {
            System.arraycopy(ids, slot * ID_BYTES, idsOut, idOffset, ID_BYTES);
        }
    }

    private boolean matches(int slot, long k0, long k1, long k2) {
        int base = slot * words;
        if (words == 1) {
            return keys[base] == k0;
        }
        return keys[base] == k0 && keys[base + 1] == k1 && keys[base + 2] == k2;
    }

    private int hashOfSlot(int slot) {
        int base = slot * words;
        return words == 1 ? hash(keys[base], 0, 0) : hash(keys[base], keys[base + 1], keys[base + 2]);
    }

    private int hash(long k0, long k1, long k2) {
        return (int) Mix.mix(k0 ^ seed, k1, k2);
    }

    /** Copies slot {@code from} into the free or vacated slot {@code to}, keeping the index right. */
    private void move(int from, int to) {
        int[] idx = index;
        int pos = idx == null ? -1 : indexPosition(from);
        System.arraycopy(keys, from * words, keys, to * words, words);
        seen[to] = seen[from];
        System.arraycopy(ids, from * ID_BYTES, ids, to * ID_BYTES, ID_BYTES);
        if (idx != null) {
            idx[pos] = to + 1;
        }
    }

    private void swap(int a, int b) {
        if (a == b) {
            return;
        }
        int[] idx = index;
        int posA = -1;
        int posB = -1;
        if (idx != null) {
            posA = indexPosition(a);
            posB = indexPosition(b);
        }
        for (int w = 0; w < words; w++) {
            long t = keys[a * words + w];
            keys[a * words + w] = keys[b * words + w];
            keys[b * words + w] = t;
        }
        int t = seen[a];
        seen[a] = seen[b];
        seen[b] = t;
        for (int i = 0; i < ID_BYTES; i++) {
            byte x = ids[a * ID_BYTES + i];
            ids[a * ID_BYTES + i] = ids[b * ID_BYTES + i];
            ids[b * ID_BYTES + i] = x;
        }
        if (idx != null) {
            idx[posA] = b + 1;
            idx[posB] = a + 1;
        }
    }

    private void ensureCapacity(int needed) {
        int capacity = seen.length;
        if (needed <= capacity) {
            return;
        }
        // Grow by 1.5x: large swarms waste at most a third of their arrays.
        int newCapacity = Math.max(needed, capacity + (capacity >> 1) + 1);
        resize(newCapacity);
    }

    private void shrinkIfSparse() {
        int capacity = seen.length;
        if (capacity > INITIAL_CAPACITY && size < capacity / 4) {
            resize(Math.max(INITIAL_CAPACITY, size * 2));
        }
    }

    private void resize(int newCapacity) {
        keys = Arrays.copyOf(keys, newCapacity * words);
        seen = Arrays.copyOf(seen, newCapacity);
        ids = Arrays.copyOf(ids, newCapacity * ID_BYTES);
        if (newCapacity > INDEX_THRESHOLD) {
            // Load factor at most 1/2 keeps probe chains short.
            int[] idx = new int[Integer.highestOneBit(newCapacity * 2 - 1) << 1];
            index = idx;
            for (int s = 0; s < size; s++) {
                indexAdd(s);
            }
        } else {
            index = null;
        }
    }

    private void indexAdd(int slot) {
        int[] idx = index;
        if (idx == null) {
            return;
        }
        int mask = idx.length - 1;
        int p = hashOfSlot(slot) & mask;
        while (idx[p] != 0) {
            p = (p + 1) & mask;
        }
        idx[p] = slot + 1;
    }

    /** Position in the index of the entry pointing at {@code slot}; the slot's key must be intact. */
    private int indexPosition(int slot) {
        int[] idx = index;
        if (idx == null) {
            throw new IllegalStateException("no index");
        }
        int mask = idx.length - 1;
        int p = hashOfSlot(slot) & mask;
        while (idx[p] != slot + 1) {
            if (idx[p] == 0) {
                throw new IllegalStateException("slot " + slot + " missing from index");
            }
            p = (p + 1) & mask;
        }
        return p;
    }

    /** Backward-shift deletion: no tombstones, so chains never degrade. */
    private void indexRemove(int slot) {
        int[] idx = index;
        if (idx == null) {
            return;
        }
        int mask = idx.length - 1;
        int hole = indexPosition(slot);
        int j = hole;
        while (true) {
            j = (j + 1) & mask;
            int v = idx[j];
            if (v == 0) {
                break;
            }
            int home = hashOfSlot(v - 1) & mask;
            // Move v into the hole unless its home lies cyclically in (hole, j].
            boolean stays = hole <= j ? (home > hole && home <= j) : (home > hole || home <= j);
            if (!stays) {
                idx[hole] = v;
                hole = j;
            }
        }
        idx[hole] = 0;
    }

    /** Test hook: checks the partition and the index against the slots. */
    void checkInvariants() {
        if (leechers < 0 || leechers > size || size > seen.length) {
            throw new AssertionError("bad counts " + leechers + "/" + size + "/" + seen.length);
        }
        int[] idx = index;
        if (idx != null) {
            int entries = 0;
            for (int v : idx) {
                if (v != 0) {
                    entries++;
                    if (v - 1 >= size) {
                        throw new AssertionError("index points past size");
                    }
                }
            }
            if (entries != size) {
                throw new AssertionError("index has " + entries + " entries for " + size + " peers");
            }
            for (int s = 0; s < size; s++) {
                indexPosition(s);
            }
        }
    }
}
