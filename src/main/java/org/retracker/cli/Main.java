package org.retracker.cli;

import ch.qos.logback.classic.Level;
import io.netty.util.ResourceLeakDetector;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.retracker.config.TrackerConfig;
import org.retracker.core.AccessList;
import org.retracker.core.AccessListFile;
import org.retracker.forward.ForwarderSpec;
import org.retracker.forward.ForwardersFile;
import org.retracker.forward.ForwardingService;
import org.retracker.forward.UpstreamClients;
import org.retracker.transport.TrackerServer;
import org.slf4j.LoggerFactory;

/**
 * The {@code retracker} command: reads the settings (see {@link CommandLineParser}), starts the
 * tracker and runs until the process is stopped.
 *
 * <p>Exit status: 0 after {@code --help} or {@code --version} and after SIGTERM or SIGINT (a
 * graceful stop), 1 when a listener cannot start
 * (address in use, permission), 2 for a bad option, setting, forwarders file or access list. Each
 * failure is one line on stderr. SIGHUP reloads the forwarders file and the access list.
 */
public final class Main {
    /** Exit status when the tracker cannot start, e.g. its port is taken. */
    static final int EXIT_START_FAILED = 1;

    /** Exit status for a bad option, setting, forwarders file or access list. */
    static final int EXIT_BAD_CONFIG = 2;

    /** The version when not running from the packaged jar (no manifest). */
    static final String DEV_VERSION = "dev";

    /** The system property that sets Netty's leak detection level; {@link #defaultLeakDetection}. */
    static final String LEAK_DETECTION_PROPERTY = "io.netty.leakDetection.level";

    /** How deep a cause chain is followed to find the socket error (chains can loop). */
    private static final int MAX_CAUSE_DEPTH = 16;

    private Main() {}

    public static void main(String[] args) throws InterruptedException {
        defaultLeakDetection(System.getProperty(LEAK_DETECTION_PROPERTY));
        String version = version();
        CommandLineParser.Invocation invocation =
                CommandLineParser.parse(args, System.getenv(), version, System.out, System.err);
        if (!(invocation instanceof CommandLineParser.Invocation.Run run)) {
            System.exit(((CommandLineParser.Invocation.Exit) invocation).status());
            return;
        }
        configureLogging(run.config().debug());
        List<ForwarderSpec> forwarders;
        AccessList accessList;
        try {
            forwarders = forwarders(run.config());
            accessList = accessList(run.config());
        } catch (ForwardersFile.InvalidForwardersException | AccessListFile.InvalidAccessListException e) {
            System.err.println(e.getMessage());
            System.exit(EXIT_BAD_CONFIG);
            return;
        }
        UpstreamClients clients = new UpstreamClients(run.config().forwarding().timeout());
        RunningTracker tracker =
                start(run.config(), forwarders, accessList, version, TrackerServer::start, clients, System.err);
        if (tracker == null) {
            clients.close();
            System.exit(EXIT_START_FAILED);
            return;
        }
        // SIGTERM / SIGINT: stop accepting, finish in-flight requests, send stopped upstream, exit 0.
        // The hook covers other ways the JVM may end.
        Runtime.getRuntime().addShutdownHook(new Thread(tracker::close, "retracker-shutdown"));
        Signals.onTerminate(() -> new Thread(tracker::close, "retracker-shutdown").start());
        Signals.onHangup(tracker::reload);
        tracker.awaitClosed();
        clients.close();
        System.exit(0);
    }

