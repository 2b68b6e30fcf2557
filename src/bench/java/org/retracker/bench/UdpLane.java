package org.retracker.bench;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.epoll.SegmentedDatagramPacket;
import io.netty.channel.socket.DatagramPacket;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.retracker.protocol.udp.UdpRequestDecoder;

/**
 * One UDP socket of the load generator, connected to the target: BEP 15 connect, then a window of
 * announces and scrapes outstanding.
 *
 * <p>Each of the {@code window} slots holds at most one request. The slot's index is the low {@link
 * #SLOT_BITS} bits of the transaction id and the rest is random, so a reply finds its request
 * without a map, and a late or forged reply does not match. Requests written while a read batch is
 * processed are flushed once at its end, which lets the epoll transport send them with one {@code
 * sendmmsg}; the socket reads with {@code recvmmsg}. Send times are stamped at the flush.
 *
 * <p>The connection id is renewed every {@link #RENEW_NANOS} (BEP 15 ids live two minutes); until
 * the new one arrives, announces keep using the old. Runs on its channel's event loop only.
 */
final class UdpLane extends ChannelInboundHandlerAdapter {
    /** Bits of the transaction id that name the slot. */
    static final int SLOT_BITS = 10;
    /** Largest window. */
    static final int MAX_WINDOW = 1 << SLOT_BITS;

    private static final int SLOT_MASK = MAX_WINDOW - 1;
    /** Most datagrams in one GSO packet: UDP_MAX_SEGMENTS of older kernels (newer ones allow more). */
    static final int MAX_SEGMENTS = 64;
    /** A connection id is replaced after a minute: half its BEP 15 lifetime. */
    static final long RENEW_NANOS = TimeUnit.SECONDS.toNanos(60);
    /** How often outstanding requests are checked for a timeout. */
    static final long TICK_MILLIS = 100;

    private static final byte IDLE = 0;
    private static final byte CONNECT = 1;
    private static final byte ANNOUNCE = 2;
    private static final byte SCRAPE = 3;

    private static final int CONNECT_REPLY_BYTES = 16;
    private static final int ANNOUNCE_HEAD_BYTES = 20;
    private static final int PEER_BYTES = 6;
    private static final int SCRAPE_HEAD_BYTES = 8;
    private static final int SCRAPE_ENTRY_BYTES = 12;

    private final LoadSettings settings;
    private final Workload workload;
    private final int lane;
    private final int lanePeers;
    private final LoopStats stats;
    private final RunControl control;
    private final Pacer pacer;
    private final SplittableRandom rng;

    private final int window;
    private final int[] txid;
    private final long[] sentAt;
    private final byte[] kind;
    /** The peer of an announce (retried as is in insert-only mode), or the hashes of a scrape. */
    private final int[] detail;

    private final int[] unstamped;
    private int unstampedCount;

    /** Send announces with UDP GSO (one buffer and one kernel packet per batch) when true. */
    private final boolean gso;
    /** The announces written since the last flush, back to back, when {@link #gso}; else null. */
    private @Nullable ByteBuf batch;

    private int batchCount;

    private @Nullable ChannelHandlerContext ctx;
    /** The timeout check, cancelled when the socket closes or the run stops. */
    private @Nullable ScheduledFuture<?> ticker;

    private long connectionId;
    private boolean haveConnectionId;
    private long connectionIdAt;
    private boolean connectOutstanding;
    private int busy;
    private int cursor;
    private boolean finished;

