package org.retracker.forward;

/**
 * A forwarder as {@code /stats} and the log show it.
 *
 * @param state {@code active}, {@code suspended} (asked us to wait), or {@code down} (out of
 *     rotation after repeated failures, probed again at {@code retryAtMillis})
 * @param reason why it is not active, or the last failure; empty when there was none
 * @param meanLatencyMillis mean of the last answered attempts, or -1
 */
public record ForwarderStatus(
        String name,
        String uri,
        String state,
        String reason,
        long retryAtMillis,
        int consecutiveFailures,
        long announces,
        long successes,
        long failures,
        long peersReceived,
        long meanLatencyMillis) {}
