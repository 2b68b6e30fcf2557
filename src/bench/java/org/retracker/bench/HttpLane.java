package org.retracker.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.retracker.bencode.BencodeReader;

/**
 * One HTTP client lane of the load generator: a keep-alive connection with up to {@code window}
 * requests outstanding (1 by default: no pipelining), or, with {@code --connection-per-request}, a
 * new connection for every request. When the server closes a keep-alive connection (or answers
 * {@code Connection: close}) the lane reconnects and counts a reconnect; requests it had sent on a
 * connection the server closed right after a whole response are not errors: the next connection
 * carries new ones in their place (counted as retried), as HTTP clients retry on a closed
 * keep-alive connection. Latency runs from the flush of a request, or in per-request mode from the
 * connect, to its whole response.
 *
 * <p>Responses are parsed from a per-lane byte array: status line, {@code Content-Length} and
 * {@code Connection}, then the body is checked by {@link HttpReplyCheck}. A body without a length
 * runs to the end of the connection. The lane lives on one event loop; every connection it opens is
 * registered there, and events from a connection it has given up are told apart by a generation
 * number.
 */
final class HttpLane {
    /** Largest response head read. */
    private static final int MAX_HEAD = 16 * 1024;
    /** Largest response read (a compact reply to numwant 1000 is about 6 KiB). */
    private static final int MAX_RESPONSE = 1024 * 1024;
    /** How often the oldest outstanding request is checked for a timeout. */
    private static final long TICK_MILLIS = 100;
    /** Pause before connecting again after a failed connect. */
    private static final long RETRY_MILLIS = 100;

    private static final byte ANNOUNCE = 1;
    private static final byte SCRAPE = 2;
    private static final byte[] CRLF_CRLF = {'\r', '\n', '\r', '\n'};
    private static final byte[] CONTENT_LENGTH = HttpRequests.ascii("content-length");
    private static final byte[] CONNECTION = HttpRequests.ascii("connection");
    /**
     * Room for the longest request: a scrape of {@link LoadSettings#MAX_SCRAPE_HASHES} hashes, each
     * at most {@code &info_hash=} and 60 escaped bytes, and the headers.
     */
    private static final int MAX_REQUEST = 1024;

    private final LoadSettings settings;
    private final Workload workload;
    private final int lane;
    private final int lanePeers;
    private final LoopStats stats;
    private final RunControl control;
    private final Pacer pacer;
    private final SplittableRandom rng;
    private final EventLoop loop;
    private final Bootstrap bootstrap;
    private final InetSocketAddress local;
    private final byte[] tail;
    private final BencodeReader reader = new BencodeReader();
    /**
     * Where a request is written before one copy into the pooled direct buffer that is sent: a
     * heap array takes the byte-by-byte writes of the escaping more cheaply than a pooled buffer.
     */
    private final ByteBuf scratch;

    private final int window;
    private final long[] sentAt;
    private final byte[] kind;
    private final int[] detail;
    private final int[] retries;
    private int retryCount;
    /** Responses completed on the current connection. */
    private int served;

    private int head;
    private int outstanding;
    private int unstamped;

    private byte[] buf = new byte[4096];
    private int len;
    /** The current response has no Content-Length: its body ends with the connection. */
    private boolean bodyToClose;

    private @Nullable Channel channel;
    /** The timeout check, cancelled when the lane finishes or the run stops. */
    private @Nullable ScheduledFuture<?> ticker;

    private int generation;
    /** When the current connection was asked for: the start of its latency in per-request mode. */
    private long connectStartedAt;
    /** The connection being opened, until it is active or has failed; the tick times it out. */
    private @Nullable Channel connecting;

    private int cursor;
    private boolean finished;

