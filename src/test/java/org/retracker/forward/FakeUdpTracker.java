package org.retracker.forward;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;
import org.jspecify.annotations.Nullable;

/**
 * A hand-written BEP 15 tracker on one loopback {@link DatagramSocket}, for the client's tests. It
 * records every datagram it receives and answers as the test sets it up: correctly, after dropping
 * some datagrams, never, with a wrong transaction id or from another port first, with an error,
 * with garbage. Connection ids are issued 0x1000, 0x1001, ... and checked on announce.
 */
final class FakeUdpTracker implements AutoCloseable {
    static final long PROTOCOL_ID = 0x41727101980L;

    /** One datagram the tracker received. */
    @SuppressWarnings("ArrayRecordComponent") // read field by field, never compared whole
    record Datagram(byte[] bytes, InetSocketAddress from) {
        long connectionId() {
            return ByteBuffer.wrap(bytes).getLong(0);
        }

        int action() {
            return ByteBuffer.wrap(bytes).getInt(8);
        }

        int transactionId() {
            return ByteBuffer.wrap(bytes).getInt(12);
        }

        boolean isConnect() {
            return bytes.length >= 16 && connectionId() == PROTOCOL_ID && action() == 0;
        }

        boolean isAnnounce() {
            return bytes.length >= 98 && action() == 1;
        }
    }

    private final DatagramSocket socket;
    private final DatagramSocket otherPort;
    private final InstantSource clock;
    private final Thread thread;
    private final List<Datagram> received = new CopyOnWriteArrayList<>();
    private final AtomicLong nextId = new AtomicLong(0x1000);
    private final Map<Long, Long> issuedAtMillis = new ConcurrentHashMap<>();

    /** Connects to drop (not answer) before answering. */
    final AtomicInteger dropConnects = new AtomicInteger();
    /** Announces to drop (not answer) before answering. */
    final AtomicInteger dropAnnounces = new AtomicInteger();
    /** Answer nothing at all. */
    volatile boolean silent;
    /** Before each announce reply, send one with the transaction id plus one. */
    volatile boolean wrongTransactionIdFirst;
    /** Before each announce reply, send the same reply from another port. */
    volatile boolean otherPortFirst;
    /** Datagrams sent before each announce reply. */
    volatile List<byte[]> garbageFirst = List.of();
    /** Replaces the announce reply: given the transaction id, the datagram to send. */
    volatile @Nullable IntFunction<byte[]> announceReply;
    /** Answers every announce with this error message. */
    volatile @Nullable String refuseAnnounces;
    /** Connection ids older than this get an error, as a strict tracker would; null: never. */
    volatile @Nullable Duration idLifetime;

    volatile int interval = 1800;
    volatile int leechers = 5;
    volatile int seeders = 3;
    /** Compact peers in the reply: 6 bytes each for an IPv4 tracker, 18 for IPv6. */
    volatile byte[] peers = new byte[0];

    FakeUdpTracker(InetAddress address, InstantSource clock) {
        this.clock = clock;
        try {
            this.socket = new DatagramSocket(new InetSocketAddress(address, 0));
            this.otherPort = new DatagramSocket(new InetSocketAddress(address, 0));
        } catch (SocketException e) {
            throw new UncheckedIOException(e);
        }
        this.thread = Thread.ofPlatform().daemon().name("fake-udp-tracker").start(this::serve);
    }

    InetSocketAddress address() {
        return (InetSocketAddress) socket.getLocalSocketAddress();
    }

    /** {@code udp://host:port/announce}, with brackets around an IPv6 literal. */
    URI uri() {
        String host = address().getAddress().getHostAddress();
        if (host.indexOf(':') >= 0) {
            host = "[" + host.replaceAll("%.*", "") + "]";
        }
        return URI.create("udp://" + host + ":" + address().getPort() + "/announce");
    }

    List<Datagram> received() {
        return List.copyOf(received);
    }

    List<Datagram> connects() {
        return received.stream().filter(Datagram::isConnect).toList();
    }

