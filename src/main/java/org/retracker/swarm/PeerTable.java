package org.retracker.swarm;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.random.RandomGenerator;
import org.jspecify.annotations.Nullable;

/**
 * The peers of one address family in one swarm, stored column-wise: no object per peer. {@link
 * Swarm} extends it as its IPv4 table, so a swarm and its IPv4 peers are one object.
 *
 * <h2>Layout</h2>
 *
 * <pre>
 *   slot:      0 ........ leechers-1 | leechers ........ size-1 | free ... capacity-1
 *              ^ leechers            | ^ seeders                |
 *   keys[]     words per slot: IPv4 1 long:  ip (32 bits) | port (16) | seen (16)
 *                              IPv6 3 longs: address high, address low, port (16) | seen (16)
 *   codes[]    2 bytes per slot: the client code of the peer's peer_id prefix ({@link ClientCodes})
 *   index[]    open-addressing table of (8-bit fingerprint | 24-bit slot+1), 0 = empty; only above
 *              {@link #INDEX_THRESHOLD} slots
 * </pre>
 *
 * <p>{@code seen} is the store clock's tick of the peer's last announce, in 16 bits that wrap
 * ({@link SwarmStore} sizes the tick so that no peer lives half a wrap); ages are {@code (now -
 * seen) & 0xffff}. The key of a peer is its words with {@code seen} masked off. No peer_id is kept
 * (non-compact replies list {@code ip} and {@code port}, as BEP 23's {@code no_peer_id}).
 *
 * <p>A peer is identified by its address and port, never by its peer_id, so nobody can overwrite or
 * stop another peer by knowing its id. Keeping leechers before seeders makes "seeders get only
 * leechers" a range limit instead of a filter, and {@code complete}/{@code incomplete} two
 * subtractions. Removal moves the last leecher into the hole and the last seeder into the leechers'
 * new end: O(1).
 *
 * <h2>Sizes</h2>
 *
 * A table starts empty (shared zero-length arrays) and grows by a quarter (at least one slot: 1, 2,
 * 3, ... 8, 10, 12, 15, ...) up to {@link #GROWTH_BREAK} slots, so a swarm of one or two peers pays
 * for exactly that, and by half from there, so a big swarm leaves less garbage behind as it grows. Small tables (most swarms have a handful of peers) are scanned
 * linearly; larger ones keep an index of about 4/3 entries per slot (load ≤ 3/4), addressed by
 * multiply-shift so its size need not be a power of two, with linear probing and backward-shift
 * deletion. An entry carries 8 bits of the hash besides the slot, so a probe reads a peer's key only
 * when those match (1 in 256 otherwise). The hash is seeded per process, so chosen addresses and
 * ports cannot pile up in one probe chain.
 *
 * <p>Memory per IPv4 peer: 8 (key and time) + 2 (client code) bytes, 10 to 20 % growth slack and,
 * above 16 slots, about 5.3 bytes of index (MemoryPerPeerTest holds the total to a budget). Not
 * thread-safe: the owning {@link SwarmStore} shard lock guards it.
 */
class PeerTable {
    /** Above this capacity lookups go through the hash index; below, a scan of a few longs is faster. */
    static final int INDEX_THRESHOLD = 16;
    /** Slot numbers must fit the index entries' 24 bits (slot + 1, and 0 for empty). */
    static final int MAX_CAPACITY = (1 << 24) - 1;
    /** Capacity from which a table grows by half instead of a quarter ({@link #ensureCapacity}). */
    static final int GROWTH_BREAK = 64;
    /** The {@code seen} bits of a peer's last key word. */
    static final long SEEN_MASK = 0xffff;
    /** Half the wrapping tick's range: differences at or above it are stamps ahead of the clock. */
    static final int HALF_WRAP = 1 << 15;

    private static final long[] NO_KEYS = {};
    private static final char[] NO_CODES = {};
    private static final int SLOT_BITS = 0xff_ffff;
    /** Per process: the index hash is keyed so that clients cannot choose colliding addresses. */
    private static final long SEED = new SecureRandom().nextLong();

