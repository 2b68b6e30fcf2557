package org.retracker.swarm;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.security.SecureRandom;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.retracker.protocol.AnnounceEvent;
import org.retracker.protocol.AnnounceRequest;
import org.retracker.protocol.AnnounceResponse;
import org.retracker.protocol.PeerIdClient;
import org.retracker.protocol.ScrapeRequest;
import org.retracker.protocol.ScrapeResponse;

/**
 * Every swarm of the tracker, in memory.
 *
 * <h2>Layout</h2>
 *
 * The store is split into {@link #SHARDS} shards, picked by a seeded hash of the info hash; each is
 * an open-addressing table (linear probing, backward-shift deletion, load ≤ 3/4) of {@link Swarm}
 * references with the 32-bit hash of each beside it in an {@code int[]}: a probe compares hashes,
 * and only a match reads the swarm, which holds its own info hash as three primitives. A lookup
 * reads the info hash straight from the request's byte array: no key object. The hash seed is
 * random per process because info hashes are chosen by clients. Peers' client codes come from one
 * {@link ClientCodes} table, read without a lock.
 *
 * <h2>Concurrency</h2>
 *
 * One monitor per shard. An announce holds it for one swarm update and one peer sample, so event
 * loops contend only when they hit the same shard at the same instant; the expiry sweep takes the
 * shards one at a time and never stops the world.
 *
 * <h2>Limits</h2>
 *
 * {@link SwarmLimits}: at {@code maxTorrents} swarms a new torrent is refused ({@link #announce}
 * returns {@code false}); the count is one {@link AtomicInteger} changed only when a swarm is created
 * or freed, so it is exact without a global lock and costs nothing per announce. At {@code
 * maxPeersPerSwarm} peers a new peer replaces the least recently seen of {@link #EVICTION_SAMPLE}
 * randomly chosen ones (all of them in a smaller swarm): O(sample) under the shard lock.
 *
 * <h2>Time</h2>
 *
 * Peers carry the tick of their last announce in 16 bits that wrap ({@link PeerTable}): a tick is
 * {@link #tickSeconds()} seconds of the store's clock since its creation, 1 for any peer lifetime up
 * to nine hours and more only beyond, so that a peer's age (lifetime plus the sweep's period) stays
 * under half a wrap. The clock is an injected {@link InstantSource}, so tests expire peers without
 * sleeping.
 */
public final class SwarmStore {
    /** Shards: enough that 2–16 event loops rarely meet on one lock, few enough to sweep cheaply. */
    public static final int SHARDS = 256;

    /**
     * Peers looked at to choose whom a newcomer replaces in a full swarm: the least recently seen of
     * 8 random ones is among the stalest quarter of the swarm with probability 1 - (3/4)^8 = 90 %
     * (approximated LRU, as Redis samples 5), at the cost of 8 reads instead of a scan.
     */
    public static final int EVICTION_SAMPLE = 8;

    private static final int SHARD_INITIAL_CAPACITY = 16;
    /**
     * Ticks a peer may reach before the sweep removes it: half the 16-bit wrap, so a lifetime of that
     * many ticks plus a sweep period (at most 60 s) can never look young again.
     */
    private static final int MAX_AGE_TICKS = PeerTable.HALF_WRAP;
    /** The expiry sweep's longest period (RunningTracker: lifetime / 4, at most 60 s). */
    private static final int MAX_SWEEP_PERIOD_SECONDS = 60;

