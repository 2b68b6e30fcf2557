package org.retracker.it;

import java.net.InetSocketAddress;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.retracker.core.AccessList;
import org.retracker.core.AnnounceService;
import org.retracker.core.TrackerPolicy;
import org.retracker.forward.ForwarderSpec;
import org.retracker.forward.ForwardingOptions;
import org.retracker.forward.ForwardingService;
import org.retracker.metrics.TrackerMetrics;
import org.retracker.swarm.SwarmLimits;
import org.retracker.swarm.SwarmStore;
import org.retracker.testing.FakeClock;
import org.retracker.transport.Cidr;
import org.retracker.transport.ClientLimits;
import org.retracker.transport.LocalAddresses;
import org.retracker.transport.ServerOptions;
import org.retracker.transport.StatsOptions;
import org.retracker.transport.TrackerServer;
import org.retracker.transport.TransportCounters;

/**
 * One tracker running in this JVM: an {@link AnnounceService} over a {@link SwarmStore} on a {@link
 * FakeClock}, served by one {@link TrackerServer} (HTTP and UDP, ephemeral ports) per loopback host.
 * Several hosts share the one service, so a peer on {@code ::1} is in the same swarm as one on
 * {@code 127.0.0.1}, as on a dual-stack tracker, and one set of counters, so {@code /metrics} counts
 * them all. Close it in {@code @AfterEach}.
 */
final class TestTracker implements AutoCloseable {
    private final FakeClock clock;
    private final SwarmStore store;
    private final AnnounceService service;
    private final Map<String, TrackerServer> servers;
    private final @Nullable ForwardingService forwarding;

    private TestTracker(
            FakeClock clock,
            SwarmStore store,
            AnnounceService service,
            Map<String, TrackerServer> servers,
            @Nullable ForwardingService forwarding) {
        this.clock = clock;
        this.store = store;
        this.service = service;
        this.servers = servers;
        this.forwarding = forwarding;
    }

    static Builder on(String... hosts) {
        return new Builder(hosts);
    }

    /** Default policy and options on {@code host}. */
    static TestTracker start(String host) {
        return on(host).start();
    }

    static final class Builder {
        private final String[] hosts;
        private TrackerPolicy policy = TrackerPolicy.defaults();
        private SwarmLimits limits = SwarmLimits.defaults();
        private boolean realIpHeader;
        private List<Cidr> trustedProxies = ServerOptions.DEFAULT_TRUSTED_PROXIES;
        private int ioThreads = 1;
        private int idleTimeoutSeconds = ServerOptions.DEFAULT_HTTP_IDLE_TIMEOUT;
        private int requestTimeoutSeconds = ServerOptions.DEFAULT_HTTP_REQUEST_TIMEOUT;
        private @Nullable String trackerId;
        private @Nullable ForwardingOptions forwardingOptions;
        private ForwardingService.@Nullable ClientFactory clients;
        private List<ForwarderSpec> forwarders = List.of();
        private boolean metrics;
        private boolean adminListener;
        private StatsOptions stats = StatsOptions.NONE;
        private AccessList accessList = AccessList.NONE;
        private boolean connectionIdsOnFakeClock;
        private ClientLimits clientLimits = ClientLimits.NONE;
        private LocalAddresses localAddresses = LocalAddresses.host();

        private Builder(String[] hosts) {
            if (hosts.length == 0) {
                throw new IllegalArgumentException("no host");
            }
            this.hosts = hosts.clone();
        }

        Builder policy(TrackerPolicy p) {
            this.policy = p;
            return this;
        }

        /** {@code --max-torrents}, {@code --max-peers-per-swarm}. */
        Builder limits(SwarmLimits l) {
            this.limits = l;
            return this;
        }

        /** {@code -x}: believe {@code X-Real-IP} / {@code X-Forwarded-For} from trusted proxies. */
        Builder realIpHeader() {
            this.realIpHeader = true;
            return this;
        }

        Builder trustedProxies(String... cidrs) {
            List<Cidr> list = new ArrayList<>();
            for (String c : cidrs) {
                list.add(Cidr.parse(c));
            }
            this.trustedProxies = list;
            return this;
        }

        Builder ioThreads(int n) {
            this.ioThreads = n;
            return this;
        }

        Builder idleTimeoutSeconds(int s) {
            this.idleTimeoutSeconds = s;
            return this;
        }

        Builder requestTimeoutSeconds(int s) {
            this.requestTimeoutSeconds = s;
            return this;
        }

        Builder trackerId(String id) {
            this.trackerId = id;
            return this;
        }

        /** {@code -p}: serve {@code /metrics}. */
        Builder metrics() {
            this.metrics = true;
            return this;
        }

        /** {@code --admin-listen}: an admin listener on each host, ephemeral port. */
        Builder adminListener() {
            this.adminListener = true;
            return this;
        }

        /** What {@code /stats} shows of the settings the test tracker does not otherwise have. */
        Builder stats(StatsOptions options) {
            this.stats = options;
            return this;
        }

        /** Per-client limits ({@code --rate-limit-per-ip-ps} and the like). */
        Builder limits(ClientLimits l) {
            this.clientLimits = l;
            return this;
        }

        /** Serves what {@code list} permits ({@code --access-list}). */
        Builder accessList(AccessList list) {
            this.accessList = list;
            return this;
        }

        /**
         * UDP connection ids on the tracker's {@link FakeClock} rather than the system clock, so a test
         * can expire them by moving the clock. Off by default: tests that move the clock for swarm
         * expiry keep their ids.
         */
        Builder connectionIdsOnFakeClock() {
            this.connectionIdsOnFakeClock = true;
            return this;
        }

