package org.retracker.transport;

import io.netty.buffer.ByteBuf;
import io.netty.util.NetUtil;
import java.lang.management.ManagementFactory;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.retracker.core.AccessList;
import org.retracker.core.AnnounceService;
import org.retracker.core.TrackerPolicy;
import org.retracker.forward.ForwarderStatus;
import org.retracker.forward.ForwardingOptions;
import org.retracker.forward.ForwardingService;
import org.retracker.swarm.SwarmLimits;
import org.retracker.swarm.SwarmStore;

/**
 * {@code GET /stats}: the tracker's configuration and state for an operator, as text or ({@code
 * ?format=json}) JSON. The README lists every field.
 *
 * <p>Both forms are written from one {@link Snapshot}, so they show the same numbers. The swarm
 * figures come from one {@link SwarmStore#census()}: a walk of every swarm, one shard lock at a
 * time, which also counts peers by the client their {@code peer_id} names. That is O(peers) per
 * request, fine for an operator's page and never on the announce path.
 *
 * <p>Counts only: no client address, peer id or info hash appears on the page. Configured listen
 * addresses and forwarder URIs do, since they are the operator's own.
 */
final class StatsPage {
    private StatsPage() {}

    /** Everything the page shows, read once per request. */
    private record Snapshot(
            ServerOptions options,
            TrackerPolicy policy,
            SwarmLimits limits,
            int eventLoops,
            boolean prometheus,
            AccessList accessList,
            SwarmStore.Census census,
            TransportCounters counters,
            @Nullable Forwarding forwarding) {}

    /** The forwarding part of a {@link Snapshot}. */
    private record Forwarding(
            ForwardingOptions options,
            int swarms,
            ForwardingService.QueueState queue,
            ForwardingService.Counters counters,
            List<ForwarderStatus> forwarders) {
        long withState(String state) {
            return forwarders.stream().filter(f -> f.state().equals(state)).count();
        }
    }

    static void write(
            ByteBuf out,
            boolean json,
            AnnounceService service,
            TransportCounters counters,
            ServerOptions options,
            boolean prometheus) {
        Forwarding forwarding = null;
        if (service.forwarding() instanceof ForwardingService f) {
            forwarding = new Forwarding(f.options(), f.swarmCount(), f.queueState(), f.counters(), f.status());
        }
        Snapshot s = new Snapshot(
                options,
                service.policy(),
                service.store().limits(),
                TrackerServer.eventLoops(options),
                prometheus,
                service.accessList(),
                service.store().census(),
                counters,
                forwarding);
        StringBuilder b = new StringBuilder(
                2048 + s.census.clients().size() * 40 + (forwarding == null ? 0 : forwarding.forwarders.size() * 300));
        if (json) {
            json(new Json(b), s);
            b.append('\n');
        } else {
            text(b, s);
        }
        out.writeCharSequence(b, StandardCharsets.UTF_8);
    }

    /** The jar's version (its manifest), {@code dev} when run from classes, as {@code --version}. */
    private static String version() {
        String v = StatsPage.class.getPackage().getImplementationVersion();
        return v == null || v.isBlank() ? "dev" : v;
    }

    /** Seconds since the JVM started: the tracker is the process. */
    private static long uptimeSeconds() {
        return ManagementFactory.getRuntimeMXBean().getUptime() / 1000;
    }

    // ---- JSON ------------------------------------------------------------------------------------

