package org.retracker.protocol.udp;

import io.netty.buffer.ByteBuf;
import org.jspecify.annotations.Nullable;
import org.retracker.protocol.AnnounceEvent;
import org.retracker.protocol.AnnounceRequest;
import org.retracker.protocol.FailureReason;
import org.retracker.protocol.ScrapeRequest;

/**
 * Decodes BEP 15 requests. All offsets are from the start of the datagram; lengths are checked
 * before anything is read, and nothing is allocated.
 *
 * <pre>
 * every request   0  connection_id  int64  (connect: the protocol id 0x41727101980)
 *                 8  action         int32  0 connect, 1 announce, 2 scrape
 *                12  transaction_id int32
 * announce       16  info_hash      20 bytes
 *                36  peer_id        20 bytes
 *                56  downloaded     int64
 *                64  left           int64
 *                72  uploaded       int64
 *                80  event          int32  0 none, 1 completed, 2 started, 3 stopped
 *                84  IP address     uint32 (0: use the source)
 *                88  key            uint32
 *                92  num_want       int32  (-1: default)
 *                96  port           uint16
 *                98  BEP 41 options (ignored)
 * scrape         16  info_hash × n  20 bytes each
 * </pre>
 */
public final class UdpRequestDecoder {
    /** BEP 15 magic constant that a connect request carries as its connection id. */
    public static final long PROTOCOL_ID = 0x41727101980L;

    public static final int ACTION_CONNECT = 0;
    public static final int ACTION_ANNOUNCE = 1;
    public static final int ACTION_SCRAPE = 2;
    public static final int ACTION_ERROR = 3;

    /** connection_id + action + transaction_id. */
    public static final int HEADER_BYTES = 16;
    /** A connect request is exactly the header. */
    public static final int CONNECT_BYTES = 16;
    /** An announce request without BEP 41 options. */
    public static final int ANNOUNCE_BYTES = 98;

    private UdpRequestDecoder() {}

    public static long connectionId(ByteBuf packet) {
        return packet.getLong(packet.readerIndex());
    }

    public static int action(ByteBuf packet) {
        return packet.getInt(packet.readerIndex() + 8);
    }

    public static int transactionId(ByteBuf packet) {
        return packet.getInt(packet.readerIndex() + 12);
    }

    /**
     * Decodes an announce into {@code out} (reset first; the address is left for the transport).
     * Trailing BEP 41 options are tolerated and ignored. Returns {@code null} on success.
     */
    public static @Nullable FailureReason decodeAnnounce(ByteBuf packet, AnnounceRequest out) {
        int base = packet.readerIndex();
        if (packet.readableBytes() < ANNOUNCE_BYTES) {
            return FailureReason.UDP_REQUEST_TOO_SHORT;
        }
        out.reset();
        packet.getBytes(base + 16, out.infoHash);
        packet.getBytes(base + 36, out.peerId);
        out.downloaded = packet.getLong(base + 56);
        out.left = packet.getLong(base + 64);
        out.uploaded = packet.getLong(base + 72);
        AnnounceEvent event = AnnounceEvent.ofUdpCode(packet.getInt(base + 80));
        if (event == null) {
            return FailureReason.UDP_INVALID_EVENT;
        }
        out.event = event;
        int ip = packet.getInt(base + 84);
        if (ip != 0) {
            out.claimedAddress[0] = (byte) (ip >>> 24);
            out.claimedAddress[1] = (byte) (ip >>> 16);
            out.claimedAddress[2] = (byte) (ip >>> 8);
            out.claimedAddress[3] = (byte) ip;
            out.claimedAddressLength = 4;
        }
        int numWant = packet.getInt(base + 92);
        out.numWant = numWant < 0 ? AnnounceRequest.NUMWANT_DEFAULT : numWant;
        out.port = packet.getUnsignedShort(base + 96);
        if (out.port == 0) {
            return FailureReason.INVALID_PORT;
        }
        if (out.uploaded < 0) {
            return FailureReason.INVALID_UPLOADED;
        }
        if (out.downloaded < 0) {
            return FailureReason.INVALID_DOWNLOADED;
        }
        if (out.left < 0) {
            return FailureReason.INVALID_LEFT;
        }
        out.compact = true;
        return null;
    }

    /**
     * Decodes the info hashes of a scrape into {@code out} (reset first). The body must be a
     * non-empty whole number of hashes, at most {@code maxHashes}.
     */
    public static @Nullable FailureReason decodeScrape(ByteBuf packet, ScrapeRequest out, int maxHashes) {
        out.reset();
        int body = packet.readableBytes() - HEADER_BYTES;
        if (body <= 0) {
            return FailureReason.MISSING_INFO_HASH;
        }
        if (body % AnnounceRequest.ID_LENGTH != 0) {
            return FailureReason.INVALID_INFO_HASH;
        }
        int n = body / AnnounceRequest.ID_LENGTH;
        if (n > Math.min(maxHashes, out.capacity())) {
            return FailureReason.TOO_MANY_INFO_HASHES;
        }
        packet.getBytes(packet.readerIndex() + HEADER_BYTES, out.infoHashes, 0, body);
        out.count = n;
        return null;
    }
}
