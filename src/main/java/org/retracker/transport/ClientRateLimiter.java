package org.retracker.transport;

import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;

/**
 * A token bucket per client address, in a fixed table shared by every event loop: HTTP announces and
 * scrapes, and UDP announces and scrapes from sources proven by a connection id, all draw on the
 * bucket of the address they come from. Thread-safe; lock-free; allocates nothing.
 *
 * <p><b>Algorithm.</b> GCRA, the "virtual scheduling" form of a token bucket: instead of a token
 * count and a refill time, a bucket is one number, its theoretical arrival time {@code tat}. A
 * request at {@code now} is admitted when {@code max(tat, now) + interval <= now + burst ×
 * interval}, and then moves {@code tat} to that sum. A client quiet for {@code burst × interval}
 * has its whole burst again; one that keeps on gets one request per {@code interval}. A refused
 * request changes nothing. One number per bucket is what lets a slot be a single {@code long}
 * updated by one compare-and-set.
 *
 * <p><b>Key.</b> {@link AddressKey}: an IPv4 address whole, an IPv6 address by its /64. Hosts
 * sharing a /64 share a bucket, as hosts behind one IPv4 NAT do.
 *
 * <p><b>Layout.</b>
 *
 * <pre>
 *   slots: {@link #SETS} sets × {@link #WAYS} ways = 65,536 longs (512 KiB), allocated once
 *   slot:  tag (24 bits) ‖ tat (40 bits, ticks of 1/16 ms since this table was made, wrapping)
 *          0 = never used
 *   h = SipHash-2-4(random per-process key, key length ‖ key)
 *   set = low 14 bits of h; tag = top 24 bits of h (0 taken as 1)
 * </pre>
 *
 * <p>A key is looked up in its set's four ways by tag. When it is not there it takes the way whose
 * bucket is fullest: a way whose {@code tat} is past holds a full bucket, the same as no entry, so
 * replacing it loses nothing; only when all four ways are in debt is the least indebted one
 * replaced, and that address then starts again from a full bucket. So an attacker cycling through
 * addresses can make other clients' limits more lenient (their entries replaced) but never
 * stricter: a client is refused only for its own requests, or for those of another address with the
 * same set and tag, a 2^-38 chance per pair of addresses, which the secret key keeps anyone from
 * aiming at. Memory is the same whatever the number of addresses. Two event loops inserting the
 * same new address at once may place it in two ways of its set; the copy found first is used,
 * and the other only ever makes that address's limit more lenient, until it is replaced.
 *
 * <p><b>Time.</b> {@code tat} is kept modulo 2^40 ticks (795 days) and read as a signed offset from
 * {@code now}: a live bucket is never more than {@code burst × interval} ahead, so any other offset
 * is a bucket long since full. (Only an entry untouched for a multiple of 795 days, to within that
 * window, could be misread as in debt.)
 */
final class ClientRateLimiter {
    /** Sets in the table: with {@link #WAYS}, 65,536 addresses tracked at once, 512 KiB. */
    static final int SETS = 1 << 14;
    /** Ways per set: four longs, 32 bytes, read together. */
    static final int WAYS = 4;
    /**
     * What a refused client is told to wait (BEP 31 {@code retry in}, in whole minutes: 1). Its next
     * token comes within a second at any rate allowed, but clients announce every half hour anyway,
     * and one told to wait a minute sheds the most load.
     */
    static final int RETRY_IN_SECONDS = 60;
    /** Clock resolution: 1/16 ms, so intervals down to 1 ms (1000 a second) are exact to 1/16. */
    static final long TICKS_PER_SECOND = 16_000;

    private static final long NANOS_PER_TICK = 1_000_000_000L / TICKS_PER_SECOND;
    private static final int TIME_BITS = 40;
    private static final long TIME_MASK = (1L << TIME_BITS) - 1;
    private static final int TAG_SHIFT = TIME_BITS;

