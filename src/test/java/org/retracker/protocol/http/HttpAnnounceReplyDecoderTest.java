package org.retracker.protocol.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.retracker.protocol.http.HttpAnnounceReplyDecoder.Status;

class HttpAnnounceReplyDecoderTest {
    private static final byte[] PEER_A = {10, 0, 0, 1, 0x1A, (byte) 0xE1}; // 10.0.0.1:6881
    private static final byte[] PEER_B = {(byte) 192, (byte) 168, 1, 2, 0, 80}; // 192.168.1.2:80
    private static final byte[] PORT_ZERO = {1, 2, 3, 4, 0, 0}; // 1.2.3.4:0
    private static final byte[] PEER6 = {
        0x20,
        0x01,
        0x0d,
        (byte) 0xb8,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        1, // 2001:db8::1
        0x1A,
        (byte) 0xE1 // port 6881
    };

    private final HttpAnnounceReplyDecoder decoder = new HttpAnnounceReplyDecoder();

    @Test
    void aCompactReplyGivesItsCountersAndPeers() {
        HttpAnnounceReply r = ok(doc(
                "d8:completei5e10:incompletei3e8:intervali1800e12:min intervali900e5:peers", str(PEER_A, PEER_B), "e"));
        assertThat(r.failureReason()).isNull();
        assertThat(r.warningMessage()).isNull();
        assertThat(r.retryIn()).isEqualTo(HttpAnnounceReply.ABSENT);
        assertThat(r.complete()).isEqualTo(5);
        assertThat(r.incomplete()).isEqualTo(3);
        assertThat(r.interval()).isEqualTo(1800);
        assertThat(r.minInterval()).isEqualTo(900);
        assertThat(r.peers4()).isEqualTo(cat(PEER_A, PEER_B));
        assertThat(r.peers6()).isEmpty();
    }

    @Test
    void compactPeers6AreEighteenBytesEach() {
        HttpAnnounceReply r = ok(doc("d8:intervali60e5:peers0:6:peers6", str(PEER6, PEER6), "e"));
        assertThat(r.peers4()).isEmpty();
        assertThat(r.peers6()).isEqualTo(cat(PEER6, PEER6));
    }

    @Test
    void nonCompactPeersAreFoldedIntoCompactFormBySkippingBadEntries() {
        HttpAnnounceReply r = ok(doc(
                "d8:intervali60e5:peersl",
                "d2:ip8:10.0.0.17:peer id20:aaaaaaaaaaaaaaaaaaaa4:porti6881ee", // good
                "d2:ip11:2001:db8::14:porti6881ee", // good, IPv6 text
                "d2:ip13:[2001:db8::1]4:porti6881ee", // good, bracketed
                "d2:ip18:::ffff:192.168.1.24:porti80ee", // IPv4-mapped: stays IPv4
                "d2:ip11:example.org4:porti1ee", // DNS name: skipped
                "d2:ip7:1.2.3.44:porti0ee", // port 0: dropped
                "d2:ip7:1.2.3.44:porti65536ee", // port out of range
                "d2:ip7:1.2.3.44:port4:6881e", // port not an integer
                "d4:porti1ee", // no ip
                "d2:ip7:1.2.3.4e", // no port
                "i5e", // not a dictionary
                "l2:ipe", // not a dictionary
                "de",
                "ee"));
        assertThat(r.peers4()).isEqualTo(cat(PEER_A, PEER_B));
        assertThat(r.peers6()).isEqualTo(cat(PEER6, PEER6));
    }

    @Test
    void anEmptyDictionaryOrListWherePeersBelongMeansNoPeers() {
        HttpAnnounceReply dict = ok(doc("d8:intervali60e5:peersde6:peers6dee"));
        assertThat(dict.peers4()).isEmpty();
        assertThat(dict.peers6()).isEmpty();
        HttpAnnounceReply list = ok(doc("d8:intervali60e5:peersle6:peers6lee"));
        assertThat(list.peers4()).isEmpty();
        assertThat(list.peers6()).isEmpty();
    }

    @Test
    void compactPeersWithPortZeroAreDropped() {
        HttpAnnounceReply r = ok(doc("d5:peers", str(PORT_ZERO, PEER_A, PORT_ZERO), "e"));
        assertThat(r.peers4()).isEqualTo(PEER_A);
    }

    @Test
    void aTrailingPartialCompactEntryIsIgnored() {
        HttpAnnounceReply r = ok(doc("d5:peers", str(PEER_A, new byte[] {1, 2, 3}), "e"));
        assertThat(r.peers4()).isEqualTo(PEER_A);
    }

    @Test
    void aFailureReasonComesWithItsRetryIn() {
        HttpAnnounceReply r = ok(doc("d14:failure reason12:unregistered8:retry ini3600ee"));
        assertThat(r.failureReason()).isEqualTo("unregistered");
        assertThat(r.retryIn()).isEqualTo(3600);
    }

    @Test
    void retryInNeverIsTheString() {
        HttpAnnounceReply r = ok(doc("d14:failure reason6:banned8:retry in5:nevere"));
        assertThat(r.retryIn()).isEqualTo(HttpAnnounceReply.RETRY_NEVER);
        assertThat(ok(doc("d14:failure reason1:x8:retry in4:soone")).retryIn()).isEqualTo(HttpAnnounceReply.ABSENT);
        assertThat(ok(doc("d14:failure reason1:x8:retry ini99999999999ee")).retryIn())
                .isEqualTo(HttpAnnounceReply.RETRY_NEVER - 1);
    }

