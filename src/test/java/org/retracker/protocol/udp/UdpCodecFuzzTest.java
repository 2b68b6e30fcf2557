package org.retracker.protocol.udp;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.Arrays;
import org.retracker.protocol.AnnounceEvent;
import org.retracker.protocol.AnnounceRequest;
import org.retracker.protocol.AnnounceResponse;
import org.retracker.protocol.FailureReason;
import org.retracker.protocol.ScrapeRequest;
import org.retracker.protocol.ScrapeResponse;

/**
 * Jazzer target for the BEP 15 codec. Every datagram is run through every decoder whatever its
 * action; a decoded announce is re-encoded and decoded again to the same fields, and the encoders'
 * replies (built from the input) are read back field by field.
 */
class UdpCodecFuzzTest {
    private static final int MAX_HASHES = 74;

    private final AnnounceRequest request = new AnnounceRequest();
    private final AnnounceRequest again = new AnnounceRequest();
    private final ScrapeRequest scrape = new ScrapeRequest(MAX_HASHES);

    @FuzzTest(maxDuration = "60s")
    void decodeEveryActionAndRoundTripTheEncoders(byte[] datagram) {
        ByteBuf packet = Unpooled.buffer(datagram.length + 1);
        ByteBuf out = Unpooled.buffer();
        try {
            packet.writeByte(0x55); // a byte before the datagram: decoders must start at readerIndex
            packet.writeBytes(datagram);
            packet.readerIndex(1);

            if (datagram.length >= UdpRequestDecoder.HEADER_BYTES) {
                UdpRequestDecoder.connectionId(packet);
                UdpRequestDecoder.action(packet);
                UdpRequestDecoder.transactionId(packet);
            }
            FailureReason announce = UdpRequestDecoder.decodeAnnounce(packet, request);
            if (announce == null) {
                checkAnnounce(datagram);
                roundTripResponses(datagram, out);
            } else if (datagram.length < UdpRequestDecoder.ANNOUNCE_BYTES) {
                assertThat(announce).isEqualTo(FailureReason.UDP_REQUEST_TOO_SHORT);
            }
            FailureReason scraped = UdpRequestDecoder.decodeScrape(packet, scrape, MAX_HASHES);
            if (scraped == null) {
                int body = datagram.length - UdpRequestDecoder.HEADER_BYTES;
                assertThat(body % 20).isZero();
                assertThat(scrape.count).isEqualTo(body / 20).isBetween(1, MAX_HASHES);
                assertThat(Arrays.copyOf(scrape.infoHashes, body))
                        .isEqualTo(Arrays.copyOfRange(datagram, UdpRequestDecoder.HEADER_BYTES, datagram.length));
                out.clear();
                ScrapeResponse counts = new ScrapeResponse(MAX_HASHES);
                for (int i = 0; i < scrape.count; i++) {
                    counts.complete[i] = scrape.infoHashes[i * 20];
                    counts.downloaded[i] = scrape.infoHashes[i * 20 + 1] << 8;
                    counts.incomplete[i] = i;
                }
                UdpResponseEncoder.writeScrape(out, 9, scrape, counts);
                assertThat(out.readableBytes()).isEqualTo(8 + 12 * scrape.count);
                assertThat(out.getInt(0)).isEqualTo(UdpRequestDecoder.ACTION_SCRAPE);
                for (int i = 0; i < scrape.count; i++) {
                    assertThat(out.getInt(8 + 12 * i)).isEqualTo(counts.complete[i]);
                    assertThat(out.getInt(12 + 12 * i)).isEqualTo(counts.downloaded[i]);
                    assertThat(out.getInt(16 + 12 * i)).isEqualTo(counts.incomplete[i]);
                }
            } else {
                assertThat(scrape.count).isZero();
            }
        } finally {
            packet.release();
            out.release();
        }
    }

