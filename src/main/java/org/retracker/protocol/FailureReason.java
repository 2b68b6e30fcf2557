package org.retracker.protocol;

import java.nio.charset.StandardCharsets;

/**
 * Why a request is refused. Over HTTP the message goes out as the bencoded {@code failure reason}
 * (BEP 3) of a 200 reply; over UDP as the message of a BEP 15 error packet (action 3). The bytes are
 * encoded once so that refusing a request allocates nothing.
 */
public enum FailureReason {
    MISSING_INFO_HASH("missing info_hash"),
    INVALID_INFO_HASH("info_hash must be 20 bytes"),
    DUPLICATE_INFO_HASH("announce must carry exactly one info_hash"),
    MISSING_PEER_ID("missing peer_id"),
    INVALID_PEER_ID("peer_id must be 20 bytes"),
    MISSING_PORT("missing port"),
    INVALID_PORT("port must be an integer from 1 to 65535"),
    INVALID_UPLOADED("uploaded must be a non-negative integer"),
    INVALID_DOWNLOADED("downloaded must be a non-negative integer"),
    INVALID_LEFT("left must be a non-negative integer"),
    INVALID_NUMWANT("numwant must be a non-negative integer"),
    INVALID_EVENT("event must be started, completed, stopped or empty"),
    INVALID_COMPACT("compact must be 0 or 1"),
    MALFORMED_QUERY("malformed percent-encoding in query"),
    TOO_MANY_PARAMETERS("too many query parameters"),
    TOO_MANY_INFO_HASHES("too many info_hash values in one scrape"),
    MISSING_FORWARDED_ADDRESS("proxy did not send X-Real-IP or X-Forwarded-For"),
    INVALID_FORWARDED_ADDRESS("proxy sent an invalid X-Real-IP or X-Forwarded-For"),
    UNSUPPORTED_ADDRESS_FAMILY("peer address family is not served"),
    /** A new swarm while the forwarding queue is nearly full; sent with BEP 31 {@code retry in}. */
    TRACKER_BUSY("tracker busy, retry in 10 seconds"),
    /**
     * The client's address is over its request rate ({@code rate_limit_per_ip_per_sec}); sent with
     * BEP 31 {@code retry in} 1 (minute). Its next token comes within a second, but a client told to
     * wait a minute sheds the most load, and a minute is BEP 31's smallest unit.
     */
    RATE_LIMITED("rate limit exceeded, retry in 1 minute"),
    /** The info hash is not on the allow list, or is on the deny list ({@code access_list}). */
    TORRENT_NOT_ALLOWED("torrent not allowed on this tracker"),
    /**
     * A new torrent while the store holds {@code max_torrents} swarms: nothing is stored or
     * forwarded. No BEP 31 {@code retry in}: room comes only as swarms empty, not at a known time.
     */
    TOO_MANY_TORRENTS("tracker is full: too many torrents"),
    // UDP (BEP 15) request shapes
    UDP_REQUEST_TOO_SHORT("request too short for its action"),
    UDP_UNKNOWN_ACTION("unknown action"),
    UDP_INVALID_EVENT("event must be 0, 1, 2 or 3");

    private final String message;
    private final byte[] bytes;

    FailureReason(String message) {
        this.message = message;
        this.bytes = message.getBytes(StandardCharsets.UTF_8);
    }

    public String message() {
        return message;
    }

    /** The UTF-8 message; callers must not modify it. */
    @SuppressWarnings("MutableMethodReturnType")
    public byte[] bytes() {
        return bytes;
    }
}
