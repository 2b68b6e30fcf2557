package org.retracker.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.retracker.forward.ForwarderSpec;
import org.retracker.forward.ForwardingOptions;
import org.retracker.forward.ForwardingService;
import org.retracker.forward.UpstreamClients;
import org.retracker.testing.BlockedThreads;
import org.retracker.testing.HeapAfterGc;
import org.retracker.testing.JsonParser;
import org.retracker.testing.PairedLatency;

/**
 * External HTTP trackers that misbehave on the wire (raw loopback server sockets): one resets every
 * connection, one drips its reply a byte per 100 ms, one announces a 100 MiB body, one sends an
 * endless chunked body, one an endless body ended only by closing, one a body that is not bencode,
 * one alternates a good reply with garbage, one a valid reply of some 40,000 peers, just under the
 * client's {@code MAX_REPLY_BYTES}. Local announces stay as fast as on a tracker without forwarders,
 * no tracker thread is blocked, the forwarding queue and the announces in flight stay within their
 * bounds, the memory kept afterwards is bounded, and {@code /stats} shows each forwarder's failures.
 * (Forwarders that accept and never answer are {@link HangingForwardersTest}; each fault on its own,
 * at the client, is in {@code HttpUpstreamClientTest}.)
 */
@Timeout(60)
class ForwarderFaultsTest {
    private static final int WARM_UP = 100;
    private static final int MEASURED = 300;
    /** Queue of the latency test: small, so that the faults fill it and its bound is reached. */
    private static final int SMALL_QUEUE = 256;
    /** New swarms announced in the memory test, each forwarded to every forwarder. */
    private static final int SWARMS = 120;
    /**
     * Heap, and Netty memory, the memory test may keep after its forwards: its 120 swarms with the
     * forwarders' answers as kept take about 1 MB of heap (measured 0.9 MB for 200), Netty's
     * allocator caches 1.5 MB. Keeping each 240 KB peer list whole would take some 29 MB; buffering
     * one 100 MiB body, 100 MiB.
     */
    private static final long MEMORY_BOUND = 8 * 1024 * 1024;
    /**
     * Bytes a faulty server may get out before the client hangs up on an oversized reply: the
     * client's 256 KiB cap plus the loopback socket buffers (a few MiB when autotuned).
     */
    private static final long WRITTEN_BOUND = 16 * 1024 * 1024;

    enum Fault {
        RESET,
        DRIP,
        HUGE,
        ENDLESS,
        UNSIZED,
        GARBAGE,
        FLAP,
        PEERS
    }

