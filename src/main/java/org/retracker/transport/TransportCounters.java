package org.retracker.transport;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Request counters of the HTTP and UDP adapters. {@link LongAdder}s: an increment on the hot path
 * takes no lock and, once its cell exists, allocates nothing.
 */
public final class TransportCounters {
    /** At most one unexpected-error log line per this many milliseconds. */
    private static final long LOG_INTERVAL_MILLIS = 10_000;

    public final LongAdder httpAnnounces = new LongAdder();
    public final LongAdder httpScrapes = new LongAdder();
    /** HTTP-level errors (4xx/5xx: malformed or oversized heads). */
    public final LongAdder httpErrors = new LongAdder();
    /** Connections closed for idleness or for a head that did not arrive in time. */
    public final LongAdder httpTimeouts = new LongAdder();
    /** Tracker requests answered with a {@code failure reason} / BEP 15 error. */
    public final LongAdder failures = new LongAdder();

    public final LongAdder udpConnects = new LongAdder();
    public final LongAdder udpAnnounces = new LongAdder();
    public final LongAdder udpScrapes = new LongAdder();
    /** Datagrams dropped unanswered: too short, or a connection id that is not valid for the source. */
    public final LongAdder udpBadConnectionIds = new LongAdder();

    public final LongAdder udpDropped = new LongAdder();
    public final LongAdder unexpectedErrors = new LongAdder();

    private final AtomicLong lastLog = new AtomicLong();

    /** Rate limit for error logging: true at most once per {@link #LOG_INTERVAL_MILLIS}. */
    boolean shouldLog() {
        long now = System.currentTimeMillis();
        long last = lastLog.get();
        return now - last >= LOG_INTERVAL_MILLIS && lastLog.compareAndSet(last, now);
    }
}
