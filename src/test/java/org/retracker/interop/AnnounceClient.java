package org.retracker.interop;

import com.dampcake.bencode.Bencode;
import com.dampcake.bencode.Type;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.jspecify.annotations.Nullable;

/**
 * Announces one peer straight to an external tracker (opentracker) from a test, over HTTP (a
 * {@code compact=1} GET, as every real client sends: opentracker answers {@code compact=0} with a
 * 400) or UDP (BEP 15 connect, then announce). The socket is bound to {@code bind}: trackers take
 * the peer's address from the source of the request, so two peers on one host differ by address or
 * by announced port.
 *
 * <p>Every exchange is bounded: {@link #TIMEOUT} per HTTP request, {@link #UDP_ATTEMPTS} tries of
 * {@link #UDP_WAIT} per UDP datagram.
 */
final class AnnounceClient {
    static final Duration TIMEOUT = Duration.ofSeconds(5);
    static final Duration UDP_WAIT = Duration.ofSeconds(1);
    static final int UDP_ATTEMPTS = 3;

    private static final long PROTOCOL_ID = 0x41727101980L;
    private static final int CONNECT = 0;
    private static final int ANNOUNCE = 1;
    private static final int ERROR = 3;
    /**
     * The {@link Reply#failure} of a UDP announce reply too short to hold interval and counts:
     * opentracker refuses a hash off its whitelist over UDP with the 8-byte header of an announce
     * reply, not with a BEP 15 error.
     */
    static final String TRUNCATED = "truncated announce reply";

    private static final Bencode BENCODE = new Bencode(StandardCharsets.ISO_8859_1, true);

    /** BEP 3 events, with their BEP 15 codes. */
    enum Event {
        NONE("", 0),
        COMPLETED("completed", 1),
        STARTED("started", 2),
        STOPPED("stopped", 3);

        final String http;
        final int udp;

        Event(String http, int udp) {
            this.http = http;
            this.udp = udp;
        }
    }

    /** What one peer announces: it listens on {@code port} at the address it announces from. */
    @SuppressWarnings("ArrayRecordComponent") // values to send, never compared or hashed
    record Request(byte[] infoHash, byte[] peerId, int port, long left, Event event) {
        Request {
            if (infoHash.length != 20 || peerId.length != 20) {
                throw new IllegalArgumentException("info hash and peer id are 20 bytes each");
            }
        }

        /** A leecher with bytes left, its peer id derived from {@code port}. */
        static Request leecher(byte[] infoHash, int port) {
            return new Request(infoHash, AnnounceClient.peerId(port), port, 1000, Event.STARTED);
        }

        /** A seeder (nothing left), its peer id derived from {@code port}. */
        static Request seeder(byte[] infoHash, int port) {
            return new Request(infoHash, AnnounceClient.peerId(port), port, 0, Event.STARTED);
        }

        Request event(Event e) {
            return new Request(infoHash, peerId, port, left, e);
        }
    }

    /**
     * A tracker's answer: either {@code failure} (its reason; the counts are then 0) or the swarm.
     *
     * @param complete seeders
     * @param incomplete leechers
     * @param peers the peers it lists (opentracker lists the requester too)
     */
    record Reply(@Nullable String failure, int interval, int complete, int incomplete, List<InetSocketAddress> peers) {
        static Reply refused(String reason) {
            return new Reply(reason, 0, 0, 0, List.of());
        }

        /** This reply, failing the test if the tracker refused the announce. */
        Reply ok() {
            if (failure != null) {
                throw new AssertionError("tracker refused the announce: " + failure);
            }
            return this;
        }
    }

    /** One swarm's scrape counts. */
    record Counts(int complete, int downloaded, int incomplete) {}

    private final InetAddress bind;

    AnnounceClient(InetAddress bind) {
        this.bind = bind;
    }

    /** A client announcing from {@code literal}, an IPv4 loopback address such as 127.0.0.2. */
    static AnnounceClient from(String literal) {
        return new AnnounceClient(ipv4(literal));
    }

