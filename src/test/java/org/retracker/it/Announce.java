package org.retracker.it;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.jspecify.annotations.Nullable;

/**
 * One client's announce, written out either as an HTTP query (BEP 3, binary values percent-encoded
 * as a real client does) or as a 98-byte BEP 15 packet. Mutable builder; each setter returns it.
 */
final class Announce {
    private byte[] infoHash;
    private byte[] peerId;
    private int port;
    private long left = 1000;
    private String event = "";
    private @Nullable String numWant;
    private boolean compact = true;
    private boolean noPeerId;
    private @Nullable String ip;

    private Announce(byte[] infoHash, byte[] peerId, int port) {
        this.infoHash = infoHash.clone();
        this.peerId = peerId.clone();
        this.port = port;
    }

    /** A leecher with bytes left, announcing {@code port}; its peer id is derived from the port. */
    static Announce peer(byte[] infoHash, int port) {
        return new Announce(infoHash, Ids.peerId(port), port);
    }

    Announce peerId(byte[] id) {
        this.peerId = id.clone();
        return this;
    }

    Announce port(int p) {
        this.port = p;
        return this;
    }

    Announce seeder() {
        this.left = 0;
        return this;
    }

    Announce left(long bytes) {
        this.left = bytes;
        return this;
    }

    /** {@code started}, {@code completed}, {@code stopped} or empty. */
    Announce event(String e) {
        this.event = e;
        return this;
    }

    /** The value sent as {@code numwant} (any text over HTTP; a number over UDP), or none. */
    Announce numWant(@Nullable String n) {
        this.numWant = n;
        return this;
    }

    Announce numWant(int n) {
        return numWant(Integer.toString(n));
    }

    Announce compact(boolean c) {
        this.compact = c;
        return this;
    }

    Announce noPeerId() {
        this.noPeerId = true;
        return this;
    }

    /** The {@code ip=} a client claims (HTTP only). */
    Announce ip(String claimed) {
        this.ip = claimed;
        return this;
    }

    byte[] infoHash() {
        return infoHash.clone();
    }

    int port() {
        return port;
    }

    /** The request target {@code /announce?...}. */
    String httpTarget() {
        StringBuilder q = new StringBuilder("/announce?info_hash=")
                .append(percentEncode(infoHash))
                .append("&peer_id=")
                .append(percentEncode(peerId))
                .append("&port=")
                .append(port)
                .append("&uploaded=0&downloaded=0&left=")
                .append(left);
        if (!event.isEmpty()) {
            q.append("&event=").append(event);
        }
        if (numWant != null) {
            q.append("&numwant=").append(numWant);
        }
        if (compact) {
            q.append("&compact=1");
        }
        if (noPeerId) {
            q.append("&no_peer_id=1");
        }
        if (ip != null) {
            q.append("&ip=").append(percentEncode(ip.getBytes(StandardCharsets.US_ASCII)));
        }
        q.append("&key=1a2b3c4d");
        return q.toString();
    }

    /** The BEP 15 announce, 98 bytes, followed by {@code options} (BEP 41) if any. */
    byte[] udpPacket(long connectionId, int transactionId, byte... options) {
        int want = numWant == null ? -1 : Integer.parseInt(numWant);
        return ByteBuffer.allocate(98 + options.length)
                .putLong(connectionId) //  0 connection_id
                .putInt(1) //                 8 action: announce
                .putInt(transactionId) //    12 transaction_id
                .put(infoHash) //            16 info_hash
                .put(peerId) //              36 peer_id
                .putLong(0) //               56 downloaded
                .putLong(left) //            64 left
                .putLong(0) //               72 uploaded
                .putInt(udpEvent()) //       80 event
                .putInt(0) //                84 IP address: the source
                .putInt(0x1a2b3c4d) //       88 key
                .putInt(want) //             92 num_want
                .putShort((short) port) //   96 port
                .put(options) //             98 BEP 41 options
                .array();
    }

    private int udpEvent() {
        return switch (event) {
            case "" -> 0;
            case "completed" -> 1;
            case "started" -> 2;
            case "stopped" -> 3;
            default -> throw new IllegalStateException("no BEP 15 code for event " + event);
        };
    }

    /** RFC 3986: unreserved bytes as they are, every other byte as {@code %XX}. */
    static String percentEncode(byte[] raw) {
        StringBuilder sb = new StringBuilder(raw.length * 3);
        for (byte b : raw) {
            int c = b & 0xff;
            boolean unreserved = (c >= 'a' && c <= 'z')
                    || (c >= 'A' && c <= 'Z')
                    || (c >= '0' && c <= '9')
                    || c == '-'
                    || c == '.'
                    || c == '_'
                    || c == '~';
            if (unreserved) {
                sb.append((char) c);
            } else {
                sb.append('%').append(Character.toUpperCase(Character.forDigit(c >>> 4, 16)));
                sb.append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
        return sb.toString();
    }
}