    @Test
    void localAnnouncesStayFastAndStatsShowEachFaultyForwarder() throws Exception {
        EnumSet<Fault> faults =
                EnumSet.of(Fault.RESET, Fault.DRIP, Fault.HUGE, Fault.ENDLESS, Fault.GARBAGE, Fault.FLAP);
        List<FaultyServer> servers = new ArrayList<>();
        try (UpstreamClients clients = new UpstreamClients(1)) {
            List<ForwarderSpec> specs = specs(faults, servers);
            // 1 s timeout, one attempt per announce, never out of rotation: every new swarm is sent
            // to all of them for the whole run, more than the workers can carry (the drip holds one
            // for the timeout), so the queue fills and sheds.
            ForwardingOptions options = options(Duration.ofSeconds(1), SMALL_QUEUE);
            try (TestTracker plain = TestTracker.on(Loopback.V4).start();
                    TestTracker forwarding = TestTracker.on(Loopback.V4)
                            .forwarding(options, clients, specs)
                            .start();
                    HttpConnection a =
                            HttpConnection.open(plain.httpAddress(Loopback.V4), Loopback.address(Loopback.V4));
                    HttpConnection b =
                            HttpConnection.open(forwarding.httpAddress(Loopback.V4), Loopback.address(Loopback.V4))) {
                ForwardingService service = forwarding.forwarding();
                int[] deepest = new int[2]; // queue depth, announces in flight
                BlockedThreads watch = BlockedThreads.watchTrackerThreads();
                PairedLatency latency;
                try {
                    // Every announce opens a new swarm, which is sent to every forwarder.
                    latency = PairedLatency.measure(WARM_UP, MEASURED, i -> ok(a, target(20_000 + i)), i -> {
                        ok(b, target(20_000 + i));
                        ForwardingService.QueueState q = service.queueState();
                        deepest[0] = Math.max(deepest[0], q.depth());
                        deepest[1] = Math.max(deepest[1], q.inFlight());
                    });
                } finally {
                    watch.close();
                }
                // 10 % or 5 ms, whichever is more: scheduling jitter on a shared 2-core machine is
                // milliseconds at the 99th percentile; a client held up by a forwarder would wait
                // the 1 s timeout.
                long p99 = latency.baseline(99);
                assertThat(latency.subject(99))
                        .as(latency.toString())
                        .isLessThanOrEqualTo(Math.max(p99 * 11 / 10, p99 + 5_000_000));
                assertThat(watch.watchedThreads()).as("threads watched").isGreaterThanOrEqualTo(4);
                assertThat(watch.findings())
                        .as("threads blocked by faulty forwarders")
                        .isEmpty();
                // filled (jobs were shed) but never beyond its bound
                assertThat(deepest[0])
                        .as("queue depth")
                        .isGreaterThan(SMALL_QUEUE / 2)
                        .isLessThanOrEqualTo(SMALL_QUEUE);
                assertThat(service.counters().droppedQueueFull.sum())
                        .as("dropped, queue full")
                        .isPositive();
                assertThat(deepest[1]).as("announces in flight").isLessThanOrEqualTo(options.maxWorkers());

                for (FaultyServer s : servers) {
                    assertThat(s.accepted()).as(s.fault + " was asked").isPositive();
                }
                // The forwards queue behind a few workers (the drip holds one for the 1 s timeout):
                // wait until every forwarder has an outcome, the flapping one both kinds.
                await().atMost(Duration.ofSeconds(20)).until(() -> {
                    Map<String, Map<String, Object>> f = forwarders(forwarding);
                    return f.size() == faults.size()
                            && f.values().stream().allMatch(m -> count(m, "failed") > 0)
                            && count(f.getOrDefault("flap", Map.of()), "ok") > 0;
                });
                Map<String, Map<String, Object>> byName = forwarders(forwarding);
                Map<Fault, String> reasons = Map.of(
                        Fault.RESET, "Connection reset",
                        Fault.DRIP, "timeout after 1s",
                        Fault.HUGE, "reply larger than 256 KiB",
                        Fault.ENDLESS, "reply larger than 256 KiB",
                        Fault.GARBAGE, "malformed bencode");
                for (Map.Entry<Fault, String> e : reasons.entrySet()) {
                    assertFailing(byName, e.getKey(), e.getValue());
                }
                Map<String, Object> flap = byName.get("flap");
                assertThat(flap).isNotNull();
                assertThat(count(flap, "ok")).as("flap ok").isPositive();
                assertThat(count(flap, "failed")).as("flap failed").isPositive();
            }
        } finally {
            closeAll(servers);
        }
    }

