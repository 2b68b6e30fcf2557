package org.retracker.interop;

import java.time.Duration;
import java.util.function.Predicate;
import org.retracker.core.AnnounceService;
import org.retracker.protocol.AnnounceRequest;
import org.retracker.protocol.ScrapeRequest;
import org.retracker.protocol.ScrapeResponse;

/**
 * Scrapes one swarm of the in-process tracker, straight through its {@link AnnounceService}.
 *
 * <p>Only conditions that stay true once reached are worth waiting for: a download on loopback can
 * start and finish between two scrapes, so "both peers at once" is not observable without a race.
 */
final class SwarmScrape {
    private static final long POLL_MILLIS = 50;

    /** One scrape of the swarm. */
    record Counts(int seeders, int leechers, int downloaded) {}

    private final AnnounceService service;
    private final ScrapeRequest request = new ScrapeRequest(1);
    private final ScrapeResponse response = new ScrapeResponse(1);

    SwarmScrape(AnnounceService service, byte[] infoHash) {
        this.service = service;
        System.arraycopy(infoHash, 0, request.infoHashes, 0, AnnounceRequest.ID_LENGTH);
        request.count = 1;
    }

    Counts now() {
        service.scrape(request, response, false);
        return new Counts(response.complete[0], response.incomplete[0], response.downloaded[0]);
    }

    /** Waits up to {@code timeout} for the swarm to match {@code condition}; whether it did. */
    boolean await(Predicate<Counts> condition, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.test(now())) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(POLL_MILLIS);
        }
        return true;
    }

    @Override
    public String toString() {
        return "swarm " + now();
    }
}