    HttpLane(
            LoadSettings settings,
            Workload workload,
            int lane,
            LoopStats stats,
            RunControl control,
            Pacer pacer,
            EventLoop loop,
            Bootstrap bootstrap) {
        this.settings = settings;
        this.workload = workload;
        this.lane = lane;
        this.lanePeers = workload.peersIn(lane);
        this.stats = stats;
        this.control = control;
        this.pacer = pacer;
        this.rng = new SplittableRandom(Workload.mix(settings.seed() * 1_000_003L + lane));
        this.loop = loop;
        this.bootstrap = bootstrap;
        this.local = workload.source(lane);
        this.window = settings.connectionPerRequest() ? 1 : settings.window();
        this.tail = HttpRequests.tail(settings.target().hostHeader(), settings.connectionPerRequest());
        this.scratch = Unpooled.buffer(MAX_REQUEST + tail.length, MAX_REQUEST + tail.length);
        this.sentAt = new long[window];
        this.kind = new byte[window];
        this.detail = new int[window];
        this.retries = new int[window];
    }

    /** Opens the first connection and starts the timeout check; call from any thread. */
    void start() {
        loop.execute(() -> {
            if (settings.insertOnly() && lanePeers == 0) {
                finish();
                return;
            }
            ticker = loop.scheduleAtFixedRate(this::tick, TICK_MILLIS, TICK_MILLIS, TimeUnit.MILLISECONDS);
            connect();
        });
    }

    private void connect() {
        if (control.stopping() || finished || loop.isShuttingDown()) {
            return;
        }
        int gen = ++generation;
        connectStartedAt = System.nanoTime();
        // the lane's own bootstrap, used by this loop only: no copy of it per connection; and no
        // connect timeout task per connection either (the tick times a connect out)
        ChannelFuture f =
                bootstrap.handler(new Connection(gen)).connect(settings.target().address(), local);
        connecting = f.channel();
        f.addListener(done -> {
            if (!done.isSuccess() && gen == generation) {
                connecting = null;
                if (!control.stopping()) {
                    stats.error(ErrorKind.CONNECT_FAILED);
                    if (!loop.isShuttingDown()) {
                        var unused = loop.schedule(this::connect, RETRY_MILLIS, TimeUnit.MILLISECONDS);
                    }
                }
            }
        });
    }

    private void onActive(ChannelHandlerContext ctx) {
        connecting = null;
        channel = ctx.channel();
        served = 0;
        len = 0;
        bodyToClose = false;
        while (outstanding < window && sendNext(ctx)) {
            // fill the window
        }
        flush(ctx);
    }

