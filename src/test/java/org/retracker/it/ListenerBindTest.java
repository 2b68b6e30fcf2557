package org.retracker.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.retracker.testing.TestServers;
import org.retracker.transport.LocalAddresses;
import org.retracker.transport.TrackerServer;

/**
 * The listeners share their port between event loops with {@code SO_REUSEPORT}, but never with
 * another process: a second tracker on a taken port must fail to start, not silently take half of
 * the clients.
 */
@ExtendWith(NettyLeakCheck.class)
class ListenerBindTest {
    private static final int LOOPS = 3;

    @Test
    void aSecondTrackerOnATakenUdpPortFailsToStart() throws Exception {
        try (TrackerServer first = start(null, Loopback.socket(Loopback.V4, 0), LOOPS)) {
            InetSocketAddress taken = first.udpAddress();
            assertThat(taken).isNotNull();
            assertThatThrownBy(() -> start(null, taken, LOOPS).close())
                    .isInstanceOf(TrackerServer.BindException.class)
                    .hasMessageStartingWith("cannot listen on UDP 127.0.0.1:" + taken.getPort() + ": ");
        }
    }

    /**
     * A UDP listener on a wildcard address also holds the port on each local address (a socket
     * group per address): a tracker on one of those addresses, or on the wildcard, still fails with
     * the usual message rather than joining either group.
     */
    @Test
    void aTrackerOnAPortAWildcardTrackerHoldsFailsToStart() throws Exception {
        try (TrackerServer first = start(null, Loopback.socket("0.0.0.0", 0), LOOPS)) {
            InetSocketAddress taken = first.udpAddress();
            assertThat(taken).isNotNull();
            assertThat(first.udpLocalAddresses()).contains(Loopback.address(Loopback.V4));
            int port = taken.getPort();
            assertThatThrownBy(() -> start(null, Loopback.socket(Loopback.V4, port), LOOPS)
                            .close())
                    .isInstanceOf(TrackerServer.BindException.class)
                    .hasMessageStartingWith("cannot listen on UDP 127.0.0.1:" + port + ": ");
            assertThatThrownBy(() ->
                            start(null, Loopback.socket("0.0.0.0", port), LOOPS).close())
                    .isInstanceOf(TrackerServer.BindException.class)
                    .hasMessageStartingWith("cannot listen on UDP :" + port + ": ");
        }
    }

    @Test
    void aWildcardTrackerOnAPortATrackerHoldsOnOneAddressFailsToStart() throws Exception {
        try (TrackerServer first = start(null, Loopback.socket(Loopback.V4_OTHER, 0), LOOPS)) {
            InetSocketAddress taken = first.udpAddress();
            assertThat(taken).isNotNull();
            assertThatThrownBy(() -> start(null, Loopback.socket("0.0.0.0", taken.getPort()), LOOPS)
                            .close())
                    .isInstanceOf(TrackerServer.BindException.class)
                    .hasMessageStartingWith("cannot listen on UDP :" + taken.getPort() + ": ");
        }
    }

    @Test
    void aSecondTrackerOnATakenHttpPortFailsToStart() throws Exception {
        try (TrackerServer first = start(Loopback.socket(Loopback.V4, 0), null, LOOPS)) {
            InetSocketAddress taken = first.httpAddress();
            assertThat(taken).isNotNull();
            assertThatThrownBy(() -> start(taken, null, LOOPS).close())
                    .isInstanceOf(TrackerServer.BindException.class)
                    .hasMessageStartingWith("cannot listen on HTTP 127.0.0.1:" + taken.getPort() + ": ");
        }
    }

    @Test
    void everySocketOfTheGroupAnswersOnTheOnePort() throws Exception {
        try (TrackerServer server = start(Loopback.socket(Loopback.V4, 0), Loopback.socket(Loopback.V4, 0), LOOPS)) {
            InetSocketAddress udp = server.udpAddress();
            InetSocketAddress http = server.httpAddress();
            assertThat(udp).isNotNull();
            assertThat(http).isNotNull();
            // The kernel hashes each source port to one of the sockets; many sources reach them all.
            List<Long> ids = new ArrayList<>();
            for (int i = 0; i < 24; i++) {
                try (UdpTrackerClient client = new UdpTrackerClient(udp, Loopback.address(Loopback.V4))) {
                    ids.add(client.connect());
                }
                HttpReply reply = new HttpTrackerClient(http, Loopback.address(Loopback.V4)).get("/favicon.ico");
                assertThat(reply.status()).isEqualTo(200);
            }
            assertThat(ids).hasSize(24);
        }
    }

    private static TrackerServer start(@Nullable InetSocketAddress http, @Nullable InetSocketAddress udp, int loops)
            throws InterruptedException {
        return TestServers.start(http, udp, loops, LocalAddresses.host());
    }
}
