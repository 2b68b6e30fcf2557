package org.retracker.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.Test;
import org.retracker.transport.TransportCounters;

/**
 * Clients that hold on to an HTTP connection without using it properly: dripping a head one byte at
 * a time, connecting and saying nothing, sending too many header fields or a garbage request line,
 * and pipelining thousands of announces without reading a response. Each is cut off or held back,
 * and the tracker keeps answering everyone else. (An oversized request line or head, a head that
 * stops arriving and an idle keep-alive connection are in {@link HttpProtocolTest}.)
 */
class HttpSlowClientTest extends LoopbackTrackerTest {
    private static final byte[] HASH = Ids.infoHash(80);

    /** Slow-loris: every byte arrives before the idle timeout, but the head never completes. */
    @Test
    void aHeadDrippedOneByteEvery200MsIsClosedAfterTheRequestTimeout() throws IOException {
        TestTracker t =
                start(TestTracker.on(Loopback.V4).requestTimeoutSeconds(1).idleTimeoutSeconds(60));
        byte[] head = ("GET " + Announce.peer(HASH, 7001).httpTarget() + " HTTP/1.1\r\nHost: x\r\n")
                .getBytes(StandardCharsets.US_ASCII);
        try (Socket s = socket(t)) {
            s.setSoTimeout(200);
            OutputStream out = s.getOutputStream();
            InputStream in = s.getInputStream();
            long start = System.nanoTime();
            int sent = 0;
            boolean closed = false;
            while (!closed && sent < head.length && elapsed(start).compareTo(Duration.ofSeconds(8)) < 0) {
                try {
                    out.write(head[sent++]);
                    out.flush();
                    closed = in.read() < 0;
                    if (!closed) {
                        throw new AssertionError("the tracker answered a head that never ended");
                    }
                } catch (SocketTimeoutException stillOpen) {
                    // 200 ms without a close: drip the next byte
                } catch (SocketException reset) {
                    closed = true;
                }
            }
            Duration waited = elapsed(start);

            assertThat(closed).as("closed by the tracker").isTrue();
            assertThat(sent).as("bytes dripped").isLessThan(head.length);
            assertThat(waited).isBetween(Duration.ofMillis(900), Duration.ofMillis(3000));
        }
        assertThat(t.server().counters().httpTimeouts.sum()).isEqualTo(1);
        assertThat(t.store().peerCount()).isZero();
    }

    @Test
    void aConnectionThatNeverSendsAByteIsClosedAfterTheIdleTimeout() {
        TestTracker t = start(TestTracker.on(Loopback.V4).idleTimeoutSeconds(1));
        try (HttpConnection c = t.http().connect()) {
            long start = System.nanoTime();

            assertThat(c.closedByServer()).isTrue();
            assertThat(elapsed(start)).isBetween(Duration.ofMillis(500), Duration.ofMillis(4000));
        }
        assertThat(t.server().counters().httpTimeouts.sum()).isEqualTo(1);
    }

    @Test
    void aHeadWithTooManyFieldsIs431AndWhatWasPipelinedAfterItIsNotServed() {
        TestTracker t = start(Loopback.V4);
        try (HttpConnection c = t.http().connect()) {
            String[] fields = new String[65]; // one more than HttpRequestHead.MAX_HEADER_FIELDS with Host
            for (int i = 0; i < fields.length; i++) {
                fields[i] = "X-F" + i + ": v";
            }
            c.write(HttpConnection.requestHead(Announce.peer(HASH, 7001).httpTarget(), c.host(), fields)
                    + HttpConnection.requestHead(Announce.peer(HASH, 7002).httpTarget(), c.host()));

            assertThat(c.read().status()).isEqualTo(431);
            assertThat(c.closedByServer()).isTrue();
        }
        assertThat(t.store().peerCount()).isZero();
    }

