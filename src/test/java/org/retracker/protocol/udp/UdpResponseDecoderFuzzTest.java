package org.retracker.protocol.udp;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.retracker.protocol.AnnounceRequest;
import org.retracker.protocol.AnnounceResponse;

/**
 * Jazzer target for the client side of the BEP 15 codec. Every datagram is decoded as a response
 * for an IPv4 and an IPv6 tracker and checked against the bytes; connect and announce responses are
 * re-encoded with the tracker's encoder and must give the same bytes back. A datagram that the
 * tracker's request decoder accepts as an announce must come back byte for byte from the client's
 * request encoder.
 */
class UdpResponseDecoderFuzzTest {
    private final AnnounceRequest request = new AnnounceRequest();

    @FuzzTest(maxDuration = "60s")
    void decodeAnyResponseDatagram(byte[] datagram) {
        ByteBuf packet = Unpooled.buffer(datagram.length + 1);
        ByteBuf out = Unpooled.buffer();
        try {
            packet.writeByte(0x55); // a byte before the datagram: decoding must start at readerIndex
            packet.writeBytes(datagram);
            packet.readerIndex(1);
            for (boolean ipv6 : new boolean[] {false, true}) {
                UdpResponse response = UdpResponseDecoder.decode(packet, ipv6);
                assertThat(packet.readerIndex()).isEqualTo(1);
                assertThat(packet.readableBytes()).isEqualTo(datagram.length);
                check(datagram, ipv6, response, out);
            }
            roundTripRequest(datagram, packet, out);
        } finally {
            packet.release();
            out.release();
        }
    }

    private static void check(byte[] datagram, boolean ipv6, UdpResponse response, ByteBuf out) {
        if (datagram.length < UdpResponseDecoder.HEADER_BYTES) {
            assertThat(response).isEqualTo(new UdpResponse.Malformed(0, UdpResponse.Problem.TOO_SHORT));
            return;
        }
        ByteBuffer b = ByteBuffer.wrap(datagram);
        int action = b.getInt(0);
        assertThat(response.transactionId()).isEqualTo(b.getInt(4));
        switch (response) {
            case UdpResponse.Connect c -> {
                assertThat(action).isZero();
                assertThat(datagram.length).isGreaterThanOrEqualTo(16);
                assertThat(c.connectionId()).isEqualTo(b.getLong(8));
                out.clear();
                UdpResponseEncoder.writeConnect(out, c.transactionId(), c.connectionId());
                assertThat(bytes(out)).isEqualTo(Arrays.copyOf(datagram, 16));
            }
            case UdpResponse.Announce a -> {
                assertThat(action).isEqualTo(1);
                int peerBytes = ipv6 ? 18 : 6;
                int body = datagram.length - 20;
                assertThat(body).isNotNegative();
                assertThat(a.peerBytes()).isEqualTo(peerBytes);
                assertThat(a.peers()).hasSize(body / peerBytes * peerBytes);
                assertThat(a.peerCount()).isEqualTo(body / peerBytes);
                AnnounceResponse r = new AnnounceResponse(a.peerCount());
                System.arraycopy(a.peers(), 0, ipv6 ? r.peers6 : r.peers4, 0, a.peers().length);
                r.peers4Count = ipv6 ? 0 : a.peerCount();
                r.peers6Count = ipv6 ? a.peerCount() : 0;
                r.interval = a.interval();
                r.incomplete = a.leechers();
                r.complete = a.seeders();
                out.clear();
                UdpResponseEncoder.writeAnnounce(out, a.transactionId(), r, ipv6);
                assertThat(bytes(out)).isEqualTo(Arrays.copyOf(datagram, 20 + a.peers().length));
            }
            case UdpResponse.TrackerError e -> {
                assertThat(action).isEqualTo(3);
                assertThat(e.message().length()).isLessThanOrEqualTo(UdpResponseDecoder.MAX_MESSAGE_BYTES);
                assertThat(e.message().chars().noneMatch(Character::isISOControl))
                        .as("no control characters")
                        .isTrue();
            }
            case UdpResponse.Malformed m -> {
                if (m.problem() == UdpResponse.Problem.TOO_SHORT) {
                    assertThat(action).isIn(0, 1);
                    assertThat(datagram.length).isLessThan(action == 0 ? 16 : 20);
                } else {
                    assertThat(action).isNotIn(0, 1, 3);
                }
            }
        }
    }

    /** Whatever the tracker accepts as an announce, the client's encoder writes the same way. */
    private void roundTripRequest(byte[] datagram, ByteBuf packet, ByteBuf out) {
        if (UdpRequestDecoder.decodeAnnounce(packet, request) != null) {
            return;
        }
        ByteBuffer b = ByteBuffer.wrap(datagram);
        out.clear();
        UdpRequestEncoder.writeAnnounce(out, b.getLong(0), b.getInt(12), request, b.getInt(88));
        byte[] expected = Arrays.copyOf(datagram, UdpRequestDecoder.ANNOUNCE_BYTES);
        // The tracker dispatches on the action before decoding, so the decoder takes any action.
        ByteBuffer.wrap(expected).putInt(8, UdpRequestDecoder.ACTION_ANNOUNCE);
        if (b.getInt(92) < 0) {
            ByteBuffer.wrap(expected).putInt(92, -1); // every negative num_want means "default"
        }
        assertThat(bytes(out)).isEqualTo(expected);
    }

    private static byte[] bytes(ByteBuf buf) {
        byte[] b = new byte[buf.readableBytes()];
        buf.getBytes(buf.readerIndex(), b);
        return b;
    }
}