    @Test
    void aFailureReasonThatIsNotAStringIsStillAFailure() {
        assertThat(ok(doc("d14:failure reasonli1eee")).failureReason()).isEmpty();
    }

    @Test
    void aWarningMessageIsKeptNextToPeers() {
        HttpAnnounceReply r = ok(doc("d8:intervali60e5:peers0:15:warning message9:slow downe"));
        assertThat(r.warningMessage()).isEqualTo("slow down");
        assertThat(r.failureReason()).isNull();
    }

    @Test
    void longMessagesAreCut() {
        String reason = "x".repeat(5000);
        HttpAnnounceReply r = ok(doc("d14:failure reason5000:" + reason + "e"));
        assertThat(r.failureReason()).hasSize(HttpAnnounceReplyDecoder.MAX_MESSAGE_BYTES);
    }

    @Test
    void negativeOrWronglyTypedNumbersCountAsAbsentAndHugeOnesSaturate() {
        HttpAnnounceReply r =
                ok(doc("d8:completei-1e10:incomplete1:38:intervali99999999999e12:min intervalle5:peers0:e"));
        assertThat(r.complete()).isEqualTo(HttpAnnounceReply.ABSENT);
        assertThat(r.incomplete()).isEqualTo(HttpAnnounceReply.ABSENT);
        assertThat(r.interval()).isEqualTo(Integer.MAX_VALUE);
        assertThat(r.minInterval()).isEqualTo(HttpAnnounceReply.ABSENT);
    }

    @Test
    void unknownKeysAreSkippedWhateverTheyHold() {
        HttpAnnounceReply r =
                ok(doc("d1:ad1:bl1:cdeee10:tracker id3:abc8:intervali60e5:peers", str(PEER_A), "1:zli1eee"));
        assertThat(r.peers4()).isEqualTo(PEER_A);
        assertThat(r.interval()).isEqualTo(60);
    }

    @Test
    void garbageIsMalformed() {
        assertThat(decode("<html>oops</html>")).isEqualTo(Status.MALFORMED);
        assertThat(decoder.problem()).startsWith("malformed bencode at byte 0");
        assertThat(decode("d8:intervali60e5:peers0:")).isEqualTo(Status.MALFORMED);
        assertThat(decode("d8:intervali60ee\n")).isEqualTo(Status.MALFORMED);
        assertThat(decode("d5:peersld2:ipi-0eeee")).isEqualTo(Status.MALFORMED);
        assertThat(decode("")).isEqualTo(Status.MALFORMED);
    }

    @Test
    void aValueThatIsNotADictionaryIsNoReply() {
        assertThat(decode("li1ee")).isEqualTo(Status.NOT_A_DICTIONARY);
        assertThat(decode("4:spam")).isEqualTo(Status.NOT_A_DICTIONARY);
    }

    @Test
    void aDictionaryWithoutReplyKeysIsNoReply() {
        assertThat(decode("de")).isEqualTo(Status.NOT_AN_ANNOUNCE_REPLY);
        assertThat(decode("d8:completei1ee")).isEqualTo(Status.NOT_AN_ANNOUNCE_REPLY);
    }

    @Test
    void theDecoderIsReusableAndForgetsThePreviousReply() {
        ok(doc("d5:peers", str(PEER_A), "6:peers6", str(PEER6), "e"));
        HttpAnnounceReply second = ok(doc("d8:intervali5ee"));
        assertThat(second.peers4()).isEmpty();
        assertThat(second.peers6()).isEmpty();
        assertThat(decode("x")).isEqualTo(Status.MALFORMED);
        assertThat(decode("d8:intervali5ee")).isEqualTo(Status.OK);
        assertThat(decoder.problem()).isEmpty();
    }

    @Test
    void manyPeersGrowTheBuffers() {
        ByteArrayOutputStream peers = new ByteArrayOutputStream();
        for (int i = 0; i < 1000; i++) {
            peers.writeBytes(new byte[] {10, 0, (byte) (i >> 8), (byte) i, 0, 1});
        }
        HttpAnnounceReply r = ok(doc("d5:peers", str(peers.toByteArray()), "e"));
        assertThat(r.peers4()).isEqualTo(peers.toByteArray());
    }

    private HttpAnnounceReply ok(byte[] body) {
        byte[] padded = new byte[body.length + 4];
        System.arraycopy(body, 0, padded, 2, body.length);
        padded[0] = 'x';
        padded[padded.length - 1] = 'e';
        assertThat(decoder.decode(padded, 2, 2 + body.length))
                .as(decoder.problem())
                .isEqualTo(Status.OK);
        return decoder.reply();
    }

    private Status decode(String body) {
        byte[] b = body.getBytes(StandardCharsets.ISO_8859_1);
        return decoder.decode(b, 0, b.length);
    }

    /** Concatenates text parts (ISO-8859-1) and raw byte parts. */
    static byte[] doc(Object... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Object p : parts) {
            out.writeBytes(p instanceof byte[] b ? b : ((String) p).getBytes(StandardCharsets.ISO_8859_1));
        }
        return out.toByteArray();
    }

    /** A bencoded string of the concatenated arrays. */
    static byte[] str(byte[]... parts) {
        byte[] body = cat(parts);
        return doc(body.length + ":", body);
    }

    static byte[] cat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }
}
