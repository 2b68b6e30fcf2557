package org.retracker.forward;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFactory;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.IoEventLoop;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.SocketProtocolFamily;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.util.NetUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.math.BigDecimal;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.jspecify.annotations.Nullable;
import org.retracker.protocol.AnnounceRequest;
import org.retracker.protocol.udp.UdpRequestEncoder;
import org.retracker.protocol.udp.UdpResponse;
import org.retracker.protocol.udp.UdpResponseDecoder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Announces to one BEP 15 UDP tracker.
 *
 * <p><b>Socket.</b> One datagram socket for the client's whole life, so the tracker sees one source
 * port. It is opened on first use, once the tracker's address is known, bound to the wildcard
 * address of that family ({@code 0.0.0.0} or {@code ::}) and left unconnected: every reply's source
 * is checked against the address its request went to. Only if the tracker's name later resolves
 * to the other family is the socket replaced.
 *
 * <p><b>Name.</b> A host name is resolved on a virtual thread, never on an event loop; the address
 * is kept for {@link #RESOLVE_EVERY} and resolved again sooner after a timeout or a send failure.
 * A resolution failure is an {@link UpstreamReply.Outcome#ERROR} naming the host. IP literals are
 * never looked up.
 *
 * <p><b>Connection id</b> (BEP 15 "Connect"). Obtained by a connect and used for at most {@link
 * #CONNECTION_ID_LIFETIME}, by every announce in that time. At most one connect is in flight;
 * announces that need an id wait for it. The id is dropped on an error response and when an
 * announce gets no answer (a tracker that restarted drops announces with ids it no longer knows).
 *
 * <p><b>One attempt</b> is connect (when no id is usable) plus announce, each resent after {@link
 * #FIRST_RETRANSMIT}, then twice that, and so on, all within the client's timeout; then it ends
 * with {@code ERROR "timeout after Ns"}. Every request has a fresh random transaction id.
 * Datagrams that are oversized, shorter than a response head, carry an unknown transaction id or
 * come from another address are ignored (counted, logged at debug). A datagram that matches a
 * request but is malformed or of the wrong action ends that request with {@code ERROR}: it comes
 * from the tracker, which will not send a better one. An error response (action 3) is {@code
 * REFUSED} with the tracker's message; an announce response is {@code OK}.
 *
 * <p><b>Threads.</b> All state lives on one event loop of the shared group, picked at
 * construction; {@link #announce} and {@link #close} may be called from any thread and hand their
 * work to it. Futures complete on that event loop (or on the caller's thread when refused at
 * once), so their dependent stages must not block.
 */
public final class UdpUpstreamClient implements UpstreamClient {
    private static final Logger log = LoggerFactory.getLogger(UdpUpstreamClient.class);

    /** BEP 15 "Connect": a client may use a connection id until one minute after receiving it. */
    static final Duration CONNECTION_ID_LIFETIME = Duration.ofSeconds(60);
    /**
     * First resend of an unanswered request, doubled for each further one. BEP 15's 15 s × 2^n
     * (n up to 8) lets one exchange go on for over an hour; here retries across attempts are the
     * caller's and an attempt lasts a few seconds, so resends come after 2, 6, 14 s: enough for a
     * loss or two on a path whose round trip is well under a second.
     */
    static final Duration FIRST_RETRANSMIT = Duration.ofSeconds(2);
    /** How long a resolved tracker address is used: 300 s is the most common DNS TTL. */
    static final Duration RESOLVE_EVERY = Duration.ofMinutes(5);
    /**
     * Attempts in flight per forwarder; beyond it, announces fail at once. An attempt holds a few
     * hundred bytes and two timers; 512 allows ~50 announces a second at a 10 s timeout.
     */
    static final int MAX_IN_FLIGHT = 512;
    /**
     * Largest datagram accepted as a response: 20-byte head plus 454 IPv6 or 1362 IPv4 peers, more
     * than trackers send (they keep replies to about one 1500-byte frame; ours to 1200 bytes).
     * Longer ones are ignored.
     */
    static final int MAX_REPLY_BYTES = 8192;

    static final String CLOSED = "forwarder closed";
    static final String TOO_MANY = "too many in flight (max " + MAX_IN_FLIGHT + ")";

    /** Resolves a host name; may block, so it never runs on an event loop. */
    @FunctionalInterface
    interface Resolver {
        InetAddress resolve(String host) throws UnknownHostException;
    }

    private static final byte[] NO_PEERS = new byte[0];

    private final ForwarderSpec spec;
    private final String host;
    private final int port;
    private final EventLoop loop;
    private final boolean epoll;
    private final long timeoutNanos;
    private final String timeoutMessage;
    private final InstantSource clock;
    private final Resolver resolver;
    private final long firstRetransmitMillis;
    private final boolean resolvable;
    private final byte @Nullable [] claimedIpv4;
    private final long keySecret;
    private final SecureRandom random = new SecureRandom();

    // Any thread.
    private final AtomicInteger inFlight = new AtomicInteger();
    private final Set<Attempt> attempts = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final LongAdder ignored = new LongAdder();
    private volatile @Nullable DatagramChannel channel;

    // Event loop only.
    private final AnnounceRequest scratch = new AnnounceRequest();
    private final Map<Integer, Exchange> exchanges = new HashMap<>();
    private @Nullable InetSocketAddress tracker;
    private long resolvedAtMillis;
    private boolean resolveAgain;
    private @Nullable List<Attempt> awaitingAddress;
    private @Nullable List<Attempt> awaitingChannel;
    private boolean channelIpv6;
    private boolean haveConnectionId;
    private long connectionId;
    private long connectionIdAtMillis;
    private @Nullable Exchange connecting;

    /**
     * @param spec a {@link ForwarderSpec.Scheme#UDP} forwarder whose URI names a port
     * @param group shared by all forwarders; epoll or NIO, the socket type follows it
     * @param timeout bounds one whole attempt, connect and announce together
     * @throws IllegalArgumentException for a non-UDP spec, a missing port or a non-positive timeout
     */
    public UdpUpstreamClient(ForwarderSpec spec, EventLoopGroup group, Duration timeout) {
        this(spec, group, timeout, InstantSource.system(), InetAddress::getByName, FIRST_RETRANSMIT);
    }

    UdpUpstreamClient(
            ForwarderSpec spec,
            EventLoopGroup group,
            Duration timeout,
            InstantSource clock,
            Resolver resolver,
            Duration firstRetransmit) {
        if (spec.scheme() != ForwarderSpec.Scheme.UDP) {
            throw new IllegalArgumentException("not a UDP forwarder: " + spec.uri());
        }
        if (spec.port() < 1 || spec.port() > 65535) {
            throw new IllegalArgumentException("UDP tracker URI needs a port: " + spec.uri());
        }
        if (timeout.isNegative() || timeout.isZero() || firstRetransmit.isNegative() || firstRetransmit.isZero()) {
            throw new IllegalArgumentException("timeouts must be positive");
        }
        this.spec = spec;
        String uriHost = spec.uri().getHost();
        this.host =
                uriHost.startsWith("[") && uriHost.endsWith("]") ? uriHost.substring(1, uriHost.length() - 1) : uriHost;
        this.port = spec.port();
        this.loop = group.next();
        this.epoll = loop instanceof IoEventLoop io && io.isIoType(EpollIoHandler.class);
        this.timeoutNanos = timeout.toNanos();
        this.timeoutMessage = "timeout after " + seconds(timeout) + "s";
        this.clock = clock;
        this.resolver = resolver;
        this.firstRetransmitMillis = Math.max(1, firstRetransmit.toMillis());
        InetAddress literal = NetUtil.createInetAddressFromIpAddressString(host);
        this.resolvable = literal == null;
        this.tracker = literal == null ? null : new InetSocketAddress(literal, port);
        this.claimedIpv4 = spec.ip() instanceof Inet4Address v4 ? v4.getAddress() : null;
        this.keySecret = random.nextLong();
    }

    @Override
    public ForwarderSpec spec() {
        return spec;
    }

    /**
     * One attempt: connect if needed, then announce. Never throws; the future completes within the
     * timeout, at once with {@code ERROR} when {@link #MAX_IN_FLIGHT} attempts are running or the
     * client is closed.
     */
    @Override
    public CompletableFuture<UpstreamReply> announce(UpstreamAnnounce announce) {
        if (closed.get()) {
            return CompletableFuture.completedFuture(UpstreamReply.error(CLOSED));
        }
        if (inFlight.incrementAndGet() > MAX_IN_FLIGHT) {
            inFlight.decrementAndGet();
            return CompletableFuture.completedFuture(UpstreamReply.error(TOO_MANY));
        }
        Attempt attempt = new Attempt(announce);
        attempts.add(attempt);
        if (closed.get()) {
            attempt.complete(UpstreamReply.error(CLOSED)); // close() may have missed it
            return attempt.future;
        }
        try {
            loop.execute(() -> start(attempt));
        } catch (RuntimeException e) { // the event loop is shut down
            attempt.complete(UpstreamReply.error("event loop unavailable: " + e));
        }
        return attempt.future;
    }

    /**
     * Completes every attempt in flight with {@code ERROR} and closes the socket; waits briefly for
     * that unless called on the client's event loop. Idempotent.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        UpstreamReply reply = UpstreamReply.error(CLOSED);
        for (Attempt a : attempts) {
            a.complete(reply);
        }
        if (loop.inEventLoop()) {
            closeOnLoop();
            return;
        }
        try {
            loop.submit(this::closeOnLoop).awaitUninterruptibly(1, TimeUnit.SECONDS);
        } catch (RuntimeException e) { // the event loop is shut down: close from here
            DatagramChannel ch = channel;
            if (ch != null) {
                ch.close().awaitUninterruptibly(1, TimeUnit.SECONDS);
            }
        }
    }

    /** The socket's local address, or {@code null} before the first announce opened it. */
    @Nullable
    InetSocketAddress localAddress() {
        DatagramChannel ch = channel;
        return ch == null ? null : ch.localAddress();
    }

    /** Datagrams ignored so far: oversized, too short, unknown transaction, wrong source. */
    long ignoredDatagrams() {
        return ignored.sum();
    }

    int inFlight() {
        return inFlight.get();
    }

    // ---- the steps of an attempt, all on the event loop ----

    private void start(Attempt a) {
        if (a.isDone()) {
            return;
        }
        a.deadline = loop.schedule(() -> timedOut(a), timeoutNanos, TimeUnit.NANOSECONDS);
        advance(a);
    }

    /** Takes the attempt as far as it can go now: address, socket, connection id, announce. */
    private void advance(Attempt a) {
        try {
            step(a);
        } catch (RuntimeException e) {
            log.warn("forwarder {}: unexpected error", spec.name(), e);
            a.finish(UpstreamReply.error("internal error: " + e));
        }
    }

    private void step(Attempt a) {
        if (a.isDone()) {
            return;
        }
        if (closed.get()) {
            a.finish(UpstreamReply.error(CLOSED));
            return;
        }
        InetSocketAddress target = tracker;
        if (target == null || (resolvable && (resolveAgain || age(resolvedAtMillis) >= RESOLVE_EVERY.toMillis()))) {
            awaitAddress(a);
            return;
        }
        boolean ipv6 = target.getAddress() instanceof Inet6Address;
        DatagramChannel ch = channel;
        if (ch == null || channelIpv6 != ipv6) {
            awaitChannel(a, ipv6);
            return;
        }
        if (!haveConnectionId || age(connectionIdAtMillis) >= CONNECTION_ID_LIFETIME.toMillis()) {
            awaitConnectionId(a, ch, target);
            return;
        }
        Exchange e = new Exchange(newTransactionId(), ch, target, a, connectionId, firstRetransmitMillis);
        a.exchange = e;
        exchanges.put(e.transactionId, e);
        send(e);
    }

    private void resume(@Nullable List<Attempt> waiting) {
        if (waiting != null) {
            for (Attempt a : waiting) {
                advance(a);
            }
        }
    }

    private void fail(@Nullable List<Attempt> waiting, UpstreamReply reply) {
        if (waiting != null) {
            for (Attempt a : waiting) {
                a.finish(reply);
            }
        }
    }

    private long age(long sinceMillis) {
        long age = clock.millis() - sinceMillis;
        return age < 0 ? Long.MAX_VALUE : age; // a clock that went back: treat as expired
    }

    // ---- name resolution ----

    private void awaitAddress(Attempt a) {
        List<Attempt> waiting = awaitingAddress;
        if (waiting != null) {
            waiting.add(a);
            return;
        }
        waiting = new ArrayList<>();
        waiting.add(a);
        awaitingAddress = waiting;
        Thread.ofVirtual().name("retracker-dns").start(this::resolveOffLoop);
    }

    private void resolveOffLoop() {
        InetAddress address = null;
        String failure = "";
        try {
            address = resolver.resolve(host);
        } catch (UnknownHostException | RuntimeException e) {
            failure = "cannot resolve " + host + ": " + e.getMessage();
        }
        InetAddress result = address;
        String message = failure;
        try {
            loop.execute(() -> resolved(result, message));
        } catch (RuntimeException e) {
            // the event loop is shut down; close() has completed the waiters
        }
    }

    private void resolved(@Nullable InetAddress address, String failure) {
        List<Attempt> waiting = awaitingAddress;
        awaitingAddress = null;
        if (address == null) {
            resolveAgain = true;
            fail(waiting, UpstreamReply.error(failure));
            return;
        }
        InetSocketAddress target = new InetSocketAddress(address, port);
        resolvedAtMillis = clock.millis();
        resolveAgain = false;
        List<Attempt> reconnecting = null;
        if (!target.equals(tracker)) {
            if (tracker != null) {
                log.info("forwarder {}: {} now resolves to {}", spec.name(), host, address.getHostAddress());
            }
            tracker = target;
            haveConnectionId = false; // an id is only good at the address that issued it
            Exchange c = connecting;
            if (c != null) {
                drop(c);
                connecting = null;
                reconnecting = c.waiters;
            }
        }
        resume(reconnecting);
        resume(waiting);
    }

    // ---- the socket ----

    private void awaitChannel(Attempt a, boolean ipv6) {
        List<Attempt> waiting = awaitingChannel;
        if (waiting != null) {
            waiting.add(a);
            return;
        }
        waiting = new ArrayList<>();
        waiting.add(a);
        awaitingChannel = waiting;
        DatagramChannel old = channel;
        if (old != null) { // the tracker moved to the other address family
            channel = null;
            for (Exchange e : List.copyOf(exchanges.values())) {
                fail(e, UpstreamReply.error("tracker address changed family"));
            }
            var unused = old.close(); // a datagram socket closes at once
        }
        SocketProtocolFamily family = ipv6 ? SocketProtocolFamily.INET6 : SocketProtocolFamily.INET;
        ChannelFactory<DatagramChannel> factory =
                () -> epoll ? new EpollDatagramChannel(family) : new NioDatagramChannel(family);
        InetSocketAddress wildcard;
        try {
            wildcard = new InetSocketAddress(InetAddress.getByAddress(new byte[ipv6 ? 16 : 4]), 0);
        } catch (UnknownHostException e) {
            throw new AssertionError(e); // only thrown for a bad length
        }
        ChannelFuture bind = new Bootstrap()
                .group(loop)
                .channelFactory(factory)
                .option(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(MAX_REPLY_BYTES + 1))
                .handler(new ResponseHandler())
                .bind(wildcard);
        bind.addListener((ChannelFuture f) -> onLoop(() -> bound(f, ipv6)));
    }

    private void bound(ChannelFuture f, boolean ipv6) {
        List<Attempt> waiting = awaitingChannel;
        awaitingChannel = null;
        if (!f.isSuccess()) {
            var unused = f.channel().close();
            Throwable cause = f.cause();
            fail(waiting, UpstreamReply.error("cannot open UDP socket: " + (cause == null ? "?" : cause.getMessage())));
            return;
        }
        DatagramChannel ch = (DatagramChannel) f.channel();
        if (closed.get()) {
            var unused = ch.close();
            return;
        }
        channel = ch;
        channelIpv6 = ipv6;
        log.debug("forwarder {}: UDP socket {}", spec.name(), ch.localAddress());
        resume(waiting);
    }

    private void onLoop(Runnable task) {
        if (loop.inEventLoop()) {
            task.run();
        } else {
            try {
                loop.execute(task);
            } catch (RuntimeException e) {
                // the event loop is shut down; close() has completed the attempts
            }
        }
    }

    // ---- requests and responses ----

    private void awaitConnectionId(Attempt a, DatagramChannel ch, InetSocketAddress target) {
        Exchange c = connecting;
        if (c == null) {
            c = new Exchange(newTransactionId(), ch, target, null, 0, firstRetransmitMillis);
            connecting = c;
            exchanges.put(c.transactionId, c);
            c.waiters.add(a);
            send(c);
        } else {
            c.waiters.add(a);
        }
    }

    private int newTransactionId() {
        int id;
        do {
            id = random.nextInt();
        } while (exchanges.containsKey(id));
        return id;
    }

    private void send(Exchange e) {
        ByteBuf out = e.channel.alloc().ioBuffer(e.isConnect() ? 16 : 98);
        Attempt a = e.attempt;
        if (a == null) {
            UdpRequestEncoder.writeConnect(out, e.transactionId);
        } else {
            fill(a.announce);
            UdpRequestEncoder.writeAnnounce(out, e.connectionId, e.transactionId, scratch, key(a.announce.peerId()));
        }
        e.channel.writeAndFlush(new DatagramPacket(out, e.target)).addListener(f -> {
            if (!f.isSuccess()) {
                onLoop(() -> sendFailed(e, f.cause()));
            }
        });
        e.retransmit = loop.schedule(() -> retransmit(e), e.nextDelayMillis, TimeUnit.MILLISECONDS);
        e.nextDelayMillis = Math.min(e.nextDelayMillis * 2, TimeUnit.NANOSECONDS.toMillis(timeoutNanos) + 1);
    }

    private void fill(UpstreamAnnounce announce) {
        System.arraycopy(announce.infoHash(), 0, scratch.infoHash, 0, AnnounceRequest.ID_LENGTH);
        System.arraycopy(announce.peerId(), 0, scratch.peerId, 0, AnnounceRequest.ID_LENGTH);
        scratch.downloaded = announce.downloaded();
        scratch.left = announce.left();
        scratch.uploaded = announce.uploaded();
        scratch.event = announce.event();
        scratch.numWant = announce.numWant();
        scratch.port = announce.port();
        byte[] ip = claimedIpv4;
        if (ip != null) {
            System.arraycopy(ip, 0, scratch.claimedAddress, 0, 4);
            scratch.claimedAddressLength = 4;
        } else {
            scratch.claimedAddressLength = 0;
        }
    }

    /**
     * BEP 15 {@code key}, stable per forwarded peer: a keyed hash of its peer id (FNV-1a with a
     * random per-client offset, then the murmur3 finaliser), so peers do not share one key and
     * nobody but the tracker learns it.
     */
    private int key(byte[] peerId) {
        long h = keySecret;
        for (byte b : peerId) {
            h = (h ^ (b & 0xff)) * 0x100000001b3L;
        }
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        return (int) h;
    }

    private void retransmit(Exchange e) {
        if (exchanges.get(e.transactionId) != e) {
            return;
        }
        if (e.isConnect()) {
            e.waiters.removeIf(Attempt::isDone);
            if (e.waiters.isEmpty()) { // everyone who wanted the id gave up
                drop(e);
                connecting = null;
                return;
            }
        }
        send(e);
    }

    private void sendFailed(Exchange e, @Nullable Throwable cause) {
        if (exchanges.get(e.transactionId) != e) {
            return;
        }
        resolveAgain = true;
        String reason = cause == null ? "?" : String.valueOf(cause.getMessage());
        fail(e, UpstreamReply.error("cannot send to " + e.target + ": " + reason));
    }

    private void timedOut(Attempt a) {
        if (a.isDone()) {
            return;
        }
        Exchange e = a.exchange;
        if (e != null && haveConnectionId && connectionId == e.connectionId) {
            haveConnectionId = false; // the tracker may no longer know the id (a restart): get a new one
        }
        resolveAgain = true;
        a.finish(UpstreamReply.error(timeoutMessage));
    }

    /** Removes an exchange and stops its resends. */
    private void drop(Exchange e) {
        if (exchanges.get(e.transactionId) == e) {
            exchanges.remove(e.transactionId);
        }
        ScheduledFuture<?> r = e.retransmit;
        if (r != null) {
            r.cancel(false);
        }
    }

    /** Ends an exchange and what waits on it with {@code reply}. */
    private void fail(Exchange e, UpstreamReply reply) {
        drop(e);
        if (connecting == e) {
            connecting = null;
        }
        Attempt a = e.attempt;
        if (a != null) {
            a.finish(reply);
        }
        fail(e.waiters, reply);
    }

    private void received(DatagramChannel ch, DatagramPacket packet) {
        ByteBuf in = packet.content();
        int length = in.readableBytes();
        if (length > MAX_REPLY_BYTES) {
            ignore(packet, "oversized");
            return;
        }
        if (length < UdpResponseDecoder.HEADER_BYTES) {
            ignore(packet, "shorter than a response head");
            return;
        }
        Exchange e = exchanges.get(UdpResponseDecoder.transactionId(in));
        if (e == null) {
            ignore(packet, "unknown transaction id");
            return;
        }
        InetSocketAddress sender = packet.sender();
        if (!e.channel.equals(ch)
                || sender.getPort() != e.target.getPort()
                || !sender.getAddress().equals(e.target.getAddress())) {
            ignore(packet, "not from " + e.target);
            return;
        }
        UdpResponse response = UdpResponseDecoder.decode(in, e.target.getAddress() instanceof Inet6Address);
        drop(e);
        Attempt a = e.attempt;
        if (a == null) {
            connected(e, response);
        } else {
            announced(a, e, response);
        }
    }

    private void connected(Exchange e, UdpResponse response) {
        connecting = null;
        switch (response) {
            case UdpResponse.Connect c -> {
                connectionId = c.connectionId();
                connectionIdAtMillis = clock.millis();
                haveConnectionId = true;
                resume(e.waiters);
            }
            case UdpResponse.TrackerError t -> {
                haveConnectionId = false;
                fail(e.waiters, refused(t));
            }
            case UdpResponse.Malformed m ->
                fail(
                        e.waiters,
                        UpstreamReply.error(
                                "malformed connect response: " + m.problem().message()));
            case UdpResponse.Announce x -> fail(e.waiters, UpstreamReply.error("announce response to a connect"));
        }
    }

    private void announced(Attempt a, Exchange e, UdpResponse response) {
        switch (response) {
            case UdpResponse.Announce r -> a.finish(ok(r));
            case UdpResponse.TrackerError t -> {
                if (haveConnectionId && connectionId == e.connectionId) {
                    haveConnectionId = false;
                }
                a.finish(refused(t));
            }
            case UdpResponse.Malformed m -> {
                if (m.problem() == UdpResponse.Problem.TOO_SHORT) {
                    // A bare header in answer to an announce is a deliberate refusal: opentracker
                    // answers so for a torrent it does not serve (it sends no BEP 15 error).
                    a.finish(UpstreamReply.refused(EMPTY_ANNOUNCE_REPLY, UpstreamReply.ABSENT));
                } else {
                    a.finish(UpstreamReply.error(
                            "malformed announce response: " + m.problem().message()));
                }
            }
            case UdpResponse.Connect x -> a.finish(UpstreamReply.error("connect response to an announce"));
        }
    }

    /** What a header-only announce reply is reported as. */
    static final String EMPTY_ANNOUNCE_REPLY =
            "announce reply without counts or peers (the tracker does not serve this torrent)";

    private static UpstreamReply ok(UdpResponse.Announce r) {
        boolean v6 = r.peerBytes() == 18;
        return new UpstreamReply(
                UpstreamReply.Outcome.OK,
                orAbsent(r.interval()),
                UpstreamReply.ABSENT,
                orAbsent(r.seeders()),
                orAbsent(r.leechers()),
                v6 ? NO_PEERS : r.peers(),
                v6 ? r.peers() : NO_PEERS,
                "",
                UpstreamReply.ABSENT,
                UpstreamReply.ABSENT);
    }

    private static UpstreamReply refused(UdpResponse.TrackerError t) {
        String message = t.message().isEmpty() ? "tracker error without a message" : t.message();
        return UpstreamReply.refused(message, UpstreamReply.ABSENT);
    }

    private static int orAbsent(int value) {
        return value < 0 ? UpstreamReply.ABSENT : value;
    }

    private void ignore(DatagramPacket packet, String why) {
        ignored.increment();
        if (log.isDebugEnabled()) {
            log.debug(
                    "forwarder {}: ignored {}-byte datagram from {}: {}",
                    spec.name(),
                    packet.content().readableBytes(),
                    packet.sender(),
                    why);
        }
    }

    private void closeOnLoop() {
        for (Exchange e : exchanges.values()) {
            ScheduledFuture<?> r = e.retransmit;
            if (r != null) {
                r.cancel(false);
            }
        }
        exchanges.clear();
        connecting = null;
        awaitingAddress = null;
        awaitingChannel = null;
        DatagramChannel ch = channel;
        channel = null;
        if (ch != null) {
            var unused = ch.close(); // on its own event loop: closed when this returns
        }
    }

    /** {@code 5} for 5 s, {@code 1.5} for 1500 ms. */
    private static String seconds(Duration d) {
        return BigDecimal.valueOf(d.toMillis(), 3).stripTrailingZeros().toPlainString();
    }

    /** One call of {@link #announce}; completed exactly once, from any thread. */
    private final class Attempt {
        final UpstreamAnnounce announce;
        final CompletableFuture<UpstreamReply> future = new CompletableFuture<>();
        private final AtomicBoolean done = new AtomicBoolean();
        // Event loop only.
        @Nullable
        ScheduledFuture<?> deadline;

        @Nullable
        Exchange exchange;

        Attempt(UpstreamAnnounce announce) {
            this.announce = announce;
        }

        boolean isDone() {
            return done.get();
        }

        /** Any thread: the first call wins and frees the in-flight slot before completing. */
        void complete(UpstreamReply reply) {
            if (done.compareAndSet(false, true)) {
                inFlight.decrementAndGet();
                attempts.remove(this);
                future.complete(reply);
            }
        }

        /** Event loop: completes and stops this attempt's timers. */
        void finish(UpstreamReply reply) {
            ScheduledFuture<?> d = deadline;
            if (d != null) {
                d.cancel(false);
            }
            Exchange e = exchange;
            if (e != null) {
                drop(e);
            }
            complete(reply);
        }
    }

    /**
     * One request datagram waiting for its response: a connect (with the attempts that wait for
     * its id) or an announce (of one attempt). Event loop only.
     */
    private static final class Exchange {
        final int transactionId;
        final DatagramChannel channel;
        final InetSocketAddress target;
        final @Nullable Attempt attempt;
        final long connectionId;
        final List<Attempt> waiters = new ArrayList<>();
        long nextDelayMillis;

        @Nullable
        ScheduledFuture<?> retransmit;

        Exchange(
                int transactionId,
                DatagramChannel channel,
                InetSocketAddress target,
                @Nullable Attempt attempt,
                long connectionId,
                long firstDelayMillis) {
            this.transactionId = transactionId;
            this.channel = channel;
            this.target = target;
            this.attempt = attempt;
            this.connectionId = connectionId;
            this.nextDelayMillis = firstDelayMillis;
        }

        boolean isConnect() {
            return attempt == null;
        }
    }

    /** Reads responses on the client's socket; the packet is released after {@link #received}. */
    private final class ResponseHandler extends SimpleChannelInboundHandler<DatagramPacket> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
            received((DatagramChannel) ctx.channel(), packet);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, @Nullable Throwable cause) {
            log.debug("forwarder {}: socket error", spec.name(), cause); // UDP: the socket stays usable
        }
    }
}
