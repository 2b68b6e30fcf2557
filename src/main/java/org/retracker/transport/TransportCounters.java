package org.retracker.transport;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.retracker.protocol.AnnounceEvent;
import org.retracker.protocol.FailureReason;

/**
 * Request counters of the HTTP and UDP adapters. {@link LongAdder}s: an increment on the hot path
 * takes no lock and, once its cell exists, allocates nothing. Counts per announce event and per
 * failure reason are arrays indexed by the enum's ordinal: no map, no key object. Readers ({@code
 * /stats}, {@code /metrics}) sum them when asked.
 */
public final class TransportCounters {
    /** At most one unexpected-error log line per this many milliseconds. */
    private static final long LOG_INTERVAL_MILLIS = 10_000;

    private static final int EVENTS = AnnounceEvent.values().length;
    private static final int REASONS = FailureReason.values().length;

    /** Requests to {@code /announce}, well-formed or not. */
    public final LongAdder httpAnnounces = new LongAdder();

    public final LongAdder httpScrapes = new LongAdder();
    /** HTTP-level errors (4xx/5xx: malformed or oversized heads). */
    public final LongAdder httpErrors = new LongAdder();
    /** Connections closed for idleness or for a head that did not arrive in time. */
    public final LongAdder httpTimeouts = new LongAdder();
    /** Connections closed at once: their address already held {@code max_connections_per_ip}. */
    public final LongAdder httpConnectionsRefused = new LongAdder();
    /** Tracker requests answered with a {@code failure reason} / BEP 15 error. */
    public final LongAdder failures = new LongAdder();

    public final LongAdder udpConnects = new LongAdder();
    /** Announce datagrams with a valid connection id, well-formed or not. */
    public final LongAdder udpAnnounces = new LongAdder();

    public final LongAdder udpScrapes = new LongAdder();
    /** Datagrams dropped unanswered: a connection id that is not valid for the source. */
    public final LongAdder udpBadConnectionIds = new LongAdder();
    /** Datagrams dropped unanswered: shorter than a BEP 15 header, or from port 0. */
    public final LongAdder udpDropped = new LongAdder();

    public final LongAdder unexpectedErrors = new LongAdder();

    private final LongAdder[] httpAnnouncesByEvent = adders(EVENTS);
    private final LongAdder[] udpAnnouncesByEvent = adders(EVENTS);
    private final LongAdder[] httpFailuresByReason = adders(REASONS);
    private final LongAdder[] udpFailuresByReason = adders(REASONS);
    /** Requests refused by the per-address rate limit: [HTTP announce, HTTP scrape, UDP announce, UDP scrape]. */
    private final LongAdder[] rateLimited = adders(4);

    private final AtomicLong lastLog = new AtomicLong();

    private static LongAdder[] adders(int n) {
        LongAdder[] a = new LongAdder[n];
        for (int i = 0; i < n; i++) {
            a[i] = new LongAdder();
        }
        return a;
    }

    /** A well-formed HTTP announce (its client address resolved), whatever the service answers. */
    void httpAnnounce(AnnounceEvent event) {
        httpAnnouncesByEvent[event.ordinal()].increment();
    }

    /** A well-formed UDP announce, whatever the service answers. */
    void udpAnnounce(AnnounceEvent event) {
        udpAnnouncesByEvent[event.ordinal()].increment();
    }

    /** An HTTP announce or scrape answered with {@code reason}. */
    void httpFailure(FailureReason reason) {
        failures.increment();
        httpFailuresByReason[reason.ordinal()].increment();
    }

    /** A UDP request answered with a BEP 15 error carrying {@code reason}. */
    void udpFailure(FailureReason reason) {
        failures.increment();
        udpFailuresByReason[reason.ordinal()].increment();
    }

    /**
     * A request refused by the per-address rate limit (it is also counted as a failure with {@link
     * FailureReason#RATE_LIMITED}).
     */
    void rateLimited(boolean udp, boolean scrape) {
        rateLimited[(udp ? 2 : 0) + (scrape ? 1 : 0)].increment();
    }

    /** Announces ({@code scrape} false) or scrapes over HTTP ({@code udp} false) or UDP refused by the rate limit. */
    public long rateLimitedCount(boolean udp, boolean scrape) {
        return rateLimited[(udp ? 2 : 0) + (scrape ? 1 : 0)].sum();
    }

    /** Well-formed announces with {@code event} over HTTP ({@code udp} false) or UDP. */
    public long announces(boolean udp, AnnounceEvent event) {
        return (udp ? udpAnnouncesByEvent : httpAnnouncesByEvent)[event.ordinal()].sum();
    }

    /** Requests refused with {@code reason} over HTTP ({@code udp} false) or UDP. */
    public long failures(boolean udp, FailureReason reason) {
        return (udp ? udpFailuresByReason : httpFailuresByReason)[reason.ordinal()].sum();
    }

    /**
     * UDP datagrams that carried a whole BEP 15 header: connects, announces, scrapes, those with a
     * bad connection id and those with an unknown action. Summed from the per-kind counters, so
     * the hot path counts nothing extra for it.
     */
    public long udpRequests() {
        return udpConnects.sum()
                + udpAnnounces.sum()
                + udpScrapes.sum()
                + udpBadConnectionIds.sum()
                + failures(true, FailureReason.UDP_UNKNOWN_ACTION);
    }

    /** Rate limit for error logging: true at most once per {@link #LOG_INTERVAL_MILLIS}. */
    boolean shouldLog() {
        long now = System.currentTimeMillis();
        long last = lastLog.get();
        return now - last >= LOG_INTERVAL_MILLIS && lastLog.compareAndSet(last, now);
    }
}