    private void checkAnnounce(byte[] datagram) {
        assertThat(datagram.length).isGreaterThanOrEqualTo(UdpRequestDecoder.ANNOUNCE_BYTES);
        assertThat(request.port).isBetween(1, 65535);
        assertThat(request.uploaded).isNotNegative();
        assertThat(request.downloaded).isNotNegative();
        assertThat(request.left).isNotNegative();
        assertThat(request.numWant).isGreaterThanOrEqualTo(AnnounceRequest.NUMWANT_DEFAULT);
        assertThat(request.claimedAddressLength).isIn(0, 4);
        assertThat(request.compact).isTrue();
        assertThat(request.infoHash).isEqualTo(Arrays.copyOfRange(datagram, 16, 36));
        assertThat(request.peerId).isEqualTo(Arrays.copyOfRange(datagram, 36, 56));

        ByteBuf encoded = Unpooled.buffer(UdpRequestDecoder.ANNOUNCE_BYTES);
        try {
            encoded.writeLong(1) // connection_id
                    .writeInt(UdpRequestDecoder.ACTION_ANNOUNCE) // action
                    .writeInt(2) // transaction_id
                    .writeBytes(request.infoHash) // info_hash
                    .writeBytes(request.peerId) // peer_id
                    .writeLong(request.downloaded) // downloaded
                    .writeLong(request.left) // left
                    .writeLong(request.uploaded) // uploaded
                    .writeInt(request.event.ordinal()) // event
                    .writeBytes(request.claimedAddress, 0, 4) // IP address
                    .writeInt(0) // key
                    .writeInt(request.numWant) // num_want
                    .writeShort(request.port); // port
            if (request.claimedAddressLength == 0) {
                encoded.setInt(84, 0);
            }
            assertThat(UdpRequestDecoder.decodeAnnounce(encoded, again)).isNull();
        } finally {
            encoded.release();
        }
        assertThat(again.infoHash).isEqualTo(request.infoHash);
        assertThat(again.peerId).isEqualTo(request.peerId);
        assertThat(again.downloaded).isEqualTo(request.downloaded);
        assertThat(again.left).isEqualTo(request.left);
        assertThat(again.uploaded).isEqualTo(request.uploaded);
        assertThat(again.event).isEqualTo(request.event);
        assertThat(again.claimedAddressLength).isEqualTo(request.claimedAddressLength);
        assertThat(again.numWant).isEqualTo(request.numWant);
        assertThat(again.port).isEqualTo(request.port);
        assertThat(AnnounceEvent.ofUdpCode(request.event.ordinal())).isEqualTo(request.event);
    }

    /** Replies built from the input bytes, read back field by field. */
    private void roundTripResponses(byte[] datagram, ByteBuf out) {
        AnnounceResponse response = new AnnounceResponse(UdpResponseEncoder.MAX_PEERS_V4);
        int n4 = Math.min(datagram.length / 6, UdpResponseEncoder.MAX_PEERS_V4);
        int n6 = Math.min(datagram.length / 18, UdpResponseEncoder.MAX_PEERS_V6);
        System.arraycopy(datagram, 0, response.peers4, 0, n4 * 6);
        System.arraycopy(datagram, 0, response.peers6, 0, n6 * 18);
        response.peers4Count = n4;
        response.peers6Count = n6;
        response.interval = request.port;
        response.complete = (int) (request.left & 0x7fffffff);
        response.incomplete = request.numWant;
        for (boolean ipv6 : new boolean[] {false, true}) {
            out.clear();
            UdpResponseEncoder.writeAnnounce(out, 7, response, ipv6);
            int peers = ipv6 ? n6 * 18 : n4 * 6;
            assertThat(out.readableBytes())
                    .isEqualTo(UdpResponseEncoder.ANNOUNCE_HEAD_BYTES + peers)
                    .isLessThanOrEqualTo(UdpResponseEncoder.MAX_REPLY_BYTES);
            assertThat(out.getInt(0)).isEqualTo(UdpRequestDecoder.ACTION_ANNOUNCE);
            assertThat(out.getInt(4)).isEqualTo(7);
            assertThat(out.getInt(8)).isEqualTo(response.interval);
            assertThat(out.getInt(12)).isEqualTo(response.incomplete);
            assertThat(out.getInt(16)).isEqualTo(response.complete);
            byte[] body = new byte[peers];
            out.getBytes(20, body);
            assertThat(body).isEqualTo(Arrays.copyOf(datagram, peers));
        }
        out.clear();
        UdpResponseEncoder.writeConnect(out, request.numWant, request.downloaded);
        assertThat(out.readableBytes()).isEqualTo(16);
        assertThat(out.getLong(8)).isEqualTo(request.downloaded);
        out.clear();
        FailureReason reason = FailureReason.values()[request.port % FailureReason.values().length];
        UdpResponseEncoder.writeError(out, 1, reason);
        assertThat(out.readableBytes()).isEqualTo(8 + reason.bytes().length);
        assertThat(out.getInt(0)).isEqualTo(UdpRequestDecoder.ACTION_ERROR);
    }
}
