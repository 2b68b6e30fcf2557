package org.retracker.protocol.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.dampcake.bencode.Bencode;
import com.dampcake.bencode.Type;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.retracker.protocol.AnnounceRequest;
import org.retracker.protocol.AnnounceResponse;
import org.retracker.protocol.FailureReason;
import org.retracker.protocol.ScrapeRequest;
import org.retracker.protocol.ScrapeResponse;

/**
 * Decodes what the encoder writes with an independent bencode implementation (the test-only
 * {@code com.dampcake:bencode}) and re-encodes it: the bytes must come back identical, which proves
 * the output is complete, canonical bencode with sorted, unique keys.
 */
class HttpResponseEncoderTest {
    /** ISO-8859-1 keeps binary dictionary keys (raw info hashes) byte for byte; strings stay bytes. */
    private static final Bencode ORACLE = new Bencode(StandardCharsets.ISO_8859_1, true);

    private final List<ByteBuf> buffers = new ArrayList<>();
    private final AnnounceRequest request = new AnnounceRequest();
    private final AnnounceResponse response = new AnnounceResponse(8);

    @AfterEach
    void release() {
        for (ByteBuf b : buffers) {
            b.release();
        }
    }

    // ---- compact announce ---------------------------------------------------------------------------

    @Test
    void compactAnnounceWithIpv4PeersOnly() {
        request.compact = true;
        fillCounts();
        addPeer4(new byte[] {10, 0, 0, 1}, 6881);
        addPeer4(new byte[] {(byte) 192, (byte) 168, 1, (byte) 254}, 65535);

        Map<String, Object> dict = announce(new HttpResponseEncoder(4, null));

        assertThat(dict.keySet()).containsExactly("complete", "incomplete", "interval", "min interval", "peers");
        assertThat(dict.get("complete")).isEqualTo(3L);
        assertThat(dict.get("incomplete")).isEqualTo(4L);
        assertThat(dict.get("interval")).isEqualTo(1800L);
        assertThat(dict.get("min interval")).isEqualTo(900L);
        assertThat(bytes(dict.get("peers")))
                .containsExactly(
                        10,
                        0,
                        0,
                        1,
                        0x1A,
                        (byte) 0xE1, // 10.0.0.1:6881
                        (byte) 192,
                        (byte) 168,
                        1,
                        (byte) 254,
                        (byte) 0xFF,
                        (byte) 0xFF); // 192.168.1.254:65535
    }

    @Test
    void compactAnnounceWithoutPeersStillCarriesPeers() {
        request.compact = true;
        Map<String, Object> dict = announce(new HttpResponseEncoder(4, null));
        assertThat(dict).containsKey("peers").doesNotContainKey("peers6");
        assertThat(bytes(dict.get("peers"))).isEmpty();
        assertThat(ascii(written()))
                .isEqualTo("d8:completei0e10:incompletei0e8:intervali0e12:min intervali0e5:peers0:e");
    }

    @Test
    void compactAnnounceCarriesPeers6OnlyWithIpv6Peers() {
        request.compact = true;
        byte[] v6 = HexFormat.of().parseHex("20010db8000000000000000000000001");
        addPeer6(v6, 51413);

        Map<String, Object> dict = announce(new HttpResponseEncoder(4, null));

        assertThat(dict.keySet())
                .containsExactly("complete", "incomplete", "interval", "min interval", "peers", "peers6");
        assertThat(bytes(dict.get("peers"))).isEmpty();
        byte[] expected = new byte[18];
        System.arraycopy(v6, 0, expected, 0, 16); // address
        expected[16] = (byte) 0xC8; // port 51413 high byte
        expected[17] = (byte) 0xD5; // port low byte
        assertThat(bytes(dict.get("peers6"))).containsExactly(expected);
    }

