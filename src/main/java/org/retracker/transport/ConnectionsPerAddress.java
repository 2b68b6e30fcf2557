package org.retracker.transport;

import java.util.concurrent.atomic.AtomicIntegerArray;
import org.jspecify.annotations.Nullable;

/**
 * A cap on the HTTP connections one client address holds open at once ({@code
 * max_connections_per_ip}), counted in a fixed table shared by every event loop. Thread-safe;
 * lock-free; allocates nothing.
 *
 * <p><b>Layout.</b> A count-min sketch: two rows of {@link #WIDTH} {@code int} counters (256 KiB),
 * one counter per row for each key ({@link AddressKey}: IPv4 whole, IPv6 by /64), chosen by
 * the low and high halves of its keyed hash. A connection adds one to both counters and is refused
 * when the smaller of the two then exceeds the cap; closing it takes the one back from both. Each
 * counter holds the connections of every key that lands on it, so the smaller one is never below
 * the key's own count: a client never gets more than the cap, except that connections from one
 * address accepted at the same moment on different event loops can each see the other's first
 * increment but not its second, and pass together (at most one extra per event loop). Other addresses on the same two
 * counters can only take from its share: it may hold the cap less the smaller of their two sums,
 * which with N connections open tracker-wide averages N / {@link #WIDTH} (under one at 30,000
 * connections, 30 at a million). With a secret hash key nobody can aim at a client's counters, and
 * shutting out a random client needs about the cap times {@link #WIDTH} connections (8 million at
 * 256), far more than a process has file descriptors.
 *
 * <p>Memory is the same whatever the number of addresses.
 */
final class ConnectionsPerAddress {
    /** Counters per row: 32,768, so two rows take 256 KiB. */
    static final int WIDTH = 1 << 15;
    /** {@link #acquire}: the address already holds its cap of connections. */
    static final int REFUSED = -1;
    /** {@link #acquire}: the connection is not counted (no IP address), nothing to release. */
    static final int NOT_COUNTED = 0;

    private final AtomicIntegerArray counts = new AtomicIntegerArray(2 * WIDTH);
    private final AddressKey key = new AddressKey();
    private final int max;

    /** @param max the most connections one address may hold open, at least 1 */
    ConnectionsPerAddress(int max) {
        if (max < 1) {
            throw new IllegalArgumentException("the connection cap must be at least 1");
        }
        this.max = max;
    }

    /** The cap {@code limits} asks for, or {@code null} when they ask for none. */
    static @Nullable ConnectionsPerAddress of(ClientLimits limits) {
        return limits.maxConnectionsPerAddress() > 0
                ? new ConnectionsPerAddress(limits.maxConnectionsPerAddress())
                : null;
    }

    /**
     * Counts a new connection from {@code address} (4 or 16 bytes). Returns a token to hand to
     * {@link #release} when it closes, {@link #NOT_COUNTED} for an address of no IP family, or
     * {@link #REFUSED} (nothing counted) when the address holds its cap already.
     */
    int acquire(byte[] address, int length) {
        if (length != 4 && length != 16) {
            return NOT_COUNTED;
        }
        long h = key.hash(address, length);
        int first = (int) h & (WIDTH - 1);
        int second = WIDTH + ((int) (h >>> 32) & (WIDTH - 1));
        int a = counts.incrementAndGet(first);
        int b = counts.incrementAndGet(second);
        if (Math.min(a, b) > max) {
            counts.decrementAndGet(first);
            counts.decrementAndGet(second);
            return REFUSED;
        }
        return first << 16 | second; // second ≥ WIDTH: never 0
    }

    /** Takes back the connection counted as {@code token} by {@link #acquire}; nothing for {@link #NOT_COUNTED}. */
    void release(int token) {
        if (token <= NOT_COUNTED) {
            return;
        }
        counts.decrementAndGet(token >>> 16);
        counts.decrementAndGet(token & 0xffff);
    }
}
