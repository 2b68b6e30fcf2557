package org.retracker.forward;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.FastThreadLocal;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import org.jspecify.annotations.Nullable;
import org.retracker.protocol.AddressParser;
import org.retracker.protocol.http.HttpAnnounceReply;
import org.retracker.protocol.http.HttpAnnounceReplyDecoder;

/**
 * Announces to an external HTTP or HTTPS tracker (BEP 3) over Netty, on the event loops of a group
 * shared by all forwarders.
 *
 * <p><b>Request.</b> {@code GET <path>?<the URI's own query>&info_hash=..&peer_id=..&port=..
 * &uploaded=..&downloaded=..&left=..&compact=1&numwant=..[&event=..][&ip=..]} over HTTP/1.1 (see
 * {@link AnnounceQuery}), with {@code Host} from {@link ForwarderSpec#host()} or the URI, a constant
 * {@code User-Agent} and {@code Connection: keep-alive}.
 *
 * <p><b>Reply.</b> 200: the bencoded body is decoded by {@link HttpAnnounceReplyDecoder}; a {@code
 * failure reason} gives {@link UpstreamReply.Outcome#REFUSED} with BEP 31 {@code retry in}, anything
 * else {@link UpstreamReply.Outcome#OK}. 429, and 503 with a {@code Retry-After} header, give {@link
 * UpstreamReply.Outcome#RATE_LIMITED} with the header's delta-seconds (an HTTP-date is treated as
 * absent: one format is enough, and every tracker seen sends seconds). Any other status, a body
 * that is not an announce reply, a body over {@link #MAX_REPLY_BYTES}, a network or TLS failure and
 * the timeout give {@link UpstreamReply.Outcome#ERROR}; the connection is closed then. Bodies may
 * be sized by {@code Content-Length}, chunked, or end at connection close.
 *
 * <p><b>Connections.</b> After a complete keep-alive reply the connection is kept for the next
 * announce, up to {@link #MAX_IDLE_CONNECTIONS} idle ones (more announces in flight open more
 * connections; the surplus is closed when they finish). A kept connection the tracker has closed is
 * dropped when it is noticed; if it is noticed only after the request went out (the close was still
 * in flight) and nothing of a reply came back, the request is sent once more on a new connection,
 * within the same timeout. Idle connections are closed after {@link #IDLE_TIMEOUT_SECONDS}.
 *
 * <p><b>HTTPS.</b> Netty's {@code SslHandler} with the JDK's provider and default trust store; SNI
 * and hostname verification use the URI's host, even when {@code host} overrides the {@code Host}
 * header.
 *
 * <p><b>Threads.</b> Host names are resolved on {@link #RESOLVER_THREADS} shared daemon threads
 * (the JDK's lookup blocks), never on an event loop. Everything else about one announce happens on
 * one event loop: that of the kept connection it uses, or one picked from the group. The future
 * completes there (or on the thread calling {@link #close()}): keep dependent stages short or use
 * the {@code *Async} variants. Thread-safe.
 */
public final class HttpUpstreamClient implements UpstreamClient {
    /**
     * Idle keep-alive connections kept per forwarder. Forwarding announces one swarm at a time
     * through a handful of schedulers, so a few connections carry the steady load; more would only
     * hold sockets the tracker closes after its keep-alive timeout anyway.
     */
    static final int MAX_IDLE_CONNECTIONS = 4;
    /**
     * Largest reply body read. A compact reply of 200 peers is about 1.3 KiB and a non-compact one
     * about 14 KiB; 256 KiB leaves room for trackers that ignore numwant (some 40,000 compact peers)
     * while bounding the memory an announce in flight can hold.
     */
    static final int MAX_REPLY_BYTES = 256 * 1024;
    /** Longest status line read: the same bound our own server puts on a request line. */
    static final int MAX_STATUS_LINE_BYTES = 4 * 1024;
    /** Largest response head read: the same bound our own server puts on a request head. */
    static final int MAX_HEAD_BYTES = 8 * 1024;
    /**
     * Seconds a kept connection may sit unused before we close it. Servers close idle keep-alive
     * connections after 5 to 75 s (nginx: 75 s); a minute keeps one across back-to-back forwards
     * without holding a socket the other end may have silently forgotten.
     */
    static final int IDLE_TIMEOUT_SECONDS = 60;
    /**
     * Threads that resolve host names for all HTTP forwarders. The JDK caches answers (30 s by
     * default), so a few threads serve many forwarders; a lookup that hangs ties up one thread, never
     * an event loop.
     */
    static final int RESOLVER_THREADS = 4;
    /** Body buffer to start with when the length is not announced: most replies fit. */
    private static final int INITIAL_BODY_BYTES = 4 * 1024;
    /** Digits of the largest {@code Retry-After} read; longer values saturate. */
    private static final int MAX_RETRY_AFTER_DIGITS = 9;