    @Test
    void trackerIdAndWarningComeLastInKeyOrder() {
        request.compact = true;
        response.warning = "slow down".getBytes(StandardCharsets.UTF_8);
        addPeer6(new byte[16], 1);

        Map<String, Object> dict = announce(new HttpResponseEncoder(4, "rt-1"));

        assertThat(dict.keySet())
                .containsExactly(
                        "complete",
                        "incomplete",
                        "interval",
                        "min interval",
                        "peers",
                        "peers6",
                        "tracker id",
                        "warning message");
        assertThat(ascii(bytes(dict.get("tracker id")))).isEqualTo("rt-1");
        assertThat(ascii(bytes(dict.get("warning message")))).isEqualTo("slow down");
    }

    @Test
    void emptyTrackerIdIsNotSent() {
        request.compact = true;
        assertThat(announce(new HttpResponseEncoder(4, ""))).doesNotContainKey("tracker id");
    }

    // ---- non-compact announce -----------------------------------------------------------------------

    @Test
    void nonCompactAnnounceListsPeerDicts() {
        addPeer4(new byte[] {1, 2, 3, 4}, 80); // shortest IPv4 text: 7 characters
        addPeer4(new byte[] {(byte) 255, (byte) 255, (byte) 255, (byte) 255}, 6881); // longest: 15
        addPeer4(new byte[] {10, 20, 30, 40}, 1); // 11 characters

        Map<String, Object> dict = announce(new HttpResponseEncoder(4, null));

        assertThat(dict).doesNotContainKey("peers6");
        List<Map<String, Object>> peers = peerList(dict);
        assertThat(peers).hasSize(3);
        assertPeer(peers.get(0), "1.2.3.4", 80);
        assertPeer(peers.get(1), "255.255.255.255", 6881);
        assertPeer(peers.get(2), "10.20.30.40", 1);
    }

    @Test
    void nonCompactPeerDictsCarryNoPeerIdEvenWhenNotAskedToOmitIt() {
        request.noPeerId = false;
        addPeer4(new byte[] {1, 2, 3, 4}, 80);
        addPeer6(HexFormat.of().parseHex("00000000000000000000000000000001"), 443);

        List<Map<String, Object>> peers = peerList(announce(new HttpResponseEncoder(4, null)));

        assertThat(peers).hasSize(2);
        for (Map<String, Object> peer : peers) {
            assertThat(peer.keySet()).containsExactly("ip", "port");
        }
    }

    @Test
    void nonCompactPeerDictsOmitPeerIdOnRequest() {
        request.noPeerId = true;
        addPeer4(new byte[] {1, 2, 3, 4}, 80);
        addPeer6(HexFormat.of().parseHex("00000000000000000000000000000001"), 443);

        List<Map<String, Object>> peers = peerList(announce(new HttpResponseEncoder(4, null)));

        assertThat(peers).hasSize(2);
        for (Map<String, Object> peer : peers) {
            assertThat(peer.keySet()).containsExactly("ip", "port");
        }
    }

    @Test
    void nonCompactIpv6PeersAreTextualAddresses() throws Exception {
        String[] hex = {
            "20010db8000000000000000000000001", // 2001:db8::1
            "00000000000000000000000000000000", // ::, 15 characters uncompressed
            "ffffffffffffffffffffffffffffffff", // 39 characters, the longest
            "fe800000000000000202b3fffe1e8329", // link-local
        };
        for (int i = 0; i < hex.length; i++) {
            addPeer6(HexFormat.of().parseHex(hex[i]), 1000 + i);
        }
        List<Map<String, Object>> peers = peerList(announce(new HttpResponseEncoder(4, null)));
        assertThat(peers).hasSize(hex.length);
        for (int i = 0; i < hex.length; i++) {
            Map<String, Object> peer = peers.get(i);
            assertThat(peer.keySet()).containsExactly("ip", "port");
            String text = ascii(bytes(peer.get("ip")));
            assertThat(text).doesNotContain("[").doesNotContain("]");
            assertThat(InetAddress.getByName(text).getAddress())
                    .as(text)
                    .containsExactly(HexFormat.of().parseHex(hex[i]));
            assertThat(peer.get("port")).isEqualTo(1000L + i);
        }
    }

