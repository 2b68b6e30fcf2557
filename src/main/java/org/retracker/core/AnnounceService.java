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

    public AnnounceService(TrackerPolicy policy, SwarmStore store) {
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
     * @return {@code null}, or why the announce was refused (then nothing was stored and the reply
     *     is a failure with {@code retry in} {@link Forwarding#retryInSeconds})
     */
    public @Nullable FailureReason announce(
            AnnounceRequest request, int replyCap, boolean bothFamilies, AnnounceResponse response) {
        response.reset();
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
        store.announce(request, numWant, bothFamilies, response);
        response.interval = policy.announceInterval();
        response.minInterval = policy.minAnnounceInterval();
        f.announced(request, response, numWant, bothFamilies);
        return null;
    }

    /** Answers one scrape whose hashes the adapter has already checked against the limit. */
    public void scrape(ScrapeRequest request, ScrapeResponse response) {
        store.scrape(request, response);
        forwarding.scraped(request, response);
    }

    /** Drops peers older than the policy's lifetime; returns how many went. */
    public long expirePeers() {
        return store.expire(policy.peerLifetimeSeconds());
    }
}
