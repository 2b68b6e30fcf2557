package org.retracker.protocol.udp;

import io.netty.buffer.ByteBuf;
import org.retracker.protocol.AnnounceRequest;

/**
 * Encodes the BEP 15 requests a client sends to a UDP tracker: connect and announce. The layout is
 * the one {@link UdpRequestDecoder} reads; this is its client side, used to forward announces to
 * external trackers. Stateless; writes at the buffer's writer index and allocates nothing.
 *
 * <pre>
 * connect    0  protocol_id    int64  0x41727101980
 *            8  action         int32  0
 *           12  transaction_id int32                                               16 bytes
 * announce   0  connection_id  int64  from the connect response
 *            8  action         int32  1
 *           12  transaction_id int32
 *           16  info_hash      20 bytes
 *           36  peer_id        20 bytes
 *           56  downloaded     int64
 *           64  left           int64
 *           72  uploaded       int64
 *           80  event          int32  0 none, 1 completed, 2 started, 3 stopped
 *           84  IP address     uint32 0: the tracker uses the source address
 *           88  key            uint32
 *           92  num_want       int32  -1: the tracker's default
 *           96  port           uint16                                              98 bytes
 * </pre>
 */
public final class UdpRequestEncoder {
    private UdpRequestEncoder() {}

    /** BEP 15 "Connect": the protocol id as connection id, action 0, the transaction id. */
    public static void writeConnect(ByteBuf out, int transactionId) {
        out.writeLong(UdpRequestDecoder.PROTOCOL_ID);
        out.writeInt(UdpRequestDecoder.ACTION_CONNECT);
        out.writeInt(transactionId);
    }

    /**
     * BEP 15 "Announce", 98 bytes without BEP 41 options. Reads {@code info_hash}, {@code peer_id},
     * the three counters, the event, {@code num_want} (negative: the tracker's default) and the
     * port from {@code request}. The IP field carries {@link AnnounceRequest#claimedAddress} when
     * it is an IPv4 address ({@code claimedAddressLength == 4}) and 0 otherwise: the field has 32
     * bits, so an IPv6 address cannot be claimed over BEP 15.
     *
     * @param key BEP 15 {@code key}: lets the tracker recognise the peer when its address changes
     */
    @SuppressWarnings("EnumOrdinal") // AnnounceEvent's ordinals are the BEP 15 codes by contract
    public static void writeAnnounce(
            ByteBuf out, long connectionId, int transactionId, AnnounceRequest request, int key) {
        out.writeLong(connectionId);
        out.writeInt(UdpRequestDecoder.ACTION_ANNOUNCE);
        out.writeInt(transactionId);
        out.writeBytes(request.infoHash, 0, AnnounceRequest.ID_LENGTH);
        out.writeBytes(request.peerId, 0, AnnounceRequest.ID_LENGTH);
        out.writeLong(request.downloaded);
        out.writeLong(request.left);
        out.writeLong(request.uploaded);
        out.writeInt(request.event.ordinal()); // the ordinals are the BEP 15 codes
        if (request.claimedAddressLength == 4) {
            out.writeBytes(request.claimedAddress, 0, 4);
        } else {
            out.writeInt(0);
        }
        out.writeInt(key);
        out.writeInt(request.numWant < 0 ? -1 : request.numWant);
        out.writeShort(request.port);
    }
}
