package org.retracker.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A BEP 15 client on its own {@link DatagramSocket}, bound to one loopback address. Every receive
 * has a bounded timeout; replies are checked for the action and transaction id they must echo.
 */
final class UdpTrackerClient implements AutoCloseable {
    static final Duration TIMEOUT = Duration.ofSeconds(5);
    /** How long "no reply" is waited for: loopback answers in well under a millisecond. */
    static final Duration NO_REPLY = Duration.ofMillis(500);

    static final long PROTOCOL_ID = 0x41727101980L;
    static final int CONNECT = 0;
    static final int ANNOUNCE = 1;
    static final int SCRAPE = 2;
    static final int ERROR = 3;

    private final DatagramSocket socket;
    private final InetSocketAddress server;

    UdpTrackerClient(InetSocketAddress server, InetAddress bind) {
        this(server, bind, false);
    }

    private UdpTrackerClient(InetSocketAddress server, InetAddress bind, boolean connected) {
        this.server = server;
        try {
            this.socket = new DatagramSocket(new InetSocketAddress(bind, 0));
            socket.setSoTimeout((int) TIMEOUT.toMillis());
            if (connected) {
                socket.connect(server);
            }
        } catch (SocketException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A client whose socket is {@code connect()}ed to {@code server}, as libtorrent's is: the kernel
     * then drops every datagram from any other source, so a reply that leaves the tracker from
     * another of its addresses never arrives.
     */
    static UdpTrackerClient connectedTo(InetSocketAddress server, InetAddress bind) {
        return new UdpTrackerClient(server, bind, true);
    }

    /** A decoded datagram: action, transaction id and the bytes after them. */
    @SuppressWarnings("ArrayRecordComponent") // a value to read, never compared or hashed as a whole
    record Reply(int action, int transactionId, byte[] payload, int length) {
        static Reply parse(byte[] datagram) {
            assertThat(datagram.length).as("reply length").isGreaterThanOrEqualTo(8);
            ByteBuffer b = ByteBuffer.wrap(datagram);
            return new Reply(b.getInt(), b.getInt(), Arrays.copyOfRange(datagram, 8, datagram.length), datagram.length);
        }

        String errorMessage() {
            assertThat(action).as("action of an error reply").isEqualTo(ERROR);
            return new String(payload, StandardCharsets.UTF_8);
        }
    }

    /**
     * An announce reply.
     *
     * @param length the whole datagram's size in bytes
     */
    record AnnounceReply(int interval, int leechers, int seeders, List<InetSocketAddress> peers, int length) {}

    static int transactionId() {
        return ThreadLocalRandom.current().nextInt();
    }

    /** BEP 15 connect; returns the connection id. */
    long connect() {
        int tx = transactionId();
        Reply r = exchange(ByteBuffer.allocate(16)
                .putLong(PROTOCOL_ID) // 0 protocol id
                .putInt(CONNECT) //      8 action
                .putInt(tx) //          12 transaction id
                .array());
        assertThat(r.action()).as("connect reply action").isEqualTo(CONNECT);
        assertThat(r.transactionId()).isEqualTo(tx);
        assertThat(r.length()).isEqualTo(16);
        return ByteBuffer.wrap(r.payload()).getLong();
    }

    /** Announces and checks the reply is an announce reply (not an error) for this transaction. */
    AnnounceReply announce(long connectionId, Announce a, byte... options) {
        int tx = transactionId();
        Reply r = exchange(a.udpPacket(connectionId, tx, options));
        if (r.action() == ERROR) {
            throw new AssertionError("tracker error: " + r.errorMessage());
        }
        assertThat(r.action()).as("announce reply action").isEqualTo(ANNOUNCE);
        assertThat(r.transactionId()).isEqualTo(tx);
        ByteBuffer b = ByteBuffer.wrap(r.payload());
        int interval = b.getInt();
        int leechers = b.getInt();
        int seeders = b.getInt();
        byte[] peers = new byte[b.remaining()];
        b.get(peers);
        // BEP 15: the reply carries peers of the family the request came over.
        int peerBytes = server.getAddress() instanceof Inet6Address ? 18 : 6;
        return new AnnounceReply(interval, leechers, seeders, Peers.compact(peers, peerBytes), r.length());
    }

    /** Scrapes and returns the counts in request order. */
    List<ScrapeCounts> scrape(long connectionId, byte[]... hashes) {
        int tx = transactionId();
        ByteBuffer req = ByteBuffer.allocate(16 + 20 * hashes.length)
                .putLong(connectionId)
                .putInt(SCRAPE)
                .putInt(tx);
        for (byte[] h : hashes) {
            req.put(h);
        }
        Reply r = exchange(req.array());
        if (r.action() == ERROR) {
            throw new AssertionError("tracker error: " + r.errorMessage());
        }
        assertThat(r.action()).as("scrape reply action").isEqualTo(SCRAPE);
        assertThat(r.transactionId()).isEqualTo(tx);
        assertThat(r.length()).isEqualTo(8 + 12 * hashes.length);
        ByteBuffer b = ByteBuffer.wrap(r.payload());
        List<ScrapeCounts> out = new ArrayList<>();
        for (int i = 0; i < hashes.length; i++) {
            int seeders = b.getInt();
            int completed = b.getInt();
            int leechers = b.getInt();
            out.add(new ScrapeCounts(seeders, completed, leechers));
        }
        return out;
    }

    Reply exchange(byte[] request) {
        send(request);
        return Reply.parse(receive());
    }

    void send(byte[] datagram) {
        try {
            socket.send(new DatagramPacket(datagram, datagram.length, server));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The next datagram from the tracker, within {@link #TIMEOUT}. */
    byte[] receive() {
        byte[] buf = new byte[65536];
        DatagramPacket p = new DatagramPacket(buf, buf.length);
        try {
            socket.receive(p);
        } catch (SocketTimeoutException e) {
            throw new AssertionError("no reply from " + server + " within " + TIMEOUT, e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        assertThat(p.getSocketAddress()).as("reply source").isEqualTo(server);
        return Arrays.copyOf(buf, p.getLength());
    }

    /** True when no datagram arrives within {@link #NO_REPLY}; fails if one does. */
    boolean receivesNothing() {
        byte[] buf = new byte[65536];
        DatagramPacket p = new DatagramPacket(buf, buf.length);
        try {
            socket.setSoTimeout((int) NO_REPLY.toMillis());
            try {
                socket.receive(p);
                throw new AssertionError("unexpected " + p.getLength() + "-byte reply");
            } catch (SocketTimeoutException expected) {
                return true;
            } finally {
                socket.setSoTimeout((int) TIMEOUT.toMillis());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    InetSocketAddress localAddress() {
        return (InetSocketAddress) socket.getLocalSocketAddress();
    }

    @Override
    public void close() {
        socket.close();
    }
}
