package org.retracker.forward;

import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Forwarding's view of one swarm: the local peers it announces upstream, and what each forwarder
 * answered for the swarm. Guarded by {@code this}, except {@link #merged}, an immutable snapshot
 * that event loops read without a lock to add external peers to their replies.
 *
 * <p>Per local peer and forwarder slot it keeps when the next announce is due and whether one is
 * pending (queued or in flight), so a peer is announced to each forwarder at that forwarder's
 * interval, never at the rhythm of local clients, and never twice at once.
 */
final class SwarmForwards {
    /** External peers of each family kept for one swarm: several replies' worth. */
    static final int MAX_CACHED_PEERS = 1000;

    static final byte PENDING = 1;
    /** An announce reached this forwarder, so it must hear {@code stopped} when the peer leaves. */
    static final byte ANNOUNCED = 2;

    static final byte[] NONE = new byte[0];

    /** The external peers event loops add to replies, and the forwarders' own counts. */
    record Merged(byte[] peers4, byte[] peers6, int complete, int incomplete, boolean answered) {
        static final Merged EMPTY = new Merged(NONE, NONE, 0, 0, false);
    }

    /** What one forwarder last said about this swarm. */
    static final class Upstream {
        byte[] peers4 = NONE;
        byte[] peers6 = NONE;
        int complete;
        int incomplete;
        /** When this answer is too old to hand out (the forwarder stopped answering). */
        long staleAt;
    }

    static final class LocalPeer {
        final Keys.Peer key;
        final byte[] peerId = new byte[20];
        long uploaded;
        long downloaded;
        long left;
        long lastSeen;
        long[] dueAt = new long[0];
        byte[] flags = new byte[0];

        LocalPeer(Keys.Peer key) {
            this.key = key;
        }

        void ensureSlots(int n) {
            if (dueAt.length < n) {
                dueAt = Arrays.copyOf(dueAt, n);
                flags = Arrays.copyOf(flags, n);
            }
        }
    }

    final Keys.InfoHash infoHash;
    final Map<Keys.Peer, LocalPeer> peers = new HashMap<>();

    @Nullable
    Upstream[] upstreams = new Upstream[0];
    /** Announces queued or in flight for this swarm; it is not dropped while any are. */
    int pendingJobs;
    /** Set when the sweep drops this swarm; an event loop holding it looks it up again. */
    boolean removed;
    /** Some forwarder has concluded an announce for this swarm (answered, refused or given up). */
    boolean settled;

    volatile Merged merged = Merged.EMPTY;

    SwarmForwards(Keys.InfoHash infoHash) {
        this.infoHash = infoHash;
    }

    Upstream upstream(int slot) {
        if (upstreams.length <= slot) {
            upstreams = Arrays.copyOf(upstreams, slot + 1);
        }
        Upstream u = upstreams[slot];
        if (u == null) {
            u = new Upstream();
            upstreams[slot] = u;
        }
        return u;
    }

    /**
     * Rebuilds {@link #merged} from the forwarders' answers that are not stale: peers deduplicated
     * across forwarders, capped; counts are the largest any forwarder reported (forwarders mostly
     * know the same peers, so a sum would count one peer many times).
     */
    void rebuild(long now) {
        Set<Long> seen4 = new HashSet<>();
        Set<String> seen6 = new HashSet<>();
        byte[] out4 = new byte[0];
        byte[] out6 = new byte[0];
        int n4 = 0;
        int n6 = 0;
        int complete = 0;
        int incomplete = 0;
        boolean answered = false;
        for (Upstream u : upstreams) {
            if (u == null || u.staleAt <= now) {
                continue;
            }
            answered = true;
            complete = Math.max(complete, u.complete);
            incomplete = Math.max(incomplete, u.incomplete);
            for (int i = 0; i + 6 <= u.peers4.length && n4 < MAX_CACHED_PEERS; i += 6) {
                long k = 0;
                for (int b = 0; b < 6; b++) {
                    k = k << 8 | (u.peers4[i + b] & 0xff);
                }
                if (seen4.add(k)) {
                    if (out4.length < (n4 + 1) * 6) {
                        out4 = Arrays.copyOf(out4, Math.max(60, out4.length * 2));
                    }
                    System.arraycopy(u.peers4, i, out4, n4 * 6, 6);
                    n4++;
                }
            }
            for (int i = 0; i + 18 <= u.peers6.length && n6 < MAX_CACHED_PEERS; i += 18) {
                String k = Arrays.toString(Arrays.copyOfRange(u.peers6, i, i + 18));
                if (seen6.add(k)) {
                    if (out6.length < (n6 + 1) * 18) {
                        out6 = Arrays.copyOf(out6, Math.max(180, out6.length * 2));
                    }
                    System.arraycopy(u.peers6, i, out6, n6 * 18, 18);
                    n6++;
                }
            }
        }
        merged = new Merged(
                n4 == 0 ? NONE : Arrays.copyOf(out4, n4 * 6),
                n6 == 0 ? NONE : Arrays.copyOf(out6, n6 * 18),
                complete,
                incomplete,
                answered || settled);
    }
}