    @Test
    void nonCompactListsIpv4BeforeIpv6() {
        addPeer6(new byte[16], 2);
        addPeer4(new byte[] {1, 1, 1, 1}, 1);
        List<Map<String, Object>> peers = peerList(announce(new HttpResponseEncoder(4, null)));
        assertThat(peers.get(0).get("port")).isEqualTo(1L);
        assertThat(peers.get(1).get("port")).isEqualTo(2L);
    }

    @Test
    void everyIpv4OctetValueRoundTripsThroughText() throws Exception {
        for (int first = 0; first < 256; first += 8) {
            response.reset();
            for (int k = 0; k < 8; k++) {
                int o = first + k;
                addPeer4(new byte[] {(byte) o, (byte) (255 - o), (byte) (o / 10), (byte) (o % 10)}, o + 1);
            }
            List<Map<String, Object>> peers = peerList(announce(new HttpResponseEncoder(4, null)));
            for (int k = 0; k < 8; k++) {
                int o = first + k;
                String text = ascii(bytes(peers.get(k).get("ip")));
                assertThat(InetAddress.getByName(text).getAddress())
                        .containsExactly((byte) o, (byte) (255 - o), (byte) (o / 10), (byte) (o % 10));
            }
        }
    }

    // ---- failure ------------------------------------------------------------------------------------

    @Test
    void failureWithoutRetryIn() {
        ByteBuf out = buffer();
        HttpResponseEncoder.writeFailure(out, FailureReason.INVALID_PORT, 0);
        Map<String, Object> dict = decodeCanonical(out);
        assertThat(dict.keySet()).containsExactly("failure reason");
        assertThat(ascii(bytes(dict.get("failure reason")))).isEqualTo(FailureReason.INVALID_PORT.message());
    }

    @Test
    void failureWithRetryIn() {
        ByteBuf out = buffer();
        HttpResponseEncoder.writeFailure(out, FailureReason.MISSING_INFO_HASH, 120);
        assertThat(ascii(ByteBufUtil.getBytes(out))).isEqualTo("d14:failure reason17:missing info_hash8:retry ini2ee");
        Map<String, Object> dict = decodeCanonical(out);
        assertThat(dict.keySet()).containsExactly("failure reason", "retry in");
        assertThat(dict.get("retry in")).as("BEP 31: minutes").isEqualTo(2L);
    }

    @Test
    void retryInRoundsSecondsUpToWholeMinutes() {
        for (int[] secondsMinutes : new int[][] {{1, 1}, {10, 1}, {60, 1}, {61, 2}, {Integer.MAX_VALUE, 35_791_395}}) {
            ByteBuf out = buffer();
            HttpResponseEncoder.writeFailure(out, FailureReason.TRACKER_BUSY, secondsMinutes[0]);
            assertThat(decodeCanonical(out).get("retry in"))
                    .as(secondsMinutes[0] + " s")
                    .isEqualTo((long) secondsMinutes[1]);
        }
    }

    @Test
    void everyFailureReasonEncodes() {
        for (FailureReason reason : FailureReason.values()) {
            ByteBuf out = buffer();
            HttpResponseEncoder.writeFailure(out, reason, 1);
            assertThat(ascii(bytes(decodeCanonical(out).get("failure reason")))).isEqualTo(reason.message());
        }
    }

    // ---- scrape -------------------------------------------------------------------------------------

    @Test
    void scrapeFilesAreSortedByRawBytesAndDeduplicated() {
        ScrapeRequest scrape = new ScrapeRequest(6);
        ScrapeResponse counts = new ScrapeResponse(6);
        byte[][] hashes = {
            filled(0x80), // sorts after 0x7f: unsigned comparison
            filled(0x7F),
            filled(0x00),
            filled(0x80), // duplicate of the first
            filled(0xFF),
        };
        for (int i = 0; i < hashes.length; i++) {
            System.arraycopy(hashes[i], 0, scrape.infoHashes, i * 20, 20);
            counts.complete[i] = 10 * i + 1;
            counts.downloaded[i] = 10 * i + 2;
            counts.incomplete[i] = 10 * i + 3;
        }
        scrape.count = hashes.length;

        ByteBuf out = buffer();
        new HttpResponseEncoder(6, null).writeScrape(out, scrape, counts);
        Map<String, Object> dict = decodeCanonical(out);

        assertThat(dict.keySet()).containsExactly("files");
        @SuppressWarnings("unchecked")
        Map<String, Object> files = (Map<String, Object>) Objects.requireNonNull(dict.get("files"));
        assertThat(files.keySet())
                .containsExactly(
                        latin1(filled(0x00)), latin1(filled(0x7F)), latin1(filled(0x80)), latin1(filled(0xFF)));
        assertStats(files, filled(0x80), 1, 2, 3); // the first occurrence's counts
        assertStats(files, filled(0x7F), 11, 12, 13);
        assertStats(files, filled(0x00), 21, 22, 23);
        assertStats(files, filled(0xFF), 41, 42, 43);
    }

