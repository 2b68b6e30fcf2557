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
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.channels.spi.SelectorProvider;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
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
    private static final byte[] CRLF_CRLF = {'\r', '\n', '\r', '\n'};
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
            names = "--duration",
            defaultValue = "1h",
            converter = DurationConverter.class,
            description = "Exit after this long (default: ${DEFAULT-VALUE})")
    Duration duration = Duration.ofHours(1);

    @Override
    public Integer call() throws InterruptedException {
        try (Running running = start(address(udp), address(http), threads, peers)) {
            System.out.println("reflector " + running.transport() + ": udp=" + running.udpAddress() + " http="
                    + running.httpAddress());
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

    /** Starts the reflector; port 0 picks a free port. */
    static Running start(
            @Nullable InetSocketAddress udpAddress, @Nullable InetSocketAddress httpAddress, int threads, int peers)
            throws InterruptedException {
        if (threads < 1 || peers < 0 || peers > 196) {
            throw new IllegalArgumentException("--threads must be positive and --peers within 0..196");
        }
        boolean epoll = Epoll.isAvailable();
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(
                threads,
                new DefaultThreadFactory("reflector", true),
                epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
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
                    ServerBootstrap b = new ServerBootstrap()
                            .group(group)
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

    /** Fixed HTTP replies to every request head; keep-alive unless asked to close. */
    private static final class HttpReflector extends ChannelInboundHandlerAdapter {
        private static final int MAX_HEAD = 16 * 1024;
        private static final byte[] GET_SCRAPE = HttpRequests.ascii("GET /scrape");
        private final ByteBuf announceReply;
        private final ByteBuf scrapeReply;
        private byte[] buf = new byte[2048];
        private int len;

        HttpReflector(ByteBuf announceReply, ByteBuf scrapeReply) {
            this.announceReply = announceReply;
            this.scrapeReply = scrapeReply;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                if (msg instanceof ByteBuf in) {
                    int n = in.readableBytes();
                    if (len + n > MAX_HEAD) {
                        ctx.close();
                        return;
                    }
                    if (len + n > buf.length) {
                        buf = Arrays.copyOf(buf, Math.max(2 * buf.length, len + n));
                    }
                    in.readBytes(buf, len, n);
                    len += n;
                    answer(ctx);
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        private void answer(ChannelHandlerContext ctx) {
            int start = 0;
            while (true) {
                int end = indexOf(buf, start, len);
                if (end < 0) {
                    break;
                }
                boolean scrape = end - start >= GET_SCRAPE.length
                        && Arrays.equals(buf, start, start + GET_SCRAPE.length, GET_SCRAPE, 0, GET_SCRAPE.length);
                boolean close = HttpLane.containsIgnoreCase(buf, start, end, "connection: close");
                ByteBuf reply = (scrape ? scrapeReply : announceReply).retainedDuplicate();
                start = end + 4;
                if (close) {
                    ctx.writeAndFlush(reply).addListener(ChannelFutureListener.CLOSE);
                    len = 0;
                    return;
                }
                ctx.write(reply, ctx.voidPromise());
            }
            System.arraycopy(buf, start, buf, 0, len - start);
            len -= start;
        }

        private static int indexOf(byte[] a, int from, int to) {
            for (int i = from; i <= to - 4; i++) {
                if (a[i] == CRLF_CRLF[0]
                        && a[i + 1] == CRLF_CRLF[1]
                        && a[i + 2] == CRLF_CRLF[2]
                        && a[i + 3] == CRLF_CRLF[3]) {
                    return i;
                }
            }
            return -1;
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.flush();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
