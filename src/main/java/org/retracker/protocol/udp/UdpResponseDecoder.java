package org.retracker.protocol.udp;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import org.retracker.protocol.AnnounceResponse;

/**
 * Decodes the BEP 15 responses a client receives from a UDP tracker: the client side of {@link
 * UdpResponseEncoder}. Lengths are checked before anything is read; the buffer's indices are left
 * alone. Bad input is a {@link UdpResponse.Malformed} result, never an exception.
 *
 * <pre>
 * every response  0  action          int32  0 connect, 1 announce, 3 error
 *                 4  transaction_id  int32
 * connect         8  connection_id   int64                          at least 16 bytes
 * announce        8  interval        int32
 *                12  leechers        int32
 *                16  seeders         int32
 *                20  peers           6 bytes each over IPv4, 18 over IPv6
 * error           8  message         the rest of the datagram
 * </pre>
 *
 * <p>BEP 15 asks a client to check that a connect response is at least 16 bytes and an announce
 * response at least 20; longer ones are accepted. Which peer size an announce response uses follows
 * the address family the tracker was reached over (BEP 15 "IPv6"), so the caller says which. A
 * trailing partial peer entry is dropped rather than failing the whole response.
 */
public final class UdpResponseDecoder {
    /** action + transaction_id: the head of every response. */
    public static final int HEADER_BYTES = 8;
    /** BEP 15: a connect response is at least 16 bytes. */
    public static final int CONNECT_BYTES = 16;
    /** BEP 15: an announce response is at least 20 bytes (the head before the peers). */
    public static final int ANNOUNCE_HEAD_BYTES = UdpResponseEncoder.ANNOUNCE_HEAD_BYTES;
    /**
     * Bytes of an error message kept. Trackers send one short sentence (ours are under 60 bytes);
     * the cut keeps a hostile tracker from filling logs and stats with a datagram-sized text.
     */
    public static final int MAX_MESSAGE_BYTES = 256;

    private UdpResponseDecoder() {}

    /** The transaction id of a datagram of at least {@link #HEADER_BYTES}. */
    public static int transactionId(ByteBuf datagram) {
        return datagram.getInt(datagram.readerIndex() + 4);
    }

    /**
     * Decodes one response datagram (its readable bytes).
     *
     * @param ipv6 the tracker was reached over IPv6: peers are 18 bytes each, else 6
     */
    public static UdpResponse decode(ByteBuf datagram, boolean ipv6) {
        int base = datagram.readerIndex();
        int length = datagram.readableBytes();
        if (length < HEADER_BYTES) {
            return new UdpResponse.Malformed(0, UdpResponse.Problem.TOO_SHORT);
        }
        int action = datagram.getInt(base);
        int transactionId = datagram.getInt(base + 4);
        return switch (action) {
            case UdpRequestDecoder.ACTION_CONNECT ->
                length < CONNECT_BYTES
                        ? new UdpResponse.Malformed(transactionId, UdpResponse.Problem.TOO_SHORT)
                        : new UdpResponse.Connect(transactionId, datagram.getLong(base + 8));
            case UdpRequestDecoder.ACTION_ANNOUNCE ->
                length < ANNOUNCE_HEAD_BYTES
                        ? new UdpResponse.Malformed(transactionId, UdpResponse.Problem.TOO_SHORT)
                        : announce(datagram, base, length, transactionId, ipv6);
            case UdpRequestDecoder.ACTION_ERROR ->
                new UdpResponse.TrackerError(transactionId, message(datagram, base + HEADER_BYTES, base + length));
            default -> new UdpResponse.Malformed(transactionId, UdpResponse.Problem.UNEXPECTED_ACTION);
        };
    }

    private static UdpResponse announce(ByteBuf datagram, int base, int length, int transactionId, boolean ipv6) {
        int peerBytes = ipv6 ? AnnounceResponse.PEER6_BYTES : AnnounceResponse.PEER4_BYTES;
        int body = length - ANNOUNCE_HEAD_BYTES;
        byte[] peers = new byte[body - body % peerBytes];
        datagram.getBytes(base + ANNOUNCE_HEAD_BYTES, peers);
        return new UdpResponse.Announce(
                transactionId,
                datagram.getInt(base + 8), // interval
                datagram.getInt(base + 12), // leechers
                datagram.getInt(base + 16), // seeders
                peers,
                peerBytes);
    }

    /**
     * The error text: at most {@link #MAX_MESSAGE_BYTES}, trailing NULs (C trackers send the
     * terminator) dropped, decoded as UTF-8 with replacement, control characters made {@code ?} so
     * that a message stays one log line.
     */
    private static String message(ByteBuf datagram, int start, int limit) {
        int end = Math.min(limit, start + MAX_MESSAGE_BYTES);
        while (end > start && datagram.getByte(end - 1) == 0) {
            end--;
        }
        String text = datagram.toString(start, end - start, StandardCharsets.UTF_8);
        StringBuilder clean = null;
        for (int i = 0; i < text.length(); i++) {
            if (Character.isISOControl(text.charAt(i))) {
                if (clean == null) {
                    clean = new StringBuilder(text);
                }
                clean.setCharAt(i, '?');
            }
        }
        return clean == null ? text : clean.toString();
    }
}
