package org.retracker.forward;

import java.util.Map;

/**
 * One forwarder's counts for {@code /metrics}, read at scrape time.
 *
 * @param name the forwarder's name, as in {@code /stats}
 * @param active whether it is in rotation (neither suspended nor down)
 * @param attempts attempts by outcome, every outcome present
 * @param statuses attempts by the Go seed's {@code forwarder_status} label: the HTTP status code
 *     when one came back, {@code 200} for a UDP answer, else {@code error}
 * @param peersReceived peers its answers carried
 * @param latency how long its attempts took
 */
public record ForwarderMetrics(
        String name,
        boolean active,
        Map<UpstreamReply.Outcome, Long> attempts,
        Map<String, Long> statuses,
        long peersReceived,
        LatencyHistogram.Snapshot latency) {
    public ForwarderMetrics {
        attempts = Map.copyOf(attempts);
        statuses = Map.copyOf(statuses);
    }
}