    private static void json(Json j, Snapshot s) {
        ServerOptions o = s.options;
        TrackerPolicy p = s.policy;
        j.beginObject();
        j.name("version").value(version());
        j.name("uptime_seconds").value(uptimeSeconds());
        j.name("config").beginObject();
        j.name("listen").value(address(o.httpListen()));
        j.name("udp_listen").value(address(o.udpListen()));
        j.name("admin_listen").value(address(o.adminListen()));
        j.name("io_threads").value(s.eventLoops);
        j.name("debug").value(o.stats().debug());
        j.name("x_real_ip").value(o.realIpHeader());
        j.name("trusted_proxies").beginArray();
        for (Cidr c : o.trustedProxies()) {
            j.value(c.toString());
        }
        j.endArray();
        j.name("prometheus_enabled").value(s.prometheus);
        String trackerId = o.trackerId();
        j.name("tracker_id").value(trackerId == null ? "" : trackerId);
        j.name("age").number(minutes(p.peerLifetimeSeconds()));
        j.name("announce_response_interval").value(p.announceInterval());
        j.name("min_announce_interval").value(p.minAnnounceInterval());
        j.name("numwant_default").value(p.numwantDefault());
        j.name("numwant_max").value(p.numwantMax());
        j.name("scrape_max_hashes").value(p.scrapeMaxHashes());
        j.name("max_torrents").value(s.limits.maxTorrents());
        j.name("max_peers_per_swarm").value(s.limits.maxPeersPerSwarm());
        j.name("connection_id_grace").value(o.connectionIdGraceSeconds());
        j.name("http_idle_timeout").value(o.httpIdleTimeoutSeconds());
        j.name("http_request_timeout").value(o.httpRequestTimeoutSeconds());
        j.name("stats_interval").value(o.stats().statsIntervalSeconds());
        j.name("rate_limit_per_ip_per_sec").value(o.limits().ratePerSecond());
        j.name("rate_limit_per_ip_burst").value(o.limits().burst());
        j.name("max_connections_per_ip").value(o.limits().maxConnectionsPerAddress());
        AccessList a = s.accessList;
        j.name("access_list").value(a.file());
        if (a.isOn()) {
            j.name("access_list_mode").value(a.mode().key());
            j.name("access_list_entries").value(a.size());
        }
        j.name("forwards").value(o.stats().forwardsFile());
        Forwarding f = s.forwarding;
        if (f != null) {
            ForwardingOptions fo = f.options;
            j.name("forward_timeout").value(fo.timeout().toSeconds());
            j.name("forwarder_workers").value(fo.workers());
            j.name("max_forwarder_workers").value(fo.maxWorkers());
            j.name("forwarder_queue_size").value(fo.queueSize());
            j.name("queue_scale_threshold_pct").value(fo.scaleThresholdPct());
            j.name("queue_rate_limit_threshold").value(fo.rateLimitThresholdPct());
            j.name("queue_throttle_threshold").value(fo.throttleThresholdPct());
            j.name("queue_throttle_top_n").value(fo.throttleTop());
            j.name("rate_limit_initial_per_sec").value(fo.rateLimitPerSecond());
            j.name("rate_limit_initial_burst").value(fo.rateLimitBurst());
            j.name("forwarder_suspend_seconds").value(fo.suspendSeconds());
            j.name("forwarder_fail_threshold").value(fo.failThreshold());
            j.name("forwarder_retry_attempts").value(fo.retryAttempts());
            j.name("forwarder_retry_base_ms").value(fo.retryBaseMillis());
        }
        j.endObject();

        SwarmStore.Census census = s.census;
        j.name("swarms").value(census.swarms());
        j.name("peers").value(census.peers());
        j.name("seeders").value(census.seeders());
        j.name("leechers").value(census.leechers());
        j.name("downloaded").value(census.downloaded());
        j.name("clients").beginArray();
        for (SwarmStore.ClientCount c : census.clients()) {
            j.beginObject()
                    .name("name")
                    .value(c.name())
                    .name("peers")
                    .value(c.peers())
                    .endObject();
        }
        j.endArray();

        TransportCounters c = s.counters;
        j.name("http").beginObject();
        j.name("announces").value(c.httpAnnounces.sum());
        j.name("scrapes").value(c.httpScrapes.sum());
        j.name("errors").value(c.httpErrors.sum());
        j.name("timeouts").value(c.httpTimeouts.sum());
        j.name("rate_limited").value(c.rateLimitedCount(false, false) + c.rateLimitedCount(false, true));
        j.name("connections_refused").value(c.httpConnectionsRefused.sum());
        j.endObject();
        j.name("udp").beginObject();
        j.name("connects").value(c.udpConnects.sum());
        j.name("announces").value(c.udpAnnounces.sum());
        j.name("scrapes").value(c.udpScrapes.sum());
        j.name("bad_connection_ids").value(c.udpBadConnectionIds.sum());
        j.name("dropped").value(c.udpDropped.sum());
        j.name("rate_limited").value(c.rateLimitedCount(true, false) + c.rateLimitedCount(true, true));
        j.endObject();
        j.name("failures").value(c.failures.sum());

        if (f != null) {
            ForwardingService.QueueState q = f.queue;
            ForwardingService.Counters fc = f.counters;
            j.name("forwarding").beginObject();
            j.name("swarms").value(f.swarms);
            j.name("forwarders_active").value(f.withState("active"));
            j.name("forwarders_suspended").value(f.withState("suspended"));
            j.name("forwarders_down").value(f.withState("down"));
            j.name("queue_depth").value(q.depth());
            j.name("queue_capacity").value(q.capacity());
            j.name("queue_fill_pct").value(q.fillPercent());
            j.name("in_flight").value(q.inFlight());
            j.name("workers").value(q.workers());
            j.name("workers_min").value(q.minWorkers());
            j.name("workers_max").value(q.maxWorkers());
            j.name("jobs_queued").value(fc.queued.sum());
            j.name("dropped_queue_full").value(fc.droppedQueueFull.sum());
            j.name("rate_limited").value(fc.rateLimited.sum());
            j.name("throttled").value(fc.throttled.sum());
            j.name("retries").value(fc.retries.sum());
            j.name("stopped_sent").value(fc.stoppedSent.sum());
            j.name("expired_peers").value(fc.expiredPeers.sum());
            j.name("forwarders").beginArray();
            for (ForwarderStatus fs : f.forwarders) {
                j.beginObject();
                j.name("name").value(fs.name());
                j.name("uri").value(fs.uri());
                j.name("status").value(fs.state());
                j.name("reason").value(fs.reason());
                j.name("retry_at_ms").value(fs.retryAtMillis());
                j.name("consecutive_failures").value(fs.consecutiveFailures());
                j.name("announces").value(fs.announces());
                j.name("ok").value(fs.successes());
                j.name("failed").value(fs.failures());
                j.name("peers_received").value(fs.peersReceived());
                j.name("avg_response_time_ms").value(fs.meanLatencyMillis());
                j.name("response_samples").value(fs.latencySamples());
                j.name("avg_interval_seconds").value(fs.meanIntervalSeconds());
                j.name("interval_samples").value(fs.intervalSamples());
                j.endObject();
            }
            j.endArray();
            j.endObject();
        }
        j.endObject();
    }

