package org.retracker.transport;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.retracker.core.AnnounceService;
import org.retracker.forward.ForwarderStatus;
import org.retracker.forward.ForwardingService;

/**
 * {@code GET /stats}: the tracker's state for an operator, as text or ({@code ?format=json}) JSON.
 * Counts only, never a client's address. Built per request, which is fine: it is not the hot path.
 */
final class StatsPage {
    private StatsPage() {}

    static void write(ByteBuf out, boolean json, AnnounceService service, TransportCounters c) {
        ForwardingService f = service.forwarding() instanceof ForwardingService fs ? fs : null;
        List<ForwarderStatus> forwarders = f == null ? List.of() : f.status();
        StringBuilder b = new StringBuilder(512 + forwarders.size() * 200);
        if (json) {
            b.append("{\"swarms\":").append(service.store().swarmCount());
            b.append(",\"peers\":").append(service.store().peerCount());
            b.append(",\"http\":{\"announces\":").append(c.httpAnnounces.sum());
            b.append(",\"scrapes\":").append(c.httpScrapes.sum());
            b.append(",\"errors\":").append(c.httpErrors.sum());
            b.append(",\"timeouts\":").append(c.httpTimeouts.sum()).append('}');
            b.append(",\"udp\":{\"connects\":").append(c.udpConnects.sum());
            b.append(",\"announces\":").append(c.udpAnnounces.sum());
            b.append(",\"scrapes\":").append(c.udpScrapes.sum());
            b.append(",\"bad_connection_ids\":").append(c.udpBadConnectionIds.sum());
            b.append(",\"dropped\":").append(c.udpDropped.sum()).append('}');
            b.append(",\"failures\":").append(c.failures.sum());
            if (f != null) {
                ForwardingService.Counters fc = f.counters();
                b.append(",\"forwarding\":{\"swarms\":").append(f.swarmCount());
                b.append(",\"queued\":").append(f.queueLength());
                b.append(",\"in_flight\":").append(f.inFlight());
                b.append(",\"workers\":").append(f.workers());
                b.append(",\"jobs\":").append(fc.queued.sum());
                b.append(",\"dropped_queue_full\":").append(fc.droppedQueueFull.sum());
                b.append(",\"throttled\":").append(fc.throttled.sum());
                b.append(",\"rate_limited\":").append(fc.rateLimited.sum());
                b.append(",\"retries\":").append(fc.retries.sum());
                b.append(",\"stopped_sent\":").append(fc.stoppedSent.sum());
                b.append(",\"forwarders\":[");
                for (int i = 0; i < forwarders.size(); i++) {
                    ForwarderStatus s = forwarders.get(i);
                    b.append(i == 0 ? "{" : ",{");
                    b.append("\"name\":");
                    jsonString(b, s.name());
                    b.append(",\"uri\":");
                    jsonString(b, s.uri());
                    b.append(",\"state\":");
                    jsonString(b, s.state());
                    b.append(",\"reason\":");
                    jsonString(b, s.reason());
                    b.append(",\"retry_at_ms\":").append(s.retryAtMillis());
                    b.append(",\"consecutive_failures\":").append(s.consecutiveFailures());
                    b.append(",\"announces\":").append(s.announces());
                    b.append(",\"successes\":").append(s.successes());
                    b.append(",\"failures\":").append(s.failures());
                    b.append(",\"peers_received\":").append(s.peersReceived());
                    b.append(",\"mean_latency_ms\":").append(s.meanLatencyMillis());
                    b.append('}');
                }
                b.append("]}");
            }
            b.append("}\n");
        } else {
            b.append("swarms: ").append(service.store().swarmCount()).append('\n');
            b.append("peers: ").append(service.store().peerCount()).append('\n');
            b.append("http: ").append(c.httpAnnounces.sum()).append(" announces, ");
            b.append(c.httpScrapes.sum())
                    .append(" scrapes, ")
                    .append(c.httpErrors.sum())
                    .append(" errors, ");
            b.append(c.httpTimeouts.sum()).append(" timeouts\n");
            b.append("udp: ").append(c.udpConnects.sum()).append(" connects, ");
            b.append(c.udpAnnounces.sum())
                    .append(" announces, ")
                    .append(c.udpScrapes.sum())
                    .append(" scrapes, ");
            b.append(c.udpBadConnectionIds.sum()).append(" bad connection ids, ");
            b.append(c.udpDropped.sum()).append(" dropped\n");
            b.append("failures: ").append(c.failures.sum()).append('\n');
            if (f != null) {
                ForwardingService.Counters fc = f.counters();
                b.append("forwarding: ").append(f.swarmCount()).append(" swarms, ");
                b.append(f.queueLength())
                        .append(" queued, ")
                        .append(f.inFlight())
                        .append(" in flight, ");
                b.append(f.workers())
                        .append(" workers, ")
                        .append(fc.queued.sum())
                        .append(" jobs, ");
                b.append(fc.droppedQueueFull.sum()).append(" dropped (queue full), ");
                b.append(fc.throttled.sum()).append(" throttled, ").append(fc.rateLimited.sum());
                b.append(" rate limited, ").append(fc.retries.sum()).append(" retries\n");
                for (ForwarderStatus s : forwarders) {
                    b.append("forwarder ")
                            .append(s.name())
                            .append(' ')
                            .append(s.uri())
                            .append(": ");
                    b.append(s.state());
                    if (!s.reason().isEmpty()) {
                        b.append(" (").append(s.reason()).append(')');
                    }
                    b.append(", ").append(s.announces()).append(" announces, ").append(s.successes());
                    b.append(" ok, ").append(s.failures()).append(" failed, ").append(s.peersReceived());
                    b.append(" peers, mean ").append(s.meanLatencyMillis()).append(" ms\n");
                }
            }
        }
        out.writeCharSequence(b, StandardCharsets.UTF_8);
    }

    private static void jsonString(StringBuilder b, String s) {
        b.append('"');
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            switch (ch) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (ch < 0x20) {
                        b.append(String.format("\\u%04x", (int) ch));
                    } else {
                        b.append(ch);
                    }
                }
            }
        }
        b.append('"');
    }
}
