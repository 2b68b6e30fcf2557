package org.retracker.core;

import org.jspecify.annotations.Nullable;
import org.retracker.protocol.AnnounceEvent;
import org.retracker.protocol.AnnounceRequest;
import org.retracker.protocol.AnnounceResponse;
import org.retracker.protocol.FailureReason;
import org.retracker.protocol.ScrapeRequest;
import org.retracker.protocol.ScrapeResponse;
import org.retracker.swarm.SwarmStore;

/**
 * The transport-neutral tracker: takes a decoded announce or scrape, applies the {@link
 * TrackerPolicy} and the {@link SwarmStore}, and fills the reply. The HTTP and UDP adapters only
 * decode and encode around it, so a peer that announced over UDP is handed to HTTP clients and the
 * other way round.
 *
 * <p>Thread-safe; allocation-free per call. The adapters pass their own per-event-loop scratch
 * objects.
 */
public final class AnnounceService {
    private final TrackerPolicy policy;
    private final SwarmStore store;
    private volatile Forwarding forwarding = Forwarding.NONE;
    /** Swapped whole on reload (SIGHUP); each request reads it once. */
    private volatile AccessList accessList = AccessList.NONE;

    /**
     * @throws IllegalArgumentException if the policy keeps peers longer than the store's clock is
     *     sized for ({@code SwarmLimits.peerLifetimeSeconds})
     */
    public AnnounceService(TrackerPolicy policy, SwarmStore store) {
        if (policy.peerLifetimeSeconds() > store.limits().peerLifetimeSeconds()) {
            throw new IllegalArgumentException(
                    "peer lifetime " + policy.peerLifetimeSeconds() + " s is longer than the store is sized for ("
                            + store.limits().peerLifetimeSeconds() + " s)");
        }
        this.policy = policy;
        this.store = store;
    }

    /** Connects forwarding (set once at start-up, before the listeners). */
    public void forwarding(Forwarding f) {
        this.forwarding = f;
    }

    public Forwarding forwarding() {
        return forwarding;
    }

    /**
     * Puts {@code list} in force for every request that starts after this returns: at start-up,
     * and on reload from whatever thread reloads. Swarms of hashes the new list refuses stay until
     * their peers expire; they are neither announced to nor scraped meanwhile.
     */
    public void accessList(AccessList list) {
        this.accessList = list;
    }

    public AccessList accessList() {
        return accessList;
    }

    public TrackerPolicy policy() {
        return policy;
    }

    public SwarmStore store() {
        return store;
    }

    /**
     * Answers one validated announce.
     *
     * @param replyCap the most peers the transport can carry for the requester's family (UDP keeps
     *     replies under one ~1200-byte datagram); HTTP passes {@link TrackerPolicy#numwantMax()}
     * @param bothFamilies whether the reply may carry IPv4 and IPv6 peers (HTTP {@code peers} and
     *     {@code peers6}, BEP 7) or only the requester's family (UDP, BEP 15)
     * @return {@code null}, or why the announce was refused (then nothing was stored or forwarded,
     *     and the reply is a failure with {@code retry in} {@link #retryInSeconds}): the access
     *     list refuses the torrent, forwarding is too busy for a new swarm, or the store is full
     *     ({@link FailureReason#TOO_MANY_TORRENTS}, {@code max_torrents})
     */
    public @Nullable FailureReason announce(
            AnnounceRequest request, int replyCap, boolean bothFamilies, AnnounceResponse response) {
        response.reset();
        if (!accessList.permits(request.infoHash, 0)) {
            return FailureReason.TORRENT_NOT_ALLOWED; // before forwarding: no swarm, nothing upstream
        }
        Forwarding f = forwarding;
        FailureReason refused = f.admit(request);
        if (refused != null) {
            return refused;
        }
        int numWant = request.numWant == AnnounceRequest.NUMWANT_DEFAULT ? policy.numwantDefault() : request.numWant;
        numWant = Math.min(Math.min(numWant, policy.numwantMax()), Math.min(replyCap, response.capacity()));
        if (request.event == AnnounceEvent.STOPPED) {
            numWant = 0; // a leaving peer needs no peers
        }
        if (!store.announce(request, numWant, bothFamilies, response)) {
            // A new torrent in a full store: nothing stored, and returning here forwards nothing
            // (forwarding only ever sees announces the store took).
            return FailureReason.TOO_MANY_TORRENTS;
        }
        response.interval = policy.announceInterval();
        response.minInterval = policy.minAnnounceInterval();
        f.announced(request, response, numWant, bothFamilies);
        return null;
    }

