package org.retracker.config;

import java.time.Duration;
import org.retracker.forward.ForwardingOptions;

/**
 * The forwarding settings of a {@link TrackerConfig}: the seed's forwarder flags, same meanings (see
 * {@link Setting} for names and defaults, {@link ForwardingOptions} for what each does).
 *
 * @param forwards path of forwarders.yml, empty for no forwarding
 */
public record ForwardingConfig(
        String forwards,
        int timeout,
        int workers,
        int maxWorkers,
        int queueSize,
        int scaleThreshold,
        int rateLimitThreshold,
        int throttleThreshold,
        int throttleTop,
        int rateLimitPerSecond,
        int rateLimitBurst,
        int suspendSeconds,
        int failThreshold,
        int retryAttempts,
        int retryBaseMillis) {
    public ForwardingConfig {
        Setting.FORWARDS.require(forwards);
        Setting.FORWARD_TIMEOUT.require(timeout);
        Setting.FORWARDER_WORKERS.require(workers);
        Setting.MAX_FORWARDER_WORKERS.require(maxWorkers);
        Setting.FORWARDER_QUEUE_SIZE.require(queueSize);
        Setting.QUEUE_SCALE_THRESHOLD.require(scaleThreshold);
        Setting.QUEUE_RATE_LIMIT_THRESHOLD.require(rateLimitThreshold);
        Setting.QUEUE_THROTTLE_THRESHOLD.require(throttleThreshold);
        Setting.QUEUE_THROTTLE_TOP.require(throttleTop);
        Setting.RATE_LIMIT_INITIAL_PS.require(rateLimitPerSecond);
        Setting.RATE_LIMIT_INITIAL_BURST.require(rateLimitBurst);
        Setting.FORWARDER_SUSPEND.require(suspendSeconds);
        Setting.FORWARDER_FAIL_THRESHOLD.require(failThreshold);
        Setting.FORWARDER_RETRY_ATTEMPTS.require(retryAttempts);
        Setting.FORWARDER_RETRY_BASE_MS.require(retryBaseMillis);
        if (workers > maxWorkers) {
            throw new IllegalArgumentException("key 'forwarder_workers': expected at most max_forwarder_workers ("
                    + maxWorkers + "), got " + workers);
        }
    }

    /** Every forwarding setting at its default (no forwarders file). */
    public static ForwardingConfig defaults() {
        return TrackerConfig.defaults().forwarding();
    }

    /** What {@link org.retracker.forward.ForwardingService} needs. */
    public ForwardingOptions toOptions(long peerLifetimeSeconds) {
        return new ForwardingOptions(
                Duration.ofSeconds(timeout),
                workers,
                maxWorkers,
                queueSize,
                scaleThreshold,
                rateLimitThreshold,
                throttleThreshold,
                throttleTop,
                rateLimitPerSecond,
                rateLimitBurst,
                suspendSeconds,
                failThreshold,
                retryAttempts,
                retryBaseMillis,
                peerLifetimeSeconds);
    }
}