        /**
         * What a UDP listener on a wildcard host takes for the machine's addresses (each gets its own
         * sockets) instead of the real ones, e.g. 127.0.0.2, which Linux serves without listing it.
         */
        Builder localAddresses(LocalAddresses addresses) {
            this.localAddresses = addresses;
            return this;
        }

        /** Forwards to {@code specs} with clients from {@code factory}, on the tracker's clock. */
        Builder forwarding(
                ForwardingOptions options, ForwardingService.ClientFactory factory, List<ForwarderSpec> specs) {
            this.forwardingOptions = options;
            this.clients = factory;
            this.forwarders = List.copyOf(specs);
            return this;
        }

        TestTracker start() {
            for (String host : hosts) {
                Loopback.assumeAvailable(host);
            }
            FakeClock clock = new FakeClock();
            SwarmStore store = new SwarmStore(clock, limits.withPeerLifetime(policy.peerLifetimeSeconds()));
            AnnounceService service = new AnnounceService(policy, store);
            service.accessList(accessList);
            ForwardingService forwarding = null;
            ForwardingOptions fo = forwardingOptions;
            ForwardingService.ClientFactory factory = clients;
            if (fo != null && factory != null) {
                forwarding = new ForwardingService(fo, clock, factory);
                forwarding.setForwarders(forwarders);
                service.forwarding(forwarding);
            }
            TransportCounters counters = new TransportCounters();
            TrackerMetrics endpoint = metrics ? new TrackerMetrics(service, counters) : null;
            Map<String, TrackerServer> servers = new LinkedHashMap<>();
            try {
                for (String host : hosts) {
                    ServerOptions options = new ServerOptions(
                            Loopback.socket(host, 0),
                            Loopback.socket(host, 0),
                            realIpHeader,
                            trustedProxies,
                            0,
                            ioThreads,
                            idleTimeoutSeconds,
                            requestTimeoutSeconds,
                            trackerId,
                            adminListener ? Loopback.socket(host, 0) : null,
                            stats,
                            clientLimits);
                    InstantSource idClock = connectionIdsOnFakeClock ? clock : InstantSource.system();
                    servers.put(
                            host, TrackerServer.start(options, service, counters, endpoint, idClock, localAddresses));
                }
            } catch (InterruptedException e) {
                servers.values().forEach(TrackerServer::close);
                closeQuietly(forwarding);
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            } catch (RuntimeException e) {
                servers.values().forEach(TrackerServer::close);
                closeQuietly(forwarding);
                throw e;
            }
            return new TestTracker(clock, store, service, servers, forwarding);
        }
    }

    private static void closeQuietly(@Nullable ForwardingService f) {
        if (f != null) {
            f.close();
        }
    }

    FakeClock clock() {
        return clock;
    }

    /** The forwarding service, when the tracker was built with forwarders. */
    ForwardingService forwarding() {
        ForwardingService f = forwarding;
        if (f == null) {
            throw new IllegalStateException("no forwarding");
        }
        return f;
    }

    SwarmStore store() {
        return store;
    }

    AnnounceService service() {
        return service;
    }

    /** The server on the first host. */
    TrackerServer server() {
        return servers.values().iterator().next();
    }

    TrackerServer server(String host) {
        TrackerServer s = servers.get(host);
        if (s == null) {
            throw new IllegalArgumentException("no server on " + host);
        }
        return s;
    }

    private String firstHost() {
        return servers.keySet().iterator().next();
    }

    InetSocketAddress httpAddress(String host) {
        InetSocketAddress a = server(host).httpAddress();
        if (a == null) {
            throw new IllegalStateException("HTTP is off");
        }
        return a;
    }

    InetSocketAddress udpAddress(String host) {
        InetSocketAddress a = server(host).udpAddress();
        if (a == null) {
            throw new IllegalStateException("UDP is off");
        }
        return a;
    }

    /** A client of the admin listener on {@code host}, connecting from that same loopback address. */
    HttpTrackerClient admin(String host) {
        InetSocketAddress a = server(host).adminAddress();
        if (a == null) {
            throw new IllegalStateException("no admin listener");
        }
        return new HttpTrackerClient(a, Loopback.address(host));
    }

    /** An HTTP client of the server on {@code host}, connecting from that same loopback address. */
    HttpTrackerClient http(String host) {
        return new HttpTrackerClient(httpAddress(host), Loopback.address(host));
    }

    HttpTrackerClient http() {
        return http(firstHost());
    }

    /** An HTTP client of the first host's server connecting from {@code bind} (e.g. 127.0.0.2). */
    HttpTrackerClient httpFrom(String bind) {
        return new HttpTrackerClient(httpAddress(firstHost()), Loopback.address(bind));
    }

    /** A UDP client of the server on {@code host}, sending from that loopback address. Close it. */
    UdpTrackerClient udp(String host, String bind) {
        return new UdpTrackerClient(udpAddress(host), Loopback.address(bind));
    }

    UdpTrackerClient udpClient(String host) {
        return udp(host, host);
    }

    UdpTrackerClient udpClient() {
        return udpClient(firstHost());
    }

    @Override
    public void close() {
        RuntimeException failure = null;
        for (TrackerServer s : servers.values()) {
            try {
                s.close();
            } catch (RuntimeException e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        closeQuietly(forwarding);
        if (failure != null) {
            throw failure;
        }
    }
}