    @Test
    void scrapeWithOneHashAtTheLimitAndNone() {
        ScrapeRequest scrape = new ScrapeRequest(1);
        ScrapeResponse counts = new ScrapeResponse(1);
        HttpResponseEncoder encoder = new HttpResponseEncoder(1, null);
        ByteBuf empty = buffer();
        encoder.writeScrape(empty, scrape, counts);
        assertThat(ascii(ByteBufUtil.getBytes(empty))).isEqualTo("d5:filesdee");

        System.arraycopy(filled(7), 0, scrape.infoHashes, 0, 20);
        scrape.count = 1;
        ByteBuf one = buffer();
        encoder.writeScrape(one, scrape, counts);
        assertThat(decodeCanonical(one)).containsKey("files");
    }

    // ---- heads --------------------------------------------------------------------------------------

    private static final byte[] STATUS_200 = HttpResponseEncoder.ascii("HTTP/1.1 200 OK\r\n");
    private static final byte[] TEXT_PLAIN = HttpResponseEncoder.ascii("Content-Type: text/plain");

    @Test
    void head200SaysLengthAndConnection() {
        ByteBuf out = buffer();
        HttpResponseEncoder.writeHead(out, STATUS_200, TEXT_PLAIN, 1234, true);
        assertThat(ascii(ByteBufUtil.getBytes(out)))
                .isEqualTo("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 1234\r\n"
                        + "Connection: keep-alive\r\n\r\n");
        ByteBuf close = buffer();
        HttpResponseEncoder.writeHead(close, STATUS_200, TEXT_PLAIN, 0, false);
        assertThat(ascii(ByteBufUtil.getBytes(close))).endsWith("Content-Length: 0\r\nConnection: close\r\n\r\n");
    }

    @Test
    void otherHeadsCarryTheirStatusLine() {
        ByteBuf out = buffer();
        HttpResponseEncoder.writeHead(
                out,
                HttpResponseEncoder.ascii("HTTP/1.1 404 Not Found\r\n"),
                HttpResponseEncoder.ascii("Content-Type: text/plain"),
                9,
                false);
        assertThat(ascii(ByteBufUtil.getBytes(out)))
                .isEqualTo("HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\nContent-Length: 9\r\n"
                        + "Connection: close\r\n\r\n");
    }

    @Test
    void responseIsHeadThenTheReadableBodyWhichStaysUnread() {
        ByteBuf heap = buffer();
        heap.writeBytes(HttpResponseEncoder.ascii("xxd8:completei1ee"));
        heap.skipBytes(2); // a body that does not start at its array's first byte
        ByteBuf direct = Unpooled.directBuffer(32);
        buffers.add(direct);
        direct.writeBytes(HttpResponseEncoder.ascii("d8:completei1ee"));
        String expected = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 15\r\n"
                + "Connection: keep-alive\r\n\r\nd8:completei1ee";
        for (ByteBuf body : List.of(heap, direct)) {
            int readerIndex = body.readerIndex();
            ByteBuf out = buffer();
            HttpResponseEncoder.writeResponse(out, STATUS_200, TEXT_PLAIN, body, false, true);
            assertThat(ascii(ByteBufUtil.getBytes(out))).isEqualTo(expected);
            assertThat(body.readerIndex()).isEqualTo(readerIndex);
        }
    }