    /** A dotted-quad IPv4 literal (opentracker is IPv4 only), parsed without any name lookup. */
    static InetAddress ipv4(String literal) {
        String[] parts = literal.split("\\.", -1);
        if (parts.length != 4) {
            throw new IllegalArgumentException("not an IPv4 literal: " + literal);
        }
        byte[] raw = new byte[4];
        for (int i = 0; i < 4; i++) {
            int b = Integer.parseInt(parts[i]);
            if (b < 0 || b > 255) {
                throw new IllegalArgumentException("not an IPv4 literal: " + literal);
            }
            raw[i] = (byte) b;
        }
        try {
            return InetAddress.getByAddress(literal, raw);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(literal, e);
        }
    }

    /** {@code literal}:{@code port}, see {@link #ipv4}. */
    static InetSocketAddress ipv4(String literal, int port) {
        return new InetSocketAddress(ipv4(literal), port);
    }

    /** An Azureus-style peer id, {@code -RT0001-} and twelve digits of {@code n}. */
    static byte[] peerId(long n) {
        return String.format("-RT0001-%012d", n).getBytes(StandardCharsets.US_ASCII);
    }

    /** Announces over the tracker URI's own protocol ({@code http://} or {@code udp://}). */
    Reply announce(URI tracker, Request r) {
        return switch (tracker.getScheme()) {
            case "http" -> http(tracker, r);
            case "udp" -> udp(tracker, r);
            default -> throw new IllegalArgumentException("not an HTTP or UDP tracker: " + tracker);
        };
    }

    /** An HTTP announce ({@code compact=1}) to {@code announceUri}. */
    Reply http(URI announceUri, Request r) {
        StringBuilder target = new StringBuilder(announceUri.getRawPath())
                .append("?info_hash=")
                .append(percentEncode(r.infoHash()))
                .append("&peer_id=")
                .append(percentEncode(r.peerId()))
                .append("&port=")
                .append(r.port())
                .append("&uploaded=0&downloaded=0&left=")
                .append(r.left())
                .append("&compact=1&numwant=200");
        if (r.event() != Event.NONE) {
            target.append("&event=").append(r.event().http);
        }
        Map<String, Object> body = bencodedGet(announceUri, target.toString());
        if (body.get("failure reason") instanceof ByteBuffer reason) {
            return Reply.refused(string(reason));
        }
        List<InetSocketAddress> peers = new ArrayList<>();
        if (body.get("peers") instanceof ByteBuffer compact) {
            peers.addAll(compactPeers(bytes(compact)));
        }
        return new Reply(
                null,
                (int) number(body, "interval"),
                (int) number(body, "complete"),
                (int) number(body, "incomplete"),
                List.copyOf(peers));
    }

    /** An HTTP scrape of one swarm, at the {@code /scrape} beside {@code announceUri}. */
    Counts scrape(URI announceUri, byte[] infoHash) {
        String path = announceUri.getRawPath();
        if (!path.endsWith("/announce")) {
            throw new IllegalArgumentException("no scrape URL for " + announceUri);
        }
        String target =
                path.substring(0, path.length() - "announce".length()) + "scrape?info_hash=" + percentEncode(infoHash);
        Map<String, Object> body = bencodedGet(announceUri, target);
        if (body.get("failure reason") instanceof ByteBuffer reason) {
            throw new AssertionError("scrape refused: " + string(reason));
        }
        if (!(body.get("files") instanceof Map<?, ?> files)) {
            throw new AssertionError("no 'files' in scrape reply " + body.keySet());
        }
        if (!(files.get(new String(infoHash, StandardCharsets.ISO_8859_1)) instanceof Map<?, ?> swarm)) {
            return new Counts(0, 0, 0); // a swarm the tracker does not hold
        }
        return new Counts(
                (int) number(swarm, "complete"), (int) number(swarm, "downloaded"), (int) number(swarm, "incomplete"));
    }

