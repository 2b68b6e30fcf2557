package org.retracker.forward;

import org.retracker.protocol.AnnounceEvent;

/**
 * One announce of a local peer to an external tracker: the peer's own {@code info_hash}, {@code
 * peer_id}, port and transfer counters, so the tracker sees the peer, not retracker. Always asks
 * for a compact reply. The arrays are shared, not copied: nobody writes them after construction.
 *
 * @param infoHash 20 bytes
 * @param peerId 20 bytes
 * @param port the peer's port, 1..65535
 * @param event {@link AnnounceEvent#NONE} for a regular announce
 * @param numWant how many peers to ask for
 */
@SuppressWarnings("ArrayRecordComponent")
public record UpstreamAnnounce(
        byte[] infoHash,
        byte[] peerId,
        int port,
        long uploaded,
        long downloaded,
        long left,
        AnnounceEvent event,
        int numWant) {
    public static final int ID_LENGTH = 20;

    public UpstreamAnnounce {
        if (infoHash.length != ID_LENGTH || peerId.length != ID_LENGTH) {
            throw new IllegalArgumentException("info_hash and peer_id are 20 bytes");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
    }
}
