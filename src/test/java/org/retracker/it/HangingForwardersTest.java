package org.retracker.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.retracker.forward.ForwarderSpec;
import org.retracker.forward.ForwardingOptions;
import org.retracker.forward.UpstreamClients;

/**
 * A client's announce is never held up by forwarding: with every forwarder hanging (HTTP servers
 * that accept and never answer, UDP trackers that never reply), announce latency through retracker
 * matches a tracker without forwarders. The two trackers are measured alternately, request by
 * request, over one keep-alive connection each, so machine noise hits both alike.
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
                long[] plainNanos = new long[MEASURED];
                long[] forwardingNanos = new long[MEASURED];
                for (int i = 0; i < WARM_UP + MEASURED; i++) {
                    // Every announce opens a new swarm: a first announce, sent to all eight forwarders.
                    String target =
                            Announce.peer(Ids.infoHash(10_000 + i), 6881).httpTarget();
                    long p = timed(a, target);
                    long f = timed(b, target);
                    if (i >= WARM_UP) {
                        plainNanos[i - WARM_UP] = p;
                        forwardingNanos[i - WARM_UP] = f;
                    }
                }

                assertThat(forwarding.forwarding().inFlight())
                        .as("the forwarders were really asked, and hang")
                        .isPositive();
                assertThat(hanging.accepted()).isPositive();
                Arrays.sort(plainNanos);
                Arrays.sort(forwardingNanos);
                long p50 = plainNanos[MEASURED / 2];
                long f50 = forwardingNanos[MEASURED / 2];
                long p99 = plainNanos[MEASURED * 99 / 100];
                long f99 = forwardingNanos[MEASURED * 99 / 100];
                String numbers = "median " + micros(f50) + " vs " + micros(p50) + " µs, p99 " + micros(f99) + " vs "
                        + micros(p99) + " µs";
                // Within noise: a loopback round trip is tens of microseconds, a blocked client would be seconds.
                assertThat(f50).as(numbers).isLessThanOrEqualTo(2 * p50 + 1_000_000);
                assertThat(f99).as(numbers).isLessThanOrEqualTo(3 * p99 + 10_000_000);
            }
        }
    }

    private static long timed(HttpConnection c, String target) {
        long start = System.nanoTime();
        HttpReply reply = c.get(target);
        long nanos = System.nanoTime() - start;
        assertThat(reply.status()).isEqualTo(200);
        return nanos;
    }

    private static long micros(long nanos) {
        return nanos / 1000;
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
