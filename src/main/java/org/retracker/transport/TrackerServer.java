package org.retracker.transport;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutor;
import java.io.Closeable;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.ServerSocket;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.retracker.core.AnnounceService;
import org.retracker.protocol.udp.ConnectionIds;
import org.retracker.transport.HttpTrackerHandler.Routes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running HTTP and UDP listeners of one tracker.
 *
 * <p>One event loop group serves both: {@code ioThreads} loops (one per core by default). With epoll
 * (Linux) every loop gets its own UDP socket and its own HTTP accept socket, all bound to the same
 * port with {@code SO_REUSEPORT}, so the kernel spreads datagrams and connections over the loops
 * without a shared queue or accept lock, and each UDP socket reads up to
 * {@link #UDP_BATCH} datagrams per {@code recvmmsg} and writes its replies with {@code sendmmsg}.
 * Elsewhere NIO serves one socket of each. A wildcard listen address serves IPv4 and IPv6 on one
 * dual-stack socket per loop; for UDP (with epoll) every local address gets such a group of
 * sockets too, so replies leave from the address each request was sent to ({@link UdpListener},
 * kept current by {@link #rescanLocalAddresses()}).
 *
 * <p>An optional admin listener (one HTTP socket on the same event loops) serves {@code /stats} and
 * {@code /metrics} alone; the tracker's HTTP listener then answers 404 for them. Both serve {@code
 * /health}.
 */
public final class TrackerServer implements AutoCloseable {
    /** Datagrams read per {@code recvmmsg} call. */
    static final int UDP_BATCH = 32;
    /**
     * Largest datagram read: an announce is 98 bytes plus BEP 41 options; a scrape of 74 hashes is
     * 1496 bytes. Longer datagrams are cut and then fail their length checks.
     */
    static final int UDP_MAX_DATAGRAM = 2048;
    /** Kernel receive buffer asked for per UDP socket (capped by net.core.rmem_max). */
    static final int UDP_RECEIVE_BUFFER = 8 * 1024 * 1024;
    /** Pending TCP connections the kernel may queue. */
    static final int TCP_BACKLOG = 1024;
    /** Outbound bytes above which a connection stops being read until its peer catches up. */
    static final WriteBufferWaterMark HTTP_WATER_MARK = new WriteBufferWaterMark(32 * 1024, 64 * 1024);
    /**
     * Longest {@link #close()} waits for the listeners to close and the event loops to stop. A loop
     * stuck in a task, or one whose thread died of an {@code Error}, must not hang shutdown: the
     * caller exits the JVM after {@code close()}.
     */
    static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);
    /** The quiet period's end: a loop still running tasks after this is stopped anyway. */
    private static final long SHUTDOWN_TIMEOUT_MILLIS = 2_000;

    private static final Logger log = LoggerFactory.getLogger(TrackerServer.class);

    private final EventLoopGroup group;
    private final boolean epoll;
    private final List<Channel> channels;
    private final @Nullable InetSocketAddress httpAddress;
    private final @Nullable UdpListener udp;
    private final @Nullable InetSocketAddress adminAddress;
    private final TransportCounters counters;

    private TrackerServer(
            EventLoopGroup group,
            boolean epoll,
            List<Channel> channels,
            @Nullable InetSocketAddress httpAddress,
            @Nullable UdpListener udp,
            @Nullable InetSocketAddress adminAddress,
            TransportCounters counters) {
        this.group = group;
        this.epoll = epoll;
        this.channels = channels;
        this.httpAddress = httpAddress;
        this.udp = udp;
        this.adminAddress = adminAddress;
        this.counters = counters;
    }

    /**
     * Binds the listeners of {@code options} and starts serving {@code service}, without {@code
     * /metrics}.
     *
     * @throws BindException naming the listener when an address cannot be bound; nothing is left
     *     running then
     */
    public static TrackerServer start(ServerOptions options, AnnounceService service) throws InterruptedException {
        return start(options, service, new TransportCounters(), null);
    }

    /**
     * Binds the listeners of {@code options} and starts serving {@code service}, counting into
     * {@code counters}.
     *
     * @param metrics what {@code /metrics} serves, or {@code null} for a 404 there
     * @throws BindException naming the listener when an address cannot be bound; nothing is left
     *     running then
     */
    public static TrackerServer start(
            ServerOptions options,
            AnnounceService service,
            TransportCounters counters,
            @Nullable MetricsEndpoint metrics)
            throws InterruptedException {
        return start(options, service, counters, metrics, InstantSource.system());
    }

    /**
     * As {@link #start(ServerOptions, AnnounceService, TransportCounters, MetricsEndpoint)}, with UDP
     * connection ids issued and checked on {@code connectionIdClock} (tests move it to expire ids).
     */
    public static TrackerServer start(
            ServerOptions options,
            AnnounceService service,
            TransportCounters counters,
            @Nullable MetricsEndpoint metrics,
            InstantSource connectionIdClock)
            throws InterruptedException {
        return start(options, service, counters, metrics, connectionIdClock, LocalAddresses.host());
    }

    /**
     * As {@link #start(ServerOptions, AnnounceService, TransportCounters, MetricsEndpoint,
     * InstantSource)}, with a UDP listener on a wildcard address binding a socket group to each of
     * {@code localAddresses} rather than the host's ({@link LocalAddresses#host()}).
     */
    public static TrackerServer start(
            ServerOptions options,
            AnnounceService service,
            TransportCounters counters,
            @Nullable MetricsEndpoint metrics,
            InstantSource connectionIdClock,
            LocalAddresses localAddresses)
            throws InterruptedException {
        boolean epoll = Epoll.isAvailable();
        int threads = eventLoops(options);
        IoHandlerFactory factory = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        EventLoopGroup group =
                new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory("retracker-io", true), factory);
        List<Channel> channels = new ArrayList<>();
        // One table for every listener and event loop: a client's HTTP and UDP requests share its bucket.
        ClientRateLimiter limiter = ClientRateLimiter.of(options.limits());
        ConnectionsPerAddress connections = ConnectionsPerAddress.of(options.limits());
        UdpListener udp = null;
        try {
            InetSocketAddress admin = null;
            InetSocketAddress adminListen = options.adminListen();
            if (adminListen != null) {
                InetSocketAddress address = dualStack(adminListen);
                refuseTakenPort("admin HTTP", address, true);
                HttpTrackerHandler.HttpContext context =
                        context(options, service, counters, Routes.ADMIN, metrics, null, null);
                Channel ch = bindHttp("admin HTTP", group, epoll, address, context);
                channels.add(ch);
                admin = (InetSocketAddress) ch.localAddress();
            }
            InetSocketAddress http = null;
            InetSocketAddress httpListen = options.httpListen();
            if (httpListen != null) {
                InetSocketAddress address = dualStack(httpListen);
                refuseTakenPort("HTTP", address, true);
                Routes routes = admin == null ? Routes.ALL : Routes.TRACKER;
                HttpTrackerHandler.HttpContext context =
                        context(options, service, counters, routes, metrics, limiter, connections);
                int sockets = epoll ? threads : 1;
                for (int i = 0; i < sockets; i++) {
                    Channel ch = bindHttp("HTTP", group, epoll, address, context);
                    channels.add(ch);
                    if (i == 0) {
                        http = (InetSocketAddress) ch.localAddress();
                        address = new InetSocketAddress(address.getAddress(), http.getPort());
                    }
                }
            }
            InetSocketAddress udpListen = options.udpListen();
            if (udpListen != null) {
                ConnectionIds ids = new ConnectionIds(connectionIdClock, options.connectionIdGraceSeconds());
                InetSocketAddress address = dualStack(udpListen);
                refuseTakenPort("UDP", address, false);
                // One handler per event loop, shared by that loop's sockets (one per group).
                List<EventLoop> loops = new ArrayList<>();
                for (EventExecutor loop : group) {
                    loops.add((EventLoop) loop);
                }
                int sockets = epoll ? threads : 1; // per address group; NIO serves one socket
                UdpTrackerHandler[] handlers = new UdpTrackerHandler[sockets];
                for (int i = 0; i < handlers.length; i++) {
                    handlers[i] = new UdpTrackerHandler(service, ids, options.trustedProxies(), counters, limiter);
                }
                boolean perAddress = epoll && address.getAddress().isAnyLocalAddress();
                udp = UdpListener.bind(
                        address,
                        sockets,
                        perAddress ? localAddresses : null,
                        (bind, i) -> bindUdp(loops.get(i), epoll, bind, handlers[i]));
            }
            return new TrackerServer(group, epoll, Collections.unmodifiableList(channels), http, udp, admin, counters);
        } catch (RuntimeException | InterruptedException e) {
            for (Channel ch : channels) {
                ch.close();
            }
            if (udp != null) {
                udp.close();
            }
            group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS).awaitUninterruptibly(CLOSE_TIMEOUT.toMillis());
            throw e;
        }
    }

    private static HttpTrackerHandler.HttpContext context(
            ServerOptions options,
            AnnounceService service,
            TransportCounters counters,
            Routes routes,
            @Nullable MetricsEndpoint metrics,
            @Nullable ClientRateLimiter limiter,
            @Nullable ConnectionsPerAddress connections) {
        return new HttpTrackerHandler.HttpContext(options, service, counters, routes, metrics, limiter, connections);
    }

    /** Event loops for {@code options}: its {@code ioThreads}, or one per core when that is 0. */
    static int eventLoops(ServerOptions options) {
        return options.ioThreads() > 0
                ? options.ioThreads()
                : Runtime.getRuntime().availableProcessors();
    }

    /** One HTTP accept socket; {@code listener} names it in a bind failure. */
    private static Channel bindHttp(
            String listener,
            EventLoopGroup group,
            boolean epoll,
            InetSocketAddress address,
            HttpTrackerHandler.HttpContext context)
            throws InterruptedException {
        Class<? extends ServerSocketChannel> type =
                epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
        // With epoll every loop has its own accept socket (SO_REUSEPORT: the kernel spreads
        // connections over them), and a connection stays on the loop that accepted it: handing it
        // to another loop would cost a task, a wake-up and an eventfd write per connection, which
        // is most of what a connection-per-request client pays beyond the request itself.
        EventLoopGroup children = epoll ? group.next() : group;
        // No TCP_NODELAY child option: Netty's socket channel configs (epoll and NIO) turn it on
        // themselves, and setting it again cost one more setsockopt per connection
        // (TcpNoDelayDefaultTest guards that default).
        ServerBootstrap b = new ServerBootstrap()
                .group(children, children)
                .channel(type)
                .option(ChannelOption.SO_BACKLOG, TCP_BACKLOG)
                .option(ChannelOption.SO_REUSEADDR, true)
                .option(EpollChannelOption.SO_REUSEPORT, epoll)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, HTTP_WATER_MARK)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new HttpTrackerHandler(context));
                    }
                });
        try {
            return b.bind(address).sync().channel();
        } catch (Exception e) {
            throw BindException.of(listener, address, e);
        }
    }

    /** One UDP socket on {@code loop}, served by that loop's {@code handler}. */
    private static Channel bindUdp(EventLoop loop, boolean epoll, InetSocketAddress address, UdpTrackerHandler handler)
            throws InterruptedException {
        Class<? extends DatagramChannel> type = epoll ? EpollDatagramChannel.class : NioDatagramChannel.class;
        Bootstrap b = new Bootstrap()
                .group(loop)
                .channel(type)
                .option(ChannelOption.SO_RCVBUF, UDP_RECEIVE_BUFFER)
                .handler(handler);
        if (epoll) {
            b.option(EpollChannelOption.SO_REUSEPORT, true)
                    .option(EpollChannelOption.MAX_DATAGRAM_PAYLOAD_SIZE, UDP_MAX_DATAGRAM)
                    .option(
                            ChannelOption.RCVBUF_ALLOCATOR,
                            new FixedRecvByteBufAllocator(UDP_MAX_DATAGRAM * UDP_BATCH));
        } else {
            b.option(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(UDP_MAX_DATAGRAM));
        }
        try {
            return b.bind(address).sync().channel();
        } catch (Exception e) {
            throw BindException.of("UDP", address, e);
        }
    }

    /**
     * Fails when another socket already holds {@code address}. The listeners bind with {@code
     * SO_REUSEPORT}, and Linux lets a second process of the same user join such a port silently:
     * two trackers would then split the clients and each see half of every swarm. A plain socket
     * (without {@code SO_REUSEPORT}) cannot join, so binding and closing one first turns that into
     * the usual "address already in use". Port 0 asks for a free port and needs no check.
     */
    static void refuseTakenPort(String listener, InetSocketAddress address, boolean tcp) {
        if (address.getPort() == 0) {
            return;
        }
        try (Closeable probe = tcp ? bindServerSocket(address) : new DatagramSocket(address)) {
            // bound and released: nobody else holds the port
        } catch (IOException e) {
            throw BindException.of(listener, address, e);
        }
    }

    private static ServerSocket bindServerSocket(InetSocketAddress address) throws IOException {
        ServerSocket socket = new ServerSocket();
        try {
            socket.bind(address, 1);
            return socket;
        } catch (IOException e) {
            socket.close();
            throw e;
        }
    }

    /**
     * A wildcard address becomes {@code ::} when the host has IPv6, so one socket serves both
     * families (IPv4 clients appear as IPv4-mapped addresses, which the handlers fold back).
     */
    static InetSocketAddress dualStack(InetSocketAddress address) {
        if (!address.getAddress().isAnyLocalAddress() || !ipv6Available()) {
            return address;
        }
        try {
            return new InetSocketAddress(InetAddress.getByName("::"), address.getPort());
        } catch (UnknownHostException e) {
            return address;
        }
    }

    private static boolean ipv6Available() {
        try {
            var interfaces = NetworkInterface.networkInterfaces().toList();
            for (NetworkInterface ni : interfaces) {
                if (ni.inetAddresses().anyMatch(a -> a instanceof Inet6Address)) {
                    return true;
                }
            }
            return false;
        } catch (SocketException e) {
            return false;
        }
    }

    /** The bound HTTP address (port resolved), or {@code null} when HTTP is off. */
    public @Nullable InetSocketAddress httpAddress() {
        return httpAddress;
    }

    /** The bound UDP address (port resolved), or {@code null} when UDP is off. */
    public @Nullable InetSocketAddress udpAddress() {
        UdpListener u = udp;
        return u == null ? null : u.address();
    }

    /**
     * The local addresses with UDP sockets of their own, so that requests to them are answered from
     * them: empty unless UDP listens on a wildcard address with epoll.
     */
    public List<InetAddress> udpLocalAddresses() {
        UdpListener u = udp;
        return u == null ? List.of() : u.addressGroups();
    }

    /**
     * With UDP on a wildcard address (and epoll): binds sockets for local addresses that have come
     * since the last look and closes those of addresses gone; otherwise does nothing. The tracker
     * runs it periodically and on SIGHUP. Waits for the binds, so it must not run on an event loop.
     */
    public void rescanLocalAddresses() throws InterruptedException {
        UdpListener u = udp;
        if (u != null) {
            u.rescan();
        }
    }

    /** The bound admin address (port resolved), or {@code null} when there is no admin listener. */
    public @Nullable InetSocketAddress adminAddress() {
        return adminAddress;
    }

    /** The event loops serving every listener (tests stall one to check {@link #close(Duration)}). */
    EventLoopGroup eventLoops() {
        return group;
    }

    /** "epoll" or "nio". */
    public String transportName() {
        return epoll ? "epoll" : "nio";
    }

    public TransportCounters counters() {
        return counters;
    }

    /**
     * Closes every listener and waits for the event loops to finish, for at most {@link
     * #CLOSE_TIMEOUT} in all.
     */
    @Override
    public void close() {
        close(CLOSE_TIMEOUT);
    }

    /**
     * As {@link #close()}, waiting at most {@code bound}; false (and a warning) when a listener or
     * an event loop had not stopped by then.
     */
    boolean close(Duration bound) {
        long deadline = System.nanoTime() + bound.toNanos();
        boolean done = true;
        for (Channel ch : channels) {
            done &= ch.close().awaitUninterruptibly(millisUntil(deadline));
        }
        UdpListener u = udp;
        if (u != null) {
            done &= u.close(deadline);
        }
        done &= group.shutdownGracefully(0, SHUTDOWN_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS)
                .awaitUninterruptibly(millisUntil(deadline));
        if (!done) {
            log.warn("event loops had not stopped after {} ms; closing without them", bound.toMillis());
        }
        return done;
    }

    /** Milliseconds from now to {@code deadline} (a {@link System#nanoTime()}), at least 0. */
    static long millisUntil(long deadline) {
        return Math.max(0, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
    }

    /** An address that could not be bound, with the listener's name and the system's reason. */
    public static final class BindException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        BindException(String message, Throwable cause) {
            super(message, cause);
        }

        static BindException of(String listener, InetSocketAddress address, Throwable cause) {
            String host = address.getAddress().isAnyLocalAddress() ? "" : address.getHostString();
            if (host.indexOf(':') >= 0) {
                host = "[" + host + "]";
            }
            String reason = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
            return new BindException(
                    "cannot listen on " + listener + " " + host + ":" + address.getPort() + ": " + reason, cause);
        }
    }
}
