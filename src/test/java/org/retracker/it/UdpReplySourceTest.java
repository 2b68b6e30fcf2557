package org.retracker.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A UDP listener on a wildcard address ({@code -u :6969}, the default) answers every request from
 * the address the request was sent to. BitTorrent clients {@code connect()} their UDP socket to the
 * tracker (libtorrent does), so a reply from any other of the host's addresses never reaches them.
 * Each client here is such a connected socket, and it sends from a loopback address to another of
 * the host's addresses, where the kernel's routing alone would pick the wrong source.
 */
class UdpReplySourceTest extends LoopbackTrackerTest {
    private static final byte[] HASH = Ids.infoHash(90);
    private static final InetAddress V4 = Loopback.address(Loopback.V4);
    private static final InetAddress V4_OTHER = Loopback.address(Loopback.V4_OTHER);
    private static final InetAddress V6 = Loopback.address(Loopback.V6);

    /**
     * Every address the host has (every one {@code ip addr} lists on an interface that is up, but
     * link-local ones) answers from itself. On a host with only loopback addresses this proves
     * little; the tests on 127.0.0.2 below do not depend on the host.
     */
    @ParameterizedTest
    @ValueSource(strings = {"0.0.0.0", "::"})
    void everyAddressOfTheHostAnswersFromItself(String wildcard) throws SocketException {
        TestTracker t = start(wildcard);
        InetSocketAddress listener = t.udpAddress(wildcard);
        assertThat(listener.getAddress().isAnyLocalAddress()).isTrue();
        boolean dualStack = listener.getAddress() instanceof Inet6Address;
        List<InetAddress> targets = hostAddresses(dualStack);
        assertThat(targets).contains(V4);

        for (InetAddress target : targets) {
            InetAddress from = target instanceof Inet4Address ? V4 : V6;
            InetSocketAddress to = new InetSocketAddress(target, listener.getPort());
            try (UdpTrackerClient udp = UdpTrackerClient.connectedTo(to, from)) {
                long id = udp.connect();
                assertThat(udp.announce(id, Announce.peer(HASH, 7001)).interval())
                        .as("announce to " + target)
                        .isPositive();
            }
        }
    }

    /**
     * 127.0.0.2 is served by {@code lo} (Linux routes all of 127/8 there) but not listed on it, so
     * here the tracker is told it is one of the host's addresses, as a secondary address would be.
     */
    @ParameterizedTest
    @ValueSource(strings = {"0.0.0.0", "::"})
    void aSecondaryAddressIsAnsweredFromItself(String wildcard) {
        TestTracker t = start(TestTracker.on(wildcard).localAddresses(() -> List.of(V4, V4_OTHER, V6)));
        InetSocketAddress to =
                new InetSocketAddress(V4_OTHER, t.udpAddress(wildcard).getPort());

        try (UdpTrackerClient udp = UdpTrackerClient.connectedTo(to, V4)) {
            long id = udp.connect();
            assertThat(udp.announce(id, Announce.peer(HASH, 7001)).interval()).isPositive();
            assertThat(udp.scrape(id, HASH)).containsExactly(new ScrapeCounts(0, 0, 1));
        }
        assertThat(t.server().udpLocalAddresses()).contains(V4, V4_OTHER);
    }

    /**
     * An address the host gains after start is answered from itself once the listener has looked
     * again (every few seconds and on SIGHUP); until then the wildcard sockets answer it, from the
     * address of the route back. An address gone has its sockets closed.
     */
    @Test
    void anAddressAddedLaterIsAnsweredFromItselfAfterARescanAndReleasedWhenGone() throws Exception {
        InetAddress third = Loopback.address("127.0.0.3");
        List<InetAddress> addresses = new CopyOnWriteArrayList<>(List.of(V4));
        TestTracker t = start(TestTracker.on("::").localAddresses(() -> List.copyOf(addresses)));
        int port = t.udpAddress("::").getPort();
        InetSocketAddress to = new InetSocketAddress(third, port);
        assertThat(sourceOfConnectReply(to, V4)).as("before the rescan").isEqualTo(new InetSocketAddress(V4, port));

        addresses.add(third);
        t.server().rescanLocalAddresses();
        try (UdpTrackerClient udp = UdpTrackerClient.connectedTo(to, V4)) {
            assertThat(udp.announce(udp.connect(), Announce.peer(HASH, 7001)).interval())
                    .isPositive();
        }
        assertThat(t.server().udpLocalAddresses()).containsExactly(V4, third);

        addresses.remove(third);
        t.server().rescanLocalAddresses();
        assertThat(t.server().udpLocalAddresses()).containsExactly(V4);
        assertThat(sourceOfConnectReply(to, V4)).as("after it is gone").isEqualTo(new InetSocketAddress(V4, port));
    }

    /** When the host's addresses cannot be read, the sockets bound so far stay and keep answering. */
    @Test
    void aFailedLookKeepsTheSocketsBoundSoFar() throws Exception {
        AtomicBoolean fail = new AtomicBoolean();
        TestTracker t = start(TestTracker.on("::").localAddresses(() -> {
            if (fail.get()) {
                throw new SocketException("netlink said no");
            }
            return List.of(V4, V4_OTHER);
        }));
        fail.set(true);
        t.server().rescanLocalAddresses();

        assertThat(t.server().udpLocalAddresses()).containsExactly(V4, V4_OTHER);
        InetSocketAddress to =
                new InetSocketAddress(V4_OTHER, t.udpAddress("::").getPort());
        try (UdpTrackerClient udp = UdpTrackerClient.connectedTo(to, V4)) {
            assertThat(udp.connect()).isNotZero();
        }
    }

    /** A listener on a specific address has no sockets elsewhere, whatever the host's addresses. */
    @Test
    void aListenerOnASpecificAddressBindsNothingElse() throws Exception {
        TestTracker t = start(TestTracker.on(Loopback.V4).localAddresses(() -> List.of(V4, V4_OTHER)));
        t.server().rescanLocalAddresses();
        assertThat(t.server().udpLocalAddresses()).isEmpty();
    }

    /** The source address of the reply to a connect sent to {@code to} from an unconnected socket. */
    private static InetSocketAddress sourceOfConnectReply(InetSocketAddress to, InetAddress from) throws IOException {
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(from, 0))) {
            socket.setSoTimeout((int) UdpTrackerClient.TIMEOUT.toMillis());
            byte[] connect = ByteBuffer.allocate(16)
                    .putLong(UdpTrackerClient.PROTOCOL_ID) // 0 protocol id
                    .putInt(UdpTrackerClient.CONNECT) //      8 action
                    .putInt(1) //                            12 transaction id
                    .array();
            socket.send(new DatagramPacket(connect, connect.length, to));
            DatagramPacket reply = new DatagramPacket(new byte[64], 64);
            socket.receive(reply);
            assertThat(reply.getLength()).as("connect reply length").isEqualTo(16);
            return (InetSocketAddress) reply.getSocketAddress();
        }
    }

    /** The host's unicast addresses on interfaces that are up, without link-local ones. */
    private static List<InetAddress> hostAddresses(boolean withIpv6) throws SocketException {
        List<InetAddress> out = new ArrayList<>();
        for (NetworkInterface ni : NetworkInterface.networkInterfaces().toList()) {
            if (!ni.isUp()) {
                continue;
            }
            for (InetAddress a : ni.inetAddresses().toList()) {
                if (!a.isLinkLocalAddress() && (withIpv6 || a instanceof Inet4Address)) {
                    out.add(a);
                }
            }
        }
        return out;
    }
}
