package org.retracker.config;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.retracker.core.AccessList;
import org.retracker.core.TrackerPolicy;
import org.retracker.swarm.SwarmLimits;
import org.retracker.transport.Cidr;
import org.retracker.transport.ClientLimits;
import org.retracker.transport.ServerOptions;
import org.retracker.transport.StatsOptions;

/**
 * Every setting of one tracker process, validated. {@link ConfigLoader} builds it from defaults, the
 * YAML file, the environment and the command line; see {@link Setting} for the names and defaults.
 *
 * @param listen HTTP listen address, {@code null} for no HTTP ({@code listen})
 * @param udpListen UDP listen address, {@code null} for no UDP ({@code udp_listen})
 * @param age peer lifetime in minutes ({@code age})
 * @param debug debug logging ({@code debug})
 * @param xRealIp believe X-Real-IP / X-Forwarded-For from trusted proxies ({@code x_real_ip})
 * @param announceInterval seconds, BEP 3 {@code interval} ({@code announce_response_interval})
 * @param minAnnounceInterval seconds, BEP 3 {@code min interval}, at most {@code announceInterval}
 * @param statsInterval seconds between stats log lines, 0 for none ({@code stats_interval})
 * @param trackerId BEP 3 {@code tracker id}, empty for none ({@code tracker_id})
 * @param trustedProxies address blocks whose forwarded-address information is believed
 * @param numwantDefault peers sent when the client does not ask for a number, at most {@code
 *     numwantMax}
 * @param numwantMax the most peers one reply carries
 * @param scrapeMaxHashes the most info hashes one scrape may name
 * @param maxTorrents the most swarms held, 0 for the JVM's maximum heap / {@link
 *     SwarmLimits#HEAP_BYTES_PER_TORRENT} ({@code max_torrents})
 * @param maxPeersPerSwarm the most peers one swarm holds ({@code max_peers_per_swarm})
 * @param connectionIdGrace seconds a UDP connection id is accepted beyond BEP 15's two minutes
 * @param ioThreads event loops, 0 for one per core
 * @param httpIdleTimeout seconds an idle keep-alive connection is kept
 * @param httpRequestTimeout seconds a request head has to arrive in
 * @param prometheus serve {@code GET /metrics} ({@code prometheus_enabled})
 * @param adminListen admin HTTP address for {@code /stats} and {@code /metrics}, {@code null} for
 *     none ({@code admin_listen})
 * @param accessList the access list file, empty for none ({@code access_list})
 * @param accessListMode whether {@code accessList} names the only torrents served or the ones refused
 *     ({@code access_list_mode})
 * @param forwarding forwarders file and how forwarding schedules its work
 * @param clientLimits what one client address may cost ({@code rate_limit_per_ip_per_sec}, {@code
 *     rate_limit_per_ip_burst}, {@code max_connections_per_ip})
 */
