package org.retracker.protocol.udp;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.retracker.protocol.AnnounceEvent;
import org.retracker.protocol.AnnounceRequest;
import org.retracker.protocol.FailureReason;
import org.retracker.protocol.ScrapeRequest;

/** BEP 15 request fixtures, built field by field. */
class UdpRequestDecoderTest {
    private static final long CONNECTION_ID = 0x0123456789ABCDEFL;
    private static final int TRANSACTION = 0xCAFEBABE;

    private final List<ByteBuf> buffers = new ArrayList<>();
    private final AnnounceRequest request = new AnnounceRequest();

    @AfterEach
    void release() {
        for (ByteBuf b : buffers) {
            b.release();
        }
    }

    // ---- header -----------------------------------------------------------------------------------

    @Test
    void connectRequestHeaderIsRead() {
        ByteBuf packet = buffer().writeLong(UdpRequestDecoder.PROTOCOL_ID) // connection_id: the magic constant
                .writeInt(UdpRequestDecoder.ACTION_CONNECT) // action 0
                .writeInt(TRANSACTION); // transaction_id
        assertThat(packet.readableBytes()).isEqualTo(UdpRequestDecoder.CONNECT_BYTES);
        assertThat(UdpRequestDecoder.connectionId(packet)).isEqualTo(0x41727101980L);
        assertThat(UdpRequestDecoder.action(packet)).isEqualTo(0);
        assertThat(UdpRequestDecoder.transactionId(packet)).isEqualTo(TRANSACTION);
        assertThat(packet.readerIndex()).isZero(); // header accessors do not consume
    }

    @Test
    void headerIsReadFromTheReaderIndex() {
        ByteBuf packet = buffer().writeBytes(new byte[5]) // bytes before the datagram (already read)
                .writeLong(CONNECTION_ID) // connection_id
                .writeInt(UdpRequestDecoder.ACTION_SCRAPE) // action 2
                .writeInt(7); // transaction_id
        packet.readerIndex(5);
        assertThat(UdpRequestDecoder.connectionId(packet)).isEqualTo(CONNECTION_ID);
        assertThat(UdpRequestDecoder.action(packet)).isEqualTo(2);
        assertThat(UdpRequestDecoder.transactionId(packet)).isEqualTo(7);
    }

    // ---- announce ---------------------------------------------------------------------------------

    @Test
    void announceFieldsAreDecoded() {
        ByteBuf packet = announce(2, 0x0A000001, 50, 6881);

        assertThat(UdpRequestDecoder.decodeAnnounce(packet, request)).isNull();
        assertThat(request.infoHash).containsExactly(fill(0x11));
        assertThat(request.peerId).containsExactly(fill(0x22));
        assertThat(request.downloaded).isEqualTo(1000);
        assertThat(request.left).isEqualTo(2000);
        assertThat(request.uploaded).isEqualTo(3000);
        assertThat(request.event).isEqualTo(AnnounceEvent.STARTED);
        assertThat(request.claimedAddressLength).isEqualTo(4);
        assertThat(Arrays.copyOf(request.claimedAddress, 4)).containsExactly(10, 0, 0, 1);
        assertThat(request.numWant).isEqualTo(50);
        assertThat(request.port).isEqualTo(6881);
        assertThat(request.compact).isTrue();
        assertThat(packet.readerIndex()).isZero();
    }

    @Test
    void announceEventCodesMapToEvents() {
        AnnounceEvent[] expected = {
            AnnounceEvent.NONE, AnnounceEvent.COMPLETED, AnnounceEvent.STARTED, AnnounceEvent.STOPPED
        };
        for (int code = 0; code < 4; code++) {
            assertThat(UdpRequestDecoder.decodeAnnounce(announce(code, 0, -1, 1), request))
                    .isNull();
            assertThat(request.event).isEqualTo(expected[code]);
        }
    }

    @Test
    void announceWithIpZeroClaimsNoAddress() {
        assertThat(UdpRequestDecoder.decodeAnnounce(announce(0, 0x7F000001, 1, 1), request))
                .isNull();
        assertThat(UdpRequestDecoder.decodeAnnounce(announce(0, 0, 1, 1), request))
                .isNull();
        assertThat(request.claimedAddressLength).isZero();
    }

    @Test
    void announceWithHighIpBytesIsUnsigned() {
        assertThat(UdpRequestDecoder.decodeAnnounce(announce(0, 0xFFFEFDFC, 1, 1), request))
                .isNull();
        assertThat(Arrays.copyOf(request.claimedAddress, 4)).containsExactly(0xFF, 0xFE, 0xFD, 0xFC);
    }

