package org.retracker.forward;

/**
 * A forwarder as {@code /stats} and the log show it.
 *
 * @param state {@code active}, {@code suspended} (asked us to wait), or {@code down} (out of
 *     rotation after repeated failures, probed again at {@code retryAtMillis})
 * @param reason why it is not active, or the last failure; empty when there was none
 * @param retryAtMillis when a suspended or down forwarder is tried again (epoch milliseconds on
 *     the forwarding clock); 0 when active
 * @param consecutiveFailures failures since the last answer
 * @param announces attempts started
 * @param successes answers with peers (possibly none)
 * @param failures attempts that came to nothing usable: errors after their retries, refusals
 *     ({@code failure reason}) and rate limiting
 * @param peersReceived peers its answers carried
 * @param meanLatencyMillis mean of the last {@value Forwarder#LATENCY_SAMPLES} answered attempts,
 *     or -1 before the first
 * @param latencySamples how many attempts that mean is over
 * @param meanIntervalSeconds mean {@code interval} its last {@value Forwarder#LATENCY_SAMPLES}
 *     answers asked for, as sent (scheduling clamps it to 60 s – 1 day), or -1 before the first
 * @param intervalSamples how many answers that mean is over
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
        long meanLatencyMillis,
        int latencySamples,
        long meanIntervalSeconds,
        int intervalSamples) {}
