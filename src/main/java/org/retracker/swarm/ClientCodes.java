package org.retracker.swarm;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import org.retracker.protocol.PeerIdClient;

/**
 * Interns {@code peer_id} prefixes (the first {@link PeerIdClient#PREFIX_LENGTH} bytes, which name
 * the client) as 16-bit codes, so a peer keeps 2 bytes for the {@code /stats} client census instead
 * of its 20-byte id. One per store, shared by every shard.
 *
 * <h2>Bounds</h2>
 *
 * At most {@link #MAX_CODES} prefixes get a code, for the life of the process; later ones get
 * {@link #OTHER}. Only prefixes that name a client ({@link PeerIdClient#censusPrefix}) are told
 * apart: every id of no known style (random ids, say) shares the one prefix that names {@code
 * unknown}, so such ids never use up codes.
 *
 * <h2>Concurrency</h2>
 *
 * {@link #code} runs for every new peer and every {@code started}, under a shard lock, and takes no
 * lock for a known prefix: an open-addressing table (linear probing, load ≤ 1/2, seeded hash)
 * whose slots are written under this object's monitor, prefix first, then the code with release
 * semantics; readers read the code with acquire semantics, so a non-zero code implies its prefix
 * is visible. A prefix not found in the table read is looked up again under the monitor (at most
 * once per new prefix, plus races), and once every code is taken, not even that: {@link #full} is
 * checked first. Growth copies into a new table published through a volatile field; a reader on
 * the old one at worst misses a prefix and takes the monitor. The monitor is a leaf: nothing else
 * is locked while it is held.
 */
final class ClientCodes {
    /** The code of peers whose prefix got none: the table was full. */
    static final int OTHER = 0;
    /** Codes handed out: every value of a {@code char} but {@link #OTHER}. */
    static final int MAX_CODES = 65_535;

    private static final int INITIAL_CAPACITY = 256;
    private static final VarHandle CODE = MethodHandles.arrayElementVarHandle(char[].class);

    /** One generation of the hash table; slots with code 0 are empty. */
    private static final class Table {
        final long[] prefixes;
        final char[] codes;

        Table(int capacity) {
            prefixes = new long[capacity];
            codes = new char[capacity];
        }
    }

    private final long seed;
    private volatile Table table = new Table(INITIAL_CAPACITY);
    private volatile boolean full;
    /** Prefix of each code, guarded by this. */
    private long[] prefixOf = new long[INITIAL_CAPACITY];
    /** Codes handed out, guarded by this. */
    private int count;

    ClientCodes(long seed) {
        this.seed = seed;
    }

    /** The code of the peer id whose first eight bytes, big-endian, are {@code idPrefix}. */
    int code(long idPrefix) {
        long prefix = PeerIdClient.censusPrefix(idPrefix);
        Table t = table;
        int mask = t.codes.length - 1;
        for (int p = slot(prefix, mask); ; p = (p + 1) & mask) {
            int c = (char) CODE.getAcquire(t.codes, p);
            if (c == 0) {
                return full ? OTHER : intern(prefix);
            }
            if (t.prefixes[p] == prefix) {
                return c;
            }
        }
    }

    /** The prefix {@code code} stands for; {@code code} must have been returned by {@link #code}. */
    synchronized long prefix(int code) {
        if (code <= OTHER || code > count) {
            throw new IllegalArgumentException("no code " + code);
        }
        return prefixOf[code];
    }

    /** Codes handed out so far. */
    synchronized int size() {
        return count;
    }

    private synchronized int intern(long prefix) {
        Table t = table;
        int mask = t.codes.length - 1;
        int p = slot(prefix, mask);
        for (; t.codes[p] != 0; p = (p + 1) & mask) {
            if (t.prefixes[p] == prefix) {
                return t.codes[p]; // interned by another thread meanwhile
            }
        }
        if (count == MAX_CODES) {
            full = true;
            return OTHER;
        }
        int c = ++count;
        if (c == prefixOf.length) {
            prefixOf = java.util.Arrays.copyOf(prefixOf, Math.min(prefixOf.length * 2, MAX_CODES + 1));
        }
        prefixOf[c] = prefix;
        if ((c + 1) * 2 > t.codes.length) {
            table = grown(t); // includes c: published with the new table
            return c;
        }
        t.prefixes[p] = prefix;
        CODE.setRelease(t.codes, p, (char) c);
        return c;
    }

    /** A table of twice the capacity holding every code handed out, {@code count} included. */
    private Table grown(Table old) {
        Table t = new Table(old.codes.length * 2);
        int mask = t.codes.length - 1;
        for (int code = 1; code <= count; code++) {
            long prefix = prefixOf[code];
            int p = slot(prefix, mask);
            while (t.codes[p] != 0) {
                p = (p + 1) & mask;
            }
            t.prefixes[p] = prefix;
            t.codes[p] = (char) code;
        }
        return t;
    }

    private int slot(long prefix, int mask) {
        return (int) Mix.fmix(prefix ^ seed) & mask;
    }
}
