package org.retracker.metrics;

import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot.HistogramDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.Unit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.retracker.core.AccessList;
import org.retracker.core.AnnounceService;
import org.retracker.forward.ForwarderMetrics;
import org.retracker.forward.ForwardingService;
import org.retracker.forward.LatencyHistogram;
import org.retracker.forward.UpstreamReply;
import org.retracker.protocol.AnnounceEvent;
import org.retracker.protocol.FailureReason;
import org.retracker.swarm.SwarmStore;
import org.retracker.transport.TransportCounters;

/**
 * The tracker's own metrics, built at scrape time from {@link TransportCounters}, the {@link
 * SwarmStore} and the {@link ForwardingService}: collector style, so that serving announces costs
 * nothing more than the {@code LongAdder} increments the transport makes anyway.
 *
 * <p>Names: the Go seed's metrics keep their names ({@code requests}, {@code forwarder_status},
 * {@code queue_*}, {@code forwarder_workers}); the rest carry the {@code retracker_} prefix. Names
 * are given without {@code _total}; the exposition adds it to counters. Label values are fixed
 * sets (protocols, events, reasons, outcomes) or forwarder names from the forwarders file (at
 * most {@code ForwardersFile.MAX_FORWARDERS}), so the number of series is bounded.
 *
 * <p>Forwarding metrics appear only when a forwarders file is configured.
 */
final class TrackerCollector implements MultiCollector {
    private static final String[] PROTOCOLS = {"http", "udp"};
    /** The forwarder label, named as in the seed's {@code forwarder_status}. */
    private static final String FORWARDER = "name";

    private final AnnounceService service;
    private final TransportCounters counters;

    TrackerCollector(AnnounceService service, TransportCounters counters) {
        this.service = service;
        this.counters = counters;
    }

    @Override
    public MetricSnapshots collect() {
        List<MetricSnapshot> out = new ArrayList<>();
        TransportCounters c = counters;
        out.add(counter(
                "requests",
                "HTTP /announce requests plus UDP datagrams with a whole BEP 15 header (the Go seed's metric)",
                c.httpAnnounces.sum() + c.udpRequests()));

        CounterSnapshot.Builder announces = CounterSnapshot.builder()
                .name("retracker_announces")
                .help("Well-formed announces by protocol and event (none = a regular announce)");
        CounterSnapshot.Builder failures = CounterSnapshot.builder()
                .name("retracker_failures")
                .help("Requests answered with a failure reason (HTTP) or an error (UDP), by protocol and reason");
        for (String protocol : PROTOCOLS) {
            boolean udp = protocol.equals("udp");
            for (AnnounceEvent e : AnnounceEvent.values()) {
                announces.dataPoint(point(Labels.of("protocol", protocol, "event", label(e)), c.announces(udp, e)));
            }
            for (FailureReason r : FailureReason.values()) {
                if (!udp && r.name().startsWith("UDP_")) {
                    continue; // BEP 15 request shapes: never an HTTP answer
                }
                failures.dataPoint(point(Labels.of("protocol", protocol, "reason", label(r)), c.failures(udp, r)));
            }
        }
        out.add(announces.build());
        out.add(CounterSnapshot.builder()
                .name("retracker_scrapes")
                .help("Scrape requests by protocol")
                .dataPoint(point(Labels.of("protocol", "http"), c.httpScrapes.sum()))
                .dataPoint(point(Labels.of("protocol", "udp"), c.udpScrapes.sum()))
                .build());
        out.add(failures.build());
        CounterSnapshot.Builder rateLimited = CounterSnapshot.builder()
                .name("retracker_rate_limited")
                .help("Announces and scrapes refused by the per-address rate limit, by protocol and kind");
        for (String protocol : PROTOCOLS) {
            boolean udp = protocol.equals("udp");
            rateLimited.dataPoint(
                    point(Labels.of("protocol", protocol, "kind", "announce"), c.rateLimitedCount(udp, false)));
            rateLimited.dataPoint(
                    point(Labels.of("protocol", protocol, "kind", "scrape"), c.rateLimitedCount(udp, true)));
        }
        out.add(rateLimited.build());
        out.add(counter("retracker_udp_connects", "UDP connect requests answered (BEP 15)", c.udpConnects.sum()));
        out.add(counter(
                "retracker_udp_connection_id_rejections",
                "UDP datagrams dropped unanswered: connection id unknown, expired or not the source's",
                c.udpBadConnectionIds.sum()));
        out.add(counter(
                "retracker_udp_dropped",
                "UDP datagrams dropped unanswered: shorter than a BEP 15 header, or from port 0",
                c.udpDropped.sum()));
        out.add(counter(
                "retracker_http_errors",
                "HTTP requests refused at the HTTP level (malformed or oversized heads: 4xx/5xx)",
                c.httpErrors.sum()));
        out.add(counter(
                "retracker_http_timeouts",
                "HTTP connections closed for idling or for a request head that came too slowly",
                c.httpTimeouts.sum()));
        out.add(counter(
                "retracker_http_connections_refused",
                "HTTP connections closed as soon as accepted: their address held max_connections_per_ip already",
                c.httpConnectionsRefused.sum()));
        out.add(counter(
                "retracker_unexpected_errors",
                "Unexpected errors caught at the edge of a connection or socket (bugs; see the log)",
                c.unexpectedErrors.sum()));

        SwarmStore.Totals totals = service.store().totals();
        out.add(gauge("retracker_swarms", "Swarms (info hashes) with at least one peer", totals.swarms()));
        out.add(gauge("retracker_peers", "Peers in all swarms", totals.peers()));
        out.add(gauge("retracker_seeders", "Peers with nothing left to download", totals.seeders()));
        out.add(gauge("retracker_leechers", "Peers still downloading", totals.leechers()));
        out.add(counter(
                "retracker_peers_evicted",
                "Peers replaced by a newcomer in a swarm at max_peers_per_swarm (the least recently seen of a sample)",
                service.store().evictedPeers()));
        AccessList accessList = service.accessList();
        if (accessList.isOn()) {
            out.add(gauge(
                    "retracker_access_list_entries",
                    "Info hashes on the access list in force (allow or deny, see /stats)",
                    accessList.size()));
        }

        if (service.forwarding() instanceof ForwardingService f) {
            forwarding(f, out);
        }
        return new MetricSnapshots(out);
    }