    /**
     * BEP 31 {@code retry in} for a refusal {@link #announce} returned: forwarding's for {@link
     * FailureReason#TRACKER_BUSY}, none (0) otherwise, since retrying a torrent the access list
     * refuses does not help.
     */
    public int retryInSeconds(FailureReason refused) {
        return refused == FailureReason.TRACKER_BUSY ? forwarding.retryInSeconds() : 0;
    }

    /**
     * Answers one scrape whose hashes the adapter has already checked against the limit.
     *
     * <p>Hashes the access list refuses get no counts. How they are left out depends on the reply's
     * shape: BEP 48's {@code files} is a dictionary keyed by hash, so with {@code dropRefused} (HTTP)
     * they are removed from {@code request} and the reply omits them, as a tracker omits torrents
     * it does not track; a BEP 15 reply is positional, so without it (UDP) they keep their place
     * with zero counts, as an unknown torrent has. When every hash is refused there is nothing to
     * answer and the scrape is refused as an announce would be.
     *
     * @return {@code null}, or {@link FailureReason#TORRENT_NOT_ALLOWED} when every hash was refused
     */
    public @Nullable FailureReason scrape(ScrapeRequest request, ScrapeResponse response, boolean dropRefused) {
        AccessList list = accessList;
        int permitted = request.count;
        if (list.isOn()) {
            permitted = dropRefused ? dropRefused(list, request) : countPermitted(list, request);
            if (permitted == 0) {
                return FailureReason.TORRENT_NOT_ALLOWED;
            }
        }
        store.scrape(request, response);
        forwarding.scraped(request, response);
        if (permitted < request.count) {
            zeroRefused(list, request, response);
        }
        return null;
    }

    /** Removes refused hashes from {@code request}, keeping the order of the rest; returns how many stay. */
    private static int dropRefused(AccessList list, ScrapeRequest request) {
        byte[] hashes = request.infoHashes;
        int kept = 0;
        for (int i = 0; i < request.count; i++) {
            int off = i * AnnounceRequest.ID_LENGTH;
            if (list.permits(hashes, off)) {
                if (kept != i) {
                    System.arraycopy(hashes, off, hashes, kept * AnnounceRequest.ID_LENGTH, AnnounceRequest.ID_LENGTH);
                }
                kept++;
            }
        }
        request.count = kept;
        return kept;
    }

    private static int countPermitted(AccessList list, ScrapeRequest request) {
        int permitted = 0;
        for (int i = 0; i < request.count; i++) {
            if (list.permits(request.infoHashes, i * AnnounceRequest.ID_LENGTH)) {
                permitted++;
            }
        }
        return permitted;
    }

    private static void zeroRefused(AccessList list, ScrapeRequest request, ScrapeResponse response) {
        for (int i = 0; i < request.count; i++) {
            if (!list.permits(request.infoHashes, i * AnnounceRequest.ID_LENGTH)) {
                response.complete[i] = 0;
                response.incomplete[i] = 0;
                response.downloaded[i] = 0;
            }
        }
    }

    /** Drops peers older than the policy's lifetime; returns how many went. */
    public long expirePeers() {
        return store.expire(policy.peerLifetimeSeconds());
    }
}