    @Test
    void negativeNumwantMeansDefault() {
        for (int numWant : new int[] {-1, -2, Integer.MIN_VALUE}) {
            assertThat(UdpRequestDecoder.decodeAnnounce(announce(0, 0, numWant, 1), request))
                    .isNull();
            assertThat(request.numWant).isEqualTo(AnnounceRequest.NUMWANT_DEFAULT);
        }
        assertThat(UdpRequestDecoder.decodeAnnounce(announce(0, 0, 0, 1), request))
                .isNull();
        assertThat(request.numWant).isZero();
    }

    @Test
    void portIsUnsigned() {
        assertThat(UdpRequestDecoder.decodeAnnounce(announce(0, 0, 0, 65535), request))
                .isNull();
        assertThat(request.port).isEqualTo(65535);
    }

    @Test
    void announceWithPortZeroIsRefused() {
        assertThat(UdpRequestDecoder.decodeAnnounce(announce(0, 0, 0, 0), request))
                .isEqualTo(FailureReason.INVALID_PORT);
    }

    @ParameterizedTest
    @ValueSource(ints = {4, 5, -1, 0x100, Integer.MAX_VALUE})
    void announceWithUnknownEventIsRefused(int event) {
        assertThat(UdpRequestDecoder.decodeAnnounce(announce(event, 0, 0, 1), request))
                .isEqualTo(FailureReason.UDP_INVALID_EVENT);
    }

    @Test
    void negativeCountersAreRefused() {
        ByteBuf downloaded = announce(0, 0, 0, 1);
        downloaded.setLong(56, -1);
        assertThat(UdpRequestDecoder.decodeAnnounce(downloaded, request)).isEqualTo(FailureReason.INVALID_DOWNLOADED);
        ByteBuf left = announce(0, 0, 0, 1);
        left.setLong(64, Long.MIN_VALUE);
        assertThat(UdpRequestDecoder.decodeAnnounce(left, request)).isEqualTo(FailureReason.INVALID_LEFT);
        ByteBuf uploaded = announce(0, 0, 0, 1);
        uploaded.setLong(72, -5);
        assertThat(UdpRequestDecoder.decodeAnnounce(uploaded, request)).isEqualTo(FailureReason.INVALID_UPLOADED);
    }

    @Test
    void leftZeroIsASeeder() {
        ByteBuf packet = announce(1, 0, 0, 1);
        packet.setLong(64, 0);
        assertThat(UdpRequestDecoder.decodeAnnounce(packet, request)).isNull();
        assertThat(request.isSeeder()).isTrue();
    }

    @Test
    void announceWithBep41OptionsIsDecodedAndTheOptionsIgnored() {
        ByteBuf packet = announce(3, 0, 10, 443);
        packet.writeByte(0x1) // option NOP
                .writeByte(0x2) // option URLData
                .writeByte(9) // its length
                .writeBytes("/announce".getBytes(java.nio.charset.StandardCharsets.US_ASCII)) // path
                .writeByte(0x0); // EndOfOptions
        assertThat(UdpRequestDecoder.decodeAnnounce(packet, request)).isNull();
        assertThat(request.event).isEqualTo(AnnounceEvent.STOPPED);
        assertThat(request.port).isEqualTo(443);
        assertThat(request.numWant).isEqualTo(10);
    }

    @Test
    void announceShorterThan98BytesIsTooShort() {
        ByteBuf full = announce(0, 0, 0, 1);
        for (int length : new int[] {0, 16, 20, 97}) {
            ByteBuf cut = full.retainedSlice(0, length);
            buffers.add(cut);
            assertThat(UdpRequestDecoder.decodeAnnounce(cut, request))
                    .as("%d bytes", length)
                    .isEqualTo(FailureReason.UDP_REQUEST_TOO_SHORT);
        }
    }

    @Test
    void announceIsReadFromTheReaderIndex() {
        ByteBuf packet = buffer().writeBytes(new byte[3]); // 3 bytes before the datagram
        ByteBuf body = announce(2, 0, 7, 99);
        packet.writeBytes(body, 0, body.readableBytes());
        packet.readerIndex(3);
        assertThat(UdpRequestDecoder.decodeAnnounce(packet, request)).isNull();
        assertThat(request.infoHash).containsExactly(fill(0x11));
        assertThat(request.port).isEqualTo(99);
    }

