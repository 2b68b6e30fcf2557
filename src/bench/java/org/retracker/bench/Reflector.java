package org.retracker.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SelectStrategy;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.SocketProtocolFamily;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.IntSupplier;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.channels.spi.SelectorProvider;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.retracker.protocol.udp.UdpRequestDecoder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * A trivial tracker stand-in that does no tracker work: it answers every BEP 15 datagram with a
 * valid reply of the same size class (connect: 16 bytes; announce: 20 bytes plus {@code --peers}
 * fake peers; scrape: 8 + 12 bytes per hash of zeros) and every HTTP request with a fixed bencoded
 * body, keep-alive unless the client asks to close. It is as fast as Netty on epoll gets here
 * ({@code recvmmsg}/{@code sendmmsg}, one socket per event loop with {@code SO_REUSEPORT}, replies
 * flushed once per read batch), so the rate the load generator reaches against it is the
 * generator's ceiling, not the server's. Loopback addresses only.
 */
@Command(
        name = "reflector",
        mixinStandardHelpOptions = true,
        description = "Answer BEP 15 and HTTP announces with fixed valid replies, to measure the load generator.")
public final class Reflector implements Callable<Integer> {
    /** Datagrams read per recvmmsg, as in the tracker. */
    private static final int UDP_BATCH = 32;

    private static final int UDP_MAX_DATAGRAM = 2048;
    private static final int UDP_RECEIVE_BUFFER = 4 * 1024 * 1024;
    private static final int INTERVAL = 1800;
    /** A compact IPv4 peer: address and port. */
    private static final int PEER_BYTES = 6;
    /** 127.0.0.1, the address of every fake peer. */
    private static final int LOOPBACK = 0x7f000001;

    @Option(
            names = "--udp",
            defaultValue = "127.0.0.1:6970",
            description = "UDP address, '' for none (default: ${DEFAULT-VALUE})")
    String udp = "127.0.0.1:6970";

    @Option(
            names = "--http",
            defaultValue = "127.0.0.1:6970",
            description = "HTTP address, '' for none (default: ${DEFAULT-VALUE})")
    String http = "127.0.0.1:6970";

    @Option(
            names = "--threads",
            defaultValue = "1",
            description = "Event loops, each with its own sockets (default: ${DEFAULT-VALUE})")
    int threads = 1;

    @Option(
            names = "--peers",
            defaultValue = "0",
            description =
                    "Fake peers in every announce reply (UDP: at most the numwant asked for; HTTP: always) (default: ${DEFAULT-VALUE})")
    int peers;

    @Option(
            names = "--busy-poll",
            description = "Poll epoll without blocking while requests keep coming (block after 200 us without one):"
                    + " a client's request then never has to wake a sleeping loop (default: off)")
    boolean busyPoll;

    @Option(
            names = "--duration",
            defaultValue = "1h",
            converter = DurationConverter.class,
            description = "Exit after this long (default: ${DEFAULT-VALUE})")
    Duration duration = Duration.ofHours(1);

