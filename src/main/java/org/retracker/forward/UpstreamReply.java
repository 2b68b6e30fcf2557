package org.retracker.forward;

/**
 * What one attempt to announce to an external tracker came to.
 *
 * @param outcome what happened
 * @param interval the tracker's {@code interval} in seconds, or {@link #ABSENT}
 * @param minInterval its {@code min interval}, or {@link #ABSENT}
 * @param complete seeders it reported, or {@link #ABSENT}
 * @param incomplete leechers it reported, or {@link #ABSENT}
 * @param peers4 IPv4 peers, 6 bytes each (address, port; BEP 23), possibly empty
 * @param peers6 IPv6 peers, 18 bytes each (BEP 7), possibly empty
 * @param message the tracker's {@code failure reason} or error text ({@link Outcome#REFUSED}), or
 *     what went wrong ({@link Outcome#ERROR}, {@link Outcome#RATE_LIMITED}); empty for {@link
 *     Outcome#OK}, or its {@code warning message}
 * @param retryAfterSeconds BEP 31 {@code retry in}, or HTTP {@code Retry-After}, in seconds;
 *     {@link #ABSENT} when the tracker said nothing, {@link #RETRY_NEVER} for {@code retry in:
 *     never}
 * @param httpStatus the HTTP status the tracker answered with, or {@link #ABSENT} (UDP, or no
 *     status line came back)
 */
@SuppressWarnings("ArrayRecordComponent")
public record UpstreamReply(
        Outcome outcome,
        int interval,
        int minInterval,
        int complete,
        int incomplete,
        byte[] peers4,
        byte[] peers6,
        String message,
        int retryAfterSeconds,
        int httpStatus) {
    public static final int ABSENT = -1;
    public static final int RETRY_NEVER = Integer.MAX_VALUE;
    private static final byte[] NONE = new byte[0];

    public UpstreamReply {
        if (peers4.length % 6 != 0 || peers6.length % 18 != 0) {
            throw new IllegalArgumentException("peer lists must be whole 6- or 18-byte entries");
        }
    }

    /** An attempt that failed before the tracker said anything usable; worth retrying. */
    public static UpstreamReply error(String message) {
        return new UpstreamReply(Outcome.ERROR, ABSENT, ABSENT, ABSENT, ABSENT, NONE, NONE, message, ABSENT, ABSENT);
    }

    /** The tracker answered {@code failure reason} (BEP 3), with {@code retry in} if it sent one. */
    public static UpstreamReply refused(String reason, int retryAfterSeconds) {
        return new UpstreamReply(
                Outcome.REFUSED, ABSENT, ABSENT, ABSENT, ABSENT, NONE, NONE, reason, retryAfterSeconds, ABSENT);
    }

    /** HTTP 429 (or 503 with {@code Retry-After}): the tracker asks to be left alone for a while. */
    public static UpstreamReply rateLimited(String message, int retryAfterSeconds) {
        return new UpstreamReply(
                Outcome.RATE_LIMITED, ABSENT, ABSENT, ABSENT, ABSENT, NONE, NONE, message, retryAfterSeconds, ABSENT);
    }

    /** This reply with the HTTP status it came with. */
    public UpstreamReply withHttpStatus(int status) {
        return new UpstreamReply(
                outcome,
                interval,
                minInterval,
                complete,
                incomplete,
                peers4,
                peers6,
                message,
                retryAfterSeconds,
                status);
    }

    public int peerCount() {
        return peers4.length / 6 + peers6.length / 18;
    }

    public enum Outcome {
        /** A tracker reply with peers (possibly none). */
        OK,
        /** The tracker answered with a {@code failure reason}: not a success, not worth a retry. */
        REFUSED,
        /** The tracker asked us to slow down (HTTP 429 / Retry-After): suspend, do not retry. */
        RATE_LIMITED,
        /** Timeout, network error, bad status, garbage or oversized reply: retry with backoff. */
        ERROR
    }
}