public record TrackerConfig(
        @Nullable InetSocketAddress listen,
        @Nullable InetSocketAddress udpListen,
        double age,
        boolean debug,
        boolean xRealIp,
        int announceInterval,
        int minAnnounceInterval,
        int statsInterval,
        String trackerId,
        List<Cidr> trustedProxies,
        int numwantDefault,
        int numwantMax,
        int scrapeMaxHashes,
        int maxTorrents,
        int maxPeersPerSwarm,
        int connectionIdGrace,
        int ioThreads,
        int httpIdleTimeout,
        int httpRequestTimeout,
        boolean prometheus,
        @Nullable InetSocketAddress adminListen,
        String accessList,
        AccessList.Mode accessListMode,
        ForwardingConfig forwarding,
        ClientLimits clientLimits) {

    /** A stats line a minute, as the seed printed them. */
    public static final int DEFAULT_STATS_INTERVAL_SECONDS = 60;
    /** A week: a peer silent for longer is gone, and the lifetime must fit seconds in an int. */
    public static final int MAX_AGE_MINUTES = 7 * 24 * 60;
    /** A day, for the announce intervals and the stats interval: longer is surely a typo. */
    public static final int MAX_INTERVAL_SECONDS = 24 * 60 * 60;
    /**
     * Ten minutes beyond BEP 15's two: clients that cache ids for five minutes (as the seed's
     * forwarder did) still get through, while a captured id stays useful for spoofing only briefly.
     */
    public static final int MAX_CONNECTION_ID_GRACE_SECONDS = 600;
    /** Far above any core count this tracker will meet; more loops only add contention. */
    public static final int MAX_IO_THREADS = 256;
    /** An hour: long enough for any client, short enough that idle sockets do not pile up. */
    public static final int MAX_HTTP_TIMEOUT_SECONDS = 60 * 60;
    /** The id is sent in every HTTP announce reply, so it stays short: a name or a UUID fits. */
    public static final int MAX_TRACKER_ID_BYTES = 64;
    /** Every forwarded request is matched against each block in turn. */
    public static final int MAX_TRUSTED_PROXIES = 64;
    /** Linux's PATH_MAX. */
    public static final int MAX_PATH_BYTES = 4096;
    /** Five minutes: an external tracker slower than that is as good as down. */
    public static final int MAX_FORWARD_TIMEOUT_SECONDS = 300;
    /** In-flight upstream announces; each costs a socket or a pooled connection, not a thread. */
    public static final int MAX_FORWARDER_WORKERS = 10_000;
    /** Queued upstream announces (about 200 bytes each). */
    public static final int MAX_FORWARDER_QUEUE_SIZE = 1_000_000;
    /** New swarms a second for the first-announce token bucket. */
    public static final int MAX_RATE = 1_000_000;
    /** Consecutive failures before a forwarder leaves rotation. */
    public static final int MAX_FORWARDER_FAIL_THRESHOLD = 1_000;
    /** Attempts per upstream announce. */
    public static final int MAX_FORWARDER_RETRY_ATTEMPTS = 20;
    /** A minute: backoff doubles from here, so larger bases only delay peers. */
    public static final int MAX_FORWARDER_RETRY_BASE_MS = 60_000;

    public TrackerConfig {
        trustedProxies = List.copyOf(trustedProxies);
        Setting.AGE.require(age);
        Setting.ANNOUNCE_INTERVAL.require(announceInterval);
        Setting.MIN_ANNOUNCE_INTERVAL.require(minAnnounceInterval);
        Setting.STATS_INTERVAL.require(statsInterval);
        Setting.TRACKER_ID.require(trackerId);
        Setting.TRUSTED_PROXIES.require(trustedProxies);
        Setting.NUMWANT_DEFAULT.require(numwantDefault);
        Setting.NUMWANT_MAX.require(numwantMax);
        Setting.SCRAPE_MAX_HASHES.require(scrapeMaxHashes);
        Setting.MAX_TORRENTS.require(maxTorrents);
        Setting.MAX_PEERS_PER_SWARM.require(maxPeersPerSwarm);
        Setting.CONNECTION_ID_GRACE.require(connectionIdGrace);
        Setting.IO_THREADS.require(ioThreads);
        Setting.HTTP_IDLE_TIMEOUT.require(httpIdleTimeout);
        Setting.HTTP_REQUEST_TIMEOUT.require(httpRequestTimeout);
        Setting.ACCESS_LIST.require(accessList);
        if (minAnnounceInterval > announceInterval) {
            throw new IllegalArgumentException(
                    "key 'min_announce_interval': expected at most announce_response_interval (" + announceInterval
                            + "), got " + minAnnounceInterval);
        }
        if (numwantDefault > numwantMax) {
            throw new IllegalArgumentException(
                    "key 'numwant_default': expected at most numwant_max (" + numwantMax + "), got " + numwantDefault);
        }
    }

    /** Every setting at its default. */
    public static TrackerConfig defaults() {
        try {
            return ConfigLoader.load(null, Map.of(), Map.of());
        } catch (ConfigException e) {
            throw new IllegalStateException("the built-in defaults are invalid: " + e.getMessage(), e);
        }
    }

    /** Builds the record from typed values, one per setting (see {@link Setting.Kind}). */
    static TrackerConfig of(Map<Setting, Object> v) {
        return new TrackerConfig(
                address(v.get(Setting.LISTEN)),
                address(v.get(Setting.UDP_LISTEN)),
                (Double) get(v, Setting.AGE),
                (Boolean) get(v, Setting.DEBUG),
                (Boolean) get(v, Setting.X_REAL_IP),
                (Integer) get(v, Setting.ANNOUNCE_INTERVAL),
                (Integer) get(v, Setting.MIN_ANNOUNCE_INTERVAL),
                (Integer) get(v, Setting.STATS_INTERVAL),
                (String) get(v, Setting.TRACKER_ID),
                cidrs(get(v, Setting.TRUSTED_PROXIES)),
                (Integer) get(v, Setting.NUMWANT_DEFAULT),
                (Integer) get(v, Setting.NUMWANT_MAX),
                (Integer) get(v, Setting.SCRAPE_MAX_HASHES),
                (Integer) get(v, Setting.MAX_TORRENTS),
                (Integer) get(v, Setting.MAX_PEERS_PER_SWARM),
                (Integer) get(v, Setting.CONNECTION_ID_GRACE),
                (Integer) get(v, Setting.IO_THREADS),
                (Integer) get(v, Setting.HTTP_IDLE_TIMEOUT),
                (Integer) get(v, Setting.HTTP_REQUEST_TIMEOUT),
                (Boolean) get(v, Setting.PROMETHEUS),
                address(v.get(Setting.ADMIN_LISTEN)),
                (String) get(v, Setting.ACCESS_LIST),
                (AccessList.Mode) get(v, Setting.ACCESS_LIST_MODE),
                new ForwardingConfig(
                        (String) get(v, Setting.FORWARDS),
                        (Integer) get(v, Setting.FORWARD_TIMEOUT),
                        (Integer) get(v, Setting.FORWARDER_WORKERS),
                        (Integer) get(v, Setting.MAX_FORWARDER_WORKERS),
                        (Integer) get(v, Setting.FORWARDER_QUEUE_SIZE),
                        (Integer) get(v, Setting.QUEUE_SCALE_THRESHOLD),
                        (Integer) get(v, Setting.QUEUE_RATE_LIMIT_THRESHOLD),
                        (Integer) get(v, Setting.QUEUE_THROTTLE_THRESHOLD),
                        (Integer) get(v, Setting.QUEUE_THROTTLE_TOP),
                        (Integer) get(v, Setting.RATE_LIMIT_INITIAL_PS),
                        (Integer) get(v, Setting.RATE_LIMIT_INITIAL_BURST),
                        (Integer) get(v, Setting.FORWARDER_SUSPEND),
                        (Integer) get(v, Setting.FORWARDER_FAIL_THRESHOLD),
                        (Integer) get(v, Setting.FORWARDER_RETRY_ATTEMPTS),
                        (Integer) get(v, Setting.FORWARDER_RETRY_BASE_MS)),
                new ClientLimits(
                        (Integer) get(v, Setting.RATE_LIMIT_PER_IP_PS),
                        (Integer) get(v, Setting.RATE_LIMIT_PER_IP_BURST),
                        (Integer) get(v, Setting.MAX_CONNECTIONS_PER_IP)));
    }

    private static Object get(Map<Setting, Object> values, Setting s) {
        Object value = values.get(s);
        if (value == null) {
            throw new IllegalArgumentException("no value for " + s.key());
        }
        return value;
    }

    private static @Nullable InetSocketAddress address(@Nullable Object value) {
        return value instanceof Optional<?> o && o.orElse(null) instanceof InetSocketAddress a ? a : null;
    }

    private static List<Cidr> cidrs(Object value) {
        List<Cidr> out = new ArrayList<>();
        for (Object o : (List<?>) value) {
            out.add((Cidr) o);
        }
        return out;
    }

    /** The peer lifetime in whole seconds, {@code age} minutes rounded. */
    public int peerLifetimeSeconds() {
        return (int) Math.round(age * 60);
    }

    /** What the announce and scrape core needs. */
    public TrackerPolicy toPolicy() {
        return new TrackerPolicy(
                announceInterval,
                minAnnounceInterval,
                numwantDefault,
                numwantMax,
                peerLifetimeSeconds(),
                scrapeMaxHashes);
    }

    /** What the swarm store holds at most, {@code max_torrents: 0} resolved against {@code maxHeapBytes}. */
    public SwarmLimits toSwarmLimits(long maxHeapBytes) {
        return new SwarmLimits(
                SwarmLimits.resolveMaxTorrents(maxTorrents, maxHeapBytes), maxPeersPerSwarm, peerLifetimeSeconds());
    }

    /** What the network side needs. */
    public ServerOptions toServerOptions() {
        return new ServerOptions(
                listen,
                udpListen,
                xRealIp,
                trustedProxies,
                connectionIdGrace,
                ioThreads,
                httpIdleTimeout,
                httpRequestTimeout,
                trackerId.isEmpty() ? null : trackerId,
                adminListen,
                new StatsOptions(debug, statsInterval, forwarding.forwards()),
                clientLimits);
    }

    /**
     * Settings that are valid but probably not meant, worth a warning at start-up: a peer lifetime
     * shorter than the announce interval drops peers between their announces, and {@code x_real_ip}
     * with no trusted proxy does nothing.
     */
    public List<String> warnings() {
        List<String> out = new ArrayList<>();
        if (peerLifetimeSeconds() < announceInterval) {
            out.add("age (" + peerLifetimeSeconds() + " s) is shorter than announce_response_interval ("
                    + announceInterval + " s): peers are dropped before they announce again");
        }
        if (xRealIp && trustedProxies.isEmpty() && listen != null) {
            out.add("x_real_ip is on but trusted_proxies is empty: X-Real-IP and X-Forwarded-For are"
                    + " never believed, clients are seen at their socket address");
        }
        return List.copyOf(out);
    }
}