    private void onRead(ChannelHandlerContext ctx, ByteBuf in) {
        int n = in.readableBytes();
        if (len + n > buf.length) {
            if (len + n > MAX_RESPONSE) {
                stats.error(ErrorKind.BAD_HTTP);
                abandon(ctx);
                return;
            }
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + n));
        }
        in.readBytes(buf, len, n);
        len += n;
        while (len > 0 && generation == currentGeneration(ctx)) {
            if (outstanding == 0) {
                stats.error(ErrorKind.BAD_HTTP); // bytes nobody asked for
                abandon(ctx);
                return;
            }
            if (!parseOne(ctx)) {
                return;
            }
        }
    }

    /** The generation of {@code ctx}'s connection. */
    private static int currentGeneration(ChannelHandlerContext ctx) {
        return ((Connection) ctx.handler()).generation;
    }

    /**
     * Parses and checks one response from the buffer; false when more bytes are needed or the
     * connection was given up.
     */
    private boolean parseOne(ChannelHandlerContext ctx) {
        int headEnd = indexOf(buf, 0, len, CRLF_CRLF);
        if (headEnd < 0) {
            if (len > MAX_HEAD) {
                stats.error(ErrorKind.BAD_HTTP);
                abandon(ctx);
            }
            return false;
        }
        // "HTTP/1.x NNN"
        if (headEnd < 12
                || !startsWith(buf, 0, "HTTP/1.")
                || buf[8] != ' '
                || !isDigit(buf[9])
                || !isDigit(buf[10])
                || !isDigit(buf[11])) {
            stats.error(ErrorKind.BAD_HTTP);
            abandon(ctx);
            return false;
        }
        int status = (buf[9] - '0') * 100 + (buf[10] - '0') * 10 + (buf[11] - '0');
        boolean keepAlive = buf[7] == '1';
        long contentLength = -1;
        int line = indexOf(buf, 0, headEnd + 2, CRLF_CRLF, 2) + 2;
        while (line < headEnd) {
            int eol = indexOf(buf, line, headEnd + 2, CRLF_CRLF, 2);
            int colon = indexOfByte(buf, line, eol, (byte) ':');
            if (colon > 0) {
                int v = colon + 1;
                while (v < eol && (buf[v] == ' ' || buf[v] == '\t')) {
                    v++;
                }
                if (equalsIgnoreCase(buf, line, colon, CONTENT_LENGTH)) {
                    contentLength = parseLength(buf, v, eol);
                    if (contentLength < 0) {
                        stats.error(ErrorKind.BAD_HTTP);
                        abandon(ctx);
                        return false;
                    }
                } else if (equalsIgnoreCase(buf, line, colon, CONNECTION)) {
                    if (containsIgnoreCase(buf, v, eol, "close")) {
                        keepAlive = false;
                    } else if (containsIgnoreCase(buf, v, eol, "keep-alive")) {
                        keepAlive = true;
                    }
                }
            }
            line = eol + 2;
        }
        int bodyStart = headEnd + 4;
        if (contentLength < 0) {
            bodyToClose = true; // read to the end of the connection
            return false;
        }
        if (bodyStart + contentLength > MAX_RESPONSE) {
            stats.error(ErrorKind.BAD_HTTP);
            abandon(ctx);
            return false;
        }
        int end = bodyStart + (int) contentLength;
        if (len < end) {
            return false;
        }
        complete(status, bodyStart, end);
        System.arraycopy(buf, end, buf, 0, len - end);
        len -= end;
        if (!keepAlive || settings.connectionPerRequest()) {
            if (!settings.connectionPerRequest()) {
                stats.reconnects++;
            }
            abandon(ctx);
            return false;
        }
        sendNext(ctx); // flushed at the end of the read batch
        return true;
    }

    /** One whole response: take its request off the ring, time it and check it. */
    private void complete(int status, int bodyStart, int bodyEnd) {
        byte k = kind[head];
        int d = detail[head];
        stats.latency.record(System.nanoTime() - sentAt[head]);
        head = (head + 1) % window;
        outstanding--;
        served++;
        if (status != 200) {
            stats.error(ErrorKind.HTTP_STATUS);
        } else if (k == ANNOUNCE) {
            HttpReplyCheck.announce(reader, buf, bodyStart, bodyEnd, settings.numWant(), stats);
        } else {
            HttpReplyCheck.scrape(reader, buf, bodyStart, bodyEnd, d, stats);
        }
    }

    private void onInactive() {
        channel = null;
        if (bodyToClose && outstanding > 0) {
            int headEnd = indexOf(buf, 0, len, CRLF_CRLF);
            int status = (buf[9] - '0') * 100 + (buf[10] - '0') * 10 + (buf[11] - '0');
            complete(status, headEnd + 4, len);
            len = 0;
        }
        bodyToClose = false;
        if (outstanding > 0 && len == 0 && served > 0) {
            // A kept-alive connection closed by the server after a whole response, before any byte
            // of the next (opentracker answers HTTP/1.1 without "Connection: close", then closes).
            // HTTP clients retry such requests on a new connection: not an error.
            stats.retried += outstanding;
            forgetOutstanding();
        } else {
            dropOutstanding();
        }
        len = 0;
        if (!settings.connectionPerRequest()) {
            stats.reconnects++;
        }
        connect();
    }

    /** Gives the current connection up (its later events are ignored) and opens a new one. */
    private void abandon(ChannelHandlerContext ctx) {
        generation++;
        channel = null;
        dropOutstanding();
        len = 0;
        bodyToClose = false;
        ctx.close();
        connect();
    }

    private void dropOutstanding() {
        for (int i = 0; i < outstanding; i++) {
            stats.error(ErrorKind.CONNECTION_CLOSED);
        }
        forgetOutstanding();
    }

    /** Empties the ring; insert-only announces in it go again. */
    private void forgetOutstanding() {
        for (int i = 0; i < outstanding; i++) {
            int slot = (head + i) % window;
            if (kind[slot] == ANNOUNCE && settings.insertOnly()) {
                retry(detail[slot]);
            }
        }
        head = 0;
        outstanding = 0;
        unstamped = 0;
    }

    /** Insert-only: a peer whose announce was lost goes again, so every peer is answered once. */
    private void retry(int peer) {
        retries[retryCount++] = peer;
    }

    /** Writes the lane's next request; false when there is none to send. */
    private boolean sendNext(ChannelHandlerContext ctx) {
        if (control.stopping() || finished) {
            return false;
        }
        if (settings.insertOnly()) {
            int peer;
            if (retryCount > 0) {
                peer = retries[--retryCount];
            } else if (cursor < lanePeers) {
                peer = workload.peer(lane, cursor++);
            } else {
                if (outstanding == 0) {
                    finish();
                }
                return false;
            }
            announce(ctx, peer, workload.startEvent(peer));
            return true;
        }
        if (!pacer.take(System.nanoTime())) {
            return false; // --rate: the tick sends it when the pacer allows
        }
        if (settings.scrapePercent() > 0 && rng.nextDouble() * 100 < settings.scrapePercent()) {
            int n = 1 + rng.nextInt(LoadSettings.MAX_SCRAPE_HASHES);
            ByteBuf out = scratch.clear();
            HttpRequests.scrapeStart(out, workload, workload.torrentOf(rng.nextInt(workload.peers)));
            for (int i = 1; i < n; i++) {
                HttpRequests.scrapeHash(out, workload, workload.torrentOf(rng.nextInt(workload.peers)));
            }
            out.writeBytes(tail);
            push(ctx, out, SCRAPE, n);
        } else {
            int peer = workload.peer(lane, rng.nextInt(lanePeers));
            announce(ctx, peer, workload.nextEvent(peer, rng));
        }
        return true;
    }

    private void announce(ChannelHandlerContext ctx, int peer, int event) {
        ByteBuf out = scratch.clear();
        HttpRequests.announce(out, workload, peer, event, settings.numWant(), tail);
        push(ctx, out, ANNOUNCE, peer);
    }

    /** Sends the request written in {@code scratch}, copied into a pooled direct buffer. */
    private void push(ChannelHandlerContext ctx, ByteBuf scratch, byte k, int d) {
        int slot = (head + outstanding) % window;
        kind[slot] = k;
        detail[slot] = d;
        outstanding++;
        unstamped++;
        ByteBuf request = ctx.alloc().directBuffer(scratch.readableBytes()).writeBytes(scratch);
        ctx.write(request, ctx.voidPromise());
    }

    private void flush(ChannelHandlerContext ctx) {
        if (unstamped == 0) {
            return;
        }
        // one connection per request: the client waits for the connection too
        long now = settings.connectionPerRequest() ? connectStartedAt : System.nanoTime();
        for (int i = outstanding - unstamped; i < outstanding; i++) {
            sentAt[(head + i) % window] = now;
        }
        stats.sent += unstamped;
        unstamped = 0;
        ctx.flush();
    }

    private void finish() {
        if (!finished) {
            finished = true;
            control.laneFinished();
            Channel ch = channel;
            if (ch != null) {
                generation++;
                channel = null;
                ch.close();
            }
        }
    }

    /** A connection whose oldest request is older than the timeout is given up. */
    private void tick() {
        if (control.stopping() || finished) {
            ScheduledFuture<?> t = ticker;
            if (t != null) {
                t.cancel(false);
                ticker = null;
            }
            return;
        }
        Channel opening = connecting;
        if (opening != null && System.nanoTime() - connectStartedAt > settings.timeoutNanos()) {
            // as Netty's connect timeout would: the attempt fails and the next one starts
            stats.error(ErrorKind.CONNECT_FAILED);
            generation++;
            connecting = null;
            opening.close();
            connect();
            return;
        }
        Channel ch = channel;
        if (ch != null && pacer.limited() && outstanding < window && unstamped == 0) {
            // --rate: requests the pacer held back go out now, as far as it allows
            ChannelHandlerContext ctx = ch.pipeline().firstContext();
            if (ctx != null) {
                while (outstanding < window && sendNext(ctx)) {
                    // fill the window
                }
                flush(ctx);
            }
        }
        if (ch == null || outstanding == 0 || unstamped != 0) {
            return;
        }
        if (System.nanoTime() - sentAt[head] > settings.timeoutNanos()) {
            int n = outstanding;
            for (int i = 0; i < n; i++) {
                stats.error(ErrorKind.TIMEOUT);
            }
            for (int i = 0; i < n; i++) {
                int slot = (head + i) % window;
                if (kind[slot] == ANNOUNCE && settings.insertOnly()) {
                    retry(detail[slot]);
                }
            }
            outstanding = 0; // counted as timeouts, not as closed
            unstamped = 0;
            head = 0;
            generation++;
            channel = null;
            len = 0;
            bodyToClose = false;
            ch.close();
            connect();
        }
    }

    /** Peers of an insert-only lane not yet answered. */
    int unfinishedPeers() {
        return finished ? 0 : lanePeers - cursor + outstanding + retryCount;
    }

    // ---- byte helpers -------------------------------------------------------------------------

    private static int indexOf(byte[] a, int from, int to, byte[] needle) {
        return indexOf(a, from, to, needle, needle.length);
    }

    /** First index of the first {@code n} bytes of {@code needle} in {@code a[from, to)}, or -1. */
    private static int indexOf(byte[] a, int from, int to, byte[] needle, int n) {
        outer:
        for (int i = from; i <= to - n; i++) {
            for (int j = 0; j < n; j++) {
                if (a[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    private static int indexOfByte(byte[] a, int from, int to, byte b) {
        for (int i = from; i < to; i++) {
            if (a[i] == b) {
                return i;
            }
        }
        return -1;
    }

    private static boolean startsWith(byte[] a, int from, String prefix) {
        for (int i = 0; i < prefix.length(); i++) {
            if (a[from + i] != prefix.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private static boolean isDigit(byte b) {
        return b >= '0' && b <= '9';
    }

    /** {@code a[from, to)} equals the lowercase {@code lower}, ignoring ASCII case. */
    static boolean equalsIgnoreCase(byte[] a, int from, int to, byte[] lower) {
        if (to - from != lower.length) {
            return false;
        }
        for (int i = 0; i < lower.length; i++) {
            if ((a[from + i] | 0x20) != lower[i]) {
                return false;
            }
        }
        return true;
    }

    static boolean containsIgnoreCase(byte[] a, int from, int to, String lower) {
        outer:
        for (int i = from; i <= to - lower.length(); i++) {
            for (int j = 0; j < lower.length(); j++) {
                int c = a[i + j];
                if (c >= 'A' && c <= 'Z') {
                    c |= 0x20;
                }
                if (c != lower.charAt(j)) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    /** Decimal digits (at most 9) in {@code a[from, to)} with trailing blanks, or -1. */
    private static long parseLength(byte[] a, int from, int to) {
        int end = to;
        while (end > from && (a[end - 1] == ' ' || a[end - 1] == '\t')) {
            end--;
        }
        if (end == from || end - from > 9) {
            return -1;
        }
        long v = 0;
        for (int i = from; i < end; i++) {
            if (!isDigit(a[i])) {
                return -1;
            }
            v = v * 10 + (a[i] - '0');
        }
        return v;
    }

    /** The channel handler of one connection of this lane. */
    private final class Connection extends ChannelInboundHandlerAdapter {
        final int generation;

        Connection(int generation) {
            this.generation = generation;
        }

        private boolean current() {
            return generation == HttpLane.this.generation;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            if (current()) {
                onActive(ctx);
            } else {
                ctx.close();
            }
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                if (current() && msg instanceof ByteBuf in) {
                    onRead(ctx, in);
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            if (current()) {
                flush(ctx);
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (current()) {
                onInactive();
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close(); // a reset: channelInactive counts what was outstanding
        }
    }
}
