package org.retracker.bench;

/**
 * What every lane of one run needs to know; immutable.
 *
 * @param window requests outstanding per lane (UDP socket or HTTP connection)
 * @param numWant peers asked for in every announce
 * @param scrapePercent share of requests that are scrapes, 0..100
 * @param timeoutNanos a request unanswered this long counts as a {@link ErrorKind#TIMEOUT}
 * @param insertOnly announce every peer exactly once ({@code started}), then stop
 * @param connectionPerRequest HTTP: one TCP connection per request ({@code Connection: close})
 * @param seed of the lanes' random choices (each lane mixes in its number)
 * @param udpGso UDP: send the announces of a batch as one GSO packet (epoll, Linux 4.18+)
 */
record LoadSettings(
        Target target,
        int window,
        int numWant,
        double scrapePercent,
        long timeoutNanos,
        boolean insertOnly,
        boolean connectionPerRequest,
        long seed,
        boolean udpGso) {
    /** Most info hashes in one scrape. */
    static final int MAX_SCRAPE_HASHES = 10;
}
