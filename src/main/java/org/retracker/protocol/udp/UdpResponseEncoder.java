package org.retracker.protocol.udp;

import io.netty.buffer.ByteBuf;
import org.retracker.protocol.AnnounceResponse;
import org.retracker.protocol.FailureReason;
import org.retracker.protocol.ScrapeRequest;
import org.retracker.protocol.ScrapeResponse;

/**
 * Encodes BEP 15 responses.
 *
 * <pre>
 * connect   action 0 int32 | transaction_id int32 | connection_id int64                 16 bytes
 * announce  action 1 | transaction_id | interval | leechers | seeders | peers             20 + 6n (IPv4) or 18n (IPv6)
 * scrape    action 2 | transaction_id | (seeders | completed | leechers) per hash        8 + 12n
 * error     action 3 | transaction_id | message                                          8 + message
 * </pre>
 */
public final class UdpResponseEncoder {
    /** Bytes before the peers of an announce response. */
    public static final int ANNOUNCE_HEAD_BYTES = 20;
    /**
     * A reply stays under about 1200 bytes, so it fits one datagram on any path (the size
     * opentracker's trackerlogic.h aims for): 196 IPv4 peers (1196 bytes), 65 IPv6 peers (1190).
     */
    public static final int MAX_REPLY_BYTES = 1200;

    public static final int MAX_PEERS_V4 = (MAX_REPLY_BYTES - ANNOUNCE_HEAD_BYTES) / AnnounceResponse.PEER4_BYTES;
    public static final int MAX_PEERS_V6 = (MAX_REPLY_BYTES - ANNOUNCE_HEAD_BYTES) / AnnounceResponse.PEER6_BYTES;

    private UdpResponseEncoder() {}

    public static void writeConnect(ByteBuf out, int transactionId, long connectionId) {
        out.writeInt(UdpRequestDecoder.ACTION_CONNECT);
        out.writeInt(transactionId);
        out.writeLong(connectionId);
    }

    /** Writes the peers of the requester's family only: {@code ipv6} picks which. */
    public static void writeAnnounce(ByteBuf out, int transactionId, AnnounceResponse response, boolean ipv6) {
        out.writeInt(UdpRequestDecoder.ACTION_ANNOUNCE);
        out.writeInt(transactionId);
        out.writeInt(response.interval);
        out.writeInt(response.incomplete);
        out.writeInt(response.complete);
        if (ipv6) {
            out.writeBytes(response.peers6, 0, response.peers6Count * AnnounceResponse.PEER6_BYTES);
        } else {
            out.writeBytes(response.peers4, 0, response.peers4Count * AnnounceResponse.PEER4_BYTES);
        }
    }

    public static void writeScrape(ByteBuf out, int transactionId, ScrapeRequest request, ScrapeResponse response) {
        out.writeInt(UdpRequestDecoder.ACTION_SCRAPE);
        out.writeInt(transactionId);
        for (int i = 0; i < request.count; i++) {
            out.writeInt(response.complete[i]);
            out.writeInt(response.downloaded[i]);
            out.writeInt(response.incomplete[i]);
        }
    }

    public static void writeError(ByteBuf out, int transactionId, FailureReason reason) {
        out.writeInt(UdpRequestDecoder.ACTION_ERROR);
        out.writeInt(transactionId);
        out.writeBytes(reason.bytes());
    }
}
