package org.retracker.protocol;

/**
 * The info hashes of one scrape (BEP 48 over HTTP, BEP 15 action 2 over UDP), in a reusable array
 * of {@code capacity × 20} bytes. Owned by one event loop.
 */
public final class ScrapeRequest {
    public final byte[] infoHashes;
    public int count;

    /** @param maxHashes the most info hashes one scrape may carry */
    public ScrapeRequest(int maxHashes) {
        infoHashes = new byte[maxHashes * AnnounceRequest.ID_LENGTH];
    }

    public int capacity() {
        return infoHashes.length / AnnounceRequest.ID_LENGTH;
    }

    public void reset() {
        count = 0;
    }
}
