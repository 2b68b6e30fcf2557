package org.retracker.forward;

import java.util.concurrent.CompletableFuture;

/**
 * Talks to one external tracker. One instance per forwarder, made when the forwarder is
 * configured and closed when it is removed; it keeps what makes the next request cheap (an HTTP
 * connection, a UDP socket and its BEP 15 connection id).
 *
 * <p>{@link #announce} makes exactly one attempt; retries, backoff and health are the caller's.
 * It never blocks the calling thread and its future always completes normally, within the
 * timeout the client was made with, carrying an {@link UpstreamReply} (never an exception, never
 * {@code null}). Thread-safe: several announces may be in flight at once.
 */
public interface UpstreamClient extends AutoCloseable {
    ForwarderSpec spec();

    CompletableFuture<UpstreamReply> announce(UpstreamAnnounce announce);

    /** Releases the socket(s); in-flight announces complete with {@link UpstreamReply.Outcome#ERROR}. */
    @Override
    void close();
}