    static final String USER_AGENT = "retracker/" + version();

    private static final ExecutorService RESOLVER = resolverPool();
    /** Guarded by the class monitor; see {@link #defaultTls()}. */
    private static @Nullable SslContext defaultTls;

    private static final FastThreadLocal<HttpAnnounceReplyDecoder> DECODER = new FastThreadLocal<>() {
        @Override
        protected HttpAnnounceReplyDecoder initialValue() {
            return new HttpAnnounceReplyDecoder();
        }
    };

    /** Resolves a host name to its addresses; blocking. The JDK's lookup outside tests. */
    @FunctionalInterface
    interface HostResolver {
        InetAddress[] resolve(String host) throws UnknownHostException;
    }

    private final ForwarderSpec spec;
    private final EventLoopGroup group;
    private final long timeoutNanos;
    private final String timeoutText;
    private final @Nullable SslContext ssl;
    private final HostResolver resolver;
    private final AnnounceQuery query;
    private final HttpHeaders headers;
    /** The URI's host without brackets: what is resolved, and the TLS peer name. */
    private final String host;
    /** Set when the host is an address literal, so that no lookup is needed. */
    private final @Nullable InetAddress literal;
    /** TLS server name indication: the URI's host, unless it is an address literal. */
    private final @Nullable SNIHostName sniName;

    private final Bootstrap bootstrap;
    private final Object lock = new Object();
    /** Kept connections, most recently used last. Guarded by {@link #lock}. */
    private final ArrayDeque<Channel> idle = new ArrayDeque<>(MAX_IDLE_CONNECTIONS);
    /** Guarded by {@link #lock}. */
    private boolean closed;

    private final Set<Exchange> inFlight = ConcurrentHashMap.newKeySet();

    /**
     * A client for an {@code http://} or {@code https://} forwarder. HTTPS trusts the JDK's
     * default trust store.
     *
     * @param group the event loops, shared by all forwarders (epoll or NIO); not shut down by
     *     {@link #close()}
     * @param timeout bound on one announce: connect, send and the whole reply
     * @throws IllegalArgumentException when the spec is not HTTP(S) or its {@code host} is not a
     *     valid header value
     * @throws IllegalStateException when the JDK offers no TLS
     */
    public HttpUpstreamClient(ForwarderSpec spec, EventLoopGroup group, Duration timeout) {
        this(
                spec,
                group,
                timeout,
                spec.scheme() == ForwarderSpec.Scheme.HTTPS ? defaultTls() : null,
                InetAddress::getAllByName);
    }

