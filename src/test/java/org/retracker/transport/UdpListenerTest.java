package org.retracker.transport;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.retracker.testing.TestServers;

/**
 * Which local addresses a UDP listener on a wildcard address gives sockets of their own: unicast,
 * not link-local, each once, at most {@link UdpListener#MAX_ADDRESS_GROUPS}, and those already
 * bound keep theirs. Real sockets on 127.0.0.0/8, which Linux serves on {@code lo}.
 */
@Timeout(20)
class UdpListenerTest {
    private static final InetAddress LOOPBACK = address("127.0.0.1");

    @Test
    void onlyUnicastAddressesThatAreNotLinkLocalGetSocketsEachOnce() throws Exception {
        List<InetAddress> host = List.of(
                address("127.0.0.1"),
                address("169.254.7.7"), // IPv4 link-local
                address("fe80::1"), //     IPv6 link-local
                address("224.0.0.1"), //   multicast
                address("0.0.0.0"), //     wildcard
                address("127.0.0.1"), //   listed twice (e.g. on two interfaces)
                address("::1"));
        try (TrackerServer server = start(() -> host)) {
            assertThat(server.udpLocalAddresses()).containsExactly(address("127.0.0.1"), address("::1"));
        }
    }

    /**
     * Past the cap the wildcard sockets answer, from the routed address; an address that loses its
     * sockets is replaced by the next one listed, and the others keep theirs.
     */
    @Test
    void atMostTheCapOfAddressesGetSocketsAndTheRestAreAnsweredByTheWildcard() throws Exception {
        List<InetAddress> host = new CopyOnWriteArrayList<>();
        for (int i = 1; i <= UdpListener.MAX_ADDRESS_GROUPS + 2; i++) {
            host.add(address("127.0.1." + i));
        }
        try (TrackerServer server = start(() -> List.copyOf(host))) {
            assertThat(server.udpLocalAddresses()).isEqualTo(host.subList(0, UdpListener.MAX_ADDRESS_GROUPS));
            InetSocketAddress listener = server.udpAddress();
            assertThat(listener).isNotNull();
            int port = listener.getPort();
            InetAddress first = host.get(0);
            InetAddress beyond = host.get(UdpListener.MAX_ADDRESS_GROUPS);
            assertThat(connectReplySource(new InetSocketAddress(first, port))).isEqualTo(first);
            assertThat(connectReplySource(new InetSocketAddress(beyond, port)))
                    .as("beyond the cap: the route's address")
                    .isEqualTo(LOOPBACK);

            host.remove(first);
            server.rescanLocalAddresses();
            List<InetAddress> expected = new ArrayList<>(host.subList(0, UdpListener.MAX_ADDRESS_GROUPS));
            assertThat(server.udpLocalAddresses()).isEqualTo(expected);
            assertThat(connectReplySource(new InetSocketAddress(beyond, port))).isEqualTo(beyond);
        }
    }

    private static TrackerServer start(LocalAddresses addresses) throws InterruptedException {
        return TestServers.start(null, new InetSocketAddress(address("0.0.0.0"), 0), 1, addresses);
    }

    /** Sends a BEP 15 connect to {@code to} from 127.0.0.1 and returns the address the reply came from. */
    private static InetAddress connectReplySource(InetSocketAddress to) throws IOException {
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0))) {
            socket.setSoTimeout(5_000);
            byte[] connect = ByteBuffer.allocate(16)
                    .putLong(0x41727101980L) // 0 protocol id
                    .putInt(0) //               8 action: connect
                    .putInt(9) //              12 transaction id
                    .array();
            socket.send(new DatagramPacket(connect, connect.length, to));
            DatagramPacket reply = new DatagramPacket(new byte[64], 64);
            socket.receive(reply);
            assertThat(reply.getLength()).isEqualTo(16);
            return reply.getAddress();
        }
    }

    private static InetAddress address(String literal) {
        try {
            return InetAddress.getByName(literal); // a literal: no lookup
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(literal, e);
        }
    }
}
