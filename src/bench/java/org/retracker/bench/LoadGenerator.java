package org.retracker.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.epoll.SegmentedDatagramPacket;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketProtocolFamily;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutor;
import java.io.IOException;
import java.nio.channels.spi.SelectorProvider;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The load generator: drives a tracker on loopback over UDP (BEP 15) or HTTP with a reproducible
 * workload ({@link Workload}), validates every reply, and prints one {@code RESULT} line.
 *
 * <p>Design (after aquatic's load testers, written anew): a few event loops, each owning some
 * lanes (UDP sockets or HTTP connection slots); a lane keeps {@code --window} requests outstanding
 * and sends the next one as soon as a reply arrives, so the offered load adapts to what the
 * target sustains (a closed loop). Request bytes are written straight into pooled buffers from
 * pre-built parts; replies are checked in place; per-loop counters and a latency histogram are
 * merged at the end. Warm-up replies are not counted.
 */
@Command(
        name = "load",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = "Drive a tracker on loopback with announces and scrapes; print one RESULT line.")
public final class LoadGenerator implements Callable<Integer> {
    /** Time allowed to open sockets and to run tasks on the event loops. */
    private static final long SETUP_NANOS = TimeUnit.SECONDS.toNanos(10);
    /** Extra time the watchdog allows beyond warm-up and duration before it ends the process. */
    private static final Duration WATCHDOG_SLACK = Duration.ofSeconds(60);

    /**
     * UDP requests outstanding per socket by default: 16 sockets x 8 = 128 datagrams in flight, about
     * 120 KB of kernel buffer at ~900 bytes of truesize each, within Linux's default 208 KiB receive
     * buffer (net.core.rmem_default), which opentracker does not enlarge: a larger window makes the
     * kernel drop requests to it, and they time out.
     */
    static final int DEFAULT_UDP_WINDOW = 8;

    private static final int UDP_RECEIVE_BUFFER = 4 * 1024 * 1024;
    private static final int UDP_BATCH = 32;
    private static final int UDP_MAX_DATAGRAM = 2048;

    @Option(names = "--target", description = "udp://127.0.0.1:PORT or http://127.0.0.1:PORT (loopback only)")
    @Nullable
    String target;

    @Option(
            names = "--duration",
            defaultValue = "30s",
            converter = DurationConverter.class,
            description = "Measured time; with --insert-only the longest it may take (default: ${DEFAULT-VALUE})")
    Duration duration = Duration.ofSeconds(30);

    @Option(
            names = "--warmup",
            defaultValue = "5s",
            converter = DurationConverter.class,
            description = "Load before measuring, not counted (default: ${DEFAULT-VALUE})")
    Duration warmup = Duration.ofSeconds(5);

    @Option(names = "--torrents", defaultValue = "100000", description = "Info hashes (default: ${DEFAULT-VALUE})")
    int torrents = 100_000;

    @Option(
            names = "--peers",
            defaultValue = "200000",
            description = "Peers, each fixed to one torrent (default: ${DEFAULT-VALUE})")
    int peers = 200_000;

    @Option(
            names = "--zipf",
            defaultValue = "1.1",
            description = "Torrent popularity exponent: P(rank r) ~ 1/r^s; 0 = uniform (default: ${DEFAULT-VALUE})")
    double zipf = 1.1;

    @Option(names = "--sockets", defaultValue = "16", description = "UDP sockets (default: ${DEFAULT-VALUE})")
    int sockets = 16;

    @Option(
            names = "--connections",
            defaultValue = "64",
            description =
                    "HTTP connections, or concurrent requests with --connection-per-request (default: ${DEFAULT-VALUE})")
    int connections = 64;

    @Option(
            names = "--window",
            description = "Requests outstanding per socket/connection (default: 8 for UDP, 1 for HTTP = no pipelining)")
    @Nullable
    Integer window;

    @Option(
            names = "--scrape-pct",
            defaultValue = "1",
            description = "Percent of requests that are scrapes of 1..10 hashes (default: ${DEFAULT-VALUE})")
    double scrapePercent = 1;

    @Option(
            names = "--churn-pct",
            defaultValue = "0",
            description =
                    "Percent of a present peer's announces that end its identity, half with stopped and half"
                            + " silently (left to expire); a new peer (peer_id, torrent) then starts in its slot (default: ${DEFAULT-VALUE})")
    double churnPercent = 0;

    @Option(
            names = "--rate",
            defaultValue = "0",
            description =
                    "Most requests a second, all lanes together; 0 = as fast as the target answers (default: ${DEFAULT-VALUE})")
    double rate = 0;

    @Option(
            names = "--gso",
            negatable = true,
            defaultValue = "true",
            fallbackValue = "true",
            description = "UDP: send the announces of a batch as one GSO packet (UDP_SEGMENT) that the kernel cuts into"
                    + " datagrams; where epoll lacks it, one datagram each (default: ${DEFAULT-VALUE})")
    boolean gso = true;

    @Option(
            names = "--numwant",
            defaultValue = "30",
            description = "numwant of every announce (default: ${DEFAULT-VALUE})")
    int numWant = 30;

    @Option(names = "--connection-per-request", description = "HTTP: a new TCP connection for every request")
    boolean connectionPerRequest;

    @Option(
            names = "--threads",
            defaultValue = "1",
            description = "Event loops of the generator (default: ${DEFAULT-VALUE})")
    int threads = 1;

    @Option(
            names = "--seed",
            defaultValue = "1",
            description = "Seed of the workload: hashes, popularity, choices (default: ${DEFAULT-VALUE})")
    long seed = 1;

    @Option(
            names = "--timeout",
            defaultValue = "2s",
            converter = DurationConverter.class,
            description = "A request unanswered this long is an error (default: ${DEFAULT-VALUE})")
    Duration timeout = Duration.ofSeconds(2);

    @Option(
            names = "--insert-only",
            description = "Announce every peer exactly once (started), then stop: for memory per peer")
    boolean insertOnly;

    @Option(
            names = "--watch-pid",
            paramLabel = "PID",
            description = "Also report the CPU time process PID (the tracker) used in the measured window")
    @Nullable
    Long watchPid;

    @Option(
            names = "--write-whitelist",
            paramLabel = "FILE",
            description =
                    "Write the --torrents info hashes of --seed as hex lines (opentracker's whitelist); without --target, exit")
    @Nullable
    Path whitelist;

    @Override
    public Integer call() throws InterruptedException {
        try {
            if (whitelist != null) {
                Workload.writeWhitelist(whitelist, seed, torrents);
                System.err.println("load: wrote " + torrents + " info hashes to " + whitelist);
                if (target == null) {
                    return 0;
                }
            }
            startWatchdog();
            Result result = run();
            System.out.println(result.line());
            String message = result.total().firstTrackerMessage;
            if (message != null) {
                System.err.println("load: first tracker error: " + message);
            }
            return result.errors() == 0 && result.total().responses() > 0 ? 0 : 1;
        } catch (IllegalArgumentException | IllegalStateException | IOException e) {
            System.err.println("load: " + e.getMessage());
            return BenchMain.EXIT_USAGE;
        }
    }

    /** Ends the process if the run hangs: every run is bounded in time. */
    private void startWatchdog() {
        Duration limit = warmup.plus(duration).plus(WATCHDOG_SLACK);
        Thread.ofPlatform().daemon().name("load-watchdog").start(() -> {
            try {
                Thread.sleep(limit);
                System.err.println("load: the run did not end within " + limit + "; exiting");
                Runtime.getRuntime().halt(3);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }

    /** Runs the load and returns its result; nothing is printed on stdout. */
    Result run() throws InterruptedException {
        String targetText = target;
        if (targetText == null) {
            throw new IllegalArgumentException("--target is required");
        }
        Target t = Target.parse(targetText);
        boolean udp = t.protocol() == Target.Protocol.UDP;
        int lanes = udp ? sockets : connections;
        int win = window != null ? window : udp ? DEFAULT_UDP_WINDOW : 1;
        check(lanes >= 1, udp ? "--sockets must be positive" : "--connections must be positive");
        check(win >= 1 && win <= UdpLane.MAX_WINDOW, "--window must be within 1.." + UdpLane.MAX_WINDOW);
        check(threads >= 1, "--threads must be positive");
        check(!duration.isNegative() && !duration.isZero(), "--duration must be positive");
        check(!warmup.isNegative(), "--warmup must not be negative");
        check(!timeout.isNegative() && !timeout.isZero(), "--timeout must be positive");
        check(numWant >= 0 && numWant <= 1000, "--numwant must be within 0..1000");
        check(scrapePercent >= 0 && scrapePercent <= 100, "--scrape-pct must be within 0..100");
        check((rate >= 0 && !insertOnly) || rate == 0, "--rate must not be negative, and not with --insert-only");
        long generating = System.nanoTime();
        Workload workload = Workload.generate(seed, torrents, peers, zipf, lanes, insertOnly ? 0 : churnPercent);
        LoadSettings settings = new LoadSettings(
                t,
                win,
                numWant,
                insertOnly ? 0 : scrapePercent,
                timeout.toNanos(),
                insertOnly,
                connectionPerRequest,
                seed,
                gso && udp && Epoll.isAvailable() && SegmentedDatagramPacket.isSupported());
        boolean epoll = Epoll.isAvailable();
        System.err.printf(
                Locale.ROOT,
                "load: %s %s, %d %s x window %d, %d torrents, %d peers (zipf %.2f), %d thread(s), %s; workload in %d ms%n",
                t.protocol().label(),
                t.address(),
                lanes,
                udp ? "sockets" : connectionPerRequest ? "concurrent connections (one per request)" : "connections",
                connectionPerRequest ? 1 : win,
                torrents,
                peers,
                zipf,
                threads,
                epoll ? (settings.udpGso() ? "epoll, UDP GSO" : "epoll") : "nio",
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - generating));

        EventLoopGroup group = new MultiThreadIoEventLoopGroup(
                threads,
                new DefaultThreadFactory("load", true),
                epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        try {
            List<EventLoop> loops = new ArrayList<>();
            for (EventExecutor e : group) {
                loops.add((EventLoop) e);
            }
            List<LoopStats> stats = new ArrayList<>();
            List<Pacer> pacers = new ArrayList<>();
            for (int i = 0; i < loops.size(); i++) {
                stats.add(new LoopStats());
                pacers.add(new Pacer(rate / loops.size()));
            }
            RunControl control = new RunControl(lanes);
            List<List<UdpLane>> udpLanes = new ArrayList<>();
            List<List<HttpLane>> httpLanes = new ArrayList<>();
            for (int i = 0; i < loops.size(); i++) {
                udpLanes.add(new ArrayList<>());
                httpLanes.add(new ArrayList<>());
            }
            // insert-only counts from the first request: its lanes start sending as soon as they open
            long start = System.nanoTime();
            long loadCpu = CpuTime.self();
            long targetCpu = watchPid == null ? -1 : CpuTime.of(watchPid);
            if (udp) {
                startUdp(settings, workload, loops, stats, pacers, control, udpLanes, epoll);
            } else {
                startHttp(settings, workload, loops, stats, pacers, control, httpLanes, epoll);
            }
            if (!insertOnly) {
                if (!warmup.isZero()) {
                    Thread.sleep(warmup);
                }
                for (int i = 0; i < loops.size(); i++) {
                    LoopStats s = stats.get(i);
                    onLoop(loops.get(i), () -> {
                        s.reset();
                        return s;
                    });
                }
                start = System.nanoTime();
                loadCpu = CpuTime.self();
                targetCpu = watchPid == null ? -1 : CpuTime.of(watchPid);
            }
            if (insertOnly) {
                boolean unused = control.awaitLanes(duration.toNanos());
            } else {
                Thread.sleep(duration);
            }
            control.stop();
            long loadCpuEnd = CpuTime.self();
            long targetCpuEnd = watchPid == null ? -1 : CpuTime.of(watchPid);
            LoopStats total = new LoopStats();
            long unfinished = 0;
            for (int i = 0; i < loops.size(); i++) {
                LoopStats s = stats.get(i);
                total.add(onLoop(loops.get(i), s::snapshot));
            }
            long nanos = System.nanoTime() - start;
            if (insertOnly) {
                for (int i = 0; i < loops.size(); i++) {
                    List<UdpLane> u = udpLanes.get(i);
                    List<HttpLane> h = httpLanes.get(i);
                    unfinished += onLoop(loops.get(i), () -> {
                        long n = 0;
                        for (UdpLane lane : u) {
                            n += lane.unfinishedPeers();
                        }
                        for (HttpLane lane : h) {
                            n += lane.unfinishedPeers();
                        }
                        return n;
                    });
                }
                total.errors(ErrorKind.INCOMPLETE, unfinished);
            }
            return new Result(
                    t.protocol(),
                    insertOnly,
                    connectionPerRequest,
                    total,
                    nanos,
                    cpuBetween(loadCpu, loadCpuEnd),
                    cpuBetween(targetCpu, targetCpuEnd));
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
        }
    }

    /** CPU nanoseconds between two readings, or -1 when either is unknown. */
    private static long cpuBetween(long start, long end) {
        return start < 0 || end < 0 ? -1 : Math.max(0, end - start);
    }

    private static void check(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }

    private static void startUdp(
            LoadSettings settings,
            Workload workload,
            List<EventLoop> loops,
            List<LoopStats> stats,
            List<Pacer> pacers,
            RunControl control,
            List<List<UdpLane>> lanes,
            boolean epoll)
            throws InterruptedException {
        List<ChannelFuture> opening = new ArrayList<>();
        for (int l = 0; l < workload.lanes; l++) {
            int i = l % loops.size();
            UdpLane lane = new UdpLane(settings, workload, l, stats.get(i), control, pacers.get(i));
            lanes.get(i).add(lane);
            Bootstrap b = new Bootstrap()
                    .group(loops.get(i))
                    // IPv4 sockets: Netty's default dual-stack IPv6 socket takes the v4-mapped path in the kernel
                    .channelFactory(
                            epoll
                                    ? () -> new EpollDatagramChannel(SocketProtocolFamily.INET)
                                    : () -> new NioDatagramChannel(SocketProtocolFamily.INET))
                    .option(ChannelOption.SO_RCVBUF, UDP_RECEIVE_BUFFER)
                    .handler(lane);
            if (epoll) {
                // recvmmsg: a receive buffer of several datagrams (as in the tracker)
                b.option(EpollChannelOption.MAX_DATAGRAM_PAYLOAD_SIZE, UDP_MAX_DATAGRAM)
                        .option(
                                ChannelOption.RCVBUF_ALLOCATOR,
                                new FixedRecvByteBufAllocator(UDP_MAX_DATAGRAM * UDP_BATCH));
            } else {
                b.option(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(UDP_MAX_DATAGRAM));
            }
            opening.add(b.connect(settings.target().address(), workload.source(l)));
        }
        long deadline = System.nanoTime() + SETUP_NANOS;
        for (ChannelFuture f : opening) {
            long left = Math.max(0, deadline - System.nanoTime());
            if (!f.await(left, TimeUnit.NANOSECONDS) || !f.isSuccess()) {
                Throwable cause = f.cause();
                throw new IllegalStateException("cannot open a UDP socket to "
                        + settings.target().address() + ": " + (cause == null ? "timed out" : cause.getMessage()));
            }
        }
    }

    private static void startHttp(
            LoadSettings settings,
            Workload workload,
            List<EventLoop> loops,
            List<LoopStats> stats,
            List<Pacer> pacers,
            RunControl control,
            List<List<HttpLane>> lanes,
            boolean epoll) {
        for (int l = 0; l < workload.lanes; l++) {
            int i = l % loops.size();
            EventLoop loop = loops.get(i);
            Bootstrap b = new Bootstrap()
                    .group(loop)
                    .channelFactory(
                            epoll
                                    ? () -> new EpollSocketChannel(SocketProtocolFamily.INET)
                                    : () -> new NioSocketChannel(
                                            SelectorProvider.provider(), SocketProtocolFamily.INET))
                    // no connect timeout task per connection: the lane's tick times a connect out. And
                    // no TCP_NODELAY option: Netty's epoll socket channel turns it on by default, and
                    // the option would repeat that setsockopt on every connection
                    .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 0);
            if (epoll) {
                // the port is chosen at connect() by the 4-tuple, not at bind(): many more connections per source
                b.option(EpollChannelOption.IP_BIND_ADDRESS_NO_PORT, true);
            }
            HttpLane lane = new HttpLane(settings, workload, l, stats.get(i), control, pacers.get(i), loop, b);
            lanes.get(i).add(lane);
            lane.start();
        }
    }

    /** Runs {@code task} on {@code loop} and waits for its result. */
    private static <T> T onLoop(EventLoop loop, Callable<T> task) throws InterruptedException {
        try {
            return loop.submit(task).get(SETUP_NANOS, TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException("event loop task failed", e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("event loop did not answer within " + Duration.ofNanos(SETUP_NANOS));
        }
    }

    /** The outcome of a run, and its {@code RESULT} line. */
    record Result(
            Target.Protocol protocol,
            boolean insertOnly,
            boolean connectionPerRequest,
            LoopStats total,
            long nanos,
            long loadCpuNanos,
            long targetCpuNanos) {
        long errors() {
            return total.errorCount();
        }

        double seconds() {
            return nanos / 1e9;
        }

        long responsesPerSecond() {
            return Math.round(total.responses() / seconds());
        }

        /**
         * {@code RESULT key=value ...}: target, mode, responses_per_s, errors, p50_us, p99_us first;
         * then the detail; one {@code error_<kind>=N} per kind that occurred.
         */
        String line() {
            StringBuilder b = new StringBuilder("RESULT");
            b.append(" target=").append(protocol.label());
            String mode =
                    protocol == Target.Protocol.HTTP ? (connectionPerRequest ? "per-request" : "keepalive") : "udp";
            b.append(" mode=").append(insertOnly ? mode + "-insert" : mode);
            b.append(" responses_per_s=").append(responsesPerSecond());
            b.append(" errors=").append(errors());
            b.append(" p50_us=").append(micros(total.latency.percentile(0.50)));
            b.append(" p99_us=").append(micros(total.latency.percentile(0.99)));
            b.append(" p999_us=").append(micros(total.latency.percentile(0.999)));
            b.append(" max_us=").append(micros(total.latency.max()));
            b.append(" responses=").append(total.responses());
            b.append(" announces=").append(total.announces);
            b.append(" scrapes=").append(total.scrapes);
            b.append(" connects=").append(total.connects);
            b.append(" sent=").append(total.sent);
            if (protocol == Target.Protocol.HTTP) {
                b.append(" reconnects=").append(total.reconnects);
                b.append(" retried=").append(total.retried);
            }
            b.append(" duration_s=").append(String.format(Locale.ROOT, "%.2f", seconds()));
            appendCpu(b, "load", loadCpuNanos);
            appendCpu(b, "target", targetCpuNanos);
            for (ErrorKind kind : ErrorKind.values()) {
                long n = total.errors(kind);
                if (n > 0) {
                    b.append(" error_").append(kind.label()).append('=').append(n);
                }
            }
            return b.toString();
        }

        /**
         * {@code <who>_cpu_pct} (of one core, over the window) and {@code <who>_cpu_us_per_response},
         * when known.
         */
        private void appendCpu(StringBuilder b, String who, long cpuNanos) {
            if (cpuNanos < 0) {
                return;
            }
            b.append(' ').append(who).append("_cpu_pct=").append(Math.round(100.0 * cpuNanos / nanos));
            if (total.responses() > 0) {
                b.append(' ')
                        .append(who)
                        .append("_cpu_us_per_response=")
                        .append(String.format(Locale.ROOT, "%.2f", cpuNanos / 1000.0 / total.responses()));
            }
        }

        private static long micros(long nanos) {
            return Math.round(nanos / 1000.0);
        }
    }
}
