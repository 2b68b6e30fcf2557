package org.retracker.protocol;

import org.jspecify.annotations.Nullable;

/**
 * The answer to one announce, filled by the core and written out by the HTTP or UDP encoder: a
 * mutable scratch object owned by one event loop, sized once for the largest numwant.
 *
 * <p>Peers are kept in their wire form so that encoding is a copy: {@link #peers4} holds 6 bytes per
 * IPv4 peer (address, port big-endian; BEP 23), {@link #peers6} 18 bytes per IPv6 peer (BEP 7). The
 * peer ids of the same peers, in the same order, sit in {@link #peerIds4} / {@link #peerIds6} for
 * non-compact replies, and are written only for those (a compact request leaves them stale).
 */
public final class AnnounceResponse {
    /** Bytes of one compact IPv4 peer: 4 address + 2 port (BEP 23). */
    public static final int PEER4_BYTES = 6;
    /** Bytes of one compact IPv6 peer: 16 address + 2 port (BEP 7). */
    public static final int PEER6_BYTES = 18;

    public final byte[] peers4;
    public final byte[] peerIds4;
    public final byte[] peers6;
    public final byte[] peerIds6;

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
    /**
     * Index of the first IPv4 / IPv6 peer learnt from an external tracker: those come without a
     * peer id (compact replies carry none), so a non-compact reply lists them without {@code peer
     * id}. {@link Integer#MAX_VALUE} when every peer is local.
     */
    public int external4From = Integer.MAX_VALUE;

    public int external6From = Integer.MAX_VALUE;

    /** @param maxPeers the largest number of peers of each family a reply may carry */
    public AnnounceResponse(int maxPeers) {
        peers4 = new byte[maxPeers * PEER4_BYTES];
        peerIds4 = new byte[maxPeers * AnnounceRequest.ID_LENGTH];
        peers6 = new byte[maxPeers * PEER6_BYTES];
        peerIds6 = new byte[maxPeers * AnnounceRequest.ID_LENGTH];
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
        external4From = Integer.MAX_VALUE;
        external6From = Integer.MAX_VALUE;
    }
}