    /**
     * Turns Netty's leak detector off unless {@code -Dio.netty.leakDetection.level} ({@code configured})
     * chose a level. At Netty's default level it tracks one buffer in 128 and records a stack trace
     * when that buffer is allocated and released: about 1 % of the tracker's CPU with a connection per
     * request (perf, docs/PERFORMANCE.md), for reports a tracker in service has no use for. Leaks are
     * looked for where they can be fixed: the tests and the soak run at {@code paranoid}, every buffer
     * tracked.
     */
    static void defaultLeakDetection(@Nullable String configured) {
        if (configured == null) {
            ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.DISABLED);
        }
    }

    /**
     * Starts the tracker without forwarders or access list, or prints why it cannot to {@code err}
     * and returns {@code null}.
     *
     * @param starter {@link TrackerServer#start} in production
     */
    static @Nullable RunningTracker start(
            TrackerConfig config, String version, RunningTracker.ServerStarter starter, PrintStream err) {
        return start(
                config,
                List.of(),
                AccessList.NONE,
                version,
                starter,
                spec -> {
                    throw new IllegalStateException("no forwarders expected");
                },
                err);
    }

    /**
     * As above, forwarding to {@code forwarders} with clients from {@code clients} and serving what
     * {@code accessList} permits.
     */
    static @Nullable RunningTracker start(
            TrackerConfig config,
            List<ForwarderSpec> forwarders,
            AccessList accessList,
            String version,
            RunningTracker.ServerStarter starter,
            ForwardingService.ClientFactory clients,
            PrintStream err) {
        try {
            return RunningTracker.start(config, forwarders, accessList, version, starter, clients);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            err.println("interrupted while starting");
            return null;
        } catch (Exception e) {
            err.println(startFailure(e, config));
            return null;
        }
    }

    /**
     * The one line for a failed start. The transport names the listener in its message ("cannot
     * listen on HTTP :6969: Address already in use"); a bare socket error gets the listeners added.
     */
    static String startFailure(Exception e, TrackerConfig config) {
        String reason = reason(e);
        if (reason.startsWith("cannot listen on ")) {
            return reason;
        }
        Throwable root = e;
        Throwable cause = e.getCause();
        for (int depth = 0; cause != null && depth < MAX_CAUSE_DEPTH; depth++) {
            root = cause;
            cause = cause.getCause();
        }
        if (root instanceof SocketException) {
            List<String> listeners = new ArrayList<>();
            addListener(listeners, "HTTP", config.listen());
            addListener(listeners, "UDP", config.udpListen());
            return "cannot listen on " + String.join(" or ", listeners) + ": " + reason(root);
        }
        return "cannot start the tracker: " + e.getClass().getSimpleName() + ": " + reason;
    }

    private static void addListener(List<String> listeners, String name, @Nullable InetSocketAddress address) {
        if (address != null) {
            String shown =
                    address.getAddress().isAnyLocalAddress() ? ":" + address.getPort() : RunningTracker.show(address);
            listeners.add(name + " " + shown);
        }
    }

    private static String reason(Throwable e) {
        String message = e.getMessage();
        return message == null ? e.getClass().getSimpleName() : message;
    }

    /** The forwarders of {@code config}'s forwarders file; none when it names no file. */
    static List<ForwarderSpec> forwarders(TrackerConfig config) throws ForwardersFile.InvalidForwardersException {
        String file = config.forwarding().forwards();
        return file.isEmpty() ? List.of() : ForwardersFile.read(Path.of(file));
    }

    /** The access list of {@code config}'s access list file; {@link AccessList#NONE} when it names none. */
    static AccessList accessList(TrackerConfig config) throws AccessListFile.InvalidAccessListException {
        String file = config.accessList();
        return file.isEmpty() ? AccessList.NONE : AccessListFile.read(Path.of(file), config.accessListMode());
    }

    /** The jar manifest's Implementation-Version, or {@value #DEV_VERSION}. */
    static String version() {
        String v = Main.class.getPackage().getImplementationVersion();
        return v == null || v.isBlank() ? DEV_VERSION : v;
    }

    /** DEBUG for the tracker's own loggers when {@code debug} is set, else INFO. */
    static void configureLogging(boolean debug) {
        if (LoggerFactory.getLogger("org.retracker") instanceof ch.qos.logback.classic.Logger logger) {
            logger.setLevel(debug ? Level.DEBUG : Level.INFO);
        }
    }
}
