package org.retracker.bench.jmh;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
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
import org.retracker.core.TrackerPolicy;
import org.retracker.protocol.AnnounceRequest;
import org.retracker.protocol.AnnounceResponse;
import org.retracker.protocol.FailureReason;
import org.retracker.protocol.ScrapeRequest;
import org.retracker.protocol.ScrapeResponse;
import org.retracker.protocol.http.HttpRequestHead;
import org.retracker.protocol.http.HttpResponseEncoder;
import org.retracker.protocol.http.QueryParser;

/**
 * HTTP announce (BEP 3, compact BEP 23) and scrape (BEP 48), request head bytes to response bytes,
 * doing per request what {@code transport.HttpTrackerHandler} does once a head has arrived: copy
 * it out of the socket buffer, {@link HttpRequestHead}, {@link QueryParser}, the connection's
 * source address, {@link AnnounceService}, {@link HttpResponseEncoder} for the body and then the
 * head and body into the output buffer.
 *
 * <p>Each request is a whole head as qBittorrent sends it (every binary byte of {@code info_hash}
 * and {@code peer_id} outside the unreserved set percent-encoded, {@code numwant=50}, {@code
 * compact=1}, a {@code Host}, {@code User-Agent} and {@code Accept-Encoding} field). Outside the
 * measurement: Netty's read into a socket buffer, the channel write and the handler's counters.
 * The handler looks for the end of the head in the socket buffer before copying it out; here
 * {@link HttpRequestHead#findHeadEnd} does the same scan on the copy. {@link #announce} writes
 * into one reused buffer;
 * {@link #announcePooledBuffer} takes it from Netty's default allocator and releases it, as the
 * handler does with {@code ctx.alloc().ioBuffer()}.
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
public class HttpBenchmark {
    /** As {@code HttpTrackerHandler}: body scratch and the head's room in the output buffer. */
    private static final int BODY_SCRATCH_BYTES = 256 * 1024;

    private static final int HEAD_ROOM = 160;
    private static final byte[] STATUS_200 = ascii("HTTP/1.1 200 OK\r\n");
    private static final byte[] TEXT_PLAIN = ascii("Content-Type: text/plain");

    private final Population population = new Population();
    private final AnnounceService service = population.service;
    private final TrackerPolicy policy = service.policy();

    private final ByteBuf[] announces = new ByteBuf[Population.REQUESTS];
    private final ByteBuf[] scrapes = new ByteBuf[Population.REQUESTS];
    /** Each request's connection source, as the handler resolved it when the connection opened. */
    private final byte[][] sources = new byte[Population.REQUESTS][];

    private final ByteBuf wire;

    // The event loop's scratch (HttpTrackerHandler.Scratch).
    private final byte[] head = new byte[HttpRequestHead.MAX_HEAD + 4];
    private final HttpRequestHead requestHead = new HttpRequestHead();
    private final QueryParser parser = new QueryParser();
    private final AnnounceRequest request = new AnnounceRequest();
    private final AnnounceResponse response;
    private final ScrapeRequest scrape;
    private final ScrapeResponse scrapeResponse;
    private final HttpResponseEncoder encoder;
    private final ByteBuf body = Unpooled.buffer(BODY_SCRATCH_BYTES);

    private final ByteBuf out = Unpooled.directBuffer(64 * 1024);
    private int next;

    public HttpBenchmark() {
        response = new AnnounceResponse(policy.numwantMax());
        scrape = new ScrapeRequest(policy.scrapeMaxHashes());
        scrapeResponse = new ScrapeResponse(policy.scrapeMaxHashes());
        encoder = new HttpResponseEncoder(policy.scrapeMaxHashes(), null);
        wire = Unpooled.directBuffer(Population.REQUESTS * 700);
        SplittableRandom random = new SplittableRandom(11);
        for (int i = 0; i < Population.REQUESTS; i++) {
            int p = population.requests[i];
            sources[i] = population.addressOf[p];
            byte[] infoHash = population.infoHashes[population.torrentOf[p]];
            String announce = "GET /announce?info_hash=" + percentEncode(infoHash)
                    + "&peer_id=" + percentEncode(population.peerIdOf[p])
                    + "&port=" + population.portOf[p]
                    + "&uploaded=" + random.nextLong(1L << 40)
                    + "&downloaded=0"
                    + "&left=" + population.leftOf[p]
                    + "&corrupt=0"
                    + "&key=" + Integer.toHexString(random.nextInt()).toUpperCase(Locale.ROOT)
                    + "&numwant=50&compact=1&no_peer_id=1&supportcrypto=1&redundant=0 HTTP/1.1\r\n"
                    + "Host: tracker.example.org:6969\r\n"
                    + "User-Agent: qBittorrent/4.6.5\r\n"
                    + "Accept-Encoding: gzip\r\n"
                    + "\r\n";
            announces[i] = append(announce);
            String scrapeHead = "GET /scrape?info_hash=" + percentEncode(infoHash) + " HTTP/1.1\r\n"
                    + "Host: tracker.example.org:6969\r\n"
                    + "User-Agent: qBittorrent/4.6.5\r\n"
                    + "Accept-Encoding: gzip\r\n"
                    + "\r\n";
            scrapes[i] = append(scrapeHead);
        }
    }

    private ByteBuf append(String text) {
        int start = wire.writerIndex();
        int n = wire.writeCharSequence(text, StandardCharsets.US_ASCII);
        return wire.slice(start, n);
    }

    /** Announce, response written into one reused buffer: what our code allocates. */
    @Benchmark
    public int announce() {
        int i = next++ & (Population.REQUESTS - 1);
        int headEnd = announceBody(announces[i], sources[i]);
        out.clear();
        return send(out, headEnd);
    }

    /**
     * Announce, response in a buffer from Netty's default allocator sized as the handler sizes it,
     * released after.
     */
    @Benchmark
    public int announcePooledBuffer() {
        int i = next++ & (Population.REQUESTS - 1);
        int headEnd = announceBody(announces[i], sources[i]);
        ByteBuf reply = ByteBufAllocator.DEFAULT.ioBuffer(HEAD_ROOM + body.readableBytes());
        try {
            return send(reply, headEnd);
        } finally {
            reply.release();
        }
    }

    /** Scrape of one info hash, into a reused buffer. */
    @Benchmark
    public int scrape() {
        int i = next++ & (Population.REQUESTS - 1);
        out.clear();
        int headEnd = readHead(scrapes[i], "/scrape");
        FailureReason failure = parser.parseScrape(
                head, requestHead.queryStart, requestHead.queryEnd, scrape, policy.scrapeMaxHashes());
        if (failure != null) {
            throw new IllegalStateException(failure.message());
        }
        if (service.scrape(scrape, scrapeResponse, true) != null) {
            throw new IllegalStateException("scrape refused");
        }
        body.clear();
        encoder.writeScrape(body, scrape, scrapeResponse);
        return send(out, headEnd);
    }

    /** {@code HttpTrackerHandler#announce}: the bencoded body into {@link #body}; returns the head's length. */
    private int announceBody(ByteBuf in, byte[] source) {
        int headEnd = readHead(in, "/announce");
        FailureReason failure = parser.parseAnnounce(head, requestHead.queryStart, requestHead.queryEnd, request);
        if (failure != null) {
            throw new IllegalStateException(failure.message());
        }
        // HttpTrackerHandler#resolveAddress without a trusted proxy: the connection's source.
        System.arraycopy(source, 0, request.address, 0, source.length);
        request.addressLength = source.length;
        FailureReason refused = service.announce(request, policy.numwantMax(), true, response);
        if (refused != null) {
            throw new IllegalStateException(refused.message());
        }
        body.clear();
        encoder.writeAnnounce(body, request, response);
        return headEnd;
    }

    /** {@code HttpTrackerHandler#decode} and {@code #handle} up to the path: returns the head's length. */
    private int readHead(ByteBuf in, String path) {
        int length = in.readableBytes();
        in.getBytes(in.readerIndex(), head, 0, length);
        int headEnd = HttpRequestHead.findHeadEnd(head, 0, length);
        if (headEnd < 0
                || requestHead.parse(head, 0, headEnd) != HttpRequestHead.OK
                || !requestHead.pathIs(head, path)) {
            throw new IllegalStateException("bad head");
        }
        return headEnd;
    }

    /** {@code HttpTrackerHandler#sendBody} without the channel write: head, then the body. */
    private int send(ByteBuf reply, int headEnd) {
        boolean keepAlive = requestHead.keepAlive && !requestHead.hasBody;
        HttpResponseEncoder.writeResponse(reply, STATUS_200, TEXT_PLAIN, body, requestHead.head, keepAlive);
        return reply.writerIndex() + headEnd;
    }

    /** Every byte outside RFC 3986's unreserved set as {@code %XX}, as libtorrent does. */
    static String percentEncode(byte[] bytes) {
        StringBuilder s = new StringBuilder();
        for (byte b : bytes) {
            int c = b & 0xff;
            if ((c >= 'a' && c <= 'z')
                    || (c >= 'A' && c <= 'Z')
                    || (c >= '0' && c <= '9')
                    || c == '-'
                    || c == '.'
                    || c == '_'
                    || c == '~') {
                s.append((char) c);
            } else {
                s.append('%').append(Character.forDigit(c >> 4, 16)).append(Character.forDigit(c & 0xf, 16));
            }
        }
        return s.toString();
    }

    @TearDown(Level.Trial)
    public void release() {
        wire.release();
        out.release();
        body.release();
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