    private final AtomicLongArray slots = new AtomicLongArray(SETS * WAYS);
    private final LongSupplier nanoTime;
    private final long epochNanos;
    /** Ticks per token. */
    private final long interval;
    /** Ticks a bucket's {@code tat} may run ahead of now: {@code burst × interval}. */
    private final long capacity;

    private final AddressKey key = new AddressKey();

    /**
     * @param ratePerSecond tokens a second, 1 to {@link ClientLimits#MAX_RATE_PER_SECOND}
     * @param burst the bucket's size, at least 1
     * @param nanoTime a monotonic clock in nanoseconds ({@code System::nanoTime}; tests move a fake)
     */
    ClientRateLimiter(int ratePerSecond, int burst, LongSupplier nanoTime) {
        if (ratePerSecond < 1 || ratePerSecond > ClientLimits.MAX_RATE_PER_SECOND) {
            throw new IllegalArgumentException("rate must be from 1 to " + ClientLimits.MAX_RATE_PER_SECOND);
        }
        if (burst < 1 || burst > ClientLimits.MAX_BURST) {
            throw new IllegalArgumentException("burst must be from 1 to " + ClientLimits.MAX_BURST);
        }
        this.nanoTime = nanoTime;
        this.epochNanos = nanoTime.getAsLong();
        this.interval = Math.round((double) TICKS_PER_SECOND / ratePerSecond);
        this.capacity = burst * interval;
    }

    /** The limiter {@code limits} asks for, on the system clock, or {@code null} when they ask for none. */
    static @Nullable ClientRateLimiter of(ClientLimits limits) {
        return limits.rateLimited()
                ? new ClientRateLimiter(limits.ratePerSecond(), limits.burst(), System::nanoTime)
                : null;
    }

    /**
     * Takes one token from the bucket of the client at {@code address} (4 or 16 bytes): true when
     * there was one and the request may go on, false when it is over its limit. An address of
     * length 0 (no IP client) is never limited.
     */
    boolean tryAcquire(byte[] address, int length) {
        if (length != 4 && length != 16) {
            return true;
        }
        long h = key.hash(address, length);
        int base = (int) (h & (SETS - 1)) * WAYS;
        long tag = h >>> TAG_SHIFT;
        if (tag == 0) {
            tag = 1; // 0 marks an unused slot
        }
        long now = (nanoTime.getAsLong() - epochNanos) / NANOS_PER_TICK & TIME_MASK;
        while (true) {
            int victim = 0;
            long victimValue = 0;
            long victimDebt = Long.MAX_VALUE;
            boolean raced = false;
            for (int w = 0; w < WAYS; w++) {
                long v = slots.get(base + w);
                long debt = debt(v, now);
                if (v != 0 && v >>> TAG_SHIFT == tag) {
                    long next = debt + interval;
                    if (next > capacity) {
                        return false;
                    }
                    if (slots.compareAndSet(base + w, v, pack(tag, now + next))) {
                        return true;
                    }
                    raced = true; // another loop took from this bucket meanwhile: read again
                    break;
                }
                if (debt < victimDebt) {
                    victim = w;
                    victimValue = v;
                    victimDebt = debt;
                }
            }
            if (!raced && slots.compareAndSet(base + victim, victimValue, pack(tag, now + interval))) {
                return true;
            }
        }
    }

    /** How far the bucket in slot value {@code v} is in debt at {@code now}, in ticks: 0 when full. */
    private long debt(long v, long now) {
        if (v == 0) {
            return 0;
        }
        // tat - now modulo 2^40, sign-extended: small positive = in debt, anything else = full.
        long ahead = ((v & TIME_MASK) - now) << (Long.SIZE - TIME_BITS) >> (Long.SIZE - TIME_BITS);
        return ahead > 0 && ahead <= capacity ? ahead : 0;
    }

    private static long pack(long tag, long tat) {
        return tag << TAG_SHIFT | (tat & TIME_MASK);
    }
}