    @Test
    void responseToHeadRequestHasTheBodysLengthButNotTheBody() {
        ByteBuf body = buffer();
        body.writeBytes(HttpResponseEncoder.ascii("ok\n"));
        ByteBuf out = buffer();
        HttpResponseEncoder.writeResponse(out, STATUS_200, TEXT_PLAIN, body, true, false);
        assertThat(ascii(ByteBufUtil.getBytes(out)))
                .isEqualTo("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 3\r\n"
                        + "Connection: close\r\n\r\n");
    }

    // ---- helpers ----------------------------------------------------------------------------------

    private ByteBuf lastOut = Unpooled.EMPTY_BUFFER;

    private Map<String, Object> announce(HttpResponseEncoder encoder) {
        ByteBuf out = buffer();
        encoder.writeAnnounce(out, request, response);
        lastOut = out;
        return decodeCanonical(out);
    }

    private byte[] written() {
        return ByteBufUtil.getBytes(lastOut);
    }

    /** Decodes a dictionary and checks that re-encoding it gives back exactly the same bytes. */
    private static Map<String, Object> decodeCanonical(ByteBuf out) {
        byte[] raw = ByteBufUtil.getBytes(out);
        Map<String, Object> dict = ORACLE.decode(raw, Type.DICTIONARY);
        assertThat(latin1(ORACLE.encode(dict))).as("re-encoded").isEqualTo(latin1(raw));
        return dict;
    }

    private ByteBuf buffer() {
        ByteBuf b = Unpooled.buffer();
        buffers.add(b);
        return b;
    }

    private void fillCounts() {
        response.complete = 3;
        response.incomplete = 4;
        response.interval = 1800;
        response.minInterval = 900;
    }

    private void addPeer4(byte[] address, int port) {
        int i = response.peers4Count++;
        System.arraycopy(address, 0, response.peers4, i * 6, 4);
        response.peers4[i * 6 + 4] = (byte) (port >>> 8);
        response.peers4[i * 6 + 5] = (byte) port;
    }

    private void addPeer6(byte[] address, int port) {
        int i = response.peers6Count++;
        System.arraycopy(address, 0, response.peers6, i * 18, 16);
        response.peers6[i * 18 + 16] = (byte) (port >>> 8);
        response.peers6[i * 18 + 17] = (byte) port;
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> peerList(Map<String, Object> dict) {
        return (List<Map<String, Object>>) Objects.requireNonNull(dict.get("peers"));
    }

    private static void assertPeer(Map<String, Object> peer, String ip, int port) {
        assertThat(peer.keySet()).containsExactly("ip", "port");
        assertThat(ascii(bytes(peer.get("ip")))).isEqualTo(ip);
        assertThat(peer.get("port")).isEqualTo((long) port);
    }

    @SuppressWarnings("unchecked")
    private static void assertStats(
            Map<String, Object> files, byte[] hash, long complete, long downloaded, long incomplete) {
        Map<String, Object> stats = (Map<String, Object>) Objects.requireNonNull(files.get(latin1(hash)));
        assertThat(stats.keySet()).containsExactly("complete", "downloaded", "incomplete");
        assertThat(stats.get("complete")).isEqualTo(complete);
        assertThat(stats.get("downloaded")).isEqualTo(downloaded);
        assertThat(stats.get("incomplete")).isEqualTo(incomplete);
    }

    private static byte[] bytes(@Nullable Object o) {
        ByteBuffer b = (ByteBuffer) Objects.requireNonNull(o, "missing value");
        byte[] a = new byte[b.remaining()];
        b.duplicate().get(a);
        return a;
    }

    private static byte[] filled(int value) {
        byte[] b = new byte[20];
        Arrays.fill(b, (byte) value);
        b[19] = (byte) (value ^ 0x01); // not all equal, so a reversed order would show
        return b;
    }

    private static String latin1(byte[] b) {
        return new String(b, StandardCharsets.ISO_8859_1);
    }

    private static String ascii(byte[] b) {
        return new String(b, StandardCharsets.ISO_8859_1);
    }
}