    // ---- text ------------------------------------------------------------------------------------

    private static void text(StringBuilder b, Snapshot s) {
        ServerOptions o = s.options;
        TrackerPolicy p = s.policy;
        b.append("version: ").append(version()).append('\n');
        b.append("uptime: ").append(uptimeSeconds()).append(" s\n");
        b.append("config:\n");
        setting(b, "listen", show(o.httpListen()));
        setting(b, "udp_listen", show(o.udpListen()));
        setting(b, "admin_listen", show(o.adminListen()));
        setting(b, "io_threads", s.eventLoops);
        setting(b, "debug", o.stats().debug());
        setting(b, "x_real_ip", o.realIpHeader());
        StringBuilder proxies = new StringBuilder();
        for (Cidr c : o.trustedProxies()) {
            proxies.append(proxies.isEmpty() ? "" : ", ").append(c);
        }
        setting(b, "trusted_proxies", quoted(proxies.toString()));
        setting(b, "prometheus_enabled", s.prometheus);
        String trackerId = o.trackerId();
        setting(b, "tracker_id", quoted(trackerId == null ? "" : trackerId));
        setting(b, "age", minutes(p.peerLifetimeSeconds()).toPlainString() + " min");
        setting(b, "announce_response_interval", p.announceInterval() + " s");
        setting(b, "min_announce_interval", p.minAnnounceInterval() + " s");
        setting(b, "numwant_default", p.numwantDefault());
        setting(b, "numwant_max", p.numwantMax());
        setting(b, "scrape_max_hashes", p.scrapeMaxHashes());
        setting(b, "max_torrents", s.limits.maxTorrents());
        setting(b, "max_peers_per_swarm", s.limits.maxPeersPerSwarm());
        setting(b, "connection_id_grace", o.connectionIdGraceSeconds() + " s");
        setting(b, "http_idle_timeout", o.httpIdleTimeoutSeconds() + " s");
        setting(b, "http_request_timeout", o.httpRequestTimeoutSeconds() + " s");
        setting(b, "stats_interval", o.stats().statsIntervalSeconds() + " s");
        setting(b, "rate_limit_per_ip_per_sec", o.limits().ratePerSecond());
        setting(b, "rate_limit_per_ip_burst", o.limits().burst());
        setting(b, "max_connections_per_ip", o.limits().maxConnectionsPerAddress());
        AccessList a = s.accessList;
        setting(b, "access_list", quoted(a.file()));
        if (a.isOn()) {
            setting(b, "access_list_mode", a.mode().key());
            setting(b, "access_list_entries", a.size());
        }
        setting(b, "forwards", quoted(o.stats().forwardsFile()));
        Forwarding f = s.forwarding;
        if (f != null) {
            ForwardingOptions fo = f.options;
            setting(b, "forward_timeout", fo.timeout().toSeconds() + " s");
            setting(b, "forwarder_workers", fo.workers());
            setting(b, "max_forwarder_workers", fo.maxWorkers());
            setting(b, "forwarder_queue_size", fo.queueSize());
            setting(b, "queue_scale_threshold_pct", fo.scaleThresholdPct() + "%");
            setting(b, "queue_rate_limit_threshold", fo.rateLimitThresholdPct() + "%");
            setting(b, "queue_throttle_threshold", fo.throttleThresholdPct() + "%");
            setting(b, "queue_throttle_top_n", fo.throttleTop());
            setting(b, "rate_limit_initial_per_sec", fo.rateLimitPerSecond());
            setting(b, "rate_limit_initial_burst", fo.rateLimitBurst());
            setting(b, "forwarder_suspend_seconds", fo.suspendSeconds() + " s");
            setting(b, "forwarder_fail_threshold", fo.failThreshold());
            setting(b, "forwarder_retry_attempts", fo.retryAttempts());
            setting(b, "forwarder_retry_base_ms", fo.retryBaseMillis() + " ms");
        }

        SwarmStore.Census census = s.census;
        b.append("swarms: ").append(census.swarms()).append('\n');
        b.append("peers: ").append(census.peers()).append('\n');
        b.append("seeders: ").append(census.seeders()).append('\n');
        b.append("leechers: ").append(census.leechers()).append('\n');
        b.append("downloaded: ").append(census.downloaded()).append('\n');
        b.append("clients (peers by peer_id):").append(census.clients().isEmpty() ? " none\n" : "\n");
        for (SwarmStore.ClientCount c : census.clients()) {
            b.append("  ").append(c.name()).append(": ").append(c.peers()).append('\n');
        }

        TransportCounters c = s.counters;
        b.append("http: ").append(c.httpAnnounces.sum()).append(" announces, ");
        b.append(c.httpScrapes.sum()).append(" scrapes, ");
        b.append(c.httpErrors.sum()).append(" errors, ");
        b.append(c.httpTimeouts.sum()).append(" timeouts, ");
        b.append(c.rateLimitedCount(false, false) + c.rateLimitedCount(false, true))
                .append(" rate limited, ");
        b.append(c.httpConnectionsRefused.sum()).append(" connections refused\n");
        b.append("udp: ").append(c.udpConnects.sum()).append(" connects, ");
        b.append(c.udpAnnounces.sum()).append(" announces, ");
        b.append(c.udpScrapes.sum()).append(" scrapes, ");
        b.append(c.udpBadConnectionIds.sum()).append(" bad connection ids, ");
        b.append(c.udpDropped.sum()).append(" dropped, ");
        b.append(c.rateLimitedCount(true, false) + c.rateLimitedCount(true, true))
                .append(" rate limited\n");
        b.append("failures: ").append(c.failures.sum()).append('\n');

        if (f != null) {
            ForwardingService.QueueState q = f.queue;
            ForwardingService.Counters fc = f.counters;
            b.append("forwarding: ").append(f.swarms).append(" swarms; forwarders ");
            b.append(f.withState("active")).append(" active, ");
            b.append(f.withState("suspended")).append(" suspended, ");
            b.append(f.withState("down")).append(" down\n");
            b.append("queue: ").append(q.depth()).append(" / ").append(q.capacity());
            b.append(" (").append(q.fillPercent()).append("%), ");
            b.append(q.inFlight()).append(" in flight\n");
            b.append("workers: ").append(q.workers());
            b.append(" (min ")
                    .append(q.minWorkers())
                    .append(", max ")
                    .append(q.maxWorkers())
                    .append(")\n");
            b.append("jobs: ").append(fc.queued.sum()).append(" queued, ");
            b.append(fc.droppedQueueFull.sum()).append(" dropped (queue full), ");
            b.append(fc.rateLimited.sum()).append(" rate limited, ");
            b.append(fc.throttled.sum()).append(" throttled, ");
            b.append(fc.retries.sum()).append(" retries, ");
            b.append(fc.stoppedSent.sum()).append(" stopped sent, ");
            b.append(fc.expiredPeers.sum()).append(" expired peers\n");
            for (ForwarderStatus fs : f.forwarders) {
                b.append("forwarder ").append(oneLine(fs.name())).append(' ').append(oneLine(fs.uri()));
                b.append(": ").append(fs.state());
                if (!fs.reason().isEmpty()) {
                    b.append(" (").append(oneLine(fs.reason())).append(')');
                }
                b.append(", ").append(fs.announces()).append(" announces, ");
                b.append(fs.successes()).append(" ok, ");
                b.append(fs.failures()).append(" failed, ");
                b.append(fs.peersReceived()).append(" peers, avg response ");
                mean(b, fs.meanLatencyMillis(), " ms", fs.latencySamples());
                b.append(", avg interval ");
                mean(b, fs.meanIntervalSeconds(), " s", fs.intervalSamples());
                b.append('\n');
            }
        }
    }

