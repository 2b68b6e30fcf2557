package org.retracker.protocol.udp;

/**
 * A BEP 15 response as a client reads it: what {@link UdpResponseDecoder} makes of one datagram
 * from a tracker. Every variant carries the datagram's transaction id so the client can match it
 * to its request. Immutable.
 */
public sealed interface UdpResponse
        permits UdpResponse.Connect, UdpResponse.Announce, UdpResponse.TrackerError, UdpResponse.Malformed {
    int transactionId();

    /** BEP 15 "Connect" response (action 0): the connection id to use for one minute. */
    record Connect(int transactionId, long connectionId) implements UdpResponse {}

    /**
     * BEP 15 "Announce" response (action 1). The counts are the tracker's int32 values as sent,
     * not checked for sign.
     *
     * @param peers compact peers, {@link #peerBytes} each: 6 (IPv4 address, port) when the tracker
     *     was reached over IPv4, 18 (IPv6 address, port) over IPv6 (BEP 15 "IPv6")
     */
    @SuppressWarnings("ArrayRecordComponent") // wire bytes handed on, never compared as a record
    record Announce(int transactionId, int interval, int leechers, int seeders, byte[] peers, int peerBytes)
            implements UdpResponse {
        public int peerCount() {
            return peers.length / peerBytes;
        }
    }

    /**
     * BEP 15 "Error" response (action 3).
     *
     * @param message the tracker's text, decoded as UTF-8, cut to {@link
     *     UdpResponseDecoder#MAX_MESSAGE_BYTES} bytes, control characters replaced by {@code ?}
     */
    record TrackerError(int transactionId, String message) implements UdpResponse {}

    /**
     * A datagram that is no usable response.
     *
     * @param transactionId the datagram's transaction id, or 0 when it is too short to have one
     */
    record Malformed(int transactionId, Problem problem) implements UdpResponse {}

    /** What is wrong with a {@link Malformed} datagram. */
    enum Problem {
        TOO_SHORT("too short for its action"),
        UNEXPECTED_ACTION("action is not connect, announce or error");

        private final String message;

        Problem(String message) {
            this.message = message;
        }

        public String message() {
            return message;
        }
    }
}
