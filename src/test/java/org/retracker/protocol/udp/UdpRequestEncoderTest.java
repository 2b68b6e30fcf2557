package org.retracker.protocol.udp;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.retracker.protocol.AnnounceEvent;
import org.retracker.protocol.AnnounceRequest;

/** BEP 15 client requests: the expected bytes are built field by field. */
class UdpRequestEncoderTest {
    private final ByteBuf out = Unpooled.buffer();
    private final ByteBuf expected = Unpooled.buffer();

    @AfterEach
    void release() {
        out.release();
        expected.release();
    }

    @Test
    void connectRequestIsTheProtocolIdActionZeroAndTheTransactionId() {
        UdpRequestEncoder.writeConnect(out, 0x0a0b0c0d);

        expected.writeLong(0x41727101980L) // protocol_id
                .writeInt(0) // action: connect
                .writeInt(0x0a0b0c0d); // transaction_id
        assertThat(ByteBufUtil.getBytes(out)).hasSize(16).containsExactly(ByteBufUtil.getBytes(expected));
    }

    @Test
    void announceRequestIs98BytesInBep15Order() {
        AnnounceRequest request = request();
        request.claimedAddress[0] = 10;
        request.claimedAddress[1] = 1;
        request.claimedAddress[2] = 2;
        request.claimedAddress[3] = 3;
        request.claimedAddressLength = 4;

        UdpRequestEncoder.writeAnnounce(out, 0x1122334455667788L, 0x01020304, request, 0xcafef00d);

        expected.writeLong(0x1122334455667788L) // connection_id
                .writeInt(1) // action: announce
                .writeInt(0x01020304) // transaction_id
                .writeBytes(request.infoHash) // info_hash
                .writeBytes(request.peerId) // peer_id
                .writeLong(1000) // downloaded
                .writeLong(2000) // left
                .writeLong(3000) // uploaded
                .writeInt(2) // event: started
                .writeBytes(new byte[] {10, 1, 2, 3}) // IP address
                .writeInt(0xcafef00d) // key
                .writeInt(50) // num_want
                .writeShort(6881); // port
        assertThat(ByteBufUtil.getBytes(out)).hasSize(98).containsExactly(ByteBufUtil.getBytes(expected));
    }

    @Test
    void announceSendsIpZeroWhenTheClaimedAddressIsNotIpv4() {
        AnnounceRequest request = request();
        request.claimedAddressLength = 16;
        Arrays.fill(request.claimedAddress, (byte) 0x20);

        UdpRequestEncoder.writeAnnounce(out, 1, 2, request, 3);

        assertThat(out.getInt(84)).isZero();
    }

    @Test
    void anyNegativeNumWantIsSentAsMinusOne() {
        AnnounceRequest request = request();
        request.numWant = -7;

        UdpRequestEncoder.writeAnnounce(out, 1, 2, request, 3);

        assertThat(out.getInt(92)).isEqualTo(-1);
    }

    @Test
    void everyEventIsSentAsItsBep15Code() {
        AnnounceRequest request = request();
        for (AnnounceEvent event : AnnounceEvent.values()) {
            out.clear();
            request.event = event;
            UdpRequestEncoder.writeAnnounce(out, 1, 2, request, 3);
            assertThat(AnnounceEvent.ofUdpCode(out.getInt(80))).isEqualTo(event);
        }
    }

    @Test
    void theTrackersDecoderReadsBackWhatTheEncoderWrote() {
        AnnounceRequest request = request();
        out.writeByte(0x55); // the decoder starts at the reader index
        out.readerIndex(1);

        UdpRequestEncoder.writeAnnounce(out, 9, 8, request, 7);

        AnnounceRequest decoded = new AnnounceRequest();
        assertThat(UdpRequestDecoder.decodeAnnounce(out, decoded)).isNull();
        assertThat(UdpRequestDecoder.connectionId(out)).isEqualTo(9);
        assertThat(UdpRequestDecoder.action(out)).isEqualTo(UdpRequestDecoder.ACTION_ANNOUNCE);
        assertThat(UdpRequestDecoder.transactionId(out)).isEqualTo(8);
        assertThat(decoded.infoHash).isEqualTo(request.infoHash);
        assertThat(decoded.peerId).isEqualTo(request.peerId);
        assertThat(decoded.downloaded).isEqualTo(1000);
        assertThat(decoded.left).isEqualTo(2000);
        assertThat(decoded.uploaded).isEqualTo(3000);
        assertThat(decoded.event).isEqualTo(AnnounceEvent.STARTED);
        assertThat(decoded.claimedAddressLength).isZero();
        assertThat(decoded.numWant).isEqualTo(50);
        assertThat(decoded.port).isEqualTo(6881);
    }

    private static AnnounceRequest request() {
        AnnounceRequest r = new AnnounceRequest();
        for (int i = 0; i < 20; i++) {
            r.infoHash[i] = (byte) (0xA0 + i);
            r.peerId[i] = (byte) (0x30 + i);
        }
        r.downloaded = 1000;
        r.left = 2000;
        r.uploaded = 3000;
        r.event = AnnounceEvent.STARTED;
        r.numWant = 50;
        r.port = 6881;
        return r;
    }
}