    private static final VarHandle LONG_BE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle INT_BE = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);

    private final Shard[] shards = new Shard[SHARDS];
    private final InstantSource clock;
    private final long epochMillis;
    private final long seed;
    private final int tickSeconds;
    private final ClientCodes clientCodes;
    private final @Nullable PeerListener listener;
    private final SwarmLimits limits;
    /** Swarms in all shards: reserved before a swarm is created, released when one is freed. */
    private final AtomicInteger swarms = new AtomicInteger();
    /** The peer tables' recycled arrays, shared by the shards ({@link PeerBlocks}). */
    private final PeerBlocks blocks = new PeerBlocks();

    /** Told of peers that leave a swarm without announcing {@code stopped}: expiry. */
    public interface PeerListener {
        /** Called under the shard lock; must not block or call back into the store. */
        void expired(int count);
    }

    /** A store with the {@link SwarmLimits#defaults() default limits} for this JVM. */
    public SwarmStore(InstantSource clock) {
        this(clock, SwarmLimits.defaults(), null);
    }

    public SwarmStore(InstantSource clock, @Nullable PeerListener listener) {
        this(clock, SwarmLimits.defaults(), listener);
    }

    public SwarmStore(InstantSource clock, SwarmLimits limits) {
        this(clock, limits, null);
    }

    public SwarmStore(InstantSource clock, SwarmLimits limits, @Nullable PeerListener listener) {
        this.clock = clock;
        this.limits = limits;
        this.epochMillis = clock.millis();
        this.seed = new SecureRandom().nextLong();
        this.tickSeconds =
                Math.max(1, Math.ceilDiv(limits.peerLifetimeSeconds() + MAX_SWEEP_PERIOD_SECONDS, MAX_AGE_TICKS - 1));
        this.clientCodes = new ClientCodes(seed);
        this.listener = listener;
        for (int i = 0; i < SHARDS; i++) {
            shards[i] = new Shard(seed);
        }
    }

    public SwarmLimits limits() {
        return limits;
    }

    /** Seconds since the store was created, on its clock. */
    public int now() {
        return (int) ((clock.millis() - epochMillis) / 1000);
    }

    /** Seconds per tick of the peers' 16-bit clock: 1 unless the peer lifetime is over nine hours. */
    public int tickSeconds() {
        return tickSeconds;
    }

    private int nowTick() {
        return now() / tickSeconds;
    }

    /**
     * Applies one announce to its swarm and samples peers for the reply.
     *
     * <p>The peer is keyed by {@code request.address} and {@code port}. {@code stopped} removes only
     * that entry; any other event inserts or refreshes it. {@code completed} from a peer already in
     * the swarm as a leecher that now has nothing left counts one download: the peer becomes a
     * seeder, so a repeat does not count again. A {@code completed} from a stranger, a seeder, or a
     * peer that still has bytes left counts nothing, so the count cannot be inflated by repetition.
     * Up to {@code numWant} peers are
     * written to {@code response}, the requester's own family first; {@code otherFamily} adds peers
     * of the other family with what is left (HTTP can carry both, UDP only the requester's). A
     * seeder is sent only leechers. The requester is never among them.
     *
     * <p>A new peer in a swarm at {@link SwarmLimits#maxPeersPerSwarm} replaces the least recently
     * seen of a sample ({@link #EVICTION_SAMPLE}).
     *
     * @return {@code false} when the announce needed a new swarm and the store already holds {@link
     *     SwarmLimits#maxTorrents}: then nothing was stored and {@code response} is untouched
     */
    public boolean announce(AnnounceRequest request, int numWant, boolean otherFamily, AnnounceResponse response) {
        byte[] hash = request.infoHash;
        long w0 = (long) LONG_BE.get(hash, 0);
        long w1 = (long) LONG_BE.get(hash, 8);
        long w2 = (int) INT_BE.get(hash, 16) & 0xffffffffL;
        long h = Mix.mix(w0 ^ seed, w1, w2);
        Shard shard = shards[(int) (h >>> 56) & (SHARDS - 1)];
        boolean ipv6 = request.addressLength == 16;
        long k0;
        long k1 = 0;
        long k2 = 0;
        if (ipv6) {
            k0 = (long) LONG_BE.get(request.address, 0);
            k1 = (long) LONG_BE.get(request.address, 8);
            k2 = PeerTable.portWord(request.port);
        } else {
            k0 = PeerTable.key4((int) INT_BE.get(request.address, 0), request.port);
        }
        boolean seeder = request.isSeeder();
        boolean stopped = request.event == AnnounceEvent.STOPPED;
        int now = nowTick();
        ThreadLocalRandom random = ThreadLocalRandom.current();
        synchronized (shard) {
            int pos = shard.find(w0, w1, w2, (int) h);
            Swarm swarm;
            if (pos < 0) {
                if (stopped) {
                    return true; // nothing to remove; counts stay 0
                }
                if (!reserveSwarm()) {
                    return false;
                }
                swarm = shard.insert((int) h, new Swarm(w0, w1, w2));
            } else {
                swarm = shard.value(pos);
            }
            if (stopped) {
                // BEP 3 stopped: remove this ip:port only. The swarm exists (pos ≥ 0); its table
                // for this family may not, and is not created just to be searched.
                PeerTable own = swarm.other(!ipv6);
                int slot = own == null ? -1 : own.find(k0, k1, k2);
                if (own != null && slot >= 0) {
                    own.removeAt(slot, blocks);
                    shard.peers--;
                }
                response.complete = swarm.seederCount();
                response.incomplete = swarm.leecherCount();
                swarm.dropEmptyV6();
                if (swarm.peerCount() == 0) {
                    shard.removeAt(pos);
                    swarms.decrementAndGet();
                }
                return true;
            }
            PeerTable own = swarm.table(ipv6);
            int slot = own.find(k0, k1, k2);
            if (slot < 0) {
                if (swarm.peerCount() >= limits.maxPeersPerSwarm()) {
                    swarm.evictStalest(now, random, blocks);
                    shard.evicted++;
                } else {
                    shard.peers++;
                }
                slot = own.insert(k0, k1, k2, clientCode(request), seeder, now, blocks);
            } else {
                if (request.event == AnnounceEvent.COMPLETED && seeder && !own.isSeederSlot(slot)) {
                    swarm.downloaded++;
                }
                slot = own.update(slot, seeder, now);
                if (request.event == AnnounceEvent.STARTED) {
                    // A client names its software (peer_id) anew when it starts a session; a plain
                    // re-announce keeps the code, and does not touch its cache line.
                    own.setCode(slot, clientCode(request));
                }
            }
            response.complete = swarm.seederCount();
            response.incomplete = swarm.leecherCount();
            if (numWant > 0) {
                int limit = seeder ? own.leechers() : own.size();
                int written;
                if (ipv6) {
                    written = own.select(limit, slot, numWant, response.peers6, 0, random);
                    response.peers6Count = written;
                } else {
                    written = own.select(limit, slot, numWant, response.peers4, 0, random);
                    response.peers4Count = written;
                }
                PeerTable other = swarm.other(ipv6);
                if (otherFamily && other != null && written < numWant) {
                    int otherLimit = seeder ? other.leechers() : other.size();
                    if (ipv6) {
                        response.peers4Count =
                                other.select(otherLimit, -1, numWant - written, response.peers4, 0, random);
                    } else {
                        response.peers6Count =
                                other.select(otherLimit, -1, numWant - written, response.peers6, 0, random);
                    }
                }
            }
            swarm.dropEmptyV6(); // an eviction may have emptied the other family's table
        }
        return true;
    }

    /** Test hook: longs of peer storage held by tables ({@code [0]}) and held free for reuse ({@code [1]}). */
    long[] storageLongs() {
        return new long[] {blocks.usedLongs(), blocks.freeLongs()};
    }

    /**
     * The client code of the request's peer_id, looked up only where a code is stored: for a new peer
     * and on {@code started}. A table read without a lock for every client seen before, so cheap under
     * the shard lock; {@link ClientCodes} takes no other lock.
     */
    private int clientCode(AnnounceRequest request) {
        return clientCodes.code((long) LONG_BE.get(request.peerId, 0));
    }

    /** Counts one more swarm unless the store is full; the caller then creates it. */
    private boolean reserveSwarm() {
        int max = limits.maxTorrents();
        for (int n = swarms.get(); n < max; n = swarms.get()) {
            if (swarms.compareAndSet(n, n + 1)) {
                return true;
            }
        }
        return false;
    }

    /** Fills seeders, leechers and completed downloads for each hash of {@code request}. */
    public void scrape(ScrapeRequest request, ScrapeResponse response) {
        byte[] hashes = request.infoHashes;
        for (int i = 0; i < request.count; i++) {
            int off = i * AnnounceRequest.ID_LENGTH;
            long w0 = (long) LONG_BE.get(hashes, off);
            long w1 = (long) LONG_BE.get(hashes, off + 8);
            long w2 = (int) INT_BE.get(hashes, off + 16) & 0xffffffffL;
            long h = Mix.mix(w0 ^ seed, w1, w2);
            Shard shard = shards[(int) (h >>> 56) & (SHARDS - 1)];
            synchronized (shard) {
                int pos = shard.find(w0, w1, w2, (int) h);
                if (pos < 0) {
                    response.complete[i] = 0;
                    response.incomplete[i] = 0;
                    response.downloaded[i] = 0;
                } else {
                    Swarm swarm = shard.value(pos);
                    response.complete[i] = swarm.seederCount();
                    response.incomplete[i] = swarm.leecherCount();
                    response.downloaded[i] = swarm.downloaded;
                }
            }
        }
    }

    /**
     * Removes peers whose last announce is older than {@code maxAgeSeconds}, and swarms left empty.
     * Takes one shard lock at a time. Returns the number of peers removed.
     */
    public long expire(int maxAgeSeconds) {
        if (maxAgeSeconds < 0 || maxAgeSeconds > limits.peerLifetimeSeconds()) {
            throw new IllegalArgumentException("max age " + maxAgeSeconds + " s is beyond the peer lifetime the store's"
                    + " clock is sized for (" + limits.peerLifetimeSeconds() + " s)");
        }
        int now = nowTick();
        int maxAge = maxAgeSeconds / tickSeconds;
        long removed = 0;
        for (Shard shard : shards) {
            synchronized (shard) {
                int swarmsBefore = shard.size;
                int n = shard.expire(now, maxAge, blocks);
                swarms.addAndGet(shard.size - swarmsBefore);
                removed += n;
                if (n > 0 && listener != null) {
                    listener.expired(n);
                }
            }
        }
        return removed;
    }

    /** Number of swarms, at this instant (the count {@link SwarmLimits#maxTorrents} is checked against). */
    public int swarmCount() {
        return swarms.get();
    }

    /** Peers that replaced another in a full swarm ({@link SwarmLimits#maxPeersPerSwarm}) so far. */
    public long evictedPeers() {
        long n = 0;
        for (Shard shard : shards) {
            synchronized (shard) {
                n += shard.evicted;
            }
        }
        return n;
    }

    /** Number of peers in all swarms. */
    public long peerCount() {
        long n = 0;
        for (Shard shard : shards) {
            synchronized (shard) {
                n += shard.peers;
            }
        }
        return n;
    }

    /**
     * Swarms, seeders and leechers of the whole store, for metrics. Walks every swarm, one shard
     * lock at a time (so the totals are not one instant's):
     * O(swarms), meant for a scrape every few seconds, never for the announce path.
     */
    public Totals totals() {
        int swarms = 0;
        long seeders = 0;
        long leechers = 0;
        for (Shard shard : shards) {
            synchronized (shard) {
                swarms += shard.size;
                for (Swarm s : shard.values) {
                    if (s != null) {
                        seeders += s.seederCount();
                        leechers += s.leecherCount();
                    }
                }
            }
        }
        return new Totals(swarms, seeders, leechers);
    }

    /**
     * What {@link #totals()} counted.
     *
     * @param swarms info hashes with at least one peer
     * @param seeders peers with nothing left to download
     * @param leechers the other peers
     */
    public record Totals(int swarms, long seeders, long leechers) {
        public long peers() {
            return seeders + leechers;
        }
    }

    /**
     * What {@code /stats} shows of the store, in one walk: swarms, seeders, leechers, completed
     * downloads, and peers by the client their {@code peer_id} names ({@link PeerIdClient}). One
     * shard lock at a time, like {@link #totals()}. Under a lock only primitive work is done: each
     * peer's client code ({@link ClientCodes}) is counted in a {@code long[]}; names are made after the walk, once
     * per distinct prefix. O(peers): for an operator's request, never for the announce path.
     */
    public Census census() {
        int swarmCount = 0;
        long seeders = 0;
        long leechers = 0;
        long downloaded = 0;
        long[] perCode = new long[ClientCodes.MAX_CODES + 1];
        for (Shard shard : shards) {
            synchronized (shard) {
                swarmCount += shard.size;
                for (Swarm s : shard.values) {
                    if (s == null) {
                        continue;
                    }
                    seeders += s.seederCount();
                    leechers += s.leecherCount();
                    downloaded += s.downloaded;
                    s.countClients(perCode);
                    PeerTable v6 = s.v6;
                    if (v6 != null) {
                        v6.countClients(perCode);
                    }
                }
            }
        }
        Map<String, Long> byName = new HashMap<>();
        long other = perCode[ClientCodes.OTHER];
        int named = 0;
        for (int code = ClientCodes.OTHER + 1; code < perCode.length; code++) {
            long count = perCode[code];
            if (count == 0) {
                continue;
            }
            if (named == Census.MAX_NAMED_PREFIXES) {
                other += count;
                continue;
            }
            named++;
            byName.merge(PeerIdClient.describePrefix(clientCodes.prefix(code)), count, Long::sum);
        }
        if (other > 0) {
            byName.merge(Census.OTHER_CLIENTS, other, Long::sum);
        }
        List<ClientCount> clients = new ArrayList<>(byName.size());
        byName.forEach((name, count) -> clients.add(new ClientCount(name, count)));
        clients.sort(Comparator.comparingLong(ClientCount::peers).reversed().thenComparing(ClientCount::name));
        return new Census(swarmCount, seeders, leechers, downloaded, clients);
    }

    /**
     * What {@link #census()} counted. Each shard was counted under its lock, so the totals agree
     * with each other ({@code peers == seeders + leechers == sum of clients}) and, on a quiet
     * tracker, with a scrape of every swarm.
     *
     * @param swarms info hashes with at least one peer
     * @param seeders peers with nothing left to download
     * @param leechers the other peers
     * @param downloaded completed downloads of the swarms that still exist (scrape's {@code
     *     downloaded}, summed)
     * @param clients peers by client name, most peers first, then by name; peers whose id prefix
     *     was not told apart ({@link ClientCodes#MAX_CODES} distinct prefixes since the start, or
     *     more than {@link #MAX_NAMED_PREFIXES} in this census) are counted as {@link
     *     #OTHER_CLIENTS}
     */
    public record Census(int swarms, long seeders, long leechers, long downloaded, List<ClientCount> clients) {
        /** The client name of peers whose id prefix was not told apart (too many distinct ones). */
        public static final String OTHER_CLIENTS = "other";
        /** Distinct id prefixes named in one census: real swarms show a few dozen clients and versions. */
        public static final int MAX_NAMED_PREFIXES = 4096;

        public Census {
            clients = List.copyOf(clients);
        }

        public long peers() {
            return seeders + leechers;
        }
    }

    /** Peers whose {@code peer_id} names client {@code name} ({@link PeerIdClient#describe}). */
    public record ClientCount(String name, long peers) {}

    /** Test hook: verifies every table's invariants. */
    void checkInvariants() {
        int n = 0;
        long storage = 0;
        for (Shard shard : shards) {
            synchronized (shard) {
                storage += shard.checkInvariants(limits.maxPeersPerSwarm());
                n += shard.size;
            }
        }
        if (storage != blocks.usedLongs()) {
            throw new AssertionError("tables hold " + storage + " longs, the blocks count " + blocks.usedLongs());
        }
        if (n != swarms.get() || n > limits.maxTorrents()) {
            throw new AssertionError("swarms " + n + " counted " + swarms.get() + " max " + limits.maxTorrents());
        }
    }

    /**
     * One shard: info hash → swarm. Entry {@code i} is {@code values[i]} (null when empty) with the
     * low 32 bits of its info hash's seeded hash in {@code hashes[i]}; the swarm holds the info hash.
     */
    private static final class Shard {
        private final long seed;
        int[] hashes = new int[SHARD_INITIAL_CAPACITY];

        @Nullable
        Swarm[] values = new Swarm[SHARD_INITIAL_CAPACITY];

        int size;
        long peers;
        /** Peers replaced by a newcomer in a full swarm. */
        long evicted;

        Shard(long seed) {
            this.seed = seed;
        }

        int find(long w0, long w1, long w2, int hash) {
            int mask = values.length - 1;
            for (int p = hash & mask; ; p = (p + 1) & mask) {
                Swarm s = values[p];
                if (s == null) {
                    return -1;
                }
                if (hashes[p] == hash && s.hasInfoHash(w0, w1, w2)) {
                    return p;
                }
            }
        }

        Swarm value(int pos) {
            Swarm s = values[pos];
            if (s == null) {
                throw new IllegalStateException("empty entry " + pos);
            }
            return s;
        }

        Swarm insert(int hash, Swarm swarm) {
            if ((size + 1) * 4 > values.length * 3) {
                rehash(values.length * 2);
            }
            int mask = values.length - 1;
            int p = hash & mask;
            while (values[p] != null) {
                p = (p + 1) & mask;
            }
            hashes[p] = hash;
            values[p] = swarm;
            size++;
            return swarm;
        }

        /** Backward-shift deletion of entry {@code hole}. */
        void removeAt(int hole) {
            int mask = values.length - 1;
            int j = hole;
            while (true) {
                j = (j + 1) & mask;
                if (values[j] == null) {
                    break;
                }
                int home = hashes[j] & mask;
                boolean stays = hole <= j ? (home > hole && home <= j) : (home > hole || home <= j);
                if (!stays) {
                    hashes[hole] = hashes[j];
                    values[hole] = values[j];
                    hole = j;
                }
            }
            values[hole] = null;
            size--;
        }

        /**
         * Expires every swarm. After a removal the same position is looked at again, because the
         * backward shift may have moved a not yet visited entry into it.
         */
        int expire(int now, int maxAge, PeerBlocks blocks) {
            int removed = 0;
            for (int p = 0; p < values.length; ) {
                Swarm s = values[p];
                if (s == null) {
                    p++;
                    continue;
                }
                int n = s.expire(now, maxAge, blocks);
                removed += n;
                peers -= n;
                if (s.peerCount() == 0) {
                    removeAt(p);
                } else {
                    p++;
                }
            }
            if (size * 8 < values.length && values.length > SHARD_INITIAL_CAPACITY) {
                rehash(Math.max(SHARD_INITIAL_CAPACITY, Integer.highestOneBit(Math.max(1, size)) * 4));
            }
            return removed;
        }

        private void rehash(int capacity) {
            int[] oldHashes = hashes;
            @Nullable Swarm[] oldValues = values;
            hashes = new int[capacity];
            values = new Swarm[capacity];
            int mask = capacity - 1;
            for (int i = 0; i < oldValues.length; i++) {
                Swarm s = oldValues[i];
                if (s == null) {
                    continue;
                }
                int p = oldHashes[i] & mask;
                while (values[p] != null) {
                    p = (p + 1) & mask;
                }
                hashes[p] = oldHashes[i];
                values[p] = s;
            }
        }

        /** Checks the shard and returns the longs of peer storage its tables hold. */
        long checkInvariants(int maxPeersPerSwarm) {
            int n = 0;
            long p = 0;
            long storage = 0;
            for (int i = 0; i < values.length; i++) {
                Swarm s = values[i];
                if (s != null) {
                    n++;
                    p += s.peerCount();
                    if (s.peerCount() == 0 || s.peerCount() > maxPeersPerSwarm) {
                        throw new AssertionError("swarm of " + s.peerCount() + " peers, max " + maxPeersPerSwarm);
                    }
                    int hash = (int) Mix.mix(s.hash0() ^ seed, s.hash1(), s.hash2());
                    if (hashes[i] != hash || find(s.hash0(), s.hash1(), s.hash2(), hash) != i) {
                        throw new AssertionError("entry " + i + " unreachable");
                    }
                    s.checkInvariants();
                    storage += s.storageLongs();
                    PeerTable v6 = s.v6;
                    if (v6 != null) {
                        if (v6.size() == 0) {
                            throw new AssertionError("empty IPv6 table kept");
                        }
                        v6.checkInvariants();
                        storage += v6.storageLongs();
                    }
                }
            }
            if (n != size || p != peers) {
                throw new AssertionError("counts " + n + "/" + size + " peers " + p + "/" + peers);
            }
            return storage;
        }
    }
}
