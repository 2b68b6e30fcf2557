package org.retracker.protocol.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.jspecify.annotations.Nullable;
import org.retracker.protocol.http.HttpAnnounceReplyDecoder.Status;

/**
 * Jazzer target for the announce reply decoder. Any bytes give a status, never an exception; a
 * decoded reply holds only whole peer entries without port 0 and no number below {@code ABSENT};
 * and writing it back out as a canonical compact reply decodes to the same fields.
 *
 * <p>Regression mode (the default) replays {@code HttpAnnounceReplyDecoderFuzzTestInputs/}; {@code
 * JAZZER_FUZZ=1} fuzzes.
 */
class HttpAnnounceReplyDecoderFuzzTest {
    private final HttpAnnounceReplyDecoder decoder = new HttpAnnounceReplyDecoder();

    @FuzzTest(maxDuration = "60s")
    void decodeAndWriteBack(byte[] body) {
        byte[] padded = new byte[body.length + 2];
        padded[0] = 'd';
        System.arraycopy(body, 0, padded, 1, body.length);
        padded[padded.length - 1] = 'e';

        Status status = decoder.decode(padded, 1, padded.length - 1);
        if (status != Status.OK) {
            assertThat(decoder.problem()).isNotEmpty();
            return;
        }
        assertThat(decoder.problem()).isEmpty();
        HttpAnnounceReply r = decoder.reply();
        checkPeers(r.peers4(), 6);
        checkPeers(r.peers6(), 18);
        for (int n : new int[] {r.interval(), r.minInterval(), r.complete(), r.incomplete(), r.retryIn()}) {
            assertThat(n).isGreaterThanOrEqualTo(HttpAnnounceReply.ABSENT);
        }
        checkMessage(r.failureReason());
        checkMessage(r.warningMessage());

        byte[] canonical = write(r);
        assertThat(decoder.decode(canonical, 0, canonical.length))
                .as(decoder.problem())
                .isEqualTo(Status.OK);
        HttpAnnounceReply again = decoder.reply();
        assertThat(again.interval()).isEqualTo(r.interval());
        assertThat(again.minInterval()).isEqualTo(r.minInterval());
        assertThat(again.complete()).isEqualTo(r.complete());
        assertThat(again.incomplete()).isEqualTo(r.incomplete());
        assertThat(again.retryIn()).isEqualTo(r.retryIn());
        assertThat(again.peers4()).isEqualTo(r.peers4());
        assertThat(again.peers6()).isEqualTo(r.peers6());
        if (fitsUncut(r.failureReason()) && fitsUncut(r.warningMessage())) {
            assertThat(again.failureReason()).isEqualTo(r.failureReason());
            assertThat(again.warningMessage()).isEqualTo(r.warningMessage());
        }
    }

    private static void checkPeers(byte[] peers, int entry) {
        assertThat(peers.length % entry).isZero();
        for (int p = 0; p < peers.length; p += entry) {
            assertThat(peers[p + entry - 2] | peers[p + entry - 1])
                    .as("port of peer at %d", p)
                    .isNotZero();
        }
    }

    private static void checkMessage(@Nullable String message) {
        if (message != null) {
            assertThat(message.length()).isLessThanOrEqualTo(HttpAnnounceReplyDecoder.MAX_MESSAGE_BYTES);
        }
    }

    private static boolean fitsUncut(@Nullable String message) {
        return message == null
                || message.getBytes(StandardCharsets.UTF_8).length <= HttpAnnounceReplyDecoder.MAX_MESSAGE_BYTES;
    }

    /** The reply as a well-behaved tracker would write it: sorted keys, compact peers. */
    private static byte[] write(HttpAnnounceReply r) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write('d');
        integer(out, "complete", r.complete());
        if (r.failureReason() != null) {
            string(out, "failure reason", r.failureReason().getBytes(StandardCharsets.UTF_8));
        }
        integer(out, "incomplete", r.incomplete());
        integer(out, "interval", r.interval());
        integer(out, "min interval", r.minInterval());
        string(out, "peers", r.peers4());
        string(out, "peers6", r.peers6());
        if (r.retryIn() == HttpAnnounceReply.RETRY_NEVER) {
            string(out, "retry in", "never".getBytes(StandardCharsets.US_ASCII));
        } else {
            integer(out, "retry in", r.retryIn());
        }
        if (r.warningMessage() != null) {
            string(out, "warning message", r.warningMessage().getBytes(StandardCharsets.UTF_8));
        }
        out.write('e');
        return out.toByteArray();
    }

    private static void integer(ByteArrayOutputStream out, String key, int value) {
        if (value != HttpAnnounceReply.ABSENT) {
            ascii(out, key.length() + ":" + key + "i" + value + "e");
        }
    }

    private static void string(ByteArrayOutputStream out, String key, byte[] value) {
        ascii(out, key.length() + ":" + key + value.length + ":");
        out.writeBytes(value);
    }

    private static void ascii(ByteArrayOutputStream out, String s) {
        out.writeBytes(s.getBytes(StandardCharsets.US_ASCII));
    }
}
