package org.retracker.bench.jmh;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.InstantSource;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.retracker.core.AnnounceService;
import org.retracker.protocol.AnnounceRequest;
import org.retracker.protocol.AnnounceResponse;
import org.retracker.protocol.FailureReason;
import org.retracker.protocol.ScrapeRequest;
import org.retracker.protocol.ScrapeResponse;
import org.retracker.protocol.udp.ConnectionIds;
import org.retracker.protocol.udp.UdpRequestDecoder;
import org.retracker.protocol.udp.UdpResponseEncoder;

/**
 * BEP 15 announce and scrape, datagram bytes to reply bytes, doing per request exactly what
 * {@code transport.UdpTrackerHandler#channelRead0} does between Netty handing it a datagram and
 * it writing the reply: copy the sender's address, check the connection id, {@link
 * UdpRequestDecoder}, {@link AnnounceService}, {@link UdpResponseEncoder}.
 *
 * <p>Outside the measurement: Netty's own per-datagram objects (the received {@code
 * DatagramPacket}, its sender {@code InetSocketAddress}, which the benchmark makes once per
 * request up front, the reply's {@code DatagramPacket}), the channel write, the socket, and the
 * handler's counters. {@link #announce} writes into one reused buffer, so it shows what our code
 * allocates; {@link #announcePooledBuffer} takes the reply buffer from Netty's default allocator
 * and releases it, as the handler does with {@code ctx.alloc()}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
// The leak detector off, as the tracker runs it (Main.defaultLeakDetection)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Xms2g", "-Xmx2g", "-Dio.netty.leakDetection.level=disabled"})
public class UdpBenchmark {
    /** As {@code UdpTrackerHandler}: the largest datagram we write. */
    private static final int REPLY_BUFFER_BYTES = 1280;
    /** Connection ids stay valid for the whole run (the benchmark's clock is the real one). */
    private static final int ID_GRACE_SECONDS = 1_000_000;

    private final Population population = new Population();
    private final AnnounceService service = population.service;
    private final ConnectionIds connectionIds = new ConnectionIds(InstantSource.system(), ID_GRACE_SECONDS);

    private final ByteBuf[] announces = new ByteBuf[Population.REQUESTS];
    private final ByteBuf[] scrapes = new ByteBuf[Population.REQUESTS];
    private final InetSocketAddress[] senders = new InetSocketAddress[Population.REQUESTS];
    private final ByteBuf wire;

    // The handler's per-socket scratch.
    private final AnnounceRequest request = new AnnounceRequest();
    private final AnnounceResponse response =
            new AnnounceResponse(Math.max(UdpResponseEncoder.MAX_PEERS_V4, UdpResponseEncoder.MAX_PEERS_V6));
    private final ScrapeRequest scrape;
    private final ScrapeResponse scrapeResponse;
    private final byte[] source = new byte[16];
    private int sourceLength;

    private final ByteBuf out = Unpooled.directBuffer(REPLY_BUFFER_BYTES);
    private int next;

    public UdpBenchmark() {
        int maxHashes = service.policy().scrapeMaxHashes();
        scrape = new ScrapeRequest(maxHashes);
        scrapeResponse = new ScrapeResponse(maxHashes);
        int announceBytes = UdpRequestDecoder.ANNOUNCE_BYTES;
        int scrapeBytes = UdpRequestDecoder.HEADER_BYTES + AnnounceRequest.ID_LENGTH;
        // All datagrams in one direct buffer, as Netty's epoll transport reads them.
        wire = Unpooled.directBuffer(Population.REQUESTS * (announceBytes + scrapeBytes));
        SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < Population.REQUESTS; i++) {
            int p = population.requests[i];
            byte[] address = population.addressOf[p];
            senders[i] = new InetSocketAddress(inet(address), population.portOf[p]);
            long connectionId = connectionIds.issue(address, address.length);

            int start = wire.writerIndex();
            wire.writeLong(connectionId);
            wire.writeInt(UdpRequestDecoder.ACTION_ANNOUNCE);
            wire.writeInt(i); // transaction_id
            wire.writeBytes(population.infoHashes[population.torrentOf[p]]);
            wire.writeBytes(population.peerIdOf[p]);
            wire.writeLong(0); // downloaded
            wire.writeLong(population.leftOf[p]); // left
            wire.writeLong(random.nextLong(1L << 40)); // uploaded
            wire.writeInt(0); // event: none
            wire.writeInt(0); // IP address: the source
            wire.writeInt(random.nextInt()); // key
            wire.writeInt(-1); // num_want: default
            wire.writeShort(population.portOf[p]);
            announces[i] = wire.slice(start, announceBytes);

            start = wire.writerIndex();
            wire.writeLong(connectionId);
            wire.writeInt(UdpRequestDecoder.ACTION_SCRAPE);
            wire.writeInt(i);
            wire.writeBytes(population.infoHashes[population.torrentOf[p]]);
            scrapes[i] = wire.slice(start, scrapeBytes);
        }
    }

    /** Announce, reply written into one reused buffer: what our code allocates. */
    @Benchmark
    public int announce() {
        int i = next++ & (Population.REQUESTS - 1);
        out.clear();
        return announce(announces[i], senders[i], out);
    }

    /** Announce, reply in a buffer from Netty's default allocator, released after: as the handler. */
    @Benchmark
    public int announcePooledBuffer() {
        int i = next++ & (Population.REQUESTS - 1);
        ByteBuf reply = ByteBufAllocator.DEFAULT.directBuffer(REPLY_BUFFER_BYTES);
        try {
            return announce(announces[i], senders[i], reply);
        } finally {
            reply.release();
        }
    }

    /** Scrape of one info hash (what libtorrent and most clients send), into a reused buffer. */
    @Benchmark
    public int scrape() {
        int i = next++ & (Population.REQUESTS - 1);
        out.clear();
        ByteBuf in = scrapes[i];
        int transactionId = checkHeader(in, senders[i], UdpRequestDecoder.ACTION_SCRAPE);
        FailureReason failure =
                UdpRequestDecoder.decodeScrape(in, scrape, service.policy().scrapeMaxHashes());
        if (failure != null) {
            throw new IllegalStateException(failure.message());
        }
        if (service.scrape(scrape, scrapeResponse, false) != null) {
            throw new IllegalStateException("scrape refused");
        }
        UdpResponseEncoder.writeScrape(out, transactionId, scrape, scrapeResponse);
        return out.writerIndex();
    }

    /** {@code UdpTrackerHandler#channelRead0} and {@code #announce}, without the channel write. */
    private int announce(ByteBuf in, InetSocketAddress sender, ByteBuf reply) {
        int transactionId = checkHeader(in, sender, UdpRequestDecoder.ACTION_ANNOUNCE);
        FailureReason failure = UdpRequestDecoder.decodeAnnounce(in, request);
        if (failure != null) {
            throw new IllegalStateException(failure.message());
        }
        System.arraycopy(source, 0, request.address, 0, sourceLength);
        request.addressLength = sourceLength;
        boolean ipv6 = request.addressLength == 16;
        int cap = ipv6 ? UdpResponseEncoder.MAX_PEERS_V6 : UdpResponseEncoder.MAX_PEERS_V4;
        FailureReason refused = service.announce(request, cap, false, response);
        if (refused != null) {
            throw new IllegalStateException(refused.message());
        }
        UdpResponseEncoder.writeAnnounce(reply, transactionId, response, ipv6);
        return reply.writerIndex();
    }

    /**
     * The handler's steps before it dispatches on the action: the size check, the sender's address
     * into {@link #source}, the header fields, the connection id. Returns the transaction id.
     */
    private int checkHeader(ByteBuf in, InetSocketAddress sender, int expectedAction) {
        if (in.readableBytes() < UdpRequestDecoder.HEADER_BYTES || sender.getPort() == 0) {
            throw new IllegalStateException("short datagram");
        }
        sourceLength = AnnounceRequest.copyAddress(sender.getAddress(), source);
        long connectionId = UdpRequestDecoder.connectionId(in);
        int action = UdpRequestDecoder.action(in);
        int transactionId = UdpRequestDecoder.transactionId(in);
        if (!connectionIds.isValid(connectionId, source, sourceLength) || action != expectedAction) {
            throw new IllegalStateException("bad connection id or action");
        }
        return transactionId;
    }

    @TearDown(Level.Trial)
    public void release() {
        wire.release();
        out.release();
    }

    private static InetAddress inet(byte[] address) {
        try {
            return InetAddress.getByAddress(address);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