    private static final VarHandle LONG_BE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle INT_BE = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);

    private final int words;
    private long[] keys = NO_KEYS;
    private char[] codes = NO_CODES;
    private int @Nullable [] index;
    private int size;
    private int leechers;

    /** @param words key words per peer: 1 for IPv4, 3 for IPv6 */
    PeerTable(int words) {
        this.words = words;
    }

    /** The IPv4 key of address {@code ip} (big-endian) and {@code port}: {@code seen} bits zero. */
    static long key4(int ip, int port) {
        return (ip & 0xffffffffL) << 32 | (long) port << 16;
    }

    /** The last IPv6 key word of {@code port}: {@code seen} bits zero. */
    static long portWord(int port) {
        return (long) port << 16;
    }

    final int size() {
        return size;
    }

    final int leechers() {
        return leechers;
    }

    final int seeders() {
        return size - leechers;
    }

    final int capacity() {
        return codes.length;
    }

    final boolean isSeederSlot(int slot) {
        return slot >= leechers;
    }

    /**
     * Ticks since the peer in {@code slot} last announced, {@code now} being the store's tick. The
     * difference is read as signed: the store sizes its tick so that no real age reaches half a wrap
     * (2^15 ticks), so a stamp ahead of {@code now} (a peer that announced after a sweep or an
     * eviction read the clock, or a wall clock stepped back) is a peer just seen, age 0, not one
     * 65,535 ticks old.
     */
    final int age(int slot, int now) {
        int d = (int) ((now - keys[slot * words + words - 1]) & SEEN_MASK);
        return d >= HALF_WRAP ? 0 : d;
    }

    /** Adds one to {@code perCode[c]} for every peer's client code {@code c}. */
    final void countClients(long[] perCode) {
        for (int s = 0; s < size; s++) {
            perCode[codes[s]]++;
        }
    }

    /** Returns the slot of the peer with this key ({@code seen} bits zero), or -1. */
    final int find(long k0, long k1, long k2) {
        int[] idx = index;
        if (idx == null) {
            for (int s = 0; s < size; s++) {
                if (matches(s, k0, k1, k2)) {
                    return s;
                }
            }
            return -1;
        }
        long h = hash(k0, k1, k2);
        int fingerprint = fingerprint(h);
        int n = idx.length;
        for (int p = home(h, n); ; p = p + 1 == n ? 0 : p + 1) {
            int e = idx[p];
            if (e == 0) {
                return -1;
            }
            if (e >>> 24 == fingerprint && matches((e & SLOT_BITS) - 1, k0, k1, k2)) {
                return (e & SLOT_BITS) - 1;
            }
        }
    }

    /** Adds a peer known not to be present and returns its slot. */
    final int insert(long k0, long k1, long k2, int code, boolean seeder, int now) {
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
        long seen = now & SEEN_MASK;
        if (words == 1) {
            keys[base] = k0 | seen;
        } else {
            keys[base] = k0;
            keys[base + 1] = k1;
            keys[base + 2] = k2 | seen;
        }
        codes[slot] = (char) code;
        size++;
        if (index != null) {
            indexAdd(slot);
        }
        return slot;
    }

    /** Refreshes a present peer; returns its slot, which moves if it became a seeder or a leecher. */
    final int update(int slot, int code, boolean seeder, int now) {
        int last = slot * words + words - 1;
        keys[last] = (keys[last] & ~SEEN_MASK) | (now & SEEN_MASK);
        codes[slot] = (char) code;
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
    final void removeAt(int slot) {
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
     * Removes every peer older than {@code maxAge} ticks at tick {@code now} and returns how many
     * went. Walks downwards: a removal only moves peers from higher slots, which have been looked at
     * already.
     */
    final int expireTable(int now, int maxAge) {
        int removed = 0;
        for (int s = size - 1; s >= 0; s--) {
            if (age(s, now) > maxAge) {
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
     * form into {@code peersOut} (6 or 18 bytes each), starting at peer position {@code outPos}.
     * Returns the number written.
     *
     * <p>When there are more candidates than wanted, the walk starts at a random slot and steps by a
     * random stride coprime with {@code limit}: every peer is equally likely to be picked and
     * successive replies differ, not the same first N every time.
     */
    final int select(int limit, int exclude, int max, byte[] peersOut, int outPos, RandomGenerator random) {
        int candidates = limit - (exclude >= 0 && exclude < limit ? 1 : 0);
        if (max <= 0 || candidates <= 0) {
            return 0;
        }
        int peerBytes = words == 1 ? 6 : 18;
        int written = 0;
        if (candidates <= max) {
            for (int s = 0; s < limit; s++) {
                if (s != exclude) {
                    writePeer(s, peersOut, (outPos + written) * peerBytes);
                    written++;
                }
            }
            return written;
        }
        int slot = random.nextInt(limit);
        int stride = coprimeStride(limit, random);
        for (int visited = 0; visited < limit && written < max; visited++) {
            if (slot != exclude) {
                writePeer(slot, peersOut, (outPos + written) * peerBytes);
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

    private void writePeer(int slot, byte[] peersOut, int peerOffset) {
        int base = slot * words;
        if (words == 1) {
            long k = keys[base];
            INT_BE.set(peersOut, peerOffset, (int) (k >>> 32));
            peersOut[peerOffset + 4] = (byte) (k >>> 24);
            peersOut[peerOffset + 5] = (byte) (k >>> 16);
        } else {
            LONG_BE.set(peersOut, peerOffset, keys[base]);
            LONG_BE.set(peersOut, peerOffset + 8, keys[base + 1]);
            long port = keys[base + 2];
            peersOut[peerOffset + 16] = (byte) (port >>> 24);
            peersOut[peerOffset + 17] = (byte) (port >>> 16);
        }
    }

    private boolean matches(int slot, long k0, long k1, long k2) {
        int base = slot * words;
        if (words == 1) {
            return (keys[base] & ~SEEN_MASK) == k0;
        }
        return keys[base] == k0 && keys[base + 1] == k1 && (keys[base + 2] & ~SEEN_MASK) == k2;
    }

    private long hashOfSlot(int slot) {
        int base = slot * words;
        return words == 1
                ? hash(keys[base] & ~SEEN_MASK, 0, 0)
                : hash(keys[base], keys[base + 1], keys[base + 2] & ~SEEN_MASK);
    }

    private static long hash(long k0, long k1, long k2) {
        return Mix.mix(k0 ^ SEED, k1, k2);
    }

    /** Multiply-shift of the low 32 bits onto {@code [0, n)}: any index size, no modulo. */
    private static int home(long hash, int n) {
        return (int) (((hash & 0xffffffffL) * n) >>> 32);
    }

    /** The top 8 bits: {@link Mix#mix} leaves them independent of the low 32 that {@link #home} uses. */
    private static int fingerprint(long hash) {
        return (int) (hash >>> 56);
    }

    /** Copies slot {@code from} into the free or vacated slot {@code to}, keeping the index right. */
    private void move(int from, int to) {
        int[] idx = index;
        int pos = idx == null ? -1 : indexPosition(from);
        System.arraycopy(keys, from * words, keys, to * words, words);
        codes[to] = codes[from];
        if (idx != null) {
            idx[pos] = (idx[pos] & ~SLOT_BITS) | (to + 1);
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
        char c = codes[a];
        codes[a] = codes[b];
        codes[b] = c;
        if (idx != null) {
            idx[posA] = (idx[posA] & ~SLOT_BITS) | (b + 1);
            idx[posB] = (idx[posB] & ~SLOT_BITS) | (a + 1);
        }
    }

    private void ensureCapacity(int needed) {
        int capacity = codes.length;
        if (needed <= capacity) {
            return;
        }
        if (needed > MAX_CAPACITY) {
            throw new IllegalStateException("peer table full: " + MAX_CAPACITY + " slots");
        }
        // Small tables grow by a quarter, at least one slot (1, 2, 3, ... 8, 10, 12, 15, ...): tiny
        // swarms pay for what they hold. From GROWTH_BREAK slots on by half: every resize leaves the
        // old arrays and index as garbage, which the collector may already have promoted, so a big
        // swarm copies its peers about twice in its growth instead of four times.
        int step = capacity < GROWTH_BREAK ? Math.max(1, capacity >> 2) : capacity >> 1;
        resize(Math.min(MAX_CAPACITY, Math.max(needed, capacity + step)));
    }

    private void shrinkIfSparse() {
        int capacity = codes.length;
        if (size == 0) {
            resize(0);
        } else if (size < capacity / 2) {
            resize(size + (size >> 2));
        }
    }

    private void resize(int newCapacity) {
        keys = newCapacity == 0 ? NO_KEYS : Arrays.copyOf(keys, newCapacity * words);
        codes = newCapacity == 0 ? NO_CODES : Arrays.copyOf(codes, newCapacity);
        if (newCapacity > INDEX_THRESHOLD) {
            // About 4/3 entries per slot: load at most 3/4 when the table is full.
            int[] idx = new int[newCapacity + newCapacity / 3 + 1];
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
        long h = hashOfSlot(slot);
        int n = idx.length;
        int p = home(h, n);
        while (idx[p] != 0) {
            p = p + 1 == n ? 0 : p + 1;
        }
        idx[p] = fingerprint(h) << 24 | (slot + 1);
    }

    /** Position in the index of the entry pointing at {@code slot}; the slot's key must be intact. */
    private int indexPosition(int slot) {
        int[] idx = index;
        if (idx == null) {
            throw new IllegalStateException("no index");
        }
        int n = idx.length;
        int p = home(hashOfSlot(slot), n);
        while ((idx[p] & SLOT_BITS) != slot + 1) {
            if (idx[p] == 0) {
                throw new IllegalStateException("slot " + slot + " missing from index");
            }
            p = p + 1 == n ? 0 : p + 1;
        }
        return p;
    }

    /** Backward-shift deletion: no tombstones, so chains never degrade. */
    private void indexRemove(int slot) {
        int[] idx = index;
        if (idx == null) {
            return;
        }
        int n = idx.length;
        int hole = indexPosition(slot);
        int j = hole;
        while (true) {
            j = j + 1 == n ? 0 : j + 1;
            int e = idx[j];
            if (e == 0) {
                break;
            }
            int home = home(hashOfSlot((e & SLOT_BITS) - 1), n);
            // Move e into the hole unless its home lies cyclically in (hole, j].
            boolean stays = hole <= j ? (home > hole && home <= j) : (home > hole || home <= j);
            if (!stays) {
                idx[hole] = e;
                hole = j;
            }
        }
        idx[hole] = 0;
    }

    /** Test hook: checks the partition and the index against the slots. */
    void checkInvariants() {
        if (leechers < 0 || leechers > size || size > codes.length || keys.length != codes.length * words) {
            throw new AssertionError("bad counts " + leechers + "/" + size + "/" + codes.length + "/" + keys.length);
        }
        int[] idx = index;
        if ((idx != null) != (codes.length > INDEX_THRESHOLD)) {
            throw new AssertionError("index " + (idx != null) + " at capacity " + codes.length);
        }
        if (idx != null) {
            int entries = 0;
            for (int e : idx) {
                if (e != 0) {
                    entries++;
                    int slot = (e & SLOT_BITS) - 1;
                    if (slot >= size) {
                        throw new AssertionError("index points past size");
                    }
                    if (e >>> 24 != fingerprint(hashOfSlot(slot))) {
                        throw new AssertionError("wrong fingerprint for slot " + slot);
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
