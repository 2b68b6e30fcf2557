package org.retracker.swarm;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.random.RandomGenerator;
import org.jspecify.annotations.Nullable;

/**
 * The peers of one address family in one swarm, stored column-wise in recycled arrays ({@link
 * PeerBlocks}): no object per peer, no garbage as the swarm grows. {@link Swarm} extends it as its
 * IPv4 table, so a swarm and its IPv4 peers are one object and one block.
 *
 * <h2>Layout</h2>
 *
 * <pre>
 *   slot:      0 ........ leechers-1 | leechers ........ size-1 | free ... capacity-1
 *              ^ leechers            | ^ seeders                |
 *   key        words per slot: IPv4 1 long:  ip (32 bits) | port (16) | seen (16)
 *                              IPv6 3 longs: address high, address low, port (16) | seen (16)
 *   code       16 bits per slot, four to a long: the client code of the peer's peer_id prefix
 *              ({@link ClientCodes})
 *   index      open-addressing table of (8-bit fingerprint | 24-bit slot+1), 0 = empty, two to a
 *              long; only above {@link #INDEX_THRESHOLD} slots
 *
 *   small table (capacity ≤ 256): one block   [ keys | codes | index ]
 *   big table:  data chunks of 256 slots      [ keys | codes ] [ keys | codes ] ...
 *               and index chunks of 512 entries
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
 * An empty table holds nothing. A small table takes the block of the next size class ({@link
 * PeerBlocks#CLASSES}: by one slot up to 8, by a quarter up to 64, by half up to 256), copies its
 * peers and hands its old block back; a big table adds one data chunk at a time and never copies a
 * peer, and rebuilds its index (into recycled chunks, a quarter larger than it needs) only when it
 * outgrows it. Small tables
 * (most swarms have a handful of peers) are scanned linearly; larger ones keep an index of about
 * 4/3 entries per slot (load ≤ 3/4), addressed by multiply-shift so its size need not be a power of
 * two, with linear probing and backward-shift deletion. An entry carries 8 bits of the hash besides
 * the slot, so a probe reads a peer's key only when those match (1 in 256 otherwise). The hash is
 * seeded per process, so chosen addresses and ports cannot pile up in one probe chain.
 *
 * <p>Memory per IPv4 peer: 8 (key and time) + 2 (client code) bytes, up to 25 % growth slack in a
 * small table or a part-filled last chunk in a big one, and above 16 slots about 5.3 bytes of index
 * (MemoryPerPeerTest holds the total to a budget). Not thread-safe: the owning {@link SwarmStore}
 * shard lock guards it and its {@link PeerBlocks}.
 */
class PeerTable {
    /** Above this capacity lookups go through the hash index; below, a scan of a few longs is faster. */
    static final int INDEX_THRESHOLD = 16;
    /**
     * The most peers a table holds: slot numbers must fit the index entries' 24 bits (slot + 1, and
     * 0 for empty). {@link SwarmLimits#MAX_PEERS_PER_SWARM_LIMIT} is this.
     */
    static final int MAX_PEERS = (1 << 24) - 2;
    /** The {@code seen} bits of a peer's last key word. */
    static final long SEEN_MASK = 0xffff;
    /** Half the wrapping tick's range: differences at or above it are stamps ahead of the clock. */
    static final int HALF_WRAP = 1 << 15;

    /**
     * Neighbouring slots {@link #select} takes together: sixteen IPv4 keys are two adjacent 64-byte
     * cache lines of one page (IPv6: six), so a run costs about one miss to memory and one page walk,
     * where a slot at random costs as much on its own. A divisor of {@link PeerBlocks#CHUNK_SLOTS},
     * so a run never crosses a chunk.
     */
    static final int RUN_SLOTS = 16;

    private static final int SLOT_BITS = 0xff_ffff;
    private static final int CHUNK_SHIFT = PeerBlocks.CHUNK_SHIFT;
    private static final int CHUNK_MASK = PeerBlocks.CHUNK_SLOTS - 1;
    private static final int INDEX_CHUNK_SHIFT = PeerBlocks.INDEX_CHUNK_SHIFT;
    private static final int INDEX_CHUNK_MASK = PeerBlocks.INDEX_CHUNK_ENTRIES - 1;
    /** Per process: the index hash is keyed so that clients cannot choose colliding addresses. */
    private static final long SEED = new SecureRandom().nextLong();

