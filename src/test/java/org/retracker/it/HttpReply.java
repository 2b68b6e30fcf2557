package org.retracker.it;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * One HTTP response as it came off the socket.
 *
 * @param status the status code
 * @param headers header fields, names in lower case
 * @param body exactly {@code Content-Length} bytes
 */
@SuppressWarnings("ArrayRecordComponent") // a value to read, never compared or hashed as a whole
record HttpReply(int status, Map<String, String> headers, byte[] body) {
    @Nullable
    String header(String name) {
        return headers.get(name.toLowerCase(Locale.ROOT));
    }

    Map<String, Object> dict() {
        return Bdecode.dict(body);
    }

    /** The bencoded {@code failure reason}, or {@code null} when the body has none. */
    @Nullable
    String failureReason() {
        Map<String, Object> d = dict();
        return d.containsKey("failure reason") ? Bdecode.string(d, "failure reason") : null;
    }

    String text() {
        return new String(body, StandardCharsets.ISO_8859_1);
    }
}