    @Test
    void aSecondAnnounceDoesNotKeepTheFirstClaim() {
        assertThat(UdpRequestDecoder.decodeAnnounce(announce(0, 0x01020304, 0, 1), request))
                .isNull();
        assertThat(UdpRequestDecoder.decodeAnnounce(announce(0, 0, 0, 1), request))
                .isNull();
        assertThat(request.claimedAddressLength).isZero();
    }

    // ---- scrape -----------------------------------------------------------------------------------

    @Test
    void scrapeHashesAreDecodedInOrder() {
        ScrapeRequest scrape = new ScrapeRequest(74);
        ByteBuf packet = header(UdpRequestDecoder.ACTION_SCRAPE)
                .writeBytes(fill(0xA1)) // info_hash 1
                .writeBytes(fill(0xB2)) // info_hash 2
                .writeBytes(fill(0xC3)); // info_hash 3
        assertThat(UdpRequestDecoder.decodeScrape(packet, scrape, 74)).isNull();
        assertThat(scrape.count).isEqualTo(3);
        assertThat(Arrays.copyOfRange(scrape.infoHashes, 0, 20)).containsExactly(fill(0xA1));
        assertThat(Arrays.copyOfRange(scrape.infoHashes, 20, 40)).containsExactly(fill(0xB2));
        assertThat(Arrays.copyOfRange(scrape.infoHashes, 40, 60)).containsExactly(fill(0xC3));
    }

    @Test
    void scrapeWithoutHashesIsRefused() {
        ScrapeRequest scrape = new ScrapeRequest(4);
        assertThat(UdpRequestDecoder.decodeScrape(header(2), scrape, 4)).isEqualTo(FailureReason.MISSING_INFO_HASH);
        ByteBuf tooShort = buffer().writeLong(CONNECTION_ID); // only 8 bytes: not even a header
        assertThat(UdpRequestDecoder.decodeScrape(tooShort, scrape, 4)).isEqualTo(FailureReason.MISSING_INFO_HASH);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 19, 21, 39, 41, 59})
    void scrapeBodyNotAMultipleOf20IsRefused(int bodyLength) {
        ScrapeRequest scrape = new ScrapeRequest(4);
        ByteBuf packet = header(2).writeBytes(new byte[bodyLength]); // body of a broken length
        assertThat(UdpRequestDecoder.decodeScrape(packet, scrape, 4)).isEqualTo(FailureReason.INVALID_INFO_HASH);
        assertThat(scrape.count).isZero();
    }

    @Test
    void scrapeWithMoreHashesThanAllowedIsRefused() {
        ScrapeRequest scrape = new ScrapeRequest(10);
        ByteBuf three = header(2).writeBytes(new byte[3 * 20]); // three hashes
        assertThat(UdpRequestDecoder.decodeScrape(three, scrape, 3)).isNull();
        assertThat(UdpRequestDecoder.decodeScrape(three, scrape, 2)).isEqualTo(FailureReason.TOO_MANY_INFO_HASHES);
        ByteBuf eleven = header(2).writeBytes(new byte[11 * 20]); // more than the request holds
        assertThat(UdpRequestDecoder.decodeScrape(eleven, scrape, 1000)).isEqualTo(FailureReason.TOO_MANY_INFO_HASHES);
    }

    // ---- fixtures ---------------------------------------------------------------------------------

    /** A 98-byte announce with the given event, IP, num_want and port; counters 1000/2000/3000. */
    private ByteBuf announce(int event, int ip, int numWant, int port) {
        ByteBuf packet = header(UdpRequestDecoder.ACTION_ANNOUNCE)
                .writeBytes(fill(0x11)) // 16 info_hash
                .writeBytes(fill(0x22)) // 36 peer_id
                .writeLong(1000) // 56 downloaded
                .writeLong(2000) // 64 left
                .writeLong(3000) // 72 uploaded
                .writeInt(event) // 80 event
                .writeInt(ip) // 84 IP address
                .writeInt(0x5EED) // 88 key
                .writeInt(numWant) // 92 num_want
                .writeShort(port); // 96 port
        assertThat(packet.readableBytes()).isEqualTo(UdpRequestDecoder.ANNOUNCE_BYTES);
        return packet;
    }

    private ByteBuf header(int action) {
        return buffer().writeLong(CONNECTION_ID) // 0 connection_id
                .writeInt(action) // 8 action
                .writeInt(TRANSACTION); // 12 transaction_id
    }

    private ByteBuf buffer() {
        ByteBuf b = Unpooled.buffer();
        buffers.add(b);
        return b;
    }

    static byte[] fill(int value) {
        byte[] b = new byte[20];
        Arrays.fill(b, (byte) value);
        return b;
    }
}
