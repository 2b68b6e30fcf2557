package org.retracker.cli;

import java.util.Locale;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;
import org.retracker.forward.ForwarderStatus;
import org.retracker.forward.ForwardingService;
import org.retracker.swarm.SwarmStore;
import org.retracker.transport.TransportCounters;

/**
 * The periodic stats line of the log ({@code -s}): swarms, peers, seeders and leechers, requests
 * since the previous line and their rate, and with forwarding the queue, its workers, what was
 * shed, and the forwarders that are not active. Keeps the request count of the previous line, so
 * one instance serves one tracker; called from the housekeeping thread only.
 */
final class StatsLine {
    private final SwarmStore store;
    private final TransportCounters counters;
    private final @Nullable ForwardingService forwarding;
    private final LongSupplier nanoTime;
    private long lastRequests;
    private long lastNanos;

    StatsLine(
            SwarmStore store,
            TransportCounters counters,
            @Nullable ForwardingService forwarding,
            LongSupplier nanoTime) {
        this.store = store;
        this.counters = counters;
        this.forwarding = forwarding;
        this.nanoTime = nanoTime;
        this.lastRequests = requests(counters);
        this.lastNanos = nanoTime.getAsLong();
    }

    /**
     * Requests as the line counts them: HTTP announces and scrapes, and UDP datagrams with a whole
     * BEP 15 header (connects included).
     */
    static long requests(TransportCounters c) {
        return c.httpAnnounces.sum() + c.httpScrapes.sum() + c.udpRequests();
    }

    /** The next line; the requests it reports are those since the previous call. */
    String next() {
        SwarmStore.Totals totals = store.totals();
        long requests = requests(counters);
        long now = nanoTime.getAsLong();
        long delta = requests - lastRequests;
        double seconds = Math.max(1e-9, (now - lastNanos) / 1e9);
        lastRequests = requests;
        lastNanos = now;
        StringBuilder b = new StringBuilder(160);
        b.append("stats: ").append(totals.swarms()).append(" swarms, ");
        b.append(totals.peers()).append(" peers (");
        b.append(totals.seeders()).append(" seeders, ");
        b.append(totals.leechers()).append(" leechers); ");
        b.append(delta).append(" requests in ").append(Math.round(seconds)).append(" s (");
        b.append(String.format(Locale.ROOT, "%.1f", delta / seconds)).append("/s)");
        ForwardingService f = forwarding;
        if (f != null) {
            ForwardingService.QueueState q = f.queueState();
            ForwardingService.Counters fc = f.counters();
            b.append("; forwarding: queue ").append(q.depth()).append('/').append(q.capacity());
            b.append(" (").append(q.fillPercent()).append("%), ");
            b.append(q.inFlight()).append(" in flight, ");
            b.append(q.workers()).append(" workers, ");
            b.append(fc.droppedQueueFull.sum()).append(" dropped (queue full), ");
            b.append(fc.rateLimited.sum()).append(" rate limited, ");
            b.append(fc.throttled.sum()).append(" throttled");
            StringBuilder down = new StringBuilder();
            for (ForwarderStatus s : f.status()) {
                if (!s.state().equals("active")) {
                    down.append(down.isEmpty() ? "" : "; ")
                            .append(s.name())
                            .append(' ')
                            .append(s.state())
                            .append(": ")
                            .append(s.reason());
                }
            }
            if (!down.isEmpty()) {
                b.append("; not active: ").append(down);
            }
        }
        return b.toString();
    }
}
