/**
 * Prometheus metrics: {@link org.retracker.metrics.TrackerMetrics} serves {@code GET /metrics} from
 * the counters the transport and forwarding already keep, read at scrape time, plus the JVM's.
 */
@NullMarked
package org.retracker.metrics;

import org.jspecify.annotations.NullMarked;