    UdpLane(LoadSettings settings, Workload workload, int lane, LoopStats stats, RunControl control, Pacer pacer) {
        this.settings = settings;
        this.workload = workload;
        this.lane = lane;
        this.lanePeers = workload.peersIn(lane);
        this.stats = stats;
        this.control = control;
        this.pacer = pacer;
        this.rng = new SplittableRandom(Workload.mix(settings.seed() * 1_000_003L + lane));
        this.window = settings.window();
        if (window < 1 || window > MAX_WINDOW) {
            throw new IllegalArgumentException("--window must be within 1.." + MAX_WINDOW);
        }
        this.txid = new int[window];
        this.sentAt = new long[window];
        this.kind = new byte[window];
        this.detail = new int[window];
        this.unstamped = new int[window];
        this.gso = settings.udpGso();
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        if (settings.insertOnly() && lanePeers == 0) {
            finish();
            return;
        }
        sendConnect(ctx, 0);
        flush(ctx);
        ticker = ctx.executor().scheduleAtFixedRate(this::tick, TICK_MILLIS, TICK_MILLIS, TimeUnit.MILLISECONDS);
        ctx.fireChannelActive();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        stopTicking();
        ByteBuf b = batch;
        if (b != null) {
            batch = null;
            batchCount = 0;
            b.release();
        }
        ctx.fireChannelInactive();
    }