    private static final VarHandle LONG_BE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle INT_BE = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);

    private final int words;
    /** A small table's block; null when empty or big. */
    private long @Nullable [] block;
    /** A big table's chunks; null when empty or small. */
    private @Nullable Chunks big;

    private int capacity;
    private int size;
    private int leechers;

    /**
     * A big table's storage, in its own object so that the many small tables do not carry its
     * fields (a {@link Swarm} is 64 bytes).
     */
    private static final class Chunks {
        /** Data chunks: the first {@code capacity / CHUNK_SLOTS} in use, the rest {@link PeerBlocks#CLEARED}. */
        long[][] data;
        /** Index chunks: the first {@code ceil(indexLength / INDEX_CHUNK_ENTRIES)} in use. */
        long[][] index = NO_CHUNKS;

        int indexLength;

        Chunks(long[][] data) {
            this.data = data;
        }
    }

    private static final long[][] NO_CHUNKS = {};

    /**
     * Every method that can take or give back storage is handed the store's {@link PeerBlocks}, so
     * that a table need not keep a reference to it.
     *
     * @param words key words per peer: 1 for IPv4, 3 for IPv6
     */
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
        return capacity;
    }

    final boolean isSeederSlot(int slot) {
        return slot >= leechers;
    }

    // ---- storage access: a small table's block, or a big table's chunks --------------------------

    /** Word {@code w} (0 to words-1) of the key in {@code slot}. */
    private long word(int slot, int w) {
        long[] b = block;
        if (b != null) {
            return b[slot * words + w];
        }
        return bigChunks()[slot >>> CHUNK_SHIFT][(slot & CHUNK_MASK) * words + w];
    }

    private void setWord(int slot, int w, long value) {
        long[] b = block;
        if (b != null) {
            b[slot * words + w] = value;
        } else {
            bigChunks()[slot >>> CHUNK_SHIFT][(slot & CHUNK_MASK) * words + w] = value;
        }
    }

    private int code(int slot) {
        long[] b = block;
        long w = b != null
                ? b[capacity * words + (slot >>> 2)]
                : bigChunks()[slot >>> CHUNK_SHIFT][PeerBlocks.CHUNK_SLOTS * words + ((slot & CHUNK_MASK) >>> 2)];
        return (int) (w >>> ((slot & 3) << 4)) & 0xffff;
    }

    /** Sets the client code of the peer in {@code slot}: a line of its own, apart from the keys. */
    final void setCode(int slot, int code) {
        long[] a = block;
        int i;
        if (a != null) {
            i = capacity * words + (slot >>> 2);
        } else {
            a = bigChunks()[slot >>> CHUNK_SHIFT];
            i = PeerBlocks.CHUNK_SLOTS * words + ((slot & CHUNK_MASK) >>> 2);
        }
        putCode(a, i, slot, code);
    }

    /** Writes {@code slot}'s 16-bit code into its lane of {@code a[at]} (four codes to a long). */
    private static void putCode(long[] a, int at, int slot, int code) {
        int shift = (slot & 3) << 4;
        a[at] = (a[at] & ~(0xffffL << shift)) | ((long) (code & 0xffff) << shift);
    }

    /** Index entry {@code p}: in a small table's block after the codes, or in a big table's index chunks. */
    private int entry(int p) {
        long[] b = block;
        long w = b != null
                ? b[PeerBlocks.indexBase(words, capacity) + (p >>> 1)]
                : bigIndex()[p >>> INDEX_CHUNK_SHIFT][(p & INDEX_CHUNK_MASK) >>> 1];
        return (int) (w >>> ((p & 1) << 5));
    }

    private void setEntry(int p, int e) {
        long[] a = block;
        int i;
        if (a != null) {
            i = PeerBlocks.indexBase(words, capacity) + (p >>> 1);
        } else {
            a = bigIndex()[p >>> INDEX_CHUNK_SHIFT];
            i = (p & INDEX_CHUNK_MASK) >>> 1;
        }
        int shift = (p & 1) << 5;
        a[i] = (a[i] & ~(0xffffffffL << shift)) | ((e & 0xffffffffL) << shift);
    }

    private long[][] bigChunks() {
        Chunks c = big;
        if (c == null) {
            throw new IllegalStateException("no storage");
        }
        return c.data;
    }

    private long[][] bigIndex() {
        Chunks c = big;
        if (c == null) {
            throw new IllegalStateException("no index");
        }
        return c.index;
    }

    /** Index entries: 0 up to {@link #INDEX_THRESHOLD} slots, else a function of the capacity or the big table's own. */
    private int indexLength() {
        Chunks c = big;
        if (c != null) {
            return c.indexLength;
        }
        return capacity > INDEX_THRESHOLD ? PeerBlocks.indexLength(capacity) : 0;
    }

    // ---- peers -----------------------------------------------------------------------------------

    /**
     * Ticks since the peer in {@code slot} last announced, {@code now} being the store's tick. The
     * difference is read as signed: the store sizes its tick so that no real age reaches half a wrap
     * (2^15 ticks), so a stamp ahead of {@code now} (a peer that announced after a sweep or an
     * eviction read the clock, or a wall clock stepped back) is a peer just seen, age 0, not one
     * 65,535 ticks old.
     */
    final int age(int slot, int now) {
        int d = (int) ((now - word(slot, words - 1)) & SEEN_MASK);
        return d >= HALF_WRAP ? 0 : d;
    }

    /** Adds one to {@code perCode[c]} for every peer's client code {@code c}. */
    final void countClients(long[] perCode) {
        for (int s = 0; s < size; s++) {
            perCode[code(s)]++;
        }
    }

    /** Returns the slot of the peer with this key ({@code seen} bits zero), or -1. */
    final int find(long k0, long k1, long k2) {
        int n = indexLength();
        if (n == 0) {
            for (int s = 0; s < size; s++) {
                if (matches(s, k0, k1, k2)) {
                    return s;
                }
            }
            return -1;
        }
        long h = hash(k0, k1, k2);
        int fingerprint = fingerprint(h);
        for (int p = home(h, n); ; p = p + 1 == n ? 0 : p + 1) {
            int e = entry(p);
            if (e == 0) {
                return -1;
            }
            if (e >>> 24 == fingerprint && matches((e & SLOT_BITS) - 1, k0, k1, k2)) {
                return (e & SLOT_BITS) - 1;
            }
        }
    }

    /** Adds a peer known not to be present and returns its slot. */
    final int insert(long k0, long k1, long k2, int code, boolean seeder, int now, PeerBlocks blocks) {
        ensureCapacity(size + 1, blocks);
        int slot;
        if (seeder) {
            slot = size;
        } else {
            if (leechers < size) {
                move(leechers, size); // the first seeder makes room at the leechers' end
            }
            slot = leechers++;
        }
        long seen = now & SEEN_MASK;
        if (words == 1) {
            setWord(slot, 0, k0 | seen);
        } else {
            setWord(slot, 0, k0);
            setWord(slot, 1, k1);
            setWord(slot, 2, k2 | seen);
        }
        setCode(slot, code);
        size++;
        if (capacity > INDEX_THRESHOLD) {
            indexAdd(slot);
        }
        return slot;
    }

    /**
     * Refreshes a present peer's last-seen tick; returns its slot, which moves if it became a seeder or
     * a leecher. Its client code stays ({@link #setCode}).
     */
    final int update(int slot, boolean seeder, int now) {
        int last = words - 1;
        setWord(slot, last, (word(slot, last) & ~SEEN_MASK) | (now & SEEN_MASK));
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

    /** Removes the peer in {@code slot}; the last one out hands the table's storage back. */
    final void removeAt(int slot, PeerBlocks blocks) {
        if (capacity > INDEX_THRESHOLD) {
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
        if (size == 0) {
            release(blocks);
        }
    }

    /**
     * Removes every peer older than {@code maxAge} ticks at tick {@code now} and returns how many
     * went. Walks downwards: a removal only moves peers from higher slots, which have been looked at
     * already.
     */
    final int expireTable(int now, int maxAge, PeerBlocks blocks) {
        int removed = 0;
        for (int s = size - 1; s >= 0; s--) {
            if (age(s, now) > maxAge) {
                removeAt(s, blocks);
                removed++;
            }
        }
        if (removed > 0 && size > 0) {
            shrinkIfSparse(blocks);
        }
        return removed;
    }

    /**
     * Writes up to {@code max} peers from slots {@code [0, limit)}, skipping {@code exclude}, in wire
     * form into {@code peersOut} (6 or 18 bytes each), starting at peer position {@code outPos}.
     * Returns the number written.
     *
     * <p>When there are more candidates than wanted, the sample is taken in runs of {@link #RUN_SLOTS}
     * neighbouring slots: the runs are visited from a random one by a random stride coprime with their
     * number, each whole, and the last one needed from a random place within it. Every run is equally
     * likely at every step and every slot of a run equally likely to be in the part taken, so every
     * peer is equally likely to be picked, and successive replies differ. A reply of 30 peers from a
     * big swarm reads two runs of keys rather than thirty scattered ones: with millions of peers, most
     * of those would be misses to memory (and, in a virtual machine, costly page walks).
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
        int runs = (limit + RUN_SLOTS - 1) / RUN_SLOTS;
        int run = random.nextInt(runs);
        int stride = coprimeStride(runs, random);
        long[] b = block;
        for (int visited = 0; visited < runs && written < max; visited++) {
            int from = run * RUN_SLOTS;
            int length = Math.min(RUN_SLOTS, limit - from);
            // the run's keys: one array, looked up once (a big table's runs lie within one chunk)
            long[] keys = b != null ? b : bigChunks()[from >>> CHUNK_SHIFT];
            int base = (b != null ? from : from & CHUNK_MASK) * words;
            int at = max - written >= length ? 0 : random.nextInt(length);
            for (int i = 0; i < length && written < max; i++) {
                if (from + at != exclude) {
                    writeKey(keys, base + at * words, peersOut, (outPos + written) * peerBytes);
                    written++;
                }
                at = at + 1 == length ? 0 : at + 1;
            }
            run += stride;
            if (run >= runs) {
                run -= runs;
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
        long[] b = block;
        if (b != null) {
            writeKey(b, slot * words, peersOut, peerOffset);
        } else {
            writeKey(bigChunks()[slot >>> CHUNK_SHIFT], (slot & CHUNK_MASK) * words, peersOut, peerOffset);
        }
    }

    /** Writes the peer whose key starts at {@code keys[at]} in wire form (BEP 23 / BEP 7 compact). */
    private void writeKey(long[] keys, int at, byte[] peersOut, int peerOffset) {
        if (words == 1) {
            long k = keys[at];
            INT_BE.set(peersOut, peerOffset, (int) (k >>> 32));
            peersOut[peerOffset + 4] = (byte) (k >>> 24);
            peersOut[peerOffset + 5] = (byte) (k >>> 16);
        } else {
            LONG_BE.set(peersOut, peerOffset, keys[at]);
            LONG_BE.set(peersOut, peerOffset + 8, keys[at + 1]);
            long port = keys[at + 2];
            peersOut[peerOffset + 16] = (byte) (port >>> 24);
            peersOut[peerOffset + 17] = (byte) (port >>> 16);
        }
    }

    private boolean matches(int slot, long k0, long k1, long k2) {
        if (words == 1) {
            return (word(slot, 0) & ~SEEN_MASK) == k0;
        }
        return word(slot, 0) == k0 && word(slot, 1) == k1 && (word(slot, 2) & ~SEEN_MASK) == k2;
    }

    private long hashOfSlot(int slot) {
        return words == 1
                ? hash(word(slot, 0) & ~SEEN_MASK, 0, 0)
                : hash(word(slot, 0), word(slot, 1), word(slot, 2) & ~SEEN_MASK);
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
        int pos = capacity > INDEX_THRESHOLD ? indexPosition(from) : -1;
        for (int w = 0; w < words; w++) {
            setWord(to, w, word(from, w));
        }
        setCode(to, code(from));
        if (pos >= 0) {
            setEntry(pos, (entry(pos) & ~SLOT_BITS) | (to + 1));
        }
    }

    private void swap(int a, int b) {
        if (a == b) {
            return;
        }
        int posA = -1;
        int posB = -1;
        if (capacity > INDEX_THRESHOLD) {
            posA = indexPosition(a);
            posB = indexPosition(b);
        }
        for (int w = 0; w < words; w++) {
            long t = word(a, w);
            setWord(a, w, word(b, w));
            setWord(b, w, t);
        }
        int c = code(a);
        setCode(a, code(b));
        setCode(b, c);
        if (posA >= 0) {
            setEntry(posA, (entry(posA) & ~SLOT_BITS) | (b + 1));
            setEntry(posB, (entry(posB) & ~SLOT_BITS) | (a + 1));
        }
    }

    // ---- growth and shrinking ----------------------------------------------------------------------

    private void ensureCapacity(int needed, PeerBlocks blocks) {
        if (needed <= capacity) {
            return;
        }
        if (needed > MAX_PEERS) {
            throw new IllegalStateException("peer table full: " + MAX_PEERS + " peers");
        }
        // A small table takes the next size class (the classes are its growth steps); a big one adds
        // a chunk: its peers stay where they are.
        resize(needed <= PeerBlocks.MAX_SMALL_CAPACITY ? needed : capacity + PeerBlocks.CHUNK_SLOTS, blocks);
    }

    private void shrinkIfSparse(PeerBlocks blocks) {
        if (size < capacity / 2) {
            resize(size + (size >> 2), blocks);
        }
    }

    /**
     * Moves the peers into storage for at least {@code wanted} slots: a small table's size class, or
     * whole chunks. Storage given up goes back to {@link PeerBlocks}.
     */
    private void resize(int wanted, PeerBlocks blocks) {
        if (wanted <= PeerBlocks.MAX_SMALL_CAPACITY) {
            int cls = PeerBlocks.classOf(wanted);
            int newCapacity = PeerBlocks.CLASSES[cls];
            if (newCapacity == capacity && block != null) {
                return;
            }
            long[] nb = blocks.takeBlock(words, cls);
            int codeBase = PeerBlocks.codeBase(words, newCapacity);
            long[] old = block;
            if (old != null) {
                System.arraycopy(old, 0, nb, 0, size * words);
                System.arraycopy(old, PeerBlocks.codeBase(words, capacity), nb, codeBase, (size + 3) >>> 2);
            } else {
                for (int s = 0; s < size; s++) {
                    for (int w = 0; w < words; w++) {
                        nb[s * words + w] = word(s, w);
                    }
                    putCode(nb, codeBase + (s >>> 2), s, code(s));
                }
            }
            release(blocks);
            block = nb;
            capacity = newCapacity;
            if (newCapacity > INDEX_THRESHOLD) {
                int base = PeerBlocks.indexBase(words, newCapacity);
                Arrays.fill(nb, base, nb.length, 0);
                for (int s = 0; s < size; s++) {
                    indexAdd(s);
                }
            }
            return;
        }
        int newCapacity = (wanted + PeerBlocks.CHUNK_SLOTS - 1) & ~(PeerBlocks.CHUNK_SLOTS - 1);
        int newChunks = newCapacity >>> CHUNK_SHIFT;
        long[] small = block;
        Chunks bc = big;
        if (bc == null) {
            // small to big: the peers are copied once into chunks, then never again
            long[][] nc = new long[newChunks + (newChunks >> 1)][];
            Arrays.fill(nc, PeerBlocks.CLEARED);
            for (int i = 0; i < newChunks; i++) {
                nc[i] = blocks.takeChunk(words);
            }
            for (int s = 0; s < size && small != null; s++) {
                long[] chunk = nc[s >>> CHUNK_SHIFT];
                System.arraycopy(small, s * words, chunk, (s & CHUNK_MASK) * words, words);
                putCode(chunk, PeerBlocks.CHUNK_SLOTS * words + ((s & CHUNK_MASK) >>> 2), s, code(s));
            }
            release(blocks);
            bc = big = new Chunks(nc);
        } else {
            long[][] c = bc.data;
            int oldChunks = capacity >>> CHUNK_SHIFT;
            if (newChunks > c.length) {
                int from = c.length;
                c = Arrays.copyOf(c, newChunks + (newChunks >> 1));
                Arrays.fill(c, from, c.length, PeerBlocks.CLEARED);
                bc.data = c;
            }
            for (int i = oldChunks; i < newChunks; i++) {
                c[i] = blocks.takeChunk(words);
            }
            for (int i = newChunks; i < oldChunks; i++) {
                blocks.releaseChunk(words, c[i]);
                c[i] = PeerBlocks.CLEARED;
            }
        }
        capacity = newCapacity;
        // The index is rebuilt only when the table outgrows it (then for half as much again) or is
        // left with three times what it needs.
        int needed = PeerBlocks.indexLength(newCapacity);
        if (bc.indexLength < needed || bc.indexLength > 3 * needed) {
            rebuildBigIndex(
                    bc,
                    bc.indexLength < needed ? PeerBlocks.indexLength(newCapacity + (newCapacity >> 2)) : needed,
                    blocks);
        }
    }

    /** Builds a big table's index of {@code length} entries in recycled chunks and returns the old ones. */
    private void rebuildBigIndex(Chunks bc, int length, PeerBlocks blocks) {
        long[][] old = bc.index;
        long[][] idx = new long[indexChunks(length)][];
        for (int i = 0; i < idx.length; i++) {
            idx[i] = blocks.takeIndexChunk();
        }
        bc.index = idx;
        bc.indexLength = length;
        for (int s = 0; s < size; s++) {
            indexAdd(s);
        }
        for (long[] chunk : old) {
            blocks.releaseIndexChunk(chunk);
        }
    }

    private static int indexChunks(int indexLength) {
        return (indexLength + PeerBlocks.INDEX_CHUNK_ENTRIES - 1) >>> INDEX_CHUNK_SHIFT;
    }

    /** Hands all storage back: the table is empty or about to take other storage. */
    private void release(PeerBlocks blocks) {
        long[] b = block;
        if (b != null) {
            blocks.releaseBlock(words, PeerBlocks.classOf(capacity), b);
            block = null;
        }
        Chunks bc = big;
        if (bc != null) {
            for (int i = 0; i < capacity >>> CHUNK_SHIFT; i++) {
                blocks.releaseChunk(words, bc.data[i]);
            }
            for (long[] chunk : bc.index) {
                blocks.releaseIndexChunk(chunk);
            }
            big = null;
        }
        capacity = 0;
    }

    // ---- the index -------------------------------------------------------------------------------

    private void indexAdd(int slot) {
        long h = hashOfSlot(slot);
        int n = indexLength();
        int p = home(h, n);
        while (entry(p) != 0) {
            p = p + 1 == n ? 0 : p + 1;
        }
        setEntry(p, fingerprint(h) << 24 | (slot + 1));
    }

    /** Position in the index of the entry pointing at {@code slot}; the slot's key must be intact. */
    private int indexPosition(int slot) {
        int n = indexLength();
        if (n == 0) {
            throw new IllegalStateException("no index");
        }
        int p = home(hashOfSlot(slot), n);
        int e;
        while (((e = entry(p)) & SLOT_BITS) != slot + 1) {
            if (e == 0) {
                throw new IllegalStateException("slot " + slot + " missing from index");
            }
            p = p + 1 == n ? 0 : p + 1;
        }
        return p;
    }

    /** Backward-shift deletion: no tombstones, so chains never degrade. */
    private void indexRemove(int slot) {
        int n = indexLength();
        int hole = indexPosition(slot);
        int j = hole;
        while (true) {
            j = j + 1 == n ? 0 : j + 1;
            int e = entry(j);
            if (e == 0) {
                break;
            }
            int home = home(hashOfSlot((e & SLOT_BITS) - 1), n);
            // Move e into the hole unless its home lies cyclically in (hole, j].
            boolean stays = hole <= j ? (home > hole && home <= j) : (home > hole || home <= j);
            if (!stays) {
                setEntry(hole, e);
                hole = j;
            }
        }
        setEntry(hole, 0);
    }

    /** Test hook: checks the partition, the storage and the index against the slots. */
    void checkInvariants() {
        if (leechers < 0 || leechers > size || size > capacity) {
            throw new AssertionError("bad counts " + leechers + "/" + size + "/" + capacity);
        }
        long[] b = block;
        Chunks bc = big;
        if (capacity == 0) {
            if (b != null || bc != null) {
                throw new AssertionError("an empty table holds storage");
            }
            return;
        }
        if (capacity <= PeerBlocks.MAX_SMALL_CAPACITY) {
            if (b == null
                    || bc != null
                    || PeerBlocks.CLASSES[PeerBlocks.classOf(capacity)] != capacity
                    || b.length != PeerBlocks.blockLength(words, capacity)) {
                throw new AssertionError("small table of capacity " + capacity + " without its block");
            }
        } else {
            if (b != null || bc == null || capacity % PeerBlocks.CHUNK_SLOTS != 0) {
                throw new AssertionError("big table of capacity " + capacity + " without its chunks");
            }
            for (int i = 0; i < bc.data.length; i++) {
                if ((bc.data[i].length != 0) != (i < capacity >>> CHUNK_SHIFT)) {
                    throw new AssertionError("chunk " + i + " of a table of capacity " + capacity);
                }
            }
            if (bc.indexLength < PeerBlocks.indexLength(capacity) || bc.index.length != indexChunks(bc.indexLength)) {
                throw new AssertionError("index of " + bc.indexLength + " for capacity " + capacity);
            }
        }
        int n = indexLength();
        if (n != 0) {
            int entries = 0;
            for (int p = 0; p < n; p++) {
                int e = entry(p);
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

    /** Test hook: longs of storage this table holds, for the store's accounting check. */
    final long storageLongs() {
        long[] b = block;
        Chunks bc = big;
        if (b != null) {
            return b.length;
        }
        if (bc != null) {
            return (long) (capacity >>> CHUNK_SHIFT) * PeerBlocks.chunkLength(words)
                    + (long) bc.index.length * PeerBlocks.INDEX_CHUNK_LONGS;
        }
        return 0;
    }
}
