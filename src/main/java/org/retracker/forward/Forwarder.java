package org.retracker.forward;

import java.util.EnumMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * One configured external tracker: its client, its health, its speed.
 *
 * <p>Health is a small circuit breaker. {@code failThreshold} consecutive failures take the
 * forwarder out of rotation ("down"); it is probed again after {@link #FIRST_PROBE_DELAY_MILLIS},
 * then after twice as long on each failed probe up to {@link #MAX_PROBE_DELAY_MILLIS}, one probe at
 * a time (half-open). One answer puts it back (a {@code failure reason} too: the tracker is alive).
 * An HTTP 429 or {@code Retry-After} suspends it for
 * the time asked. Nothing disables a forwarder for good: one DNS error or one 4xx cannot.
 *
 * <p>Thread-safe: health is guarded by {@code this}; counters are adders.
 */
final class Forwarder {
    /** First probe of a forwarder that went down: soon enough to notice a short outage. */
    static final long FIRST_PROBE_DELAY_MILLIS = 30_000;
    /** Probes of a long-dead forwarder slow down to one an hour. */
    static final long MAX_PROBE_DELAY_MILLIS = 3_600_000;
    /** Answered attempts the mean latency is taken over (the seed's "last 100"). */
    static final int LATENCY_SAMPLES = 100;
    /** Longest failure reason kept for stats. */
    static final int MAX_REASON_LENGTH = 200;

    enum State {
        ACTIVE,
        SUSPENDED,
        DOWN
    }

    /** Replaced only by {@link #rename}: what it talks to never changes. */
    volatile ForwarderSpec spec;

    final UpstreamClient client;
    /** Index into per-swarm and per-peer arrays; reused after the forwarder is removed. */
    final int slot;

    final LongAdder announces = new LongAdder();
    final LongAdder successes = new LongAdder();
    final LongAdder failures = new LongAdder();
    final LongAdder peersReceived = new LongAdder();

    /** Attempts by {@link UpstreamReply.Outcome} ordinal. */
    private final LongAdder[] attempts = new LongAdder[UpstreamReply.Outcome.values().length];
    /** Attempts by {@link #statusLabel}; a handful of keys (the statuses a tracker really sends). */
    private final ConcurrentHashMap<String, LongAdder> statuses = new ConcurrentHashMap<>();

    private final LatencyHistogram latency = new LatencyHistogram();

    private State state = State.ACTIVE;
    private String reason = "";
    private long retryAtMillis;
    private long probeDelayMillis = FIRST_PROBE_DELAY_MILLIS;
    private boolean probing;
    private int consecutiveFailures;
    private final long[] latencies = new long[LATENCY_SAMPLES];
    private int latencyCount;
    private int latencyNext;
    private long latencySum;
    private volatile boolean closed;

    Forwarder(ForwarderSpec spec, UpstreamClient client, int slot) {
        this.spec = spec;
        this.client = client;
        this.slot = slot;
        for (int i = 0; i < attempts.length; i++) {
            attempts[i] = new LongAdder();
        }
    }

    /**
     * One attempt came back with {@code reply} after {@code latencyMillis}, whatever it leads to.
     * On the forwarding thread; for metrics only.
     */
    void attempted(UpstreamReply reply, long latencyMillis) {
        attempts[reply.outcome().ordinal()].increment();
        statuses.computeIfAbsent(statusLabel(reply), k -> new LongAdder()).increment();
        latency.record(latencyMillis);
    }

    /**
     * The Go seed's {@code forwarder_status} label: the HTTP status code when one came back,
     * {@code 200} for a UDP answer with peers, {@code error} for everything else.
     */
    static String statusLabel(UpstreamReply reply) {
        if (reply.httpStatus() != UpstreamReply.ABSENT) {
            return Integer.toString(reply.httpStatus());
        }
        return reply.outcome() == UpstreamReply.Outcome.OK ? "200" : "error";
    }

    ForwarderMetrics metrics() {
        Map<UpstreamReply.Outcome, Long> byOutcome = new EnumMap<>(UpstreamReply.Outcome.class);
        for (UpstreamReply.Outcome o : UpstreamReply.Outcome.values()) {
            byOutcome.put(o, attempts[o.ordinal()].sum());
        }
        Map<String, Long> byStatus = new TreeMap<>();
        statuses.forEach((k, v) -> byStatus.put(k, v.sum()));
        boolean active;
        synchronized (this) {
            active = state == State.ACTIVE;
        }
        return new ForwarderMetrics(spec.name(), active, byOutcome, byStatus, peersReceived.sum(), latency.snapshot());
    }

    String name() {
        return spec.name();
    }

    /**
     * What identifies the external tracker: everything in its entry but the name. A reload that
     * only changes a name (defaults change when another entry for the same host comes or goes)
     * keeps the forwarder and its state.
     */
    static String target(ForwarderSpec spec) {
        return spec.uri() + " ip=" + spec.ip() + " host=" + spec.host();
    }

    void rename(ForwarderSpec renamed) {
        spec = renamed;
    }

    /**
     * Whether an announce may go to this forwarder now. A down forwarder whose probe time has come
     * lets exactly one through (the probe) until that one is answered.
     */
    synchronized boolean admit(long now) {
        if (closed) {
            return false;
        }
        switch (state) {
            case ACTIVE:
                return true;
            case SUSPENDED:
                if (now >= retryAtMillis) {
                    state = State.ACTIVE;
                    return true;
                }
                return false;
            case DOWN:
                if (!probing && now >= retryAtMillis) {
                    probing = true;
                    return true;
                }
                return false;
        }
        return false;
    }

    synchronized void succeeded(long latencyMillis, int peers) {
        successes.increment();
        peersReceived.add(peers);
        consecutiveFailures = 0;
        state = State.ACTIVE;
        probing = false;
        probeDelayMillis = FIRST_PROBE_DELAY_MILLIS;
        reason = "";
        sample(latencyMillis);
    }

    /**
     * An attempt that came to nothing usable (after its retries).
     *
     * @param answered whether the tracker itself answered (a {@code failure reason}), so the
     *     latency is a real sample
     */
    synchronized void failed(String why, long now, int failThreshold, long latencyMillis, boolean answered) {
        failures.increment();
        consecutiveFailures++;
        reason = why.length() > MAX_REASON_LENGTH ? why.substring(0, MAX_REASON_LENGTH) : why;
        if (answered) {
            sample(latencyMillis);
        }
        if (state == State.DOWN) {
            probing = false;
            probeDelayMillis = Math.min(MAX_PROBE_DELAY_MILLIS, probeDelayMillis * 2);
            retryAtMillis = now + probeDelayMillis;
        } else if (failThreshold > 0 && consecutiveFailures >= failThreshold) {
            state = State.DOWN;
            probing = false;
            retryAtMillis = now + probeDelayMillis;
        }
    }

    /**
     * The tracker answered, but refused (a {@code failure reason}): not a success, yet a sign of
     * life. It counts as a failure in the stats but not towards taking the forwarder out of
     * rotation (a tracker refusing torrents it does not serve is healthy), and ends a probe.
     */
    synchronized void refused(String why, long latencyMillis) {
        failures.increment();
        reason = why.length() > MAX_REASON_LENGTH ? why.substring(0, MAX_REASON_LENGTH) : why;
        sample(latencyMillis);
        if (state == State.DOWN) {
            state = State.ACTIVE;
            probing = false;
            probeDelayMillis = FIRST_PROBE_DELAY_MILLIS;
            consecutiveFailures = 0;
        }
    }

    /** HTTP 429 / Retry-After: rest for {@code seconds}. */
    synchronized void suspend(String why, long now, long seconds) {
        failures.increment();
        reason = why.length() > MAX_REASON_LENGTH ? why.substring(0, MAX_REASON_LENGTH) : why;
        state = State.SUSPENDED;
        probing = false;
        retryAtMillis = now + seconds * 1000;
    }

    /** Mean latency of the last answered attempts; {@link Long#MAX_VALUE} before the first. */
    synchronized long meanLatencyMillis() {
        return latencyCount == 0 ? Long.MAX_VALUE : latencySum / latencyCount;
    }

    private void sample(long millis) {
        if (latencyCount == LATENCY_SAMPLES) {
            latencySum -= latencies[latencyNext];
        } else {
            latencyCount++;
        }
        latencies[latencyNext] = millis;
        latencySum += millis;
        latencyNext = (latencyNext + 1) % LATENCY_SAMPLES;
    }

    synchronized ForwarderStatus status() {
        long mean = latencyCount == 0 ? -1 : latencySum / latencyCount;
        return new ForwarderStatus(
                spec.name(),
                spec.uri().toString(),
                state.name().toLowerCase(java.util.Locale.ROOT),
                reason,
                state == State.ACTIVE ? 0 : retryAtMillis,
                consecutiveFailures,
                announces.sum(),
                successes.sum(),
                failures.sum(),
                peersReceived.sum(),
                mean);
    }

    boolean closed() {
        return closed;
    }

    void close() {
        closed = true;
        client.close();
    }
}