    private static void setting(StringBuilder b, String key, Object value) {
        b.append("  ").append(key).append(": ").append(value).append('\n');
    }

    private static void mean(StringBuilder b, long mean, String unit, int samples) {
        if (samples == 0) {
            b.append("-");
        } else {
            b.append(mean).append(unit);
        }
        b.append(" (").append(samples).append(samples == 1 ? " sample)" : " samples)");
    }

    /** Empty text as {@code ''}, as the config template writes it. */
    private static String quoted(String s) {
        return s.isEmpty() ? "''" : oneLine(s);
    }

    /** Control characters (a tracker's error text may hold any) as spaces: one line per item. */
    private static String oneLine(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) < 0x20 || s.charAt(i) == 0x7f) {
                StringBuilder b = new StringBuilder(s.length());
                for (int k = 0; k < s.length(); k++) {
                    char ch = s.charAt(k);
                    b.append(ch < 0x20 || ch == 0x7f ? ' ' : ch);
                }
                return b.toString();
            }
        }
        return s;
    }

    // ---- shared ----------------------------------------------------------------------------------

    private static @Nullable String address(@Nullable InetSocketAddress a) {
        return a == null ? null : NetUtil.toSocketAddressString(a);
    }

    private static String show(@Nullable InetSocketAddress a) {
        return a == null ? "off" : NetUtil.toSocketAddressString(a);
    }

    /** The peer lifetime in minutes, as {@code age} is written: {@code 60}, {@code 0.5}. */
    private static BigDecimal minutes(int seconds) {
        return BigDecimal.valueOf(seconds)
                .divide(BigDecimal.valueOf(60), 6, RoundingMode.HALF_EVEN)
                .stripTrailingZeros();
    }

    /**
     * A JSON writer into a {@link StringBuilder}: commas between members and elements are placed by
     * the writer, strings are escaped (RFC 8259 §7). The caller keeps names and values paired.
     */
    private static final class Json {
        private final StringBuilder b;
        /** Whether the next member or element is the first of its container (no comma before it). */
        private boolean first = true;

        Json(StringBuilder b) {
            this.b = b;
        }

        Json beginObject() {
            separate();
            b.append('{');
            first = true;
            return this;
        }

        Json endObject() {
            b.append('}');
            first = false;
            return this;
        }

        Json beginArray() {
            separate();
            b.append('[');
            first = true;
            return this;
        }

        Json endArray() {
            b.append(']');
            first = false;
            return this;
        }

        Json name(String name) {
            separate();
            string(name);
            b.append(':');
            first = true; // the value follows without a comma
            return this;
        }

        Json value(long v) {
            separate();
            b.append(v);
            return this;
        }

        Json value(boolean v) {
            separate();
            b.append(v);
            return this;
        }

        Json value(@Nullable String v) {
            separate();
            if (v == null) {
                b.append("null");
            } else {
                string(v);
            }
            return this;
        }

        Json number(BigDecimal v) {
            separate();
            b.append(v.toPlainString());
            return this;
        }

        private void separate() {
            if (!first) {
                b.append(',');
            }
            first = false;
        }

        private void string(String s) {
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
}