    @Override
    public Integer call() throws InterruptedException {
        try (Running running = start(address(udp), address(http), threads, peers, busyPoll)) {
            System.out.println("reflector " + running.transport() + (busyPoll ? " (busy poll)" : "") + ": udp="
                    + running.udpAddress() + " http=" + running.httpAddress());
            System.out.flush();
            CountDownLatch forever = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(forever::countDown));
            boolean unused = forever.await(duration.toNanos(), TimeUnit.NANOSECONDS);
        } catch (IllegalArgumentException e) {
            System.err.println("reflector: " + e.getMessage());
            return BenchMain.EXIT_USAGE;
        }
        return 0;
    }

    private static @Nullable InetSocketAddress address(String text) {
        if (text.isEmpty()) {
            return null;
        }
        int colon = text.lastIndexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("HOST:PORT expected: " + text);
        }
        InetAddress host;
        try {
            host = InetAddress.getByName(colon == 0 ? "127.0.0.1" : text.substring(0, colon));
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("unknown host in " + text);
        }
        if (!host.isLoopbackAddress()) {
            throw new IllegalArgumentException("refusing " + text + ": loopback addresses only");
        }
        return new InetSocketAddress(host, Integer.parseInt(text.substring(colon + 1)));
    }

    /** Starts the reflector, its event loops blocking in epoll when idle; port 0 picks a free port. */
    static Running start(
            @Nullable InetSocketAddress udpAddress, @Nullable InetSocketAddress httpAddress, int threads, int peers)
            throws InterruptedException {
        return start(udpAddress, httpAddress, threads, peers, false);
    }

    /**
     * Starts the reflector; port 0 picks a free port. With {@code busyPoll} (epoll only) its event
     * loops poll without blocking while requests keep coming: see {@link SpinThenBlock}.
     */
    static Running start(
            @Nullable InetSocketAddress udpAddress,
            @Nullable InetSocketAddress httpAddress,
            int threads,
            int peers,
            boolean busyPoll)
            throws InterruptedException {
        if (threads < 1 || peers < 0 || peers > 196) {
            throw new IllegalArgumentException("--threads must be positive and --peers within 0..196");
        }
        boolean epoll = Epoll.isAvailable();
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(
                threads,
                new DefaultThreadFactory("reflector", true),
                epoll
                        ? busyPoll ? EpollIoHandler.newFactory(0, SpinThenBlock::new) : EpollIoHandler.newFactory()
                        : NioIoHandler.newFactory());
        List<Channel> channels = new ArrayList<>();
        // shared by every connection: each reply writes a retained duplicate; close() releases them
        ByteBuf announceBody = Unpooled.directBuffer()
                .writeBytes(httpReply(concat(
                        HttpRequests.ascii("d8:completei1e10:incompletei1e8:intervali" + INTERVAL + "e12:min intervali"
                                + INTERVAL / 2 + "e5:peers" + PEER_BYTES * peers + ":"),
                        fakePeers(peers),
                        HttpRequests.ascii("e"))));
        ByteBuf scrapeBody = Unpooled.directBuffer().writeBytes(httpReply(HttpRequests.ascii("d5:filesdee")));
        List<ByteBuf> bodies = List.of(announceBody, scrapeBody);
        try {
            InetSocketAddress udpBound = null;
            InetSocketAddress httpBound = null;
            int sockets = epoll ? threads : 1;
            if (udpAddress != null) {
                InetSocketAddress at = udpAddress;
                for (int i = 0; i < sockets; i++) {
                    Bootstrap b = new Bootstrap()
                            .group(group)
                            .channelFactory(
                                    epoll
                                            ? () -> new EpollDatagramChannel(SocketProtocolFamily.INET)
                                            : () -> new NioDatagramChannel(SocketProtocolFamily.INET))
                            .option(ChannelOption.SO_RCVBUF, UDP_RECEIVE_BUFFER)
                            .handler(new UdpReflector(peers));
                    if (epoll) {
                        b.option(EpollChannelOption.SO_REUSEPORT, true)
                                .option(EpollChannelOption.MAX_DATAGRAM_PAYLOAD_SIZE, UDP_MAX_DATAGRAM)
                                .option(
                                        ChannelOption.RCVBUF_ALLOCATOR,
                                        new FixedRecvByteBufAllocator(UDP_MAX_DATAGRAM * UDP_BATCH));
                    } else {
                        b.option(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(UDP_MAX_DATAGRAM));
                    }
                    Channel ch = b.bind(at).sync().channel();
                    channels.add(ch);
                    if (i == 0) {
                        udpBound = (InetSocketAddress) ch.localAddress();
                        at = udpBound;
                    }
                }
            }
            if (httpAddress != null) {
                InetSocketAddress at = httpAddress;
                for (int i = 0; i < sockets; i++) {
                    // with epoll each accept socket has a loop of its own, and its connections stay on
                    // it (as in the tracker): no hand-over task and wake-up per connection
                    EventLoopGroup loop = epoll ? group.next() : group;
                    ServerBootstrap b = new ServerBootstrap()
                            .group(loop, loop)
                            .channelFactory(
                                    epoll
                                            ? () -> new EpollServerSocketChannel(SocketProtocolFamily.INET)
                                            : () -> new NioServerSocketChannel(
                                                    SelectorProvider.provider(), SocketProtocolFamily.INET))
                            .option(ChannelOption.SO_BACKLOG, 4096)
                            .option(ChannelOption.SO_REUSEADDR, true)
                            .childOption(ChannelOption.TCP_NODELAY, true)
                            .childHandler(new ChannelInitializer<SocketChannel>() {
                                @Override
                                protected void initChannel(SocketChannel ch) {
                                    ch.pipeline().addLast(new HttpReflector(announceBody, scrapeBody));
                                }
                            });
                    if (epoll) {
                        b.option(EpollChannelOption.SO_REUSEPORT, true);
                    }
                    Channel ch = b.bind(at).sync().channel();
                    channels.add(ch);
                    if (i == 0) {
                        httpBound = (InetSocketAddress) ch.localAddress();
                        at = httpBound;
                    }
                }
            }
            return new Running(group, channels, bodies, udpBound, httpBound, epoll ? "epoll" : "nio");
        } catch (RuntimeException | InterruptedException e) {
            group.shutdownGracefully(0, 0, TimeUnit.SECONDS).awaitUninterruptibly();
            bodies.forEach(ByteBuf::release);
            throw e;
        }
    }

    private static byte[] httpReply(byte[] body) {
        return concat(
                HttpRequests.ascii(
                        "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: " + body.length + "\r\n\r\n"),
                body);
    }

    /** {@code n} compact IPv4 peers, 127.0.0.1:1 and up: what a tracker's reply would carry. */
    private static byte[] fakePeers(int n) {
        ByteBuf b = Unpooled.buffer(PEER_BYTES * n);
        for (int i = 0; i < n; i++) {
            b.writeInt(LOOPBACK).writeShort(1 + i);
        }
        return b.array();
    }

    private static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] out = new byte[n];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }

    /**
     * The select strategy of {@code --busy-poll}: a non-blocking {@code epoll_wait} on every turn of
     * the loop, and a blocking one only after {@link #SPIN_NANOS} without an event. A loop asleep in
     * {@code epoll_wait} must be woken by the first request that arrives: on loopback the client's
     * {@code send} runs that wake-up ({@code sock_def_readable}, an inter-processor interrupt,
     * costly in a VM) in its own system call, and the loop pays for going to sleep and waking. A
     * trivial server runs out of work between almost every pair of requests, so unlike a saturated
     * tracker, which finds the next requests already queued, it would cost the client a wake-up per
     * request, and the generator's ceiling measured against it would be lower than the rate it
     * reaches against the tracker. Tasks and timers run between polls as usual.
     */
    static final class SpinThenBlock implements SelectStrategy {
        /** How long a loop keeps polling after its last event: far longer than a client's think time. */
        static final long SPIN_NANOS = TimeUnit.MICROSECONDS.toNanos(200);

        private long lastEvent = System.nanoTime();

        @Override
        public int calculateStrategy(IntSupplier selectNow, boolean hasTasks) throws Exception {
            int ready = selectNow.get();
            long now = System.nanoTime();
            if (ready > 0) {
                lastEvent = now;
                return ready;
            }
            return hasTasks || now - lastEvent < SPIN_NANOS ? 0 : SelectStrategy.SELECT;
        }
    }

    /** A started reflector; {@link #close} stops it. */
    record Running(
            EventLoopGroup group,
            List<Channel> channels,
            List<ByteBuf> bodies,
            @Nullable InetSocketAddress udpAddress,
            @Nullable InetSocketAddress httpAddress,
            String transport)
            implements AutoCloseable {
        @Override
        public void close() {
            for (Channel ch : channels) {
                ch.close().awaitUninterruptibly();
            }
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
            bodies.forEach(ByteBuf::release);
        }
    }

    /** BEP 15 replies to whatever arrives; flushed once per read batch (sendmmsg). */
    private static final class UdpReflector extends ChannelInboundHandlerAdapter {
        private static final long CONNECTION_ID = 0x0123456789abcdefL;
        private final int peers;

        UdpReflector(int peers) {
            this.peers = peers;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                if (msg instanceof DatagramPacket packet) {
                    reply(ctx, packet);
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        private void reply(ChannelHandlerContext ctx, DatagramPacket packet) {
            ByteBuf in = packet.content();
            if (in.readableBytes() < UdpRequestDecoder.HEADER_BYTES) {
                return;
            }
            int action = UdpRequestDecoder.action(in);
            int transaction = UdpRequestDecoder.transactionId(in);
            ByteBuf out;
            switch (action) {
                case UdpRequestDecoder.ACTION_CONNECT -> {
                    out = ctx.alloc().directBuffer(16);
                    out.writeInt(action).writeInt(transaction).writeLong(CONNECTION_ID);
                }
                case UdpRequestDecoder.ACTION_ANNOUNCE -> {
                    if (in.readableBytes() < UdpRequestDecoder.ANNOUNCE_BYTES) {
                        return;
                    }
                    int numWant = in.getInt(in.readerIndex() + 92);
                    int n = numWant < 0 ? peers : Math.min(peers, numWant);
                    out = ctx.alloc().directBuffer(20 + 6 * n);
                    out.writeInt(action).writeInt(transaction).writeInt(INTERVAL);
                    out.writeInt(1).writeInt(1); // leechers, seeders
                    for (int i = 0; i < n; i++) {
                        out.writeInt(LOOPBACK).writeShort(1 + i); // 127.0.0.1:1+i
                    }
                }
                case UdpRequestDecoder.ACTION_SCRAPE -> {
                    int hashes = (in.readableBytes() - UdpRequestDecoder.HEADER_BYTES) / 20;
                    out = ctx.alloc().directBuffer(8 + 12 * hashes);
                    out.writeInt(action).writeInt(transaction).writeZero(12 * hashes);
                }
                default -> {
                    out = ctx.alloc().directBuffer(24);
                    out.writeInt(UdpRequestDecoder.ACTION_ERROR).writeInt(transaction);
                    out.writeBytes(HttpRequests.ascii("unknown action"));
                }
            }
            ctx.write(new DatagramPacket(out, packet.sender()), ctx.voidPromise());
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.flush();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            // a datagram to a closed port: nothing to do
        }
    }

    /**
     * Fixed HTTP replies to every request head; keep-alive unless it asks to close. Heads are found
     * in the received buffer itself (a search for line ends, which Netty does eight bytes at a
     * time); only the start of a head that a read left incomplete is copied, into {@code partial}.
     */
    private static final class HttpReflector extends ChannelInboundHandlerAdapter {
        private static final int MAX_HEAD = 16 * 1024;
        private static final byte[] GET_SCRAPE = HttpRequests.ascii("GET /scrape");
        private static final byte[] CONNECTION = HttpRequests.ascii("connection:");
        private static final byte[] CLOSE = HttpRequests.ascii("close");
        private final ByteBuf announceReply;
        private final ByteBuf scrapeReply;
        /** The start of a request head that the last read did not complete, or null. */
        private @Nullable ByteBuf partial;

        HttpReflector(ByteBuf announceReply, ByteBuf scrapeReply) {
            this.announceReply = announceReply;
            this.scrapeReply = scrapeReply;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (!(msg instanceof ByteBuf received)) {
                ReferenceCountUtil.release(msg);
                return;
            }
            ByteBuf in = received;
            ByteBuf p = partial;
            if (p != null) {
                partial = null;
                in = p.writeBytes(received);
                received.release();
            }
            try {
                if (answer(ctx, in) && in.isReadable()) {
                    if (in.readableBytes() > MAX_HEAD) {
                        ctx.close();
                    } else {
                        partial = ctx.alloc().buffer(2 * in.readableBytes()).writeBytes(in);
                    }
                }
            } finally {
                in.release();
            }
        }

        /** Answers every whole head in {@code in}, consuming it; false when the connection is closing. */
        private boolean answer(ChannelHandlerContext ctx, ByteBuf in) {
            int to = in.writerIndex();
            int head = in.readerIndex();
            boolean scrape = false;
            boolean close = false;
            for (int line = head; ; ) {
                int lf = in.indexOf(line, to, (byte) '\n');
                if (lf < 0) {
                    return true;
                }
                if (lf - line <= 1) {
                    // an empty line: the end of a head (or a stray line end before one)
                    if (line > head) {
                        ByteBuf reply = (scrape ? scrapeReply : announceReply).retainedDuplicate();
                        in.readerIndex(lf + 1);
                        if (close) {
                            ctx.writeAndFlush(reply).addListener(ChannelFutureListener.CLOSE);
                            return false;
                        }
                        ctx.write(reply, ctx.voidPromise());
                    }
                    head = lf + 1;
                    in.readerIndex(head);
                    scrape = false;
                    close = false;
                } else if (line == head) {
                    scrape = startsWith(in, line, lf, GET_SCRAPE);
                } else if (startsWithIgnoreCase(in, line, lf, CONNECTION)) {
                    close = containsIgnoreCase(in, line + CONNECTION.length, lf, CLOSE);
                }
                line = lf + 1;
            }
        }

        private static boolean startsWith(ByteBuf b, int from, int to, byte[] prefix) {
            if (to - from < prefix.length) {
                return false;
            }
            for (int i = 0; i < prefix.length; i++) {
                if (b.getByte(from + i) != prefix[i]) {
                    return false;
                }
            }
            return true;
        }

        /** {@code b[from, to)} starts with the lowercase {@code prefix}, ignoring ASCII case. */
        private static boolean startsWithIgnoreCase(ByteBuf b, int from, int to, byte[] prefix) {
            if (to - from < prefix.length) {
                return false;
            }
            for (int i = 0; i < prefix.length; i++) {
                if ((b.getByte(from + i) | 0x20) != prefix[i]) {
                    return false;
                }
            }
            return true;
        }

        private static boolean containsIgnoreCase(ByteBuf b, int from, int to, byte[] lower) {
            for (int i = from; i <= to - lower.length; i++) {
                if (startsWithIgnoreCase(b, i, to, lower)) {
                    return true;
                }
            }
            return false;
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.flush();
        }

        @Override
        public void handlerRemoved(ChannelHandlerContext ctx) {
            ByteBuf p = partial;
            if (p != null) {
                partial = null;
                p.release();
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
