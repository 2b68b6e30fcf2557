package org.retracker.transport;

import io.netty.buffer.ByteBuf;

/**
 * What {@code GET /metrics} serves; the {@code metrics} package implements it, so the transport
 * does not depend on a metrics library.
 *
 * <p>Called on an event loop, for each scrape; may allocate (a scrape is not the hot path) but
 * must not block on I/O. Must be thread-safe: every event loop may call it at once.
 */
public interface MetricsEndpoint {
    /**
     * Writes the exposition into {@code out} in the best format for a client that sent {@code
     * accept}, and returns its media type (the {@code Content-Type} value).
     *
     * @param accept the request's {@code Accept} header, empty when it sent none
     */
    String write(ByteBuf out, String accept);
}
