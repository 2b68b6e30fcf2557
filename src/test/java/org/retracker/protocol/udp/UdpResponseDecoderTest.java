package org.retracker.protocol.udp;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** BEP 15 responses as a client reads them; datagrams are built field by field. */
class UdpResponseDecoderTest {
    private static final byte[] PEER4_A = {10, 0, 0, 1, 0x1A, (byte) 0xE1}; // 10.0.0.1:6881
    private static final byte[] PEER4_B = {10, 0, 0, 2, 0x00, 0x50}; // 10.0.0.2:80
    private static final byte[] PEER6 = {
        0x20, 0x01, 0x0d, (byte) 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0x1A, (byte) 0xE1
    }; // [2001:db8::1]:6881

    private final ByteBuf in = Unpooled.buffer();

    @AfterEach
    void release() {
        in.release();
    }

    @Test
    void connectResponseCarriesTheConnectionId() {
        in.writeInt(0) // action: connect
                .writeInt(77) // transaction_id
                .writeLong(0x1122334455667788L); // connection_id

        assertThat(UdpResponseDecoder.decode(in, false)).isEqualTo(new UdpResponse.Connect(77, 0x1122334455667788L));
    }

    @Test
    void connectResponseShorterThan16BytesIsMalformed() {
        in.writeInt(0).writeInt(77).writeInt(0x11223344); // connection_id cut in half

        assertThat(UdpResponseDecoder.decode(in, false))
                .isEqualTo(new UdpResponse.Malformed(77, UdpResponse.Problem.TOO_SHORT));
    }

    @Test
    void connectResponseLongerThan16BytesIsAccepted() {
        in.writeInt(0).writeInt(77).writeLong(5).writeInt(0xffffffff); // 4 extra bytes

        assertThat(UdpResponseDecoder.decode(in, false)).isEqualTo(new UdpResponse.Connect(77, 5));
    }

    @Test
    void announceResponseOverIpv4Carries6BytePeers() {
        in.writeInt(1) // action: announce
                .writeInt(78) // transaction_id
                .writeInt(1800) // interval
                .writeInt(5) // leechers
                .writeInt(3) // seeders
                .writeBytes(PEER4_A)
                .writeBytes(PEER4_B);

        UdpResponse.Announce a = (UdpResponse.Announce) UdpResponseDecoder.decode(in, false);

        assertThat(a.transactionId()).isEqualTo(78);
        assertThat(a.interval()).isEqualTo(1800);
        assertThat(a.leechers()).isEqualTo(5);
        assertThat(a.seeders()).isEqualTo(3);
        assertThat(a.peerBytes()).isEqualTo(6);
        assertThat(a.peerCount()).isEqualTo(2);
        assertThat(a.peers()).containsExactly(concat(PEER4_A, PEER4_B));
    }

    @Test
    void announceResponseOverIpv6Carries18BytePeers() {
        in.writeInt(1).writeInt(79).writeInt(900).writeInt(0).writeInt(1).writeBytes(PEER6);

        UdpResponse.Announce a = (UdpResponse.Announce) UdpResponseDecoder.decode(in, true);

        assertThat(a.peerBytes()).isEqualTo(18);
        assertThat(a.peerCount()).isEqualTo(1);
        assertThat(a.peers()).containsExactly(PEER6);
    }

    @Test
    void announceResponseWithOnlyTheHeadHasNoPeers() {
        in.writeInt(1).writeInt(80).writeInt(900).writeInt(0).writeInt(0);

        UdpResponse.Announce a = (UdpResponse.Announce) UdpResponseDecoder.decode(in, false);

        assertThat(a.peers()).isEmpty();
    }

    @Test
    void announceResponseShorterThan20BytesIsMalformed() {
        in.writeInt(1).writeInt(81).writeInt(900).writeInt(0).writeShort(0); // seeders cut

        assertThat(UdpResponseDecoder.decode(in, false))
                .isEqualTo(new UdpResponse.Malformed(81, UdpResponse.Problem.TOO_SHORT));
    }

    @Test
    void aTrailingPartialPeerIsDropped() {
        in.writeInt(1).writeInt(82).writeInt(900).writeInt(0).writeInt(0);
        in.writeBytes(PEER4_A).writeBytes(PEER4_B, 0, 4); // one peer and a half

        UdpResponse.Announce a = (UdpResponse.Announce) UdpResponseDecoder.decode(in, false);

        assertThat(a.peers()).containsExactly(PEER4_A);
    }

    @Test
    void errorResponseCarriesTheTrackersMessage() {
        in.writeInt(3) // action: error
                .writeInt(83) // transaction_id
                .writeBytes("torrent not registered".getBytes(StandardCharsets.UTF_8));

        assertThat(UdpResponseDecoder.decode(in, false))
                .isEqualTo(new UdpResponse.TrackerError(83, "torrent not registered"));
    }

    @Test
    void errorMessageLosesItsNulTerminatorAndControlCharacters() {
        in.writeInt(3).writeInt(84).writeBytes("bad\nline\u00e9\0\0".getBytes(StandardCharsets.UTF_8));

        assertThat(UdpResponseDecoder.decode(in, false)).isEqualTo(new UdpResponse.TrackerError(84, "bad?line\u00e9"));
    }

    @Test
    void errorMessageIsCutToTheLimit() {
        in.writeInt(3).writeInt(85).writeBytes("x".repeat(1000).getBytes(StandardCharsets.US_ASCII));

        UdpResponse.TrackerError e = (UdpResponse.TrackerError) UdpResponseDecoder.decode(in, false);

        assertThat(e.message()).hasSize(UdpResponseDecoder.MAX_MESSAGE_BYTES);
    }

    @Test
    void errorWithoutAMessageHasAnEmptyOne() {
        in.writeInt(3).writeInt(86);

        assertThat(UdpResponseDecoder.decode(in, false)).isEqualTo(new UdpResponse.TrackerError(86, ""));
    }

    @Test
    void datagramShorterThanAHeadIsMalformedWithoutTransactionId() {
        in.writeInt(1).writeShort(5);

        assertThat(UdpResponseDecoder.decode(in, false))
                .isEqualTo(new UdpResponse.Malformed(0, UdpResponse.Problem.TOO_SHORT));
    }

    @Test
    void scrapeAndUnknownActionsAreUnexpected() {
        in.writeInt(2).writeInt(87).writeInt(1).writeInt(2).writeInt(3); // a scrape response

        assertThat(UdpResponseDecoder.decode(in, false))
                .isEqualTo(new UdpResponse.Malformed(87, UdpResponse.Problem.UNEXPECTED_ACTION));
        in.setInt(0, -1);
        assertThat(UdpResponseDecoder.decode(in, false))
                .isEqualTo(new UdpResponse.Malformed(87, UdpResponse.Problem.UNEXPECTED_ACTION));
    }

    @Test
    void decodingStartsAtTheReaderIndexAndLeavesTheIndicesAlone() {
        in.writeInt(0xdeadbeef); // not part of the datagram
        in.writeInt(0).writeInt(88).writeLong(42);
        in.readerIndex(4);

        assertThat(UdpResponseDecoder.transactionId(in)).isEqualTo(88);
        assertThat(UdpResponseDecoder.decode(in, false)).isEqualTo(new UdpResponse.Connect(88, 42));
        assertThat(in.readerIndex()).isEqualTo(4);
        assertThat(in.writerIndex()).isEqualTo(20);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