    List<Datagram> announces() {
        return received.stream().filter(Datagram::isAnnounce).toList();
    }

    /** Connects, each transaction once (resends left out), in arrival order. */
    List<Datagram> connectRequests() {
        return firstOfEachTransaction(connects());
    }

    /** Announces, each transaction once (resends left out), in arrival order. */
    List<Datagram> announceRequests() {
        return firstOfEachTransaction(announces());
    }

    private static List<Datagram> firstOfEachTransaction(List<Datagram> all) {
        Map<Integer, Datagram> first = new LinkedHashMap<>();
        for (Datagram d : all) {
            first.putIfAbsent(d.transactionId(), d);
        }
        return List.copyOf(first.values());
    }

    /** Sends a datagram to {@code to} from the tracker's port. */
    void sendTo(InetSocketAddress to, byte[] datagram) {
        send(socket, to, datagram);
    }

    private void serve() {
        byte[] buf = new byte[65536];
        while (!socket.isClosed()) {
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            try {
                socket.receive(p);
            } catch (IOException e) {
                return; // closed
            }
            Datagram d = new Datagram(Arrays.copyOf(buf, p.getLength()), (InetSocketAddress) p.getSocketAddress());
            received.add(d);
            if (!silent) {
                answer(d);
            }
        }
    }

    private void answer(Datagram d) {
        if (d.isConnect()) {
            if (takeOne(dropConnects)) {
                return;
            }
            long id = nextId.getAndIncrement();
            issuedAtMillis.put(id, clock.millis());
            send(
                    socket,
                    d.from(),
                    ByteBuffer.allocate(16)
                            .putInt(0) // action: connect
                            .putInt(d.transactionId())
                            .putLong(id)
                            .array());
        } else if (d.isAnnounce()) {
            if (takeOne(dropAnnounces)) {
                return;
            }
            Long issued = issuedAtMillis.get(d.connectionId());
            Duration lifetime = idLifetime;
            String refusal = refuseAnnounces;
            if (issued == null) {
                send(socket, d.from(), error(d.transactionId(), "unknown connection id"));
            } else if (lifetime != null && clock.millis() - issued > lifetime.toMillis()) {
                send(socket, d.from(), error(d.transactionId(), "connection id expired"));
            } else if (refusal != null) {
                send(socket, d.from(), error(d.transactionId(), refusal));
            } else {
                announceReply(d);
            }
        }
    }

    private void announceReply(Datagram d) {
        int tx = d.transactionId();
        for (byte[] g : garbageFirst) {
            send(socket, d.from(), g);
        }
        if (wrongTransactionIdFirst) {
            send(socket, d.from(), announce(tx + 1));
        }
        if (otherPortFirst) {
            send(otherPort, d.from(), announce(tx));
        }
        IntFunction<byte[]> override = announceReply;
        send(socket, d.from(), override != null ? override.apply(tx) : announce(tx));
    }

    byte[] announce(int transactionId) {
        byte[] p = peers;
        return ByteBuffer.allocate(20 + p.length)
                .putInt(1) // action: announce
                .putInt(transactionId)
                .putInt(interval)
                .putInt(leechers)
                .putInt(seeders)
                .put(p)
                .array();
    }

    static byte[] error(int transactionId, String message) {
        byte[] text = message.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(8 + text.length)
                .putInt(3) // action: error
                .putInt(transactionId)
                .put(text)
                .array();
    }

    private static boolean takeOne(AtomicInteger counter) {
        return counter.getAndUpdate(n -> Math.max(0, n - 1)) > 0;
    }

    private static void send(DatagramSocket from, InetSocketAddress to, byte[] datagram) {
        try {
            from.send(new DatagramPacket(datagram, datagram.length, to));
        } catch (IOException e) {
            // the socket is closing: the test is over
        }
    }

    @Override
    public void close() throws InterruptedException {
        socket.close();
        otherPort.close();
        thread.join(1000);
    }
}
