package org.retracker.transport;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramPacket;
import java.net.InetSocketAddress;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.retracker.core.AnnounceService;
import org.retracker.protocol.AnnounceRequest;
import org.retracker.protocol.AnnounceResponse;
import org.retracker.protocol.FailureReason;
import org.retracker.protocol.ScrapeRequest;
import org.retracker.protocol.ScrapeResponse;
import org.retracker.protocol.udp.ConnectionIds;
import org.retracker.protocol.udp.UdpRequestDecoder;
import org.retracker.protocol.udp.UdpResponseEncoder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The BEP 15 tracker on the UDP sockets of one event loop. With epoll each event loop owns one socket
 * of each socket group on the shared port (SO_REUSEPORT; a group per local address when listening on
 * a wildcard address, see {@link UdpListener}) and one handler that all of them share: they run on
 * that loop's thread alone, one datagram at a time, so the scratch objects here are used by one
 * thread and never across datagrams. Replies are written as datagrams arrive and flushed once per
 * read batch, which lets the epoll transport send them with one {@code sendmmsg}.
 *
 * <p>Anti-spoofing (BEP 15 "connection ID"): only {@code connect} is answered without a valid
 * connection id, and its reply is no larger than its request. Every other datagram whose id is not
 * valid for its source address is dropped without a reply, so a forged source learns nothing and
 * cannot be used to amplify. Errors go only to sources so validated.
 *
 * <p>Rate limit (optional): an announce or scrape from a validated source takes a token from the
 * bucket of its address in the {@link ClientRateLimiter} shared with HTTP, before it is decoded;
 * over the limit it gets a {@link FailureReason#RATE_LIMITED} error. Connects stay stateless and
 * datagrams with a bad id never reach the table, so a spoofed flood cannot drain anyone's bucket.
 */
@ChannelHandler.Sharable // only among the sockets of one event loop: see above
final class UdpTrackerHandler extends SimpleChannelInboundHandler<DatagramPacket> {
    private static final Logger log = LoggerFactory.getLogger(UdpTrackerHandler.class);

    /** Largest datagram we write: the announce cap of {@link UdpResponseEncoder#MAX_REPLY_BYTES}. */
    private static final int REPLY_BUFFER_BYTES = 1280;

    private final AnnounceService service;
    private final ConnectionIds connectionIds;
    private final List<Cidr> trustedProxies;
    private final TransportCounters counters;

    private final AnnounceRequest request = new AnnounceRequest();
    private final AnnounceResponse response;
    private final ScrapeRequest scrape;
    private final ScrapeResponse scrapeResponse;
    private final byte[] source = new byte[16];
    private final @Nullable ClientRateLimiter limiter;

    /** @param limiter the per-address rate limit shared with the other sockets, or {@code null} for none */
    UdpTrackerHandler(
            AnnounceService service,
            ConnectionIds connectionIds,
            List<Cidr> trustedProxies,
            TransportCounters counters,
            @Nullable ClientRateLimiter limiter) {
        super(true);
        this.service = service;
        this.connectionIds = connectionIds;
        this.trustedProxies = trustedProxies;
        this.counters = counters;
        this.limiter = limiter;
        int maxPeers = Math.max(UdpResponseEncoder.MAX_PEERS_V4, UdpResponseEncoder.MAX_PEERS_V6);
        this.response = new AnnounceResponse(maxPeers);
        int maxHashes = service.policy().scrapeMaxHashes();
        this.scrape = new ScrapeRequest(maxHashes);
        this.scrapeResponse = new ScrapeResponse(maxHashes);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
        ByteBuf in = packet.content();
        InetSocketAddress sender = packet.sender();
        if (in.readableBytes() < UdpRequestDecoder.HEADER_BYTES || sender.getPort() == 0) {
            counters.udpDropped.increment();
            return;
        }
        int sourceLength = AnnounceRequest.copyAddress(sender.getAddress(), source);
        long connectionId = UdpRequestDecoder.connectionId(in);
        int action = UdpRequestDecoder.action(in);
        int transactionId = UdpRequestDecoder.transactionId(in);

        if (action == UdpRequestDecoder.ACTION_CONNECT && connectionId == UdpRequestDecoder.PROTOCOL_ID) {
            counters.udpConnects.increment();
            ByteBuf out = ctx.alloc().directBuffer(16);
            UdpResponseEncoder.writeConnect(out, transactionId, connectionIds.issue(source, sourceLength));
            ctx.write(new DatagramPacket(out, sender), ctx.voidPromise());
            return;
        }
        if (!connectionIds.isValid(connectionId, source, sourceLength)) {
            counters.udpBadConnectionIds.increment();
            RequestLog.dropped(sender, "unknown or expired connection id");
            return; // no reply: the source is not proven
        }
        switch (action) {
            case UdpRequestDecoder.ACTION_ANNOUNCE -> announce(ctx, in, sender, sourceLength, transactionId);
            case UdpRequestDecoder.ACTION_SCRAPE -> scrape(ctx, in, sender, sourceLength, transactionId);
            default -> sendError(ctx, sender, transactionId, FailureReason.UDP_UNKNOWN_ACTION);
        }
    }

    private void announce(
            ChannelHandlerContext ctx, ByteBuf in, InetSocketAddress sender, int sourceLength, int transactionId) {
        counters.udpAnnounces.increment();
        if (overLimit(ctx, sender, sourceLength, transactionId, false)) {
            return;
        }
        FailureReason failure = UdpRequestDecoder.decodeAnnounce(in, request);
        if (failure != null) {
            sendError(ctx, sender, transactionId, failure);
            return;
        }
        counters.udpAnnounce(request.event);
        System.arraycopy(source, 0, request.address, 0, sourceLength);
        request.addressLength = sourceLength;
        if (request.claimedAddressLength != 0 && trusted(sourceLength)) {
            request.useClaimedAddress();
        }
        boolean ipv6 = request.addressLength == 16;
        int cap = ipv6 ? UdpResponseEncoder.MAX_PEERS_V6 : UdpResponseEncoder.MAX_PEERS_V4;
        FailureReason refused = service.announce(request, cap, false, response);
        if (refused != null) {
            sendError(ctx, sender, transactionId, refused);
            return;
        }
        RequestLog.announce("UDP", request, response);
        ByteBuf out = ctx.alloc().directBuffer(REPLY_BUFFER_BYTES);
        UdpResponseEncoder.writeAnnounce(out, transactionId, response, ipv6);
        ctx.write(new DatagramPacket(out, sender), ctx.voidPromise());
    }

    private void scrape(
            ChannelHandlerContext ctx, ByteBuf in, InetSocketAddress sender, int sourceLength, int transactionId) {
        counters.udpScrapes.increment();
        if (overLimit(ctx, sender, sourceLength, transactionId, true)) {
            return;
        }
        FailureReason failure =
                UdpRequestDecoder.decodeScrape(in, scrape, service.policy().scrapeMaxHashes());
        if (failure != null) {
            sendError(ctx, sender, transactionId, failure);
            return;
        }
        FailureReason refused = service.scrape(scrape, scrapeResponse, false);
        if (refused != null) {
            sendError(ctx, sender, transactionId, refused);
            return;
        }
        RequestLog.scrape("UDP", sender, scrape);
        ByteBuf out = ctx.alloc().directBuffer(8 + 12 * scrape.count);
        UdpResponseEncoder.writeScrape(out, transactionId, scrape, scrapeResponse);
        ctx.write(new DatagramPacket(out, sender), ctx.voidPromise());
    }

    /**
     * Takes a token for the validated source; when it has none, answers with the rate-limit error
     * and returns true. The key is the datagram's source, not a claimed IP field: that says where
     * a peer is, the source is who is asking.
     */
    private boolean overLimit(
            ChannelHandlerContext ctx, InetSocketAddress sender, int sourceLength, int transactionId, boolean scrape) {
        ClientRateLimiter l = limiter;
        if (l == null || l.tryAcquire(source, sourceLength)) {
            return false;
        }
        counters.rateLimited(true, scrape);
        sendError(ctx, sender, transactionId, FailureReason.RATE_LIMITED);
        return true;
    }

    private boolean trusted(int sourceLength) {
        for (int i = 0; i < trustedProxies.size(); i++) {
            if (trustedProxies.get(i).contains(source, sourceLength)) {
                return true;
            }
        }
        return false;
    }

    private void sendError(
            ChannelHandlerContext ctx, InetSocketAddress sender, int transactionId, FailureReason reason) {
        counters.udpFailure(reason);
        RequestLog.failure("UDP", sender, reason);
        ByteBuf out = ctx.alloc().directBuffer(8 + reason.bytes().length);
        UdpResponseEncoder.writeError(out, transactionId, reason);
        ctx.write(new DatagramPacket(out, sender), ctx.voidPromise());
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        ctx.flush();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, @Nullable Throwable cause) {
        // A UDP socket must survive anything one datagram does to it: count, log rarely, go on.
        counters.unexpectedErrors.increment();
        if (counters.shouldLog()) {
            log.warn("unexpected error on UDP socket {}", ctx.channel().localAddress(), cause);
        }
    }
}
