package org.retracker.protocol.http;

import static org.retracker.protocol.AnnounceResponse.PEER4_BYTES;
import static org.retracker.protocol.AnnounceResponse.PEER6_BYTES;

import org.jspecify.annotations.Nullable;

/**
 * An HTTP tracker's answer to an announce, as {@link HttpAnnounceReplyDecoder} read it: BEP 3
 * fields, BEP 23 / BEP 7 compact peers (non-compact peers already folded into them) and BEP 31
 * {@code retry in}. Built once per decoded reply; nobody writes the arrays afterwards.
 *
 * @param failureReason BEP 3 {@code failure reason}, or {@code null} when the tracker sent none;
 *     when present the other fields carry no meaning for the announce
 * @param retryIn BEP 31 {@code retry in} in minutes (as on the wire), {@link #ABSENT}, or {@link #RETRY_NEVER}
 * @param warningMessage BEP 3 {@code warning message}, or {@code null}
 * @param interval seconds, or {@link #ABSENT}
 * @param minInterval seconds, or {@link #ABSENT}
 * @param complete seeders, or {@link #ABSENT}
 * @param incomplete leechers, or {@link #ABSENT}
 * @param peers4 IPv4 peers, 6 bytes each (address, port big-endian), none with port 0
 * @param peers6 IPv6 peers, 18 bytes each, none with port 0
 */
@SuppressWarnings("ArrayRecordComponent")
public record HttpAnnounceReply(
        @Nullable String failureReason,
        int retryIn,
        @Nullable String warningMessage,
        int interval,
        int minInterval,
        int complete,
        int incomplete,
        byte[] peers4,
        byte[] peers6) {
    /** A field the tracker did not send, or sent with a negative or wrongly typed value. */
    public static final int ABSENT = -1;
    /** BEP 31 {@code retry in: never}. */
    public static final int RETRY_NEVER = Integer.MAX_VALUE;

    public HttpAnnounceReply {
        if (peers4.length % PEER4_BYTES != 0 || peers6.length % PEER6_BYTES != 0) {
            throw new IllegalArgumentException("peer lists must be whole 6- or 18-byte entries");
        }
    }
}