    private void stopTicking() {
        ScheduledFuture<?> t = ticker;
        if (t != null) {
            t.cancel(false);
            ticker = null;
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (msg instanceof DatagramPacket packet) {
                onReply(ctx, packet.content(), System.nanoTime());
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        flush(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // ICMP port unreachable (nothing listening yet) and the like: the request times out
    }

    private void onReply(ChannelHandlerContext ctx, ByteBuf in, long now) {
        int base = in.readerIndex();
        int length = in.readableBytes();
        if (length < SCRAPE_HEAD_BYTES) {
            stats.error(ErrorKind.BAD_LENGTH);
            return;
        }
        int action = in.getInt(base);
        int transaction = in.getInt(base + 4);
        int slot = transaction & SLOT_MASK;
        if (slot >= window || kind[slot] == IDLE || txid[slot] != transaction) {
            stats.error(ErrorKind.UNKNOWN_TRANSACTION);
            return;
        }
        byte k = kind[slot];
        kind[slot] = IDLE;
        busy--;
        stats.latency.record(now - sentAt[slot]);
        boolean ok = validate(k, in, base, length, action, detail[slot]);
        if (k == CONNECT) {
            connectOutstanding = false;
            if (ok) {
                boolean first = !haveConnectionId;
                connectionId = in.getLong(base + 8);
                connectionIdAt = now;
                haveConnectionId = true;
                if (first) {
                    for (int s = 0; s < window; s++) {
                        if (kind[s] == IDLE) {
                            sendNext(ctx, s, now);
                        }
                    }
                    return;
                }
            }
        }
        sendNext(ctx, slot, now);
    }

    private boolean validate(byte k, ByteBuf in, int base, int length, int action, int detail) {
        if (action == UdpRequestDecoder.ACTION_ERROR) {
            int n = Math.min(length - SCRAPE_HEAD_BYTES, 200);
            stats.trackerMessage(in.toString(base + SCRAPE_HEAD_BYTES, n, StandardCharsets.UTF_8));
            return false;
        }
        switch (k) {
            case CONNECT -> {
                if (action != UdpRequestDecoder.ACTION_CONNECT) {
                    return fail(ErrorKind.WRONG_ACTION);
                }
                if (length < CONNECT_REPLY_BYTES) {
                    return fail(ErrorKind.BAD_LENGTH);
                }
                stats.connects++;
            }
            case ANNOUNCE -> {
                if (action != UdpRequestDecoder.ACTION_ANNOUNCE) {
                    return fail(ErrorKind.WRONG_ACTION);
                }
                int body = length - ANNOUNCE_HEAD_BYTES;
                if (body < 0 || body % PEER_BYTES != 0) {
                    return fail(ErrorKind.BAD_LENGTH);
                }
                int interval = in.getInt(base + 8);
                int leechers = in.getInt(base + 12);
                int seeders = in.getInt(base + 16);
                if (interval <= 0 || leechers < 0 || seeders < 0 || body / PEER_BYTES > settings.numWant()) {
                    return fail(ErrorKind.BAD_VALUE);
                }
                stats.announces++;
            }
            default -> {
                if (action != UdpRequestDecoder.ACTION_SCRAPE) {
                    return fail(ErrorKind.WRONG_ACTION);
                }
                if (length != SCRAPE_HEAD_BYTES + SCRAPE_ENTRY_BYTES * detail) {
                    return fail(ErrorKind.BAD_LENGTH);
                }
                for (int i = 0; i < detail * 3; i++) {
                    if (in.getInt(base + SCRAPE_HEAD_BYTES + 4 * i) < 0) {
                        return fail(ErrorKind.BAD_VALUE);
                    }
                }
                stats.scrapes++;
            }
        }
        return true;
    }

    private boolean fail(ErrorKind kind) {
        stats.error(kind);
        return false;
    }

    /** Puts the next request of this lane into the idle {@code slot}, if there is one to send. */
    private void sendNext(ChannelHandlerContext ctx, int slot, long now) {
        if (control.stopping() || finished) {
            return;
        }
        if (!connectOutstanding && (!haveConnectionId || now - connectionIdAt > RENEW_NANOS)) {
            sendConnect(ctx, slot);
            return;
        }
        if (!haveConnectionId) {
            return; // waits for the connect reply
        }
        if (!pacer.take(now)) {
            return; // --rate: the slot stays idle until a tick finds a token for it
        }
        if (settings.insertOnly()) {
            if (cursor < lanePeers) {
                int peer = workload.peer(lane, cursor++);
                sendAnnounce(ctx, slot, peer, workload.startEvent(peer));
            } else if (busy == 0) {
                finish();
            }
            return;
        }
        if (settings.scrapePercent() > 0 && rng.nextDouble() * 100 < settings.scrapePercent()) {
            sendScrape(ctx, slot);
        } else {
            int peer = workload.peer(lane, rng.nextInt(lanePeers));
            sendAnnounce(ctx, slot, peer, workload.nextEvent(peer, rng));
        }
    }

    private void finish() {
        if (!finished) {
            finished = true;
            control.laneFinished();
        }
    }

    private int claim(int slot, byte k, int detailValue) {
        int t = (rng.nextInt() & ~SLOT_MASK) | slot;
        txid[slot] = t;
        kind[slot] = k;
        detail[slot] = detailValue;
        busy++;
        unstamped[unstampedCount++] = slot;
        return t;
    }

    private void sendConnect(ChannelHandlerContext ctx, int slot) {
        connectOutstanding = true;
        int t = claim(slot, CONNECT, 0);
        ByteBuf out = ctx.alloc().directBuffer(16);
        out.writeLong(UdpRequestDecoder.PROTOCOL_ID);
        out.writeInt(UdpRequestDecoder.ACTION_CONNECT);
        out.writeInt(t);
        ctx.write(out, ctx.voidPromise());
    }

    /** BEP 15 announce: the layout of {@link org.retracker.protocol.udp.UdpRequestEncoder}. */
    private void sendAnnounce(ChannelHandlerContext ctx, int slot, int peer, int event) {
        int t = claim(slot, ANNOUNCE, peer);
        ByteBuf out;
        if (gso) {
            ByteBuf b = batch;
            if (b == null) {
                b = ctx.alloc().directBuffer(Math.min(window, MAX_SEGMENTS) * UdpRequestDecoder.ANNOUNCE_BYTES);
                batch = b;
            }
            out = b;
        } else {
            out = ctx.alloc().directBuffer(UdpRequestDecoder.ANNOUNCE_BYTES);
        }
        out.writeLong(connectionId);
        out.writeInt(UdpRequestDecoder.ACTION_ANNOUNCE);
        out.writeInt(t);
        workload.writeInfoHash(workload.torrentOf(peer), out);
        workload.writePeerId(peer, out);
        out.writeLong(0); // downloaded
        out.writeLong(workload.left(peer));
        out.writeLong(0); // uploaded
        out.writeInt(event);
        out.writeInt(0); // IP: the source address
        out.writeInt(workload.key(peer));
        out.writeInt(settings.numWant());
        out.writeShort(workload.port(peer));
        if (!gso) {
            ctx.write(out, ctx.voidPromise());
        } else if (++batchCount == MAX_SEGMENTS) {
            writeBatch(ctx);
        }
    }

    /**
     * Hands the batched announces to the channel: one datagram as it is, several as one GSO packet
     * ({@code UDP_SEGMENT}) that the kernel cuts into {@code ANNOUNCE_BYTES} datagrams. On loopback
     * the cut happens on delivery to the target's socket, which receives ordinary datagrams (it
     * does not enable {@code UDP_GRO}); the sender saves the per-datagram send path (a {@code
     * sendmmsg} entry, an skb built and routed per datagram).
     */
    private void writeBatch(ChannelHandlerContext ctx) {
        ByteBuf b = batch;
        if (b == null) {
            return;
        }
        int n = batchCount;
        batch = null;
        batchCount = 0;
        if (n == 1) {
            ctx.write(b, ctx.voidPromise());
        } else {
            InetSocketAddress remote = (InetSocketAddress) ctx.channel().remoteAddress();
            ctx.write(new SegmentedDatagramPacket(b, UdpRequestDecoder.ANNOUNCE_BYTES, remote), ctx.voidPromise());
        }
    }

    /** A scrape of 1..10 hashes, each the torrent of a random peer (so popular ones come up most). */
    private void sendScrape(ChannelHandlerContext ctx, int slot) {
        int n = 1 + rng.nextInt(LoadSettings.MAX_SCRAPE_HASHES);
        int t = claim(slot, SCRAPE, n);
        ByteBuf out = ctx.alloc().directBuffer(UdpRequestDecoder.HEADER_BYTES + n * Workload.HASH_BYTES);
        out.writeLong(connectionId);
        out.writeInt(UdpRequestDecoder.ACTION_SCRAPE);
        out.writeInt(t);
        for (int i = 0; i < n; i++) {
            workload.writeInfoHash(workload.torrentOf(rng.nextInt(workload.peers)), out);
        }
        ctx.write(out, ctx.voidPromise());
    }

    private void flush(ChannelHandlerContext ctx) {
        if (unstampedCount == 0) {
            return;
        }
        long now = System.nanoTime();
        for (int i = 0; i < unstampedCount; i++) {
            sentAt[unstamped[i]] = now;
        }
        stats.sent += unstampedCount;
        unstampedCount = 0;
        writeBatch(ctx);
        ctx.flush();
    }

    /** Requests unanswered for longer than the timeout are counted and sent anew. */
    private void tick() {
        ChannelHandlerContext c = ctx;
        if (c == null || !c.channel().isActive() || control.stopping()) {
            stopTicking();
            return;
        }
        long now = System.nanoTime();
        for (int s = 0; s < window; s++) {
            if (kind[s] == IDLE || now - sentAt[s] <= settings.timeoutNanos()) {
                continue;
            }
            stats.error(ErrorKind.TIMEOUT);
            byte k = kind[s];
            kind[s] = IDLE;
            busy--;
            if (k == CONNECT) {
                connectOutstanding = false;
            } else if (k == ANNOUNCE && settings.insertOnly() && !control.stopping()) {
                int peer = detail[s];
                sendAnnounce(c, s, peer, workload.startEvent(peer));
                continue;
            }
            sendNext(c, s, now);
        }
        if (pacer.limited()) {
            for (int s = 0; s < window; s++) {
                if (kind[s] == IDLE) {
                    sendNext(c, s, now);
                }
            }
        }
        flush(c);
    }

    /** Peers of an insert-only lane not yet answered. */
    int unfinishedPeers() {
        return finished ? 0 : lanePeers - cursor + busy;
    }
}
