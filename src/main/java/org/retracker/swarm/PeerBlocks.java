package org.retracker.swarm;

import java.util.Arrays;

/**
 * The storage of a store's {@link PeerTable}s, recycled: a table that grows or shrinks hands its
 * old arrays back here and the next table of that size takes them, instead of leaving them to the
 * collector. One per {@link SwarmStore}, shared by its shards: tables call it under their shard
 * lock, and it takes its own monitor, which is uncontended in practice (a table takes storage only
 * when it crosses a size class or a chunk, a small fraction of its announces).
 *
 * <h2>Why</h2>
 *
 * A table that grew by copying left its old arrays as garbage, and a generational collector had
 * usually promoted them already (a young collection promotes whatever is live at that moment, and
 * a growing swarm's arrays are). Inserting a million peers left about as much garbage in the old
 * generation as live data, and resident memory is what the old generation ever touched: 46 bytes per
 * peer against 25 live (docs/PERFORMANCE.md "Resident memory and the collector"). Recycled, the
 * arrays stay where they are, live, and are reused by the next table passing through that size.
 *
 * <h2>What is kept</h2>
 *
 * <ul>
 *   <li><b>Blocks</b>: one {@code long[]} per small table (capacity up to {@link #MAX_SMALL_CAPACITY}
 *       slots), in size classes ({@link #CLASSES}: the growth steps of a table, 1, 2, ... 8, 10, 12,
 *       15, ... 256), holding keys, client codes and, above {@link PeerTable#INDEX_THRESHOLD} slots,
 *       the hash index ({@link #blockLength}).
 *   <li><b>Chunks</b>: tables above {@link #MAX_SMALL_CAPACITY} slots keep their peers in chunks of
 *       {@link #CHUNK_SLOTS} slots (keys, then codes) and their index in chunks of {@link
 *       #INDEX_CHUNK_ENTRIES} entries. Such a table grows by one chunk and never copies its peers;
 *       only its index is rebuilt (into recycled chunks), a quarter larger than it needs, when the
 *       table outgrows it.
 * </ul>
 *
 * <p>Free arrays are bounded: an array is kept only while the free ones stay within {@link
 * #MIN_FREE_LONGS} longs or {@code 1 / }{@link #FREE_FRACTION} of what the tables use at that
 * moment, whichever is more (so at most 1/32 of the peak); beyond that it goes to the collector.
 */
final class PeerBlocks {
    /** Slots per data chunk of a big table: a power of two, so a slot's chunk is a shift away. */
    static final int CHUNK_SHIFT = 8;

    static final int CHUNK_SLOTS = 1 << CHUNK_SHIFT;
    /** Index entries (ints, two per long) per index chunk of a big table. */
    static final int INDEX_CHUNK_SHIFT = 9;

    static final int INDEX_CHUNK_ENTRIES = 1 << INDEX_CHUNK_SHIFT;
    /** Longs per index chunk: two entries to a long. */
    static final int INDEX_CHUNK_LONGS = INDEX_CHUNK_ENTRIES / 2;
    /** The largest table kept in one block; above it a table is chunked. */
    static final int MAX_SMALL_CAPACITY = CHUNK_SLOTS;
    /** Free longs kept however small the tables are (32 KiB). */
    static final int MIN_FREE_LONGS = 4096;
    /** Free longs kept: up to this fraction (1/32, about 3 %) of the longs in use. */
    static final int FREE_FRACTION = 32;

    /**
     * The capacities of small tables: by one slot up to 8, then by a quarter up to 64 (a tiny swarm
     * pays for what it holds), then by half, the last one {@link #MAX_SMALL_CAPACITY}.
     */
    static final int[] CLASSES = classes();

    /** Put where an array was taken away, so that the slot does not keep it reachable. */
    static final long[] CLEARED = {};

    /** Free blocks per family (0: IPv4, 1: IPv6) and class, as stacks. */
    private final long[][][][] freeBlocks = new long[2][CLASSES.length][][];

    private final int[][] freeBlockCount = new int[2][CLASSES.length];
    private final long[][][] freeChunks = new long[2][][];
    private final int[] freeChunkCount = new int[2];
    private long[][] freeIndexChunks = new long[0][];
    private int freeIndexChunkCount;
    /** Longs held by tables, and longs held free here. */
    private long usedLongs;

    private long freeLongs;

    private static int[] classes() {
        int[] c = new int[64];
        int n = 0;
        for (int cap = 1; cap < MAX_SMALL_CAPACITY; ) {
            c[n++] = cap;
            cap += cap < 8 ? 1 : cap < 64 ? cap >> 2 : cap >> 1;
        }
        c[n++] = MAX_SMALL_CAPACITY;
        return Arrays.copyOf(c, n);
    }

