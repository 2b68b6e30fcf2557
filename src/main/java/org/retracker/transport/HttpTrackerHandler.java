package org.retracker.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelException;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.epoll.EpollSocketChannelConfig;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.util.concurrent.FastThreadLocal;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.retracker.core.AnnounceService;
import org.retracker.protocol.AddressParser;
import org.retracker.protocol.AnnounceRequest;
import org.retracker.protocol.AnnounceResponse;
import org.retracker.protocol.FailureReason;
import org.retracker.protocol.ScrapeRequest;
import org.retracker.protocol.ScrapeResponse;
import org.retracker.protocol.http.HttpRequestHead;
import org.retracker.protocol.http.HttpResponseEncoder;
import org.retracker.protocol.http.QueryParser;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One HTTP tracker connection: reads request heads straight from the socket's bytes, answers
 * {@code /announce} (BEP 3, 23, 7), {@code /scrape} (BEP 48), {@code /favicon.ico} and {@code
 * /health}, and for operators {@code /stats} and {@code /metrics} (which of these a listener serves
 * is its {@link Routes}), and writes each response with one pooled buffer. Requests may be pipelined; HTTP/1.1 keep-alive and HTTP/1.0
 * ({@code Connection: keep-alive}) are both honoured.
 *
 * <p>Tracker errors are {@code 200 OK} with a bencoded {@code failure reason}, because clients
 * ignore the bodies of other statuses. HTTP-level errors (a head that is malformed or over the
 * limits of {@link HttpRequestHead}) get a plain 4xx/5xx and the connection is closed.
 *
 * <p>Limits: a head must fit {@link HttpRequestHead#MAX_HEAD} bytes and arrive within the request
 * timeout; a connection not read for the idle timeout is closed by its loop's {@link IdleConnections}; while the peer
 * does not read its responses, this handler stops reading its requests, so nothing buffers without
 * bound. Per-event-loop scratch objects make a request allocation-free apart from the response
 * buffer.
 *
 * <p>Rate limit (optional): each announce and scrape takes a token from the bucket of its client
 * address (the proxy's header with {@code -x}, else the socket's source) in the {@link
 * ClientRateLimiter} shared with UDP, before its query is parsed; over the limit it gets {@link
 * FailureReason#RATE_LIMITED} with BEP 31 {@code retry in}, and nothing is stored or forwarded.
 *
 * <p>Connection cap (optional, on by default): a connection whose source address already holds
 * {@code max_connections_per_ip} others is closed as soon as it is accepted, before it is read
 * ({@link ConnectionsPerAddress}); connections from trusted proxies are not counted.
 */
final class HttpTrackerHandler extends ByteToMessageDecoder {
    private static final Logger log = LoggerFactory.getLogger(HttpTrackerHandler.class);

    private static final byte[] STATUS_400 = ascii("HTTP/1.1 400 Bad Request\r\n");
    private static final byte[] STATUS_404 = ascii("HTTP/1.1 404 Not Found\r\n");
    private static final byte[] STATUS_405 = ascii("HTTP/1.1 405 Method Not Allowed\r\nAllow: GET, HEAD\r\n");
    private static final byte[] STATUS_431 = ascii("HTTP/1.1 431 Request Header Fields Too Large\r\n");
    private static final byte[] STATUS_505 = ascii("HTTP/1.1 505 HTTP Version Not Supported\r\n");
    private static final byte[] STATUS_200 = ascii("HTTP/1.1 200 OK\r\n");
    private static final byte[] TEXT_PLAIN = ascii("Content-Type: text/plain");
    private static final byte[] IMAGE_ICON = ascii("Content-Type: image/x-icon");
    private static final byte[] APPLICATION_JSON = ascii("Content-Type: application/json");
    private static final byte[] FORMAT_JSON = ascii("format=json");
    private static final byte[] BODY_HEALTH = ascii("ok\n");
    private static final byte[] BODY_400 = ascii("bad request\n");
    private static final byte[] BODY_404 = ascii("not found\n");
    private static final byte[] BODY_405 = ascii("method not allowed\n");
    private static final byte[] BODY_431 = ascii("request head too large\n");
    private static final byte[] BODY_505 = ascii("HTTP version not supported\n");
    private static final byte[] FAVICON = Resources.favicon();

    /** Body bytes a reply may need: the largest non-compact announce with numwant at its hard limit. */
    private static final int BODY_SCRATCH_BYTES = 256 * 1024;
    /** First size of a {@code /metrics} body buffer: the JVM metrics alone take about 10 KiB. */
    private static final int METRICS_INITIAL_BYTES = 32 * 1024;
    /** {@link #clientAddress}: a trusted proxy sent neither X-Real-IP nor X-Forwarded-For. */
    private static final int NO_FORWARDED_ADDRESS = -1;
    /** {@link #clientAddress}: a trusted proxy's address header does not parse. */
    private static final int BAD_FORWARDED_ADDRESS = -2;

    /**
     * The paths one listener serves. {@code /health} is served by every listener, for container
     * health checks.
     */
    enum Routes {
        /** The tracker's listener when there is no admin listener: everything. */
        ALL(true, true),
        /** The tracker's listener beside an admin listener: announce, scrape, favicon. */
        TRACKER(true, false),
        /** The admin listener: {@code /stats} and {@code /metrics}. */
        ADMIN(false, true);

        final boolean tracker;
        final boolean admin;

        Routes(boolean tracker, boolean admin) {
            this.tracker = tracker;
            this.admin = admin;
        }
    }

    /** Scratch state shared by all connections of one event loop. */
    private static final class Scratch {
        final byte[] head = new byte[HttpRequestHead.MAX_HEAD + 4];
        final HttpRequestHead request = new HttpRequestHead();
        /** The request's client address, see {@link HttpTrackerHandler#clientAddress}. */
        final byte[] client = new byte[16];

        final QueryParser parser = new QueryParser();
        final AnnounceRequest announce = new AnnounceRequest();
        final AnnounceResponse response;
        final ScrapeRequest scrape;
        final ScrapeResponse scrapeResponse;
        final HttpResponseEncoder encoder;
        final ByteBuf body = Unpooled.buffer(BODY_SCRATCH_BYTES);
        /** This loop's connections of the listener, for the idle timeout. */
        final IdleConnections idle;

        Scratch(HttpContext context) {
            idle = new IdleConnections(context.options().httpIdleTimeoutSeconds());
            response = new AnnounceResponse(context.service().policy().numwantMax());
            scrape = new ScrapeRequest(context.service().policy().scrapeMaxHashes());
            scrapeResponse = new ScrapeResponse(context.service().policy().scrapeMaxHashes());
            encoder = new HttpResponseEncoder(context.service().policy().scrapeMaxHashes(), context.trackerId());
        }
    }

    /**
     * What every connection of one listener shares.
     *
     * @param metrics what {@code /metrics} serves, or {@code null} when metrics are off ({@code -p})
     * @param options the whole server configuration, for {@code /stats} to show
     * @param limiter the per-address rate limit shared with UDP, or {@code null} for none
     * @param connections the per-address connection cap, or {@code null} for none
     */
    record HttpContext(
            AnnounceService service,
            boolean realIpHeader,
            List<Cidr> trustedProxies,
            int requestTimeoutSeconds,
            @Nullable String trackerId,
            FastThreadLocal<Scratch> scratchLocal,
            TransportCounters counters,
            Routes routes,
            @Nullable MetricsEndpoint metrics,
            ServerOptions options,
            @Nullable ClientRateLimiter limiter,
            @Nullable ConnectionsPerAddress connections) {
        HttpContext(
                ServerOptions options,
                AnnounceService service,
                TransportCounters counters,
                Routes routes,
                @Nullable MetricsEndpoint metrics,
                @Nullable ClientRateLimiter limiter,
                @Nullable ConnectionsPerAddress connections) {
            this(
                    service,
                    options.realIpHeader(),
                    options.trustedProxies(),
                    options.httpRequestTimeoutSeconds(),
                    options.trackerId(),
                    new FastThreadLocal<>(),
                    counters,
                    routes,
                    metrics,
                    options,
                    limiter,
                    connections);
        }

        Scratch scratch() {
            Scratch s = scratchLocal.getIfExists();
            if (s == null) {
                s = new Scratch(this);
                scratchLocal.set(s);
            }
            return s;
        }

        boolean trusted(byte[] address, int length) {
            for (int i = 0; i < trustedProxies.size(); i++) {
                if (trustedProxies.get(i).contains(address, length)) {
                    return true;
                }
            }
            return false;
        }
    }

    private final HttpContext context;
    /** The connection's source address, resolved once. */
    private final byte[] source = new byte[16];

    private int sourceLength;
    /** The socket's peer, for debug lines only. */
    private @Nullable SocketAddress remote;

    private boolean sourceTrusted;
    /** What {@link ConnectionsPerAddress#acquire} gave this connection, to release when it closes. */
    private int connectionToken = ConnectionsPerAddress.NOT_COUNTED;

    private boolean closing;
    private @Nullable ScheduledFuture<?> headTimer;

    /** The idle list this connection is on (its loop's), once active; see {@link IdleConnections}. */
    private @Nullable IdleConnections idle;
    /** The connection's context, for the idle timeout's close. */
    private @Nullable ChannelHandlerContext channelContext;
    // IdleConnections' links and stamp; touched only by this connection's loop.
    @Nullable
    HttpTrackerHandler idlePrev;

    @Nullable
    HttpTrackerHandler idleNext;

    int lastRead;
    boolean idleLinked;

    HttpTrackerHandler(HttpContext context) {
        this.context = context;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        remote = ctx.channel().remoteAddress();
        if (remote instanceof InetSocketAddress inet && inet.getAddress() != null) {
            sourceLength = AnnounceRequest.copyAddress(inet.getAddress(), source);
            sourceTrusted = context.trusted(source, sourceLength);
        }
        ConnectionsPerAddress connections = context.connections();
        if (connections != null && !sourceTrusted) {
            int token = connections.acquire(source, sourceLength);
            if (token == ConnectionsPerAddress.REFUSED) {
                context.counters().httpConnectionsRefused.increment();
                RequestLog.connectionRefused(remote, "its address holds max_connections_per_ip already");
                closing = true;
                ctx.close();
                return;
            }
            connectionToken = token;
        }
        channelContext = ctx;
        IdleConnections list = context.scratch().idle;
        idle = list;
        list.add(this, ctx.executor());
        super.channelActive(ctx);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        IdleConnections list = idle;
        if (list != null) {
            list.touch(this);
        }
        super.channelRead(ctx, msg);
    }

    /** Called by {@link IdleConnections}: nothing was read for the idle timeout. */
    void idleTimeout() {
        context.counters().httpTimeouts.increment();
        ChannelHandlerContext ctx = channelContext;
        if (ctx != null) {
            ctx.close();
        }
    }

    private void leaveIdleList() {
        IdleConnections list = idle;
        if (list != null) {
            list.remove(this);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        leaveIdleList();
        releaseConnection();
        super.channelInactive(ctx);
    }

    private void releaseConnection() {
        ConnectionsPerAddress connections = context.connections();
        if (connections != null) {
            connections.release(connectionToken);
        }
        connectionToken = ConnectionsPerAddress.NOT_COUNTED;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        Scratch s = context.scratch();
        while (!closing && in.isReadable()) {
            int available = Math.min(in.readableBytes(), s.head.length);
            int headEnd = findHeadEnd(in, available);
            if (headEnd < 0) {
                if (available >= HttpRequestHead.MAX_HEAD) {
                    in.skipBytes(in.readableBytes());
                    sendError(ctx, STATUS_431, BODY_431);
                } else {
                    armHeadTimer(ctx);
                }
                return;
            }
            in.readBytes(s.head, 0, headEnd);
            cancelHeadTimer();
            handle(ctx, s, headEnd);
        }
    }

    /**
     * Length of the head at the start of {@code in} (up to and including its blank line) within the
     * first {@code limit} bytes, or -1. Looks only at line feeds, as {@link
     * HttpRequestHead#findHeadEnd} does, without copying.
     */
    private static int findHeadEnd(ByteBuf in, int limit) {
        int start = in.readerIndex();
        int end = start + limit;
        int i = start;
        while (i < end) {
            int lf = in.indexOf(i, end, (byte) '\n');
            if (lf < 0) {
                return -1;
            }
            if (lf + 1 < end && in.getByte(lf + 1) == '\n') {
                return lf + 2 - start;
            }
            if (lf + 2 < end && in.getByte(lf + 1) == '\r' && in.getByte(lf + 2) == '\n') {
                return lf + 3 - start;
            }
            i = lf + 1;
        }
        return -1;
    }

    private void handle(ChannelHandlerContext ctx, Scratch s, int headEnd) {
        HttpRequestHead head = s.request;
        int status = head.parse(s.head, 0, headEnd);
        switch (status) {
            case HttpRequestHead.OK -> {}
            case HttpRequestHead.TOO_LARGE -> {
                sendError(ctx, STATUS_431, BODY_431);
                return;
            }
            case HttpRequestHead.METHOD_NOT_ALLOWED -> {
                sendError(ctx, STATUS_405, BODY_405);
                return;
            }
            case HttpRequestHead.VERSION_NOT_SUPPORTED -> {
                sendError(ctx, STATUS_505, BODY_505);
                return;
            }
            default -> {
                sendError(ctx, STATUS_400, BODY_400);
                return;
            }
        }
        // A body we will not read would be taken for the next request: answer, then close.
        boolean keepAlive = head.keepAlive && !head.hasBody;
        ByteBuf body = s.body;
        body.clear();
        Routes routes = context.routes();
        MetricsEndpoint metrics = context.metrics();
        if (routes.tracker && head.pathIs(s.head, "/announce")) {
            context.counters().httpAnnounces.increment();
            announce(s, body);
            sendBody(ctx, STATUS_200, TEXT_PLAIN, body, head.head, keepAlive);
        } else if (routes.tracker && head.pathIs(s.head, "/scrape")) {
            context.counters().httpScrapes.increment();
            scrape(s, body);
            sendBody(ctx, STATUS_200, TEXT_PLAIN, body, head.head, keepAlive);
        } else if (head.pathIs(s.head, "/health")) {
            body.writeBytes(BODY_HEALTH);
            sendBody(ctx, STATUS_200, TEXT_PLAIN, body, head.head, keepAlive);
        } else if (routes.admin && head.pathIs(s.head, "/stats")) {
            boolean json = contains(s.head, head.queryStart, head.queryEnd, FORMAT_JSON);
            StatsPage.write(body, json, context.service(), context.counters(), context.options(), metrics != null);
            sendBody(ctx, STATUS_200, json ? APPLICATION_JSON : TEXT_PLAIN, body, head.head, keepAlive);
        } else if (routes.admin && metrics != null && head.pathIs(s.head, "/metrics")) {
            sendMetrics(ctx, metrics, HttpRequestHead.field(s.head, 0, headEnd, "accept"), head.head, keepAlive);
        } else if (routes.tracker && head.pathIs(s.head, "/favicon.ico")) {
            body.writeBytes(FAVICON);
            sendBody(ctx, STATUS_200, IMAGE_ICON, body, head.head, keepAlive);
        } else {
            body.writeBytes(BODY_404);
            sendBody(ctx, STATUS_404, TEXT_PLAIN, body, head.head, keepAlive);
        }
    }

    private static boolean contains(byte[] src, int from, int to, byte[] needle) {
        for (int i = from; i + needle.length <= to; i++) {
            if (java.util.Arrays.equals(src, i, i + needle.length, needle, 0, needle.length)) {
                return true;
            }
        }
        return false;
    }

    /** A tracker error: counted, logged under {@code -d}, answered as a bencoded failure (BEP 3). */
    private void fail(ByteBuf body, FailureReason failure, int retryInSeconds) {
        context.counters().httpFailure(failure);
        RequestLog.failure("HTTP", remote, failure);
        HttpResponseEncoder.writeFailure(body, failure, retryInSeconds);
    }

    private void announce(Scratch s, ByteBuf body) {
        HttpRequestHead head = s.request;
        AnnounceRequest request = s.announce;
        int clientLength = clientAddress(s, s.client);
        if (clientLength < 0) {
            // A trusted proxy that sent no usable client address (fail closed): said as such, and
            // not charged to the proxy's own rate-limit bucket, where it would soon read as a limit.
            fail(
                    body,
                    clientLength == NO_FORWARDED_ADDRESS
                            ? FailureReason.MISSING_FORWARDED_ADDRESS
                            : FailureReason.INVALID_FORWARDED_ADDRESS,
                    0);
            return;
        }
        if (!admitted(s, body, clientLength, false)) {
            return;
        }
        FailureReason failure = s.parser.parseAnnounce(s.head, head.queryStart, head.queryEnd, request);
        if (failure == null) {
            failure = useClientAddress(s, request, clientLength);
        }
        if (failure != null) {
            fail(body, failure, 0);
            return;
        }
        context.counters().httpAnnounce(request.event);
        int cap = context.service().policy().numwantMax();
        FailureReason refused = context.service().announce(request, cap, true, s.response);
        if (refused != null) {
            fail(body, refused, context.service().retryInSeconds(refused));
            return;
        }
        RequestLog.announce("HTTP", request, s.response);
        s.encoder.writeAnnounce(body, request, s.response);
    }

    private void scrape(Scratch s, ByteBuf body) {
        if (context.limiter() != null && !admitted(s, body, clientAddress(s, s.client), true)) {
            return;
        }
        HttpRequestHead head = s.request;
        int max = context.service().policy().scrapeMaxHashes();
        FailureReason failure = s.parser.parseScrape(s.head, head.queryStart, head.queryEnd, s.scrape, max);
        if (failure != null) {
            fail(body, failure, 0);
            return;
        }
        FailureReason refused = context.service().scrape(s.scrape, s.scrapeResponse, true);
        if (refused != null) {
            fail(body, refused, 0);
            return;
        }
        RequestLog.scrape("HTTP", remote, s.scrape);
        s.encoder.writeScrape(body, s.scrape, s.scrapeResponse);
    }

    /**
     * The client's address into {@code dst}: the socket's source; with {@code -x}, when the socket is
     * a trusted proxy, the proxy's {@code X-Real-IP} or else the right-most {@code X-Forwarded-For}
     * entry (the one our proxy appended; those left of it are the client's word). Returns its length
     * (0 for a source that is not IP), {@link #NO_FORWARDED_ADDRESS} or {@link #BAD_FORWARDED_ADDRESS}.
     */
    private int clientAddress(Scratch s, byte[] dst) {
        if (!context.realIpHeader() || !sourceTrusted) {
            System.arraycopy(source, 0, dst, 0, sourceLength);
            return sourceLength;
        }
        HttpRequestHead head = s.request;
        int start;
        int end;
        if (head.realIpStart >= 0) {
            start = head.realIpStart;
            end = head.realIpEnd;
        } else if (head.forwardedForStart >= 0) {
            end = head.forwardedForEnd;
            start = end;
            while (start > head.forwardedForStart && s.head[start - 1] != ',') {
                start--;
            }
            while (start < end && s.head[start] == ' ') {
                start++;
            }
        } else {
            return NO_FORWARDED_ADDRESS;
        }
        int length = AddressParser.parse(s.head, start, end, dst);
        return length == 0 ? BAD_FORWARDED_ADDRESS : length;
    }

    /**
     * Takes a token from the rate-limit bucket of the client at {@code s.client} ({@code
     * clientLength} from {@link #clientAddress}): true when the request may go on, or when there is
     * no limit; false after writing the refusal into {@code body}. A trusted proxy that sent no
     * usable address is limited as itself (only its scrapes get here: such announces are refused first).
     */
    private boolean admitted(Scratch s, ByteBuf body, int clientLength, boolean scrape) {
        ClientRateLimiter limiter = context.limiter();
        if (limiter == null) {
            return true;
        }
        boolean admitted = clientLength > 0
                ? limiter.tryAcquire(s.client, clientLength)
                : limiter.tryAcquire(source, sourceLength);
        if (admitted) {
            return true;
        }
        context.counters().rateLimited(false, scrape);
        fail(body, FailureReason.RATE_LIMITED, ClientRateLimiter.RETRY_IN_SECONDS);
        return false;
    }

    /**
     * Sets the announce's peer address: the client address of {@link #clientAddress} ({@code
     * clientLength} ≥ 0: the caller has refused a trusted proxy that sent none), and the {@code ip=}
     * claim only when that client address is itself trusted.
     */
    private @Nullable FailureReason useClientAddress(Scratch s, AnnounceRequest request, int clientLength) {
        System.arraycopy(s.client, 0, request.address, 0, clientLength);
        request.addressLength = clientLength;
        boolean viaProxy = context.realIpHeader() && sourceTrusted;
        boolean trusted = viaProxy ? context.trusted(request.address, clientLength) : sourceTrusted;
        if (trusted && request.claimedAddressLength != 0) {
            request.useClaimedAddress();
        }
        if (request.addressLength == 0) {
            return FailureReason.UNSUPPORTED_ADDRESS_FAMILY;
        }
        return null;
    }

    private void sendBody(
            ChannelHandlerContext ctx,
            byte[] status,
            byte[] contentType,
            ByteBuf body,
            boolean headOnly,
            boolean keepAlive) {
        ByteBuf out = ctx.alloc().ioBuffer(160 + (headOnly ? 0 : body.readableBytes()));
        HttpResponseEncoder.writeResponse(out, status, contentType, body, headOnly, keepAlive);
        if (keepAlive) {
            ctx.write(out, ctx.voidPromise());
        } else {
            writeAndClose(ctx, out);
        }
    }

    /**
     * Writes {@code out}, the connection's last response, and closes the connection. With epoll the
     * socket is corked first (TCP_CORK): the kernel holds the response until the close, then sends it
     * with the FIN in one segment (tcp_send_fin sets FIN on the unsent tail). That is one segment and
     * one ACK from the client fewer per connection, and 53 → 46 µs of the tracker's CPU per connection
     * on loopback (docs/PERFORMANCE.md). Only for a connection that closes: a keep-alive response
     * would be held up to the cork's 200 ms.
     */
    private void writeAndClose(ChannelHandlerContext ctx, ByteBuf out) {
        closing = true;
        if (ctx.channel().config() instanceof EpollSocketChannelConfig config) {
            try {
                config.setTcpCork(true);
            } catch (ChannelException e) {
                // the socket is gone already (reset): the close below is all there is left to do
            }
        }
        ctx.writeAndFlush(out).addListener(ChannelFutureListener.CLOSE);
    }

    /**
     * {@code GET /metrics}: rendered into a buffer of its own, as it may be larger than the scratch
     * body and is not worth keeping per event loop.
     */
    private void sendMetrics(
            ChannelHandlerContext ctx, MetricsEndpoint metrics, String accept, boolean headOnly, boolean keepAlive) {
        ByteBuf body = ctx.alloc().buffer(METRICS_INITIAL_BYTES);
        try {
            String contentType = metrics.write(body, accept);
            sendBody(ctx, STATUS_200, ascii("Content-Type: " + contentType), body, headOnly, keepAlive);
        } finally {
            body.release();
        }
    }

    private void sendError(ChannelHandlerContext ctx, byte[] status, byte[] message) {
        context.counters().httpErrors.increment();
        ByteBuf out = ctx.alloc().ioBuffer(160 + message.length);
        HttpResponseEncoder.writeHead(out, status, TEXT_PLAIN, message.length, false);
        out.writeBytes(message);
        writeAndClose(ctx, out);
    }

    private void armHeadTimer(ChannelHandlerContext ctx) {
        if (headTimer == null) {
            headTimer = ctx.executor()
                    .schedule(
                            () -> {
                                context.counters().httpTimeouts.increment();
                                ctx.close();
                            },
                            context.requestTimeoutSeconds(),
                            TimeUnit.SECONDS);
        }
    }

    private void cancelHeadTimer() {
        ScheduledFuture<?> t = headTimer;
        if (t != null) {
            t.cancel(false);
            headTimer = null;
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) throws Exception {
        ctx.flush();
        // Not super's: ByteToMessageDecoder asks for another read whenever auto-read is off and it
        // passed nothing on, which is always here (responses are written, never fired), so it would
        // undo the back-pressure of channelWritabilityChanged and buffer responses without bound.
        discardSomeReadBytes();
        ctx.fireChannelReadComplete();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
        // Back-pressure: a client that does not read its responses stops being read.
        ctx.channel().config().setAutoRead(ctx.channel().isWritable());
        super.channelWritabilityChanged(ctx);
    }

    @Override
    protected void handlerRemoved0(ChannelHandlerContext ctx) {
        leaveIdleList();
        cancelHeadTimer();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof java.io.IOException) {
            ctx.close(); // resets and broken pipes are the client's business
            return;
        }
        context.counters().unexpectedErrors.increment();
        if (context.counters().shouldLog()) {
            log.warn("closing HTTP connection after unexpected error", cause);
        }
        ctx.close();
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
