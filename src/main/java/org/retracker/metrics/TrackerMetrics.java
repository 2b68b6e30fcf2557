package org.retracker.metrics;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufOutputStream;
import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.expositionformats.OpenMetricsTextFormatWriter;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import org.retracker.core.AnnounceService;
import org.retracker.transport.MetricsEndpoint;
import org.retracker.transport.TransportCounters;

/**
 * {@code GET /metrics} ({@code -p}): the tracker's metrics (see {@link TrackerCollector}) and the
 * JVM's (memory, GC, threads, process) in the Prometheus text format 0.0.4, or OpenMetrics 1.0 when
 * the scraper's {@code Accept} asks for it.
 *
 * <p>Nothing is recorded for it on the request path: every value is read from the counters and
 * state the tracker keeps anyway, when a scrape comes. A registry of its own per tracker (not
 * client_java's default registry), so trackers in one JVM (tests) do not see each other's counts.
 * Thread-safe.
 */
public final class TrackerMetrics implements MetricsEndpoint {
    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final ExpositionFormatWriter text = PrometheusTextFormatWriter.create();
    private final ExpositionFormatWriter openMetrics = OpenMetricsTextFormatWriter.create();

    public TrackerMetrics(AnnounceService service, TransportCounters counters) {
        registry.register(new TrackerCollector(service, counters));
        JvmMetrics.builder().register(registry);
    }

    @Override
    public String write(ByteBuf out, String accept) {
        ExpositionFormatWriter writer = openMetrics.accepts(accept) ? openMetrics : text;
        try (OutputStream stream = new ByteBufOutputStream(out)) {
            writer.write(stream, registry.scrape());
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a ByteBuf does not fail to take bytes
        }
        return writer.getContentType();
    }
}
