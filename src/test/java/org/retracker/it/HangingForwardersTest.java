package org.retracker.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.retracker.forward.ForwarderSpec;
import org.retracker.forward.ForwardingOptions;
import org.retracker.forward.ForwardingService;
import org.retracker.forward.UpstreamClients;
import org.retracker.testing.BlockedThreads;
import org.retracker.testing.PairedLatency;

/**
 * A client's announce is never held up by forwarding: with every forwarder hanging (HTTP servers
 * that accept and never answer, UDP trackers that never reply), announce latency through retracker
 * matches a tracker without forwarders ({@link PairedLatency}: alternately, request by request, over
 * one keep-alive connection each), no tracker thread waits on a forwarder ({@link BlockedThreads}),
 * and what the hanging announces hold stays within the worker slots and the bounded queue.
 */
class HangingForwardersTest {
    private static final int WARM_UP = 200;
    private static final int MEASURED = 600;

    @Test
    void announceLatencyIsUnchangedWhileEveryForwarderHangs() throws Exception {
        try (HangingHttpServer hanging = new HangingHttpServer();
                DatagramSocket blackHole = new DatagramSocket(Loopback.socket(Loopback.V4, 0));
                UpstreamClients clients = new UpstreamClients(ForwardingOptions.DEFAULT_TIMEOUT_SECONDS)) {
            List<ForwarderSpec> specs = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                specs.add(spec("http-" + i, "http://127.0.0.1:" + hanging.port() + "/announce" + i));
                specs.add(spec("udp-" + i, "udp://127.0.0.1:" + blackHole.getLocalPort() + "/announce" + i));
            }
            ForwardingOptions options = ForwardingOptions.defaults(3600);
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
                    // Every announce opens a new swarm: a first announce, sent to all eight forwarders.
                    latency = PairedLatency.measure(WARM_UP, MEASURED, i -> ok(a, target(i)), i -> {
                        ok(b, target(i));
                        ForwardingService.QueueState q = service.queueState();
                        deepest[0] = Math.max(deepest[0], q.depth());
                        deepest[1] = Math.max(deepest[1], q.inFlight());
                    });
                } finally {
                    watch.close();
                }
                // two trackers' event loops, the forwarding thread, the upstream loops
                assertThat(watch.watchedThreads()).as("threads watched").isGreaterThanOrEqualTo(4);
                assertThat(watch.findings())
                        .as("threads blocked while forwarders hang")
                        .isEmpty();

                assertThat(service.inFlight())
                        .as("the forwarders were really asked, and hang")
                        .isPositive();
                // Hanging forwarders hold no more than the worker slots: announces in flight, and the
                // connections they opened, stay within them; the rest waits in the bounded queue.
                assertThat(deepest[1]).as("announces in flight").isLessThanOrEqualTo(options.maxWorkers());
                assertThat(hanging.accepted())
                        .as("connections to the hanging server")
                        .isPositive();
                assertThat(hanging.accepted()).isLessThanOrEqualTo(options.maxWorkers());
                assertThat(deepest[0]).as("queue depth").isPositive().isLessThanOrEqualTo(options.queueSize());
                // Within noise: a loopback round trip is tens of microseconds, a blocked client would be seconds.
                assertThat(latency.subject(50))
                        .as(latency.toString())
                        .isLessThanOrEqualTo(2 * latency.baseline(50) + 1_000_000);
                assertThat(latency.subject(99))
                        .as(latency.toString())
                        .isLessThanOrEqualTo(3 * latency.baseline(99) + 10_000_000);
            }
        }
    }

    private static String target(int i) {
        return Announce.peer(Ids.infoHash(10_000 + i), 6881).httpTarget();
    }

    private static void ok(HttpConnection c, String target) {
        assertThat(c.get(target).status()).isEqualTo(200);
    }

    private static ForwarderSpec spec(String name, String uri) {
        URI u = URI.create(uri);
        ForwarderSpec.Scheme scheme =
                u.getScheme().equals("udp") ? ForwarderSpec.Scheme.UDP : ForwarderSpec.Scheme.HTTP;
        return new ForwarderSpec(name, u, scheme, null, null);
    }

    /** Accepts connections and never answers; closes them all on close. */
    private static final class HangingHttpServer implements AutoCloseable {
        private final ServerSocket server;
        private final List<Socket> held = new ArrayList<>();
        private final Thread acceptor;

        HangingHttpServer() throws IOException {
            server = new ServerSocket();
            server.bind(new InetSocketAddress(Loopback.address(Loopback.V4), 0), 1024);
            acceptor = new Thread(this::acceptAll, "hanging-http");
            acceptor.setDaemon(true);
            acceptor.start();
        }

        private void acceptAll() {
            while (!server.isClosed()) {
                try {
                    Socket s = server.accept();
                    synchronized (held) {
                        held.add(s);
                    }
                } catch (IOException e) {
                    return;
                }
            }
        }

        int port() {
            return server.getLocalPort();
        }

        int accepted() {
            synchronized (held) {
                return held.size();
            }
        }

        @Override
        public void close() throws Exception {
            server.close();
            acceptor.join(2000);
            synchronized (held) {
                for (Socket s : held) {
                    s.close();
                }
            }
        }
    }
}