    /** A BEP 15 connect and announce to {@code announceUri}'s host and port. */
    Reply udp(URI announceUri, Request r) {
        InetSocketAddress server = ipv4(host(announceUri), announceUri.getPort());
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(bind, 0))) {
            socket.setSoTimeout((int) UDP_WAIT.toMillis());
            int tx = ThreadLocalRandom.current().nextInt();
            ByteBuffer reply = exchange(
                    socket,
                    server,
                    ByteBuffer.allocate(16)
                            .putLong(PROTOCOL_ID)
                            .putInt(CONNECT)
                            .putInt(tx)
                            .array(),
                    tx);
            if (reply.getInt(0) == ERROR) {
                return Reply.refused(udpError(reply));
            }
            if (reply.getInt(0) != CONNECT || reply.remaining() < 16) {
                throw new AssertionError(
                        "not a connect reply: " + reply.remaining() + " bytes, action " + reply.getInt(0));
            }
            long connectionId = reply.getLong(8);

            tx = ThreadLocalRandom.current().nextInt();
            byte[] announce = ByteBuffer.allocate(98)
                    .putLong(connectionId) //  0 connection_id
                    .putInt(ANNOUNCE) //          8 action
                    .putInt(tx) //               12 transaction_id
                    .put(r.infoHash()) //        16 info_hash
                    .put(r.peerId()) //          36 peer_id
                    .putLong(0) //               56 downloaded
                    .putLong(r.left()) //        64 left
                    .putLong(0) //               72 uploaded
                    .putInt(r.event().udp) //    80 event
                    .putInt(0) //                84 IP address: the source
                    .putInt(0x1a2b3c4d) //       88 key
                    .putInt(200) //              92 num_want
                    .putShort((short) r.port()) // 96 port
                    .array();
            reply = exchange(socket, server, announce, tx);
            int action = reply.getInt(0);
            if (action == ERROR) {
                return Reply.refused(udpError(reply));
            }
            if (action != ANNOUNCE) {
                throw new AssertionError("not an announce reply: " + reply.remaining() + " bytes, action " + action);
            }
            if (reply.remaining() < 20) {
                // opentracker's refusal over UDP: no error (action 3), just the 8-byte header
                return Reply.refused(TRUNCATED + " (" + reply.remaining() + " bytes)");
            }
            int interval = reply.getInt(8);
            int leechers = reply.getInt(12);
            int seeders = reply.getInt(16);
            byte[] peers = new byte[reply.remaining() - 20];
            reply.get(20, peers);
            return new Reply(null, interval, seeders, leechers, compactPeers(peers));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Whether a BEP 15 connect to {@code server} is answered within one {@link #UDP_WAIT}. */
    boolean udpAnswers(InetSocketAddress server) {
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(bind, 0))) {
            socket.setSoTimeout((int) UDP_WAIT.toMillis());
            int tx = ThreadLocalRandom.current().nextInt();
            byte[] connect = ByteBuffer.allocate(16)
                    .putLong(PROTOCOL_ID)
                    .putInt(CONNECT)
                    .putInt(tx)
                    .array();
            socket.send(new DatagramPacket(connect, connect.length, server));
            byte[] buf = new byte[2048];
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            socket.receive(p);
            return p.getLength() >= 16 && ByteBuffer.wrap(buf).getInt(4) == tx;
        } catch (IOException e) {
            return false;
        }
    }

    /** Sends {@code request} until a datagram echoing {@code tx} arrives; that datagram. */
    private static ByteBuffer exchange(DatagramSocket socket, InetSocketAddress server, byte[] request, int tx)
            throws IOException {
        byte[] buf = new byte[65_536];
        for (int attempt = 1; attempt <= UDP_ATTEMPTS; attempt++) {
            socket.send(new DatagramPacket(request, request.length, server));
            long deadline = System.nanoTime() + UDP_WAIT.toNanos();
            while (System.nanoTime() < deadline) {
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                try {
                    socket.receive(p);
                } catch (SocketTimeoutException e) {
                    break;
                }
                if (p.getLength() >= 8 && ByteBuffer.wrap(buf).getInt(4) == tx) {
                    return ByteBuffer.wrap(Arrays.copyOf(buf, p.getLength()));
                }
            }
        }
        throw new AssertionError("no UDP reply from " + server + " in " + UDP_ATTEMPTS + " tries of " + UDP_WAIT);
    }

    private static String udpError(ByteBuffer reply) {
        byte[] message = new byte[reply.remaining() - 8];
        reply.get(8, message);
        return new String(message, StandardCharsets.UTF_8).replace("\0", "");
    }

    /** One GET on its own connection; the bencoded dictionary of a 200 reply. */
    private Map<String, Object> bencodedGet(URI base, String target) {
        InetSocketAddress server = ipv4(host(base), base.getPort());
        try (Socket socket = new Socket()) {
            socket.bind(new InetSocketAddress(bind, 0));
            socket.connect(server, (int) TIMEOUT.toMillis());
            socket.setSoTimeout((int) TIMEOUT.toMillis());
            OutputStream out = socket.getOutputStream();
            out.write(("GET " + target + " HTTP/1.1\r\nHost: " + server.getHostString() + ":" + server.getPort()
                            + "\r\nUser-Agent: retracker-interop-test\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            byte[] raw = readReply(socket.getInputStream());
            String text = new String(raw, StandardCharsets.ISO_8859_1);
            int end = text.indexOf("\r\n\r\n");
            if (end < 0 || !text.startsWith("HTTP/1.")) {
                throw new AssertionError("not an HTTP reply from " + server + ": " + text);
            }
            if (!text.startsWith(" 200 ", 8)) {
                throw new AssertionError(
                        "HTTP " + text.substring(0, text.indexOf('\r')) + " from " + server + " for " + target);
            }
            byte[] body = Arrays.copyOfRange(raw, end + 4, raw.length);
            if (body.length == 0 || body[0] != 'd') {
                throw new AssertionError("not a bencoded dictionary: " + text.substring(end + 4));
            }
            return BENCODE.decode(body, Type.DICTIONARY);
        } catch (IOException e) {
            throw new UncheckedIOException("GET " + target + " from " + server, e);
        }
    }

    /** Headers and body: up to {@code Content-Length} bytes of body, or to the end of the stream. */
    private static byte[] readReply(InputStream in) throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        byte[] chunk = new byte[8192];
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        int n;
        while ((n = in.read(chunk)) >= 0) {
            buf.write(chunk, 0, n);
            if (complete(buf.toByteArray())) {
                break;
            }
            if (System.nanoTime() > deadline) {
                throw new SocketTimeoutException("HTTP reply not complete within " + TIMEOUT);
            }
        }
        return buf.toByteArray();
    }

    private static boolean complete(byte[] raw) {
        String text = new String(raw, StandardCharsets.ISO_8859_1);
        int end = text.indexOf("\r\n\r\n");
        if (end < 0) {
            return false;
        }
        for (String line : text.substring(0, end).split("\r\n", -1)) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase("content-length")) {
                return raw.length - end - 4
                        >= Long.parseLong(line.substring(colon + 1).trim());
            }
        }
        return false; // no length: read to the end of the stream
    }

    private static String host(URI uri) {
        String host = uri.getHost();
        if (host == null) {
            throw new IllegalArgumentException("no host in " + uri);
        }
        return host;
    }

    private static List<InetSocketAddress> compactPeers(byte[] raw) {
        if (raw.length % 6 != 0) {
            throw new AssertionError(raw.length + " bytes is not a whole number of 6-byte IPv4 peers");
        }
        List<InetSocketAddress> peers = new ArrayList<>();
        for (int off = 0; off < raw.length; off += 6) {
            int port = (raw[off + 4] & 0xff) << 8 | (raw[off + 5] & 0xff);
            try {
                peers.add(new InetSocketAddress(InetAddress.getByAddress(Arrays.copyOfRange(raw, off, off + 4)), port));
            } catch (UnknownHostException e) {
                throw new AssertionError(e);
            }
        }
        return List.copyOf(peers);
    }

    private static long number(Map<?, ?> dict, String key) {
        if (!(dict.get(key) instanceof Long n)) {
            throw new AssertionError("no integer '" + key + "' in " + dict.keySet());
        }
        return n;
    }

    private static byte[] bytes(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }

    private static String string(ByteBuffer b) {
        return new String(bytes(b), StandardCharsets.UTF_8);
    }

    /** RFC 3986: unreserved bytes as they are, every other byte as {@code %XX}. */
    static String percentEncode(byte[] raw) {
        StringBuilder sb = new StringBuilder(raw.length * 3);
        for (byte b : raw) {
            int c = b & 0xff;
            if ((c >= 'a' && c <= 'z')
                    || (c >= 'A' && c <= 'Z')
                    || (c >= '0' && c <= '9')
                    || c == '-'
                    || c == '.'
                    || c == '_'
                    || c == '~') {
                sb.append((char) c);
            } else {
                sb.append('%').append(String.format("%02X", c));
            }
        }
        return sb.toString();
    }
}
