package org.retracker.transport;

/**
 * What one client address may cost the tracker: a request rate shared by HTTP and UDP announces
 * and scrapes (see {@link ClientRateLimiter}) and the HTTP connections it holds open at once (see
 * {@link ConnectionsPerAddress}). Built by the configuration layer; validated here.
 *
 * @param ratePerSecond requests a second one client address may make on average ({@code
 *     rate_limit_per_ip_per_sec}); 0 turns the rate limit off
 * @param burst requests a client that has been quiet may make at once ({@code
 *     rate_limit_per_ip_burst}): the size of its token bucket
 * @param maxConnectionsPerAddress HTTP connections one client address may hold open at once
 *     ({@code max_connections_per_ip}); 0 for no cap. Connections from trusted proxies are not
 *     counted
 */
public record ClientLimits(int ratePerSecond, int burst, int maxConnectionsPerAddress) {
    /** Off: a per-address limit hurts clients behind one NAT, so an operator turns it on knowingly. */
    public static final int DEFAULT_RATE_PER_SECOND = 0;
    /**
     * A client starting up announces every torrent it has on this tracker at once; a hundred gets
     * a typical client through without one refusal, while a flood stops after a hundred requests.
     */
    public static final int DEFAULT_BURST = 100;
    /**
     * Above a thousand requests a second from one address the limit protects nothing; it also keeps
     * the token interval at least 16 ticks of {@link ClientRateLimiter} (1/16 ms).
     */
    public static final int MAX_RATE_PER_SECOND = 1000;
    /** A bucket larger than this is no limit: ten thousand requests at once from one address. */
    public static final int MAX_BURST = 10_000;

    /**
     * Five times libtorrent's {@code max_concurrent_http_announces} (50): a client starting up may
     * open that many at once to one tracker, and a few such clients may share a NAT'ed address;
     * one address still cannot hold more than a sliver of the process's file descriptors. A proxy
     * in front ({@code -x}) is a trusted proxy and not counted.
     */
    public static final int DEFAULT_MAX_CONNECTIONS_PER_ADDRESS = 256;
    /** Above this a cap means nothing: an address has at most 64 K source ports per destination. */
    public static final int MAX_CONNECTIONS_PER_ADDRESS = 65_536;

    /** No rate limit and no connection cap: for tests and embedding (the defaults cap connections). */
    public static final ClientLimits NONE = new ClientLimits(DEFAULT_RATE_PER_SECOND, DEFAULT_BURST, 0);

    public ClientLimits {
        if (ratePerSecond < 0 || ratePerSecond > MAX_RATE_PER_SECOND) {
            throw new IllegalArgumentException(
                    "rate limit per address must be from 0 to " + MAX_RATE_PER_SECOND + ", got " + ratePerSecond);
        }
        if (burst < 1 || burst > MAX_BURST) {
            throw new IllegalArgumentException("rate limit burst must be from 1 to " + MAX_BURST + ", got " + burst);
        }
        if (maxConnectionsPerAddress < 0 || maxConnectionsPerAddress > MAX_CONNECTIONS_PER_ADDRESS) {
            throw new IllegalArgumentException("connections per address must be from 0 to "
                    + MAX_CONNECTIONS_PER_ADDRESS + ", got " + maxConnectionsPerAddress);
        }
    }

    /** Whether requests are rate limited per client address at all. */
    public boolean rateLimited() {
        return ratePerSecond > 0;
    }
}
