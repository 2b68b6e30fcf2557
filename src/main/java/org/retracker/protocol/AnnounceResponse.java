package org.retracker.protocol;

import org.jspecify.annotations.Nullable;

/**
 * The answer to one announce, filled by the core and written out by the HTTP or UDP encoder: a
 * mutable scratch object owned by one event loop, sized once for the largest numwant.
 *
 * <p>Peers are kept in their wire form so that encoding is a copy: {@link #peers4} holds 6 bytes per
 * IPv4 peer (address, port big-endian; BEP 23), {@link #peers6} 18 bytes per IPv6 peer (BEP 7). No
 * peer ids: the tracker keeps none, so a non-compact reply lists {@code ip} and {@code port} only.
 */
public final class AnnounceResponse {
    /** Bytes of one compact IPv4 peer: 4 address + 2 port (BEP 23). */
    public static final int PEER4_BYTES = 6;
    /** Bytes of one compact IPv6 peer: 16 address + 2 port (BEP 7). */
    public static final int PEER6_BYTES = 18;

    public final byte[] peers4;
    public final byte[] peers6;

    public int peers4Count;
    public int peers6Count;
    /** Seconds the client should wait before its next regular announce. */
    public int interval;
    /** Seconds the client must wait at least (BEP 3 {@code min interval}). */
    public int minInterval;
    /** Seeders in the swarm. */
    public int complete;
    /** Leechers in the swarm. */
    public int incomplete;
    /** A BEP 3 {@code warning message}, already UTF-8, or {@code null}. */
    public byte @Nullable [] warning;

    /** @param maxPeers the largest number of peers of each family a reply may carry */
    public AnnounceResponse(int maxPeers) {
        peers4 = new byte[maxPeers * PEER4_BYTES];
        peers6 = new byte[maxPeers * PEER6_BYTES];
    }

    public int capacity() {
        return peers4.length / PEER4_BYTES;
    }

    public void reset() {
        peers4Count = 0;
        peers6Count = 0;
        interval = 0;
        minInterval = 0;
        complete = 0;
        incomplete = 0;
        warning = null;
    }
}