    /**
     * A 100 MiB body, endless bodies and a maximal valid reply for each of {@link #SWARMS} new
     * swarms: once every forward has concluded, the tracker keeps no more than {@link #MEMORY_BOUND}
     * more heap and Netty memory than before, no server got far into an oversized body, and no
     * tracker thread was blocked meanwhile.
     */
    @Test
    void hugeAndEndlessRepliesLeaveMemoryBounded() throws Exception {
        EnumSet<Fault> faults = EnumSet.of(Fault.HUGE, Fault.ENDLESS, Fault.UNSIZED, Fault.PEERS);
        List<FaultyServer> servers = new ArrayList<>();
        try (UpstreamClients clients = new UpstreamClients(1)) {
            List<ForwarderSpec> specs = specs(faults, servers);
            // 2 s rather than 1 s to read each 240 KB reply on a busy machine: no latency measured here
            ForwardingOptions options = options(Duration.ofSeconds(2), ForwardingOptions.DEFAULT_QUEUE_SIZE);
            try (TestTracker forwarding = TestTracker.on(Loopback.V4)
                            .forwarding(options, clients, specs)
                            .start();
                    HttpConnection c =
                            HttpConnection.open(forwarding.httpAddress(Loopback.V4), Loopback.address(Loopback.V4))) {
                ForwardingService service = forwarding.forwarding();
                ok(c, target(40_000)); // a first forward of each kind, so lazily made parts exist
                awaitDrained(service);
                long heapBefore = HeapAfterGc.used();
                long nettyBefore = HeapAfterGc.nettyAllocated();

                BlockedThreads watch = BlockedThreads.watchTrackerThreads();
                try {
                    for (int i = 1; i <= SWARMS; i++) {
                        ok(c, target(40_000 + i));
                    }
                    awaitDrained(service);
                } finally {
                    watch.close();
                }
                assertThat(watch.findings())
                        .as("threads blocked by faulty forwarders")
                        .isEmpty();
                long heapGrowth = HeapAfterGc.used() - heapBefore;
                long nettyGrowth = HeapAfterGc.nettyAllocated() - nettyBefore;

                Map<String, Map<String, Object>> byName = forwarders(forwarding);
                // nearly all of them (one may time out on a busy machine): enough to show in the heap
                assertThat(count(byName.getOrDefault("peers", Map.of()), "ok"))
                        .as("maximal replies taken")
                        .isGreaterThanOrEqualTo(SWARMS * 9 / 10);
                for (Fault f : List.of(Fault.HUGE, Fault.ENDLESS, Fault.UNSIZED)) {
                    assertFailing(byName, f, "reply larger than 256 KiB");
                }
                assertThat(heapGrowth).as("heap kept").isLessThanOrEqualTo(MEMORY_BOUND);
                assertThat(nettyGrowth).as("Netty memory kept").isLessThanOrEqualTo(MEMORY_BOUND);
                for (FaultyServer s : servers) {
                    await().atMost(Duration.ofSeconds(5))
                            .untilAsserted(() -> assertThat(s.open())
                                    .as(s.fault + " connections left open")
                                    .isZero());
                    assertThat(s.mostWritten())
                            .as(s.fault + " bytes out on one connection")
                            .isLessThanOrEqualTo(WRITTEN_BOUND);
                }
            }
        } finally {
            closeAll(servers);
        }
    }

    /** A forwarder per fault, each on its own {@link FaultyServer} (added to {@code servers}). */
    private static List<ForwarderSpec> specs(Set<Fault> faults, List<FaultyServer> servers) throws IOException {
        List<ForwarderSpec> specs = new ArrayList<>();
        for (Fault f : faults) {
            FaultyServer s = new FaultyServer(f);
            servers.add(s);
            specs.add(new ForwarderSpec(
                    f.name().toLowerCase(Locale.ROOT),
                    URI.create("http://127.0.0.1:" + s.port() + "/announce"),
                    ForwarderSpec.Scheme.HTTP,
                    null,
                    null));
        }
        return specs;
    }

    /** 4 to 8 workers, one attempt per announce, never out of rotation, no rate limit in effect. */
    private static ForwardingOptions options(Duration timeout, int queueSize) {
        return new ForwardingOptions(
                timeout, 4, 8, queueSize, 60, 80, 60, 20, 10_000, 10_000, 300, 1_000_000, 1, 100, 3600);
    }

    private static void awaitDrained(ForwardingService service) {
        await().atMost(Duration.ofSeconds(15)).until(() -> {
            ForwardingService.QueueState q = service.queueState();
            return q.depth() == 0 && q.inFlight() == 0;
        });
    }