    @Test
    void aGarbageRequestLineIs400AndTheConnectionIsClosed() {
        TestTracker t = start(Loopback.V4);
        try (HttpConnection c = t.http().connect()) {
            c.write("\u0001\u0002 garbage \u00ff\r\n\r\n");

            assertThat(c.read().status()).isEqualTo(400);
            assertThat(c.closedByServer()).isTrue();
        }
        assertThat(t.server().counters().httpErrors.sum()).isEqualTo(1);
    }

    /**
     * A client that pipelines announces and never reads the answers: once the tracker's write buffer
     * for it is full the tracker stops reading it, so the client's writes stall, the tracker stops
     * counting its requests and holds no more than a bounded backlog for it, and other clients are
     * answered as before.
     */
    @Test
    void aClientThatPipelinesWithoutReadingIsNoLongerReadAndOthersAreStillServed() throws Exception {
        TestTracker t = start(Loopback.V4);
        TransportCounters counters = t.server().counters();
        InetSocketAddress server = t.httpAddress(Loopback.V4);
        int perBatch = 100;
        int maxRequests = 200_000;
        StringBuilder batch = new StringBuilder();
        for (int i = 0; i < perBatch; i++) {
            batch.append(HttpConnection.requestHead(Announce.peer(HASH, 7001).httpTarget(), "x"));
        }
        byte[] batchBytes = batch.toString().getBytes(StandardCharsets.US_ASCII);
        int sent = 0;
        boolean stalled = false;
        try (SocketChannel ch = SocketChannel.open()) {
            ch.setOption(StandardSocketOptions.SO_RCVBUF, 4096); // small: the responses back up soon
            ch.bind(Loopback.socket(Loopback.V4, 0));
            ch.connect(server);
            ch.configureBlocking(false);
            ByteBuffer buf = ByteBuffer.wrap(batchBytes);
            long stallStart = 0;
            while (sent < maxRequests) {
                if (ch.write(buf) > 0) {
                    stallStart = 0;
                } else if (stallStart == 0) {
                    stallStart = System.nanoTime();
                } else if (elapsed(stallStart).compareTo(Duration.ofSeconds(1)) > 0) {
                    stalled = true; // nothing accepted for a second: the tracker is not reading
                    break;
                } else {
                    Thread.sleep(5);
                }
                if (!buf.hasRemaining()) {
                    sent += perBatch;
                    buf.rewind();
                }
            }
            long served = waitUntilStable(counters.httpAnnounces::sum);

            assertThat(stalled)
                    .as("the client's writes stalled after " + sent + " requests")
                    .isTrue();
            assertThat(served).as("announces read from the client").isPositive().isLessThan(sent);
            assertThat(ch.isOpen()).isTrue();
            long start = System.nanoTime();
            HttpAnnounceReply other = t.httpFrom(Loopback.V4_OTHER).announce(Announce.peer(HASH, 7002));
            assertThat(other.peers4()).containsExactly(Loopback.socket(Loopback.V4, 7001));
            assertThat(elapsed(start)).isLessThan(Duration.ofMillis(500));
            assertThat(counters.httpAnnounces.sum())
                    .as("nothing more read from the stalled client")
                    .isEqualTo(served + 1);
        }
        assertThat(counters.unexpectedErrors.sum()).isZero();
    }

    private static Socket socket(TestTracker t) throws IOException {
        Socket s = new Socket();
        s.bind(Loopback.socket(Loopback.V4, 0));
        s.connect(t.httpAddress(Loopback.V4), 5000);
        s.setTcpNoDelay(true);
        return s;
    }

    private static Duration elapsed(long startNanos) {
        return Duration.ofNanos(System.nanoTime() - startNanos);
    }

    /** The value of {@code counter} once it has not changed for 300 ms. */
    private static long waitUntilStable(LongSupplier counter) throws InterruptedException {
        long before = counter.getAsLong();
        while (true) {
            Thread.sleep(300);
            long now = counter.getAsLong();
            if (now == before) {
                return now;
            }
            before = now;
        }
    }
}
