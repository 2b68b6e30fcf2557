package org.retracker.forward;

import java.time.Duration;

/**
 * How forwarding schedules and limits its work; the seed's forwarder flags, same meanings.
 *
 * @param timeout one attempt to one external tracker, whole ({@code -t})
 * @param workers announces in flight to external trackers at the least ({@code -w}); a "worker"
 *     is a slot for one in-flight request, never a blocked thread
 * @param maxWorkers the most in flight when the queue fills up ({@code -W})
 * @param queueSize announces waiting for a slot; beyond it they are dropped and counted ({@code -Q})
 * @param scaleThresholdPct queue fill (percent) at which one worker is added per second; below it,
 *     with an empty queue, one is removed per second down to {@code workers}
 * @param rateLimitThresholdPct queue fill at which first announces of new swarms are rate limited
 *     (the client is told to retry); 0 disables
 * @param throttleThresholdPct queue fill at which first announces go only to the fastest {@code
 *     throttleTop} forwarders; 0 disables
 * @param throttleTop that number of forwarders
 * @param rateLimitPerSecond token refill rate of the first-announce limiter
 * @param rateLimitBurst its bucket size
 * @param suspendSeconds how long a forwarder that answered HTTP 429 without Retry-After rests
 * @param failThreshold consecutive failures that take a forwarder out of rotation (it is probed
 *     again later); 0 never takes one out
 * @param retryAttempts attempts per announce, the first included ({@code -R})
 * @param retryBaseMillis backoff before retry k is {@code base * 2^k}, with jitter ({@code -B})
 * @param peerLifetimeSeconds a local peer silent this long is sent {@code stopped} upstream
 */
public record ForwardingOptions(
        Duration timeout,
        int workers,
        int maxWorkers,
        int queueSize,
        int scaleThresholdPct,
        int rateLimitThresholdPct,
        int throttleThresholdPct,
        int throttleTop,
        int rateLimitPerSecond,
        int rateLimitBurst,
        int suspendSeconds,
        int failThreshold,
        int retryAttempts,
        int retryBaseMillis,
        long peerLifetimeSeconds) {
    public static final int DEFAULT_TIMEOUT_SECONDS = 30;
    public static final int DEFAULT_WORKERS = 10;
    public static final int DEFAULT_MAX_WORKERS = 20;
    public static final int DEFAULT_QUEUE_SIZE = 10_000;
    public static final int DEFAULT_SCALE_THRESHOLD = 60;
    public static final int DEFAULT_RATE_LIMIT_THRESHOLD = 80;
    public static final int DEFAULT_THROTTLE_THRESHOLD = 60;
    public static final int DEFAULT_THROTTLE_TOP = 20;
    public static final int DEFAULT_RATE_LIMIT_PER_SECOND = 100;
    public static final int DEFAULT_RATE_LIMIT_BURST = 200;
    public static final int DEFAULT_SUSPEND_SECONDS = 300;
    public static final int DEFAULT_FAIL_THRESHOLD = 10;
    public static final int DEFAULT_RETRY_ATTEMPTS = 5;
    public static final int DEFAULT_RETRY_BASE_MILLIS = 500;

    public ForwardingOptions {
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive");
        }
        if (workers < 1 || maxWorkers < workers) {
            throw new IllegalArgumentException("need 1 <= workers <= max workers");
        }
        if (queueSize < 1) {
            throw new IllegalArgumentException("queue size must be positive");
        }
        if (retryAttempts < 1) {
            throw new IllegalArgumentException("at least one attempt");
        }
    }

    /** The seed's defaults, with {@code peerLifetimeSeconds} from the tracker policy. */
    public static ForwardingOptions defaults(long peerLifetimeSeconds) {
        return new ForwardingOptions(
                Duration.ofSeconds(DEFAULT_TIMEOUT_SECONDS),
                DEFAULT_WORKERS,
                DEFAULT_MAX_WORKERS,
                DEFAULT_QUEUE_SIZE,
                DEFAULT_SCALE_THRESHOLD,
                DEFAULT_RATE_LIMIT_THRESHOLD,
                DEFAULT_THROTTLE_THRESHOLD,
                DEFAULT_THROTTLE_TOP,
                DEFAULT_RATE_LIMIT_PER_SECOND,
                DEFAULT_RATE_LIMIT_BURST,
                DEFAULT_SUSPEND_SECONDS,
                DEFAULT_FAIL_THRESHOLD,
                DEFAULT_RETRY_ATTEMPTS,
                DEFAULT_RETRY_BASE_MILLIS,
                peerLifetimeSeconds);
    }
}
