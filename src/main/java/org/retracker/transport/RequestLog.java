package org.retracker.transport;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.HexFormat;
import org.jspecify.annotations.Nullable;
import org.retracker.protocol.AnnounceRequest;
import org.retracker.protocol.AnnounceResponse;
import org.retracker.protocol.FailureReason;
import org.retracker.protocol.ScrapeRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One debug line per request ({@code -d}): what a client asked and what it got, for finding out
 * why a client sees no peers. Every method returns at once unless the logger
 * {@code org.retracker.requests} is at DEBUG, so with debug off the hot path neither formats nor
 * allocates.
 */
final class RequestLog {
    private static final Logger log = LoggerFactory.getLogger("org.retracker.requests");
    private static final HexFormat HEX = HexFormat.of();

    private RequestLog() {}

    static void announce(String transport, AnnounceRequest request, AnnounceResponse response) {
        if (!log.isDebugEnabled()) {
            return;
        }
        log.debug(
                "{} announce {} port {} info_hash {} event {} left {} numwant {} -> {} IPv4 + {} IPv6 peers"
                        + " (complete {}, incomplete {})",
                transport,
                address(request.address, request.addressLength),
                request.port,
                HEX.formatHex(request.infoHash),
                request.event,
                request.left,
                request.numWant == AnnounceRequest.NUMWANT_DEFAULT ? "default" : request.numWant,
                response.peers4Count,
                response.peers6Count,
                response.complete,
                response.incomplete);
    }

    static void scrape(String transport, @Nullable Object client, ScrapeRequest request) {
        if (!log.isDebugEnabled()) {
            return;
        }
        String first = request.count == 0 ? "-" : HEX.formatHex(request.infoHashes, 0, AnnounceRequest.ID_LENGTH);
        log.debug("{} scrape {} of {} info hashes (first {})", transport, client, request.count, first);
    }

    static void failure(String transport, @Nullable Object client, FailureReason reason) {
        if (!log.isDebugEnabled()) {
            return;
        }
        log.debug("{} failure to {}: {}", transport, client, reason.message());
    }

    /** A datagram that gets no reply at all (BEP 15: nothing for an unproven source). */
    static void dropped(@Nullable Object client, String why) {
        if (!log.isDebugEnabled()) {
            return;
        }
        log.debug("UDP datagram from {} dropped: {}", client, why);
    }

    static void connectionRefused(@Nullable Object client, String why) {
        if (!log.isDebugEnabled()) {
            return;
        }
        log.debug("HTTP connection from {} closed: {}", client, why);
    }

    private static String address(byte[] address, int length) {
        try {
            return InetAddress.getByAddress(Arrays.copyOf(address, length)).getHostAddress();
        } catch (UnknownHostException e) {
            return "?";
        }
    }
}
