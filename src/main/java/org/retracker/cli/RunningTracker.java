package org.retracker.cli;

import io.netty.util.NetUtil;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.internal.PlatformDependent;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import org.retracker.config.TrackerConfig;
import org.retracker.core.AccessList;
import org.retracker.core.AccessListFile;
import org.retracker.core.AnnounceService;
import org.retracker.forward.ForwarderSpec;
import org.retracker.forward.ForwardersFile;
import org.retracker.forward.ForwardingService;
import org.retracker.metrics.TrackerMetrics;
import org.retracker.swarm.SwarmStore;
import org.retracker.transport.MetricsEndpoint;
import org.retracker.transport.ServerOptions;
import org.retracker.transport.TrackerServer;
import org.retracker.transport.TransportCounters;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A started tracker: the listeners and the housekeeping thread that expires peers, logs stats and
 * keeps a wildcard UDP listener's sockets in line with the host's addresses.
 *
 * <p>Housekeeping runs on one daemon thread; expiry, stats and address rescans never overlap. {@link #close()} may
 * be called from any thread (the shutdown hook), more than once.
 */
final class RunningTracker implements AutoCloseable {
    /** Expiry runs at least once a second: finer would only burn CPU on a large store. */
    static final int MIN_EXPIRY_PERIOD_SECONDS = 1;
    /** ...and at most a minute apart, so a dead peer is handed out for at most a minute too long. */
    static final int MAX_EXPIRY_PERIOD_SECONDS = 60;
    /** Expiry runs four times per peer lifetime, so a peer outlives its lifetime by at most a quarter. */
    static final int EXPIRY_RUNS_PER_LIFETIME = 4;

    /**
     * How often a UDP listener on a wildcard address looks for local addresses added or removed
     * (SIGHUP looks at once): BEP 15's first retry timeout, so a client whose first request to a new
     * address was answered from the wrong one is answered from the right one on its retry.
     */
    static final int LOCAL_ADDRESS_RESCAN_SECONDS = 15;

    /**
     * How long a shutdown waits for external trackers to take the {@code stopped} of local peers:
     * long enough for a healthy tracker, short enough for a container's stop timeout (10 s).
     */
    static final long STOPPED_BUDGET_MILLIS = 3_000;

    private static final Logger log = LoggerFactory.getLogger(RunningTracker.class);

    /** Starts the listeners; {@link TrackerServer#start} in production, a fake in tests. */
    @FunctionalInterface
    interface ServerStarter {
        TrackerServer start(
                ServerOptions options,
                AnnounceService service,
                TransportCounters counters,
                @Nullable MetricsEndpoint metrics)
                throws Exception;
    }

    private final TrackerServer server;
    private final ScheduledExecutorService housekeeping;
    private final AnnounceService service;
    private final @Nullable ForwardingService forwarding;
    private final @Nullable Path forwardersFile;
    private final @Nullable Path accessListFile;
    private final AccessList.Mode accessListMode;
    /** Reloads come on a new thread per signal: one at a time, so the last file read wins. */
    private final Object reloadLock = new Object();

    private final CountDownLatch closed = new CountDownLatch(1);

    private RunningTracker(
            TrackerServer server,
            ScheduledExecutorService housekeeping,
            AnnounceService service,
            @Nullable ForwardingService forwarding,
            @Nullable Path forwardersFile,
            @Nullable Path accessListFile,
            AccessList.Mode accessListMode) {
        this.server = server;
        this.housekeeping = housekeeping;
        this.service = service;
        this.forwarding = forwarding;
        this.forwardersFile = forwardersFile;
        this.accessListFile = accessListFile;
        this.accessListMode = accessListMode;
    }

    /**
     * Builds the store and the service, starts the listeners, logs the start-up line and schedules
     * housekeeping.
     *
     * @throws Exception whatever {@code starter} throws when a listener cannot start
     */
    static RunningTracker start(TrackerConfig config, String version, ServerStarter starter) throws Exception {
        return start(config, List.of(), AccessList.NONE, version, starter, spec -> {
            throw new IllegalStateException("no forwarders expected");
        });
    }

    /**
     * As {@link #start(TrackerConfig, String, ServerStarter)}, forwarding to {@code forwarders}
     * (read from {@code config}'s forwarders file) with clients from {@code clients}, and serving
     * what {@code accessList} (read from {@code config}'s access list) permits. SIGHUP reloads both
     * files ({@link #reload}).
     */
    static RunningTracker start(
            TrackerConfig config,
            List<ForwarderSpec> forwarders,
            AccessList accessList,
            String version,
            ServerStarter starter,
            ForwardingService.ClientFactory clients)
            throws Exception {
        for (String warning : config.warnings()) {
            log.warn("{}", warning);
        }
        log.debug("configuration: {}", config);
        SwarmStore store = new SwarmStore(
                InstantSource.system(),
                config.toSwarmLimits(Runtime.getRuntime().maxMemory()));
        AnnounceService service = new AnnounceService(config.toPolicy(), store);
        service.accessList(accessList);
        warnIfRefusingEverything(accessList);
        String file = config.forwarding().forwards();
        ForwardingService forwarding = null;
        if (!file.isEmpty()) {
            forwarding = new ForwardingService(
                    config.forwarding().toOptions(config.peerLifetimeSeconds()), InstantSource.system(), clients);
            forwarding.setForwarders(forwarders);
            service.forwarding(forwarding);
        }
        TransportCounters counters = new TransportCounters();
        MetricsEndpoint metrics = config.prometheus() ? new TrackerMetrics(service, counters) : null;
        TrackerServer server;
        try {
            server = starter.start(config.toServerOptions(), service, counters, metrics);
        } catch (Exception e) {
            if (forwarding != null) {
                forwarding.close();
            }
            throw e;
        }
        List<InetAddress> udpAddresses = server.udpLocalAddresses();
        if (!udpAddresses.isEmpty()) {
            log.info(
                    "UDP replies leave from the address each request was sent to; sockets for {}",
                    udpAddresses.stream().map(NetUtil::toAddressString).collect(Collectors.joining(", ")));
        }
        log.info(
                "retracker {} started: HTTP {}, UDP {}, admin {}, metrics {}, transport {} (Unsafe {}, leak detection {}),"
                        + " {}, {},"
                        + " at most {} torrents and {} peers per swarm",
                version,
                show(server.httpAddress()),
                show(server.udpAddress()),
                show(server.adminAddress()),
                metrics == null ? "off" : "on",
                server.transportName(),
                PlatformDependent.hasUnsafe() ? "on" : "off",
                ResourceLeakDetector.getLevel().name().toLowerCase(Locale.ROOT),
                forwarding == null ? "no forwarders configured" : forwarders.size() + " forwarders from " + file,
                accessList,
                store.limits().maxTorrents(),
                store.limits().maxPeersPerSwarm());
        ScheduledExecutorService housekeeping = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread t = new Thread(task, "retracker-housekeeping");
            t.setDaemon(true);
            return t;
        });
        int expiryPeriod = expiryPeriodSeconds(config.peerLifetimeSeconds());
        var unusedExpiry = housekeeping.scheduleWithFixedDelay(
                () -> expire(service), expiryPeriod, expiryPeriod, TimeUnit.SECONDS);
        if (config.statsInterval() > 0) {
            StatsLine line = new StatsLine(store, counters, forwarding, System::nanoTime);
            var unusedStats = housekeeping.scheduleAtFixedRate(
                    () -> logStats(line), config.statsInterval(), config.statsInterval(), TimeUnit.SECONDS);
        }
        var unusedRescan = housekeeping.scheduleWithFixedDelay(
                () -> rescanLocalAddresses(server),
                LOCAL_ADDRESS_RESCAN_SECONDS,
                LOCAL_ADDRESS_RESCAN_SECONDS,
                TimeUnit.SECONDS);
        String accessFile = config.accessList();
        return new RunningTracker(
                server,
                housekeeping,
                service,
                forwarding,
                file.isEmpty() ? null : Path.of(file),
                accessFile.isEmpty() ? null : Path.of(accessFile),
                config.accessListMode());
    }

    /**
     * SIGHUP: looks for local addresses added or removed (a wildcard UDP listener binds sockets to
     * each), and re-reads the forwarders file and the access list, each on its own, so a bad one of
     * them keeps its running version without holding back the other.
     */
    void reload() {
        synchronized (reloadLock) {
            rescanLocalAddresses(server);
            if (forwardersFile == null && accessListFile == null) {
                log.info("SIGHUP: nothing to reload (no forwarders file, no access list)");
                return;
            }
            if (forwardersFile != null) {
                reloadForwarders();
            }
            if (accessListFile != null) {
                reloadAccessList();
            }
        }
    }

    /**
     * Re-reads the forwarders file (SIGHUP): added forwarders start, removed ones are sent {@code
     * stopped} for their peers and closed, unchanged ones keep their state. A bad file is logged
     * and the running list stays.
     *
     * @return whether the new list was taken
     */
    boolean reloadForwarders() {
        ForwardingService f = forwarding;
        Path file = forwardersFile;
        if (f == null || file == null) {
            log.info("SIGHUP: no forwarders file to reload");
            return false;
        }
        synchronized (reloadLock) {
            try {
                List<ForwarderSpec> specs = ForwardersFile.read(file);
                f.setForwarders(specs);
                log.info("SIGHUP: reloaded {} forwarders from {}", specs.size(), file);
                return true;
            } catch (ForwardersFile.InvalidForwardersException e) {
                log.error("SIGHUP: kept the running forwarders: {}", e.getMessage());
                return false;
            } catch (RuntimeException e) {
                log.error("SIGHUP: kept the running forwarders after an unexpected error", e);
                return false;
            }
        }
    }

    /**
     * Re-reads the access list (SIGHUP) in the mode it was started with and swaps it in whole:
     * requests already under way finish with the old list, later ones get the new one. A bad file
     * is logged with its line and the running list stays.
     *
     * @return whether the new list was taken
     */
    boolean reloadAccessList() {
        Path file = accessListFile;
        if (file == null) {
            log.info("SIGHUP: no access list to reload");
            return false;
        }
        synchronized (reloadLock) {
            try {
                AccessList list = AccessListFile.read(file, accessListMode);
                service.accessList(list);
                log.info("SIGHUP: reloaded the access list: {}", list);
                warnIfRefusingEverything(list);
                return true;
            } catch (AccessListFile.InvalidAccessListException e) {
                log.error("SIGHUP: kept the running access list ({}): {}", service.accessList(), e.getMessage());
                return false;
            } catch (RuntimeException e) {
                log.error("SIGHUP: kept the running access list after an unexpected error", e);
                return false;
            }
        }
    }

    private static void warnIfRefusingEverything(AccessList list) {
        if (list.isOn() && list.mode() == AccessList.Mode.ALLOW && list.size() == 0) {
            log.warn("access list {} allows no torrent: every announce and scrape is refused", list.file());
        }
    }

    AnnounceService service() {
        return service;
    }

    @Nullable
    ForwardingService forwarding() {
        return forwarding;
    }

    TrackerServer server() {
        return server;
    }

    /** How often expiry runs for a peer lifetime: a quarter of it, within one second and a minute. */
    static int expiryPeriodSeconds(int peerLifetimeSeconds) {
        return Math.clamp(
                peerLifetimeSeconds / EXPIRY_RUNS_PER_LIFETIME, MIN_EXPIRY_PERIOD_SECONDS, MAX_EXPIRY_PERIOD_SECONDS);
    }

    private static void expire(AnnounceService service) {
        try {
            long expired = service.expirePeers();
            if (expired > 0) {
                log.debug("expired {} peers", expired);
            }
        } catch (RuntimeException e) {
            // A task that throws is never run again: log and keep expiring.
            log.error("peer expiry failed", e);
        }
    }

    private static void rescanLocalAddresses(TrackerServer server) {
        try {
            server.rescanLocalAddresses();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // shutting down
        } catch (RuntimeException e) {
            // A task that throws is never run again: log and keep looking.
            log.error("rescanning local addresses failed", e);
        }
    }

    private static void logStats(StatsLine line) {
        try {
            log.info("{}", line.next());
        } catch (RuntimeException e) {
            // A task that throws is never run again: log and keep going.
            log.error("stats failed", e);
        }
    }

    /** An address as the log shows it: {@code 0.0.0.0:6969}, {@code [::]:6969}, or {@code off}. */
    static String show(@Nullable InetSocketAddress address) {
        return address == null ? "off" : NetUtil.toSocketAddressString(address);
    }

    /** Blocks until {@link #close()} has run. */
    void awaitClosed() throws InterruptedException {
        closed.await();
    }

    /** Stops housekeeping and the listeners. */
    @Override
    public synchronized void close() {
        if (closed.getCount() == 0) {
            return;
        }
        log.info("shutting down");
        housekeeping.shutdownNow();
        server.close(); // stops accepting, lets the event loops finish what they hold
        ForwardingService f = forwarding;
        if (f != null) {
            int stopped = f.stopAll(STOPPED_BUDGET_MILLIS);
            if (stopped > 0) {
                log.info("sent stopped for {} local peers to the forwarders", stopped);
            }
            f.close();
        }
        closed.countDown();
    }
}