    private static void forwarding(ForwardingService f, List<MetricSnapshot> out) {
        ForwardingService.Counters fc = f.counters();
        int depth = f.queueLength();
        int capacity = f.queueCapacity();
        out.add(gauge("queue_depth", "Upstream announces waiting for a worker", depth));
        out.add(gauge("queue_capacity", "The most upstream announces that may wait (-Q)", capacity));
        out.add(gauge("queue_fill_pct", "queue_depth as a percentage of queue_capacity", 100.0 * depth / capacity));
        out.add(gauge("forwarder_workers", "Upstream announces that may be in flight now (-w to -W)", f.workers()));
        out.add(counter(
                "queue_dropped_full",
                "Upstream announces dropped because the queue was full",
                fc.droppedQueueFull.sum()));
        out.add(counter(
                "queue_rate_limited",
                "First announces of new swarms refused with 'tracker busy' while the queue was nearly full",
                fc.rateLimited.sum()));
        out.add(counter(
                "queue_throttled_forwarders",
                "Upstream announces of new swarms skipped for a forwarder outside the fastest while throttled",
                fc.throttled.sum()));
        out.add(gauge("retracker_forward_in_flight", "Upstream announces in flight", f.inFlight()));
        out.add(counter("retracker_forward_retries", "Upstream attempts retried after an error", fc.retries.sum()));

        CounterSnapshot.Builder status = CounterSnapshot.builder()
                .name("forwarder_status")
                .help("Upstream attempts by forwarder and status: the HTTP status code, 200 for a UDP answer,"
                        + " else error (the Go seed's metric)");
        CounterSnapshot.Builder requests = CounterSnapshot.builder()
                .name("retracker_forwarder_requests")
                .help("Upstream attempts by forwarder and outcome (ok, refused, rate_limited, error)");
        CounterSnapshot.Builder peers = CounterSnapshot.builder()
                .name("retracker_forwarder_peers_received")
                .help("Peers in the answers of each forwarder");
        GaugeSnapshot.Builder up = GaugeSnapshot.builder()
                .name("retracker_forwarder_up")
                .help("1 when the forwarder is in rotation, 0 when suspended or down");
        HistogramSnapshot.Builder latency = HistogramSnapshot.builder()
                .name("retracker_forwarder_latency_seconds")
                .unit(Unit.SECONDS)
                .help("Duration of each upstream attempt, whatever its outcome (a timeout counts at -t)");
        Set<String> seen = new HashSet<>();
        boolean any = false;
        for (ForwarderMetrics m : f.forwarderMetrics()) {
            if (!seen.add(m.name())) {
                continue; // names are unique in a forwarders file; never emit one series twice
            }
            any = true;
            for (Map.Entry<String, Long> e : m.statuses().entrySet()) {
                status.dataPoint(point(Labels.of(FORWARDER, m.name(), "status", e.getKey()), e.getValue()));
            }
            for (UpstreamReply.Outcome o : UpstreamReply.Outcome.values()) {
                long n = m.attempts().getOrDefault(o, 0L);
                requests.dataPoint(point(Labels.of(FORWARDER, m.name(), "outcome", label(o)), n));
            }
            peers.dataPoint(point(Labels.of(FORWARDER, m.name()), m.peersReceived()));
            up.dataPoint(GaugeDataPointSnapshot.builder()
                    .labels(Labels.of(FORWARDER, m.name()))
                    .value(m.active() ? 1 : 0)
                    .build());
            latency.dataPoint(histogram(Labels.of(FORWARDER, m.name()), m.latency()));
        }
        if (any) {
            out.add(status.build());
            out.add(requests.build());
            out.add(peers.build());
            out.add(up.build());
            out.add(latency.build());
        }
    }

    private static HistogramDataPointSnapshot histogram(Labels labels, LatencyHistogram.Snapshot s) {
        int n = LatencyHistogram.buckets();
        double[] bounds = new double[n];
        long[] counts = new long[n];
        for (int i = 0; i < n; i++) {
            bounds[i] = LatencyHistogram.upperBoundSeconds(i);
            counts[i] = s.count(i); // per bucket: the writers accumulate
        }
        return HistogramDataPointSnapshot.builder()
                .labels(labels)
                .classicHistogramBuckets(ClassicHistogramBuckets.of(bounds, counts))
                .sum(s.sumSeconds())
                .build();
    }

    private static String label(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT);
    }

    private static CounterDataPointSnapshot point(Labels labels, long value) {
        return CounterDataPointSnapshot.builder().labels(labels).value(value).build();
    }

    private static CounterSnapshot counter(String name, String help, long value) {
        return CounterSnapshot.builder()
                .name(name)
                .help(help)
                .dataPoint(CounterDataPointSnapshot.builder().value(value).build())
                .build();
    }

    private static GaugeSnapshot gauge(String name, String help, double value) {
        return GaugeSnapshot.builder()
                .name(name)
                .help(help)
                .dataPoint(GaugeDataPointSnapshot.builder().value(value).build())
                .build();
    }
}