    /** The class of the smallest block holding {@code capacity} slots (at most {@link #MAX_SMALL_CAPACITY}). */
    static int classOf(int capacity) {
        int i = 0;
        while (CLASSES[i] < capacity) {
            i++;
        }
        return i;
    }

    /** Index entries of a table of {@code capacity} slots: about 4/3 per slot, so load ≤ 3/4 when full. */
    static int indexLength(int capacity) {
        return capacity + capacity / 3 + 1;
    }

    /** First long of the client codes in a small block (after the keys). */
    static int codeBase(int words, int capacity) {
        return capacity * words;
    }

    /** First long of the index in a small block (after the codes, four to a long). */
    static int indexBase(int words, int capacity) {
        return capacity * words + ((capacity + 3) >>> 2);
    }

    /** Longs of a small block: keys, codes and, above the index threshold, the index (two entries to a long). */
    static int blockLength(int words, int capacity) {
        int n = indexBase(words, capacity);
        return capacity > PeerTable.INDEX_THRESHOLD ? n + ((indexLength(capacity) + 1) >>> 1) : n;
    }

    /** Longs of a data chunk: {@link #CHUNK_SLOTS} keys, then their codes four to a long. */
    static int chunkLength(int words) {
        return CHUNK_SLOTS * words + CHUNK_SLOTS / 4;
    }

    private static int family(int words) {
        return words == 1 ? 0 : 1;
    }

    /** A block of class {@code cls}; its contents are whatever the last user left. */
    synchronized long[] takeBlock(int words, int cls) {
        int f = family(words);
        int n = freeBlockCount[f][cls];
        long[] b;
        if (n > 0) {
            long[][] stack = freeBlocks[f][cls];
            b = stack[--n];
            stack[n] = CLEARED;
            freeBlockCount[f][cls] = n;
            freeLongs -= b.length;
        } else {
            b = new long[blockLength(words, CLASSES[cls])];
        }
        usedLongs += b.length;
        return b;
    }

    synchronized void releaseBlock(int words, int cls, long[] block) {
        usedLongs -= block.length;
        if (!keep(block.length)) {
            return;
        }
        int f = family(words);
        freeBlocks[f][cls] = push(freeBlocks[f][cls], freeBlockCount[f][cls]++, block);
        freeLongs += block.length;
    }

    /** A data chunk of a big table; its contents are whatever the last user left. */
    synchronized long[] takeChunk(int words) {
        int f = family(words);
        long[] c;
        if (freeChunkCount[f] > 0) {
            c = freeChunks[f][--freeChunkCount[f]];
            freeChunks[f][freeChunkCount[f]] = CLEARED;
            freeLongs -= c.length;
        } else {
            c = new long[chunkLength(words)];
        }
        usedLongs += c.length;
        return c;
    }

    synchronized void releaseChunk(int words, long[] chunk) {
        usedLongs -= chunk.length;
        if (!keep(chunk.length)) {
            return;
        }
        int f = family(words);
        freeChunks[f] = push(freeChunks[f], freeChunkCount[f]++, chunk);
        freeLongs += chunk.length;
    }

    /** An index chunk of a big table, zeroed (0 is an empty entry). */
    synchronized long[] takeIndexChunk() {
        long[] c;
        if (freeIndexChunkCount > 0) {
            c = freeIndexChunks[--freeIndexChunkCount];
            freeIndexChunks[freeIndexChunkCount] = CLEARED;
            freeLongs -= c.length;
            Arrays.fill(c, 0);
        } else {
            c = new long[INDEX_CHUNK_LONGS];
        }
        usedLongs += c.length;
        return c;
    }

    synchronized void releaseIndexChunk(long[] chunk) {
        usedLongs -= chunk.length;
        if (!keep(chunk.length)) {
            return;
        }
        freeIndexChunks = push(freeIndexChunks, freeIndexChunkCount++, chunk);
        freeLongs += chunk.length;
    }

    /** Whether a returned array of {@code length} longs stays within the free bound. */
    private boolean keep(int length) {
        return freeLongs + length <= Math.max(MIN_FREE_LONGS, usedLongs / FREE_FRACTION);
    }

    private static long[][] push(long[][] stack, int at, long[] array) {
        long[][] s = stack;
        if (s == null || at == s.length) {
            s = Arrays.copyOf(s == null ? new long[0][] : s, Math.max(4, at + (at >> 1) + 1));
        }
        s[at] = array;
        return s;
    }

    /** Longs held by tables. */
    synchronized long usedLongs() {
        return usedLongs;
    }

    /** Longs held free for reuse. */
    synchronized long freeLongs() {
        return freeLongs;
    }
}
