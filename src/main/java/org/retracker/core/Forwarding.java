package org.retracker.core;

import org.jspecify.annotations.Nullable;
import org.retracker.protocol.AnnounceRequest;
import org.retracker.protocol.AnnounceResponse;
import org.retracker.protocol.FailureReason;
import org.retracker.protocol.ScrapeRequest;
import org.retracker.protocol.ScrapeResponse;

/**
 * What the announce service asks of forwarding (package {@code forward}, which sits above core and
 * implements this). Called on event loops for every announce and scrape, so implementations must
 * not block and should not allocate unless they hand work to an external tracker.
 */
public interface Forwarding {
    /** No forwarders: every call does nothing. */
    Forwarding NONE = new Forwarding() {
        @Override
        public @Nullable FailureReason admit(AnnounceRequest request) {
            return null;
        }

        @Override
        public void announced(AnnounceRequest request, AnnounceResponse response, int numWant, boolean bothFamilies) {}

        @Override
        public void scraped(ScrapeRequest request, ScrapeResponse response) {}

        @Override
        public int retryInSeconds() {
            return 0;
        }
    };

    /**
     * Before the announce touches the swarm: {@code null} to go on, or the reason to refuse it (the
     * forwarding queue is too full for a new swarm's first announce), with {@link #retryInSeconds}.
     */
    @Nullable
    FailureReason admit(AnnounceRequest request);

    /**
     * After the local swarm answered: notes the local peer for the external trackers (queueing an
     * announce when one is due), appends cached external peers to {@code response} up to {@code
     * numWant} (never the requester, never a peer already there), and adjusts the interval and
     * counts for what forwarding knows.
     */
    void announced(AnnounceRequest request, AnnounceResponse response, int numWant, boolean bothFamilies);

    /** Adds what external trackers reported to the local scrape counts. */
    void scraped(ScrapeRequest request, ScrapeResponse response);

    /** BEP 31 {@code retry in} for a refusal of {@link #admit}. */
    int retryInSeconds();
}