    /** For tests: a given TLS context (e.g. trusting a test certificate) and host resolver. */
    HttpUpstreamClient(
            ForwarderSpec spec,
            EventLoopGroup group,
            Duration timeout,
            @Nullable SslContext ssl,
            HostResolver resolver) {
        if (spec.scheme() != ForwarderSpec.Scheme.HTTP && spec.scheme() != ForwarderSpec.Scheme.HTTPS) {
            throw new IllegalArgumentException("not an HTTP forwarder: " + spec.uri());
        }
        if (spec.scheme() == ForwarderSpec.Scheme.HTTPS && ssl == null) {
            throw new IllegalArgumentException("HTTPS forwarder without a TLS context: " + spec.uri());
        }
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive: " + timeout);
        }
        this.spec = spec;
        this.group = group;
        this.timeoutNanos = timeout.toNanos();
        this.timeoutText = "timeout after " + seconds(timeout);
        this.ssl = spec.scheme() == ForwarderSpec.Scheme.HTTPS ? ssl : null;
        this.resolver = resolver;
        this.query = new AnnounceQuery(spec.uri(), spec.ip());
        String uriHost = spec.uri().getHost();
        this.host =
                uriHost.startsWith("[") && uriHost.endsWith("]") ? uriHost.substring(1, uriHost.length() - 1) : uriHost;
        this.literal = addressLiteral(host);
        this.sniName = literal == null ? sniHostName(host) : null;
        this.headers = new DefaultHttpHeaders() // validates: a bad host fails here, at start-up
                .set(HttpHeaderNames.HOST, hostHeader(spec))
                .set(HttpHeaderNames.USER_AGENT, USER_AGENT)
                .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        boolean epoll = group instanceof IoEventLoopGroup io && io.isIoType(EpollIoHandler.class);
        Class<? extends SocketChannel> type = epoll ? EpollSocketChannel.class : NioSocketChannel.class;
        this.bootstrap = new Bootstrap()
                .channel(type)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, timeout.toMillis()))
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        initConnection(ch);
                    }
                });
    }

    @Override
    public ForwarderSpec spec() {
        return spec;
    }

    @Override
    public CompletableFuture<UpstreamReply> announce(UpstreamAnnounce announce) {
        if (isClosed()) {
            return CompletableFuture.completedFuture(UpstreamReply.error("client closed"));
        }
        try {
            Channel kept = takeIdle();
            EventLoop loop = kept != null ? kept.eventLoop() : group.next();
            Exchange ex = new Exchange(announce, loop);
            inFlight.add(ex);
            ex.future.whenComplete((r, e) -> inFlight.remove(ex));
            try {
                ex.timer = loop.schedule(ex::timedOut, timeoutNanos, TimeUnit.NANOSECONDS);
                loop.execute(() -> ex.start(kept));
            } catch (RejectedExecutionException e) {
                if (kept != null) {
                    kept.close();
                }
                ex.finish(UpstreamReply.error("event loops are shut down"));
            }
            if (isClosed()) {
                ex.abort("client closed");
            }
            return ex.future;
        } catch (RuntimeException e) { // a bug: still never throw
            return CompletableFuture.completedFuture(UpstreamReply.error("internal error: " + describe(e)));
        }
    }

    /**
     * Closes kept connections and ends announces in flight with {@link UpstreamReply.Outcome#ERROR}.
     * Does not wait for sockets to close; later announces complete at once with an error.
     */
    @Override
    public void close() {
        List<Channel> toClose;
        synchronized (lock) {
            closed = true;
            toClose = new ArrayList<>(idle);
            idle.clear();
        }
        for (Channel ch : toClose) {
            ch.close();
        }
        for (Exchange ex : inFlight) {
            ex.abort("client closed");
        }
    }

    private boolean isClosed() {
        synchronized (lock) {
            return closed;
        }
    }

    // ---- connections ----

    private void initConnection(SocketChannel ch) {
        if (ssl != null) {
            SslHandler tls = ssl.newHandler(ch.alloc(), host, spec.port());
            SNIHostName name = sniName;
            if (name != null) { // the JDK sends SNI only for dotted names; "localhost" gets none
                SSLEngine engine = tls.engine();
                SSLParameters parameters = engine.getSSLParameters();
                parameters.setServerNames(List.of(name));
                engine.setSSLParameters(parameters);
            }
            ch.pipeline().addLast(tls);
        }
        ch.pipeline()
                .addLast(new HttpClientCodec(
                        new HttpDecoderConfig()
                                .setMaxInitialLineLength(MAX_STATUS_LINE_BYTES)
                                .setMaxHeaderSize(MAX_HEAD_BYTES),
                        false,
                        true))
                .addLast(new IdleStateHandler(0, 0, IDLE_TIMEOUT_SECONDS, TimeUnit.SECONDS))
                .addLast(new ReplyHandler());
        ch.closeFuture().addListener(f -> forgetIdle(ch));
    }

    /** The most recently used kept connection that is still open, or {@code null}. */
    private @Nullable Channel takeIdle() {
        synchronized (lock) {
            while (!idle.isEmpty()) {
                Channel ch = idle.pollLast();
                if (ch.isActive()) {
                    return ch;
                }
            }
            return null;
        }
    }

    /** Keeps a connection whose exchange ended cleanly, or closes it when the pool is full. */
    private void keepOrClose(Channel ch) {
        synchronized (lock) {
            if (!closed && ch.isActive() && idle.size() < MAX_IDLE_CONNECTIONS) {
                idle.addLast(ch);
                return;
            }
        }
        ch.close();
    }

    private void forgetIdle(Channel ch) {
        synchronized (lock) {
            idle.remove(ch);
        }
    }

    /**
     * Per connection: hands the decoded reply parts to the exchange using the connection, and
     * closes a connection that talks while no exchange uses it. Every message is released here.
     */
    private static final class ReplyHandler extends ChannelInboundHandlerAdapter {
        private @Nullable Exchange exchange;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                Exchange ex = exchange;
                if (ex == null) {
                    ctx.close(); // unsolicited bytes on a kept connection: nothing to trust there
                } else if (msg instanceof HttpObject http) {
                    ex.received(http);
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            Exchange ex = exchange;
            if (ex != null) {
                ex.lost(null);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            Exchange ex = exchange;
            if (ex != null) {
                ex.lost(cause);
            }
            ctx.close();
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof IdleStateEvent) {
                if (exchange == null) {
                    ctx.close();
                }
                return;
            }
            if (evt instanceof SslHandshakeCompletionEvent handshake && !handshake.isSuccess()) {
                Exchange ex = exchange;
                if (ex != null) {
                    ex.lost(handshake.cause());
                }
                ctx.close();
                return;
            }
            ctx.fireUserEventTriggered(evt);
        }
    }

    // ---- one announce ----

    /**
     * One announce: connection, request, reply. Confined to {@link #loop} except {@link #finish} and
     * {@link #abort}, which may run on any thread.
     */
    private final class Exchange {
        final UpstreamAnnounce announce;
        final EventLoop loop;
        final CompletableFuture<UpstreamReply> future = new CompletableFuture<>();
        private final AtomicBoolean done = new AtomicBoolean();
        volatile @Nullable ScheduledFuture<?> timer;

        private @Nullable Channel channel;
        private boolean reused;
        private boolean retried;
        private boolean replyStarted;
        private boolean keepAlive;
        /** The status line's code once it has come, for metrics; set on the loop, read by {@link #finish}. */
        private volatile int httpStatus = UpstreamReply.ABSENT;

        private byte[] body = new byte[0];
        private int bodyLength;

        Exchange(UpstreamAnnounce announce, EventLoop loop) {
            this.announce = announce;
            this.loop = loop;
        }

        void start(@Nullable Channel kept) {
            if (done.get()) {
                if (kept != null) {
                    keepOrClose(kept);
                }
                return;
            }
            if (kept != null && kept.isActive()) {
                send(kept, true);
            } else {
                if (kept != null) {
                    kept.close();
                }
                connect();
            }
        }

        private void connect() {
            InetAddress address = literal;
            if (address != null) {
                connect(new InetAddress[] {address}, 0);
                return;
            }
            try {
                RESOLVER.execute(this::resolve);
            } catch (RejectedExecutionException e) {
                finish(UpstreamReply.error("cannot resolve " + host + ": resolver is shut down"));
            }
        }

        /** On a resolver thread. */
        private void resolve() {
            if (done.get()) {
                return;
            }
            try {
                InetAddress[] addresses = resolver.resolve(host);
                if (addresses.length == 0) {
                    throw new UnknownHostException(host + ": no addresses");
                }
                onLoop(() -> connect(addresses, 0));
            } catch (UnknownHostException e) {
                finish(UpstreamReply.error("cannot resolve " + host + ": " + describe(e)));
            } catch (RuntimeException e) {
                finish(UpstreamReply.error("cannot resolve " + host + ": " + describe(e)));
            }
        }

        /** Tries the addresses in order until one accepts. */
        private void connect(InetAddress[] addresses, int index) {
            if (done.get()) {
                return;
            }
            ChannelFuture f = bootstrap.clone(loop).connect(new InetSocketAddress(addresses[index], spec.port()));
            channel = f.channel();
            f.addListener(result -> {
                if (done.get()) {
                    f.channel().close();
                } else if (result.isSuccess()) {
                    send(f.channel(), false);
                } else if (index + 1 < addresses.length) {
                    connect(addresses, index + 1);
                } else {
                    finish(UpstreamReply.error("cannot connect to " + authority() + ": " + describe(result.cause())));
                }
            });
        }

        private void send(Channel ch, boolean kept) {
            channel = ch;
            reused = kept;
            replyStarted = false;
            bodyLength = 0;
            attach(ch, this);
            FullHttpRequest request = new DefaultFullHttpRequest(
                    HttpVersion.HTTP_1_1, HttpMethod.GET, query.target(announce), Unpooled.EMPTY_BUFFER);
            request.headers().set(headers);
            ch.writeAndFlush(request).addListener(f -> {
                if (!f.isSuccess()) {
                    lost(f.cause());
                }
            });
        }

        /** One part of the reply, on the connection's loop. */
        void received(HttpObject msg) {
            if (done.get()) {
                return;
            }
            if (msg.decoderResult().isFailure()) {
                fail("bad HTTP reply: " + describe(msg.decoderResult().cause()));
                return;
            }
            if (msg instanceof HttpResponse response) {
                replyStarted = true;
                if (!head(response)) {
                    return;
                }
            }
            if (msg instanceof HttpContent content) {
                ByteBuf data = content.content();
                int n = data.readableBytes();
                if (n > MAX_REPLY_BYTES - bodyLength) {
                    fail("reply larger than " + MAX_REPLY_BYTES / 1024 + " KiB");
                    return;
                }
                if (bodyLength + n > body.length) {
                    body = Arrays.copyOf(body, Math.min(MAX_REPLY_BYTES, Math.max(bodyLength + n, body.length * 2)));
                }
                data.getBytes(data.readerIndex(), body, bodyLength, n);
                bodyLength += n;
                if (content instanceof LastHttpContent) {
                    complete();
                }
            }
        }

        /** Reads the status and head; returns false when the exchange ended on them. */
        private boolean head(HttpResponse response) {
            int code = response.status().code();
            httpStatus = code;
            String status = "HTTP " + code
                    + (response.status().reasonPhrase().isEmpty()
                            ? ""
                            : " " + response.status().reasonPhrase());
            if (code == 429 || (code == 503 && response.headers().contains(HttpHeaderNames.RETRY_AFTER))) {
                fail(UpstreamReply.rateLimited(
                        status, retryAfter(response.headers().get(HttpHeaderNames.RETRY_AFTER))));
                return false;
            }
            if (code != 200) {
                fail(UpstreamReply.error(status));
                return false;
            }
            long length = HttpUtil.getContentLength(response, -1L);
            if (length > MAX_REPLY_BYTES) {
                fail("reply larger than " + MAX_REPLY_BYTES / 1024 + " KiB (Content-Length " + length + ")");
                return false;
            }
            keepAlive = HttpUtil.isKeepAlive(response);
            body = new byte[length >= 0 ? (int) length : INITIAL_BODY_BYTES];
            return true;
        }

        /** The whole 200 body is here. */
        private void complete() {
            Channel ch = channel;
            if (ch != null) {
                attach(ch, null);
                channel = null;
                if (keepAlive) {
                    keepOrClose(ch);
                } else {
                    ch.close();
                }
            }
            finish(reply(body, bodyLength));
        }

        /**
         * The connection closed or failed before the reply was complete. A kept connection that
         * closed before any reply came back was closed by the tracker while idle: one more try on a
         * new connection.
         */
        void lost(@Nullable Throwable cause) {
            Channel ch = channel;
            if (done.get() || ch == null) {
                return;
            }
            attach(ch, null);
            channel = null;
            ch.close();
            if (reused && !replyStarted && !retried) {
                retried = true;
                reused = false;
                connect();
                return;
            }
            String why = cause == null ? "connection closed before the reply was complete" : describe(cause);
            finish(UpstreamReply.error(why));
        }

        void timedOut() {
            fail(UpstreamReply.error(timeoutText));
        }

        private void fail(String message) {
            fail(UpstreamReply.error(message));
        }

        /** Ends the exchange on its loop and closes its connection. */
        private void fail(UpstreamReply reply) {
            closeChannel();
            finish(reply);
        }

        /** From any thread: ends the exchange; its connection is closed on the loop. */
        void abort(String message) {
            if (finish(UpstreamReply.error(message))) {
                onLoop(this::closeChannel);
            }
        }

        private void closeChannel() {
            Channel ch = channel;
            if (ch != null) {
                attach(ch, null);
                channel = null;
                ch.close();
            }
        }

        /** Completes the future once; returns false when it was already done. Any thread. */
        boolean finish(UpstreamReply reply) {
            if (!done.compareAndSet(false, true)) {
                return false;
            }
            ScheduledFuture<?> t = timer;
            if (t != null) {
                t.cancel(false);
            }
            int status = httpStatus;
            future.complete(status == UpstreamReply.ABSENT ? reply : reply.withHttpStatus(status));
            return true;
        }

        private void onLoop(Runnable task) {
            try {
                loop.execute(task);
            } catch (RejectedExecutionException e) {
                Channel ch = channel;
                if (ch != null) {
                    ch.close();
                }
                finish(UpstreamReply.error("event loops are shut down"));
            }
        }

        private String authority() {
            return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + spec.port();
        }
    }

    /** Points the connection's reply handler at {@code ex}, or at nothing. */
    private static void attach(Channel ch, @Nullable Exchange ex) {
        ReplyHandler h = ch.pipeline().get(ReplyHandler.class);
        if (h != null) {
            h.exchange = ex;
        }
    }

    /** Turns a complete 200 body into the outcome. */
    static UpstreamReply reply(byte[] body, int length) {
        HttpAnnounceReplyDecoder decoder = DECODER.get();
        if (decoder.decode(body, 0, length) != HttpAnnounceReplyDecoder.Status.OK) {
            return UpstreamReply.error("garbage reply: " + decoder.problem());
        }
        HttpAnnounceReply r = decoder.reply();
        String failure = r.failureReason();
        if (failure != null) {
            return UpstreamReply.refused(failure, retryIn(r.retryIn()));
        }
        String warning = r.warningMessage();
        return new UpstreamReply(
                UpstreamReply.Outcome.OK,
                absentOr(r.interval()),
                absentOr(r.minInterval()),
                absentOr(r.complete()),
                absentOr(r.incomplete()),
                r.peers4(),
                r.peers6(),
                warning == null ? "" : warning,
                UpstreamReply.ABSENT,
                UpstreamReply.ABSENT);
    }

    private static int absentOr(int value) {
        return value == HttpAnnounceReply.ABSENT ? UpstreamReply.ABSENT : value;
    }

    /** BEP 31 {@code retry in} counts minutes; the reply carries seconds (saturated below never). */
    private static int retryIn(int minutes) {
        if (minutes == HttpAnnounceReply.RETRY_NEVER) {
            return UpstreamReply.RETRY_NEVER;
        }
        if (minutes == HttpAnnounceReply.ABSENT) {
            return UpstreamReply.ABSENT;
        }
        return (int) Math.min(minutes * 60L, UpstreamReply.RETRY_NEVER - 1L);
    }

    /**
     * RFC 9110 §10.2.3 {@code Retry-After} as delta-seconds, or {@link UpstreamReply#ABSENT} when
     * missing or an HTTP-date. Very large values saturate.
     */
    static int retryAfter(@Nullable String value) {
        if (value == null) {
            return UpstreamReply.ABSENT;
        }
        String v = value.trim();
        if (v.isEmpty()) {
            return UpstreamReply.ABSENT;
        }
        long seconds = 0;
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (c < '0' || c > '9') {
                return UpstreamReply.ABSENT;
            }
            if (i < MAX_RETRY_AFTER_DIGITS) {
                seconds = seconds * 10 + (c - '0');
            } else {
                seconds = UpstreamReply.RETRY_NEVER - 1L;
            }
        }
        return (int) Math.min(seconds, UpstreamReply.RETRY_NEVER - 1L);
    }

    /** The {@code Host} header: the override, or the URI's host with its port when not the default. */
    static String hostHeader(ForwarderSpec spec) {
        String override = spec.host();
        if (override != null) {
            return override;
        }
        String uriHost = spec.uri().getHost();
        int port = spec.uri().getPort();
        return port < 0 || port == spec.scheme().defaultPort ? uriHost : uriHost + ":" + port;
    }

    private static @Nullable InetAddress addressLiteral(String host) {
        byte[] text = host.getBytes(StandardCharsets.ISO_8859_1);
        byte[] raw = new byte[16];
        int length = AddressParser.parse(text, 0, text.length, raw);
        if (length == 0) {
            return null;
        }
        try {
            return InetAddress.getByAddress(Arrays.copyOf(raw, length));
        } catch (UnknownHostException e) {
            return null; // cannot happen for 4 or 16 bytes
        }
    }

    private static @Nullable SNIHostName sniHostName(String host) {
        try {
            return new SNIHostName(host);
        } catch (IllegalArgumentException e) {
            return null; // not a valid DNS name (an underscore, say): no SNI, verification still applies
        }
    }

    /** One TLS context for every HTTPS forwarder: loading the trust store is the costly part. */
    private static synchronized SslContext defaultTls() {
        SslContext c = defaultTls;
        if (c == null) {
            try {
                c = SslContextBuilder.forClient()
                        .sslProvider(SslProvider.JDK)
                        .endpointIdentificationAlgorithm("HTTPS")
                        .build();
            } catch (SSLException e) {
                throw new IllegalStateException("cannot set up TLS: " + e.getMessage(), e);
            }
            defaultTls = c;
        }
        return c;
    }

    private static ExecutorService resolverPool() {
        ThreadPoolExecutor pool = new ThreadPoolExecutor(
                RESOLVER_THREADS, RESOLVER_THREADS, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
                    Thread t = new Thread(r, "retracker-resolver");
                    t.setDaemon(true);
                    return t;
                });
        pool.allowCoreThreadTimeOut(true);
        return pool;
    }

    /** "2s", or "1.5s" for a timeout that is not whole seconds. */
    static String seconds(Duration d) {
        long millis = d.toMillis();
        return millis % 1000 == 0 ? millis / 1000 + "s" : millis / 1000.0 + "s";
    }

    private static String describe(Throwable t) {
        Throwable cause = t;
        while (cause instanceof DecoderException && cause.getCause() != null) {
            cause = cause.getCause();
        }
        String message = cause.getMessage();
        String text = message == null || message.isEmpty() ? cause.getClass().getSimpleName() : message;
        if (cause instanceof SSLHandshakeException) {
            return "TLS handshake failed: " + text;
        }
        return cause instanceof SSLException ? "TLS: " + text : text;
    }

    private static String version() {
        String v = HttpUpstreamClient.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }
}