    private static void assertFailing(Map<String, Map<String, Object>> byName, Fault f, String reason) {
        Map<String, Object> s = byName.get(f.name().toLowerCase(Locale.ROOT));
        assertThat(s).as(f.name()).isNotNull();
        // never out of rotation (fail threshold 10^6): the reason is the last failure
        assertThat(s).as(f.name()).containsEntry("status", "active");
        assertThat(s.get("reason")).as(f + " reason").isInstanceOf(String.class);
        assertThat((String) s.get("reason")).as(f + " reason").contains(reason);
        assertThat(count(s, "ok")).as(f + " ok").isZero();
        assertThat(count(s, "failed")).as(f + " failed").isPositive();
    }

    private static String target(int swarm) {
        return Announce.peer(Ids.infoHash(swarm), 6881).httpTarget();
    }

    private static void ok(HttpConnection c, String target) {
        assertThat(c.get(target).status()).isEqualTo(200);
    }

    private static void closeAll(List<FaultyServer> servers) throws Exception {
        for (FaultyServer s : servers) {
            s.close();
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Map<String, Object>> forwarders(TestTracker t) {
        HttpReply reply = t.http().get("/stats?format=json");
        assertThat(reply.status()).isEqualTo(200);
        Map<String, Object> stats = JsonParser.parseObject(new String(reply.body(), StandardCharsets.UTF_8));
        Map<String, Object> forwarding = (Map<String, Object>) stats.get("forwarding");
        assertThat(forwarding).isNotNull();
        Map<String, Map<String, Object>> out = new HashMap<>();
        Object list = forwarding.get("forwarders");
        assertThat(list).isInstanceOf(List.class);
        for (Object o : (List<Object>) list) {
            Map<String, Object> f = (Map<String, Object>) o;
            out.put((String) f.get("name"), f);
        }
        return out;
    }

    private static long count(Map<String, Object> forwarder, String key) {
        Object v = forwarder.get(key);
        assertThat(v).as(key).isInstanceOf(Number.class);
        return ((Number) v).longValue();
    }

    /** A raw HTTP server that reads a request head and then misbehaves as {@link #fault} says. */
    private static final class FaultyServer implements AutoCloseable {
        /** A valid compact reply: interval 1800, one peer 10.0.0.1:6881. */
        private static final byte[] GOOD = ascii("d8:intervali1800e5:peers6:\n\0\0\1\u001a\u00e1e");

        private static final byte[] GARBAGE = ascii("<html>not bencode</html>");
        /** Announced by {@link Fault#HUGE}: 100 MiB, far over HttpUpstreamClient.MAX_REPLY_BYTES (256 KiB). */
        private static final long HUGE_BYTES = 100L * 1024 * 1024;
        /** Peers in {@link Fault#PEERS}' reply: 240,000 bytes of compact peers, under the 256 KiB cap. */
        private static final int MANY_PEERS = 40_000;

        private static final byte[] MANY_PEERS_REPLY = manyPeers();

        final Fault fault;
        private final ServerSocket server;
        private final List<Socket> sockets = new ArrayList<>();
        private final AtomicInteger accepted = new AtomicInteger();
        private final AtomicInteger open = new AtomicInteger();
        private final AtomicLong mostWritten = new AtomicLong();
        private final Thread acceptor;

        FaultyServer(Fault fault) throws IOException {
            this.fault = fault;
            server = new ServerSocket();
            server.bind(new InetSocketAddress(Loopback.address(Loopback.V4), 0), 1024);
            acceptor = Thread.ofPlatform().daemon().name("faulty-" + fault).start(this::acceptAll);
        }

        int port() {
            return server.getLocalPort();
        }

        int accepted() {
            return accepted.get();
        }

        /** Connections still being served. */
        int open() {
            return open.get();
        }

        /** The most bytes written on one connection. */
        long mostWritten() {
            return mostWritten.get();
        }

        private void acceptAll() {
            while (!server.isClosed()) {
                try {
                    Socket s = server.accept();
                    int n = accepted.getAndIncrement();
                    open.incrementAndGet();
                    synchronized (sockets) {
                        sockets.add(s);
                    }
                    Thread.ofVirtual().start(() -> serve(s, n));
                } catch (IOException e) {
                    return;
                }
            }
        }

        private void serve(Socket s, int n) {
            CountingStream out = null;
            try (s) {
                if (readHead(s.getInputStream()) == null) {
                    return;
                }
                out = new CountingStream(s.getOutputStream());
                switch (fault) {
                    case RESET -> s.setSoLinger(true, 0); // close sends RST
                    case DRIP -> {
                        byte[] reply = reply(GOOD);
                        for (byte b : reply) {
                            out.write(b);
                            out.flush();
                            Thread.sleep(100);
                        }
                    }
                    case HUGE -> {
                        out.write(ascii("HTTP/1.1 200 OK\r\nContent-Length: " + HUGE_BYTES + "\r\n\r\n"));
                        byte[] chunk = filler(16 * 1024);
                        for (long sent = 0; sent < HUGE_BYTES; sent += chunk.length) {
                            out.write(chunk);
                        }
                    }
                    case ENDLESS -> {
                        out.write(ascii("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"));
                        byte[] chunk = filler(16 * 1024);
                        while (true) { // until the client hangs up
                            out.write(ascii(Integer.toHexString(chunk.length) + "\r\n"));
                            out.write(chunk);
                            out.write(ascii("\r\n"));
                        }
                    }
                    case UNSIZED -> {
                        out.write(ascii("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n"));
                        byte[] chunk = filler(16 * 1024);
                        while (true) { // the body would end with the connection: it never does
                            out.write(chunk);
                        }
                    }
                    case GARBAGE -> out.write(reply(GARBAGE));
                    case FLAP -> out.write(reply(n % 2 == 0 ? GOOD : GARBAGE));
                    case PEERS -> out.write(reply(MANY_PEERS_REPLY));
                }
                out.flush();
            } catch (IOException e) {
                // the client gave up (timeout, cap reached): expected
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                if (out != null) {
                    mostWritten.accumulateAndGet(out.written, Math::max);
                }
                open.decrementAndGet();
            }
        }

        /** A valid reply: interval 1800 and {@link #MANY_PEERS} distinct compact IPv4 peers. */
        private static byte[] manyPeers() {
            byte[] head = ascii("d8:intervali1800e5:peers" + MANY_PEERS * 6 + ":");
            ByteBuffer b = ByteBuffer.allocate(head.length + MANY_PEERS * 6 + 1).put(head);
            for (int i = 0; i < MANY_PEERS; i++) {
                b.putInt(0x0a000000 | i); // 10.0.0.0/8
                b.putShort((short) 6881);
            }
            return b.put((byte) 'e').array();
        }

        private static byte[] filler(int length) {
            byte[] chunk = new byte[length];
            Arrays.fill(chunk, (byte) 'x');
            return chunk;
        }

        private static byte[] reply(byte[] body) {
            byte[] head = ascii("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: " + body.length
                    + "\r\nConnection: close\r\n\r\n");
            byte[] all = Arrays.copyOf(head, head.length + body.length);
            System.arraycopy(body, 0, all, head.length, body.length);
            return all;
        }

        /** The request head, or null when the connection ends first (bounded at 16 KiB). */
        private static @Nullable String readHead(InputStream in) throws IOException {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            int c;
            while ((c = in.read()) >= 0 && b.size() < 16 * 1024) {
                b.write(c);
                byte[] a = b.toByteArray();
                int l = a.length;
                if (l >= 4 && a[l - 4] == '\r' && a[l - 3] == '\n' && a[l - 2] == '\r' && a[l - 1] == '\n') {
                    return new String(a, StandardCharsets.ISO_8859_1);
                }
            }
            return null;
        }

        private static byte[] ascii(String s) {
            return s.getBytes(StandardCharsets.ISO_8859_1);
        }

        @Override
        public void close() throws Exception {
            server.close();
            acceptor.join(2000);
            synchronized (sockets) {
                for (Socket s : sockets) {
                    s.close();
                }
            }
        }
    }

    /** Counts the bytes written through it. */
    private static final class CountingStream extends FilterOutputStream {
        long written;

        CountingStream(OutputStream out) {
            super(out);
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            written++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            written += len;
        }
    }
}
