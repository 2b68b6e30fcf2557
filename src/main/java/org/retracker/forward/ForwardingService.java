package org.retracker.forward;

import io.netty.util.concurrent.FastThreadLocal;
import java.time.InstantSource;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.jspecify.annotations.Nullable;
import org.retracker.core.Forwarding;
import org.retracker.protocol.AnnounceEvent;
import org.retracker.protocol.AnnounceRequest;
import org.retracker.protocol.AnnounceResponse;
import org.retracker.protocol.FailureReason;
import org.retracker.protocol.ScrapeRequest;
import org.retracker.protocol.ScrapeResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Announces local peers to external trackers and merges the peers they return into local replies
 * (the "retracker.local" use: LAN peers first, the world's peers too).
 *
 * <h2>Scheduling</h2>
 *
 * Each local peer is announced to each forwarder under its own {@code peer_id}, port and counters.
 * The first announce of a peer goes out at once ({@code started}); later ones when that forwarder's
 * {@code interval} for the swarm has passed (its {@code min interval} if larger), so upstream load
 * follows the external trackers' rhythm, not the local clients'. {@code completed} goes out at once;
 * {@code stopped}, and the expiry of a silent local peer, send {@code stopped} to every forwarder
 * that heard of the peer. At most one announce per (swarm, forwarder, peer) is pending.
 *
 * <h2>Never blocking a client</h2>
 *
 * Event loops only note the peer and queue jobs (allocation happens only when a job is made); the
 * reply is built from the swarm's {@link SwarmForwards.Merged} snapshot of cached external peers.
 * Jobs wait in a bounded queue for one of {@code workers} in-flight slots (scaled between {@code
 * -w} and {@code -W} by queue fill); the clients are asynchronous, so no thread waits on a tracker.
 * Retries back off exponentially with jitter on the forwarding thread's timer. Completions, the
 * scaling tick and the expiry sweep all run on one thread, {@code retracker-forward}.
 *
 * <h2>Load shedding</h2>
 *
 * A full queue drops new jobs (counted). Above the throttle threshold, a new swarm's first announces
 * go only to the fastest {@code throttleTop} forwarders. Above the rate-limit threshold, new swarms
 * pass a token bucket or the client is refused with {@code retry in} (BEP 31).
 */
public final class ForwardingService implements Forwarding, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ForwardingService.class);

    /** Interval told to clients of a swarm no forwarder has concluded on yet: come back soon. */
    public static final int PENDING_INTERVAL_SECONDS = 60;
    /**
     * Wait asked of a client whose new swarm is refused, as {@link FailureReason#TRACKER_BUSY}'s text (the
     * seed's) says it; BEP 31 {@code retry in} counts minutes, so HTTP replies carry 1.
     */
    public static final int BUSY_RETRY_SECONDS = 10;
    /** Upstream interval assumed when a tracker sends none (BEP 3 makes it required). */
    static final int DEFAULT_UPSTREAM_INTERVAL_SECONDS = 1800;
    /** Shortest upstream interval honoured: a tracker asking for more is announced to no faster. */
    static final int MIN_UPSTREAM_INTERVAL_SECONDS = 60;
    /** Longest upstream interval honoured, so a peer is still refreshed daily. */
    static final int MAX_UPSTREAM_INTERVAL_SECONDS = 86_400;
    /** After an announce failed (retries spent), the next try for that peer waits this long. */
    static final long FAILED_RETRY_DELAY_MILLIS = 60_000;
    /** Peers from a forwarder's answer are handed out for this many of its intervals. */
    static final int STALE_AFTER_INTERVALS = 2;
    /** Peers asked of each external tracker per announce. */
    static final int UPSTREAM_NUMWANT = 100;
    /**
     * Peers kept from one forwarder's answer for one swarm, per address family: as many as were
     * asked for. A tracker that ignores numwant may send some 40,000 (a reply up to {@link
     * HttpUpstreamClient#MAX_REPLY_BYTES}); kept whole for every swarm, that would be 240 KB per
     * swarm and forwarder. So a swarm keeps at most 2.4 KB of peers per forwarder.
     */
    static final int MAX_KEPT_PEERS = UPSTREAM_NUMWANT;
    /** How often workers are scaled and the fastest forwarders ranked. */
    static final long SCALE_TICK_MILLIS = 1000;
    /** How often silent local peers are expired (sent {@code stopped}) and stale answers dropped. */
    static final long SWEEP_MILLIS = 30_000;
    /** Upper bound of the random part added to a retry's backoff, as a fraction of it. */
    static final double RETRY_JITTER = 0.5;

    /** Makes the client of one forwarder. */
    public interface ClientFactory {
        UpstreamClient create(ForwarderSpec spec);
    }

    /** Counts of what forwarding did and dropped. */
    public static final class Counters {
        public final LongAdder queued = new LongAdder();
        public final LongAdder droppedQueueFull = new LongAdder();
        public final LongAdder throttled = new LongAdder();
        public final LongAdder rateLimited = new LongAdder();
        public final LongAdder retries = new LongAdder();
        public final LongAdder stoppedSent = new LongAdder();
        public final LongAdder expiredPeers = new LongAdder();
    }

    private final ForwardingOptions options;
    private final InstantSource clock;
    private final ClientFactory factory;
    private final ScheduledExecutorService executor;
    private final TokenBucket firstAnnounces;
    private final Counters counters = new Counters();
    private final ConcurrentHashMap<Keys.InfoHash, SwarmForwards> swarms = new ConcurrentHashMap<>();
    private final FastThreadLocal<Keys.InfoHash> hashProbe = new FastThreadLocal<>() {
        @Override
        protected Keys.InfoHash initialValue() {
            return new Keys.InfoHash();
        }
    };
    private final FastThreadLocal<Keys.Peer> peerProbe = new FastThreadLocal<>() {
        @Override
        protected Keys.Peer initialValue() {
            return new Keys.Peer();
        }
    };

    private volatile Forwarder[] forwarders = new Forwarder[0];
    /** Slots of the fastest {@code throttleTop} forwarders, ranked on each scaling tick. */
    private volatile BitSet fastest = new BitSet();

    private final Object reloadLock = new Object();
    private final BitSet usedSlots = new BitSet();

    private final Object queueLock = new Object();
    private final ArrayDeque<Job> queue = new ArrayDeque<>();
    private int inFlight;
    private int workers;

    /** One announce of one local peer to one forwarder. */
    private static final class Job {
        final SwarmForwards swarm;
        final SwarmForwards.LocalPeer peer;
        final Forwarder forwarder;
        final UpstreamAnnounce announce;
        int attempt;
        long startedAt;

        Job(SwarmForwards swarm, SwarmForwards.LocalPeer peer, Forwarder forwarder, UpstreamAnnounce announce) {
            this.swarm = swarm;
            this.peer = peer;
            this.forwarder = forwarder;
            this.announce = announce;
        }
    }

    public ForwardingService(ForwardingOptions options, InstantSource clock, ClientFactory factory) {
        this.options = options;
        this.clock = clock;
        this.factory = factory;
        this.workers = options.workers();
        this.firstAnnounces = new TokenBucket(clock, options.rateLimitPerSecond(), options.rateLimitBurst());
        this.executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "retracker-forward");
            t.setDaemon(true);
            return t;
        });
        executor.scheduleWithFixedDelay(this::tick, SCALE_TICK_MILLIS, SCALE_TICK_MILLIS, TimeUnit.MILLISECONDS);
        executor.scheduleWithFixedDelay(this::sweepSafely, SWEEP_MILLIS, SWEEP_MILLIS, TimeUnit.MILLISECONDS);
    }

    // ---- configuration --------------------------------------------------------------------------

    /**
     * Makes {@code specs} the forwarders: unchanged ones keep their client and state, new ones start,
     * removed ones are sent {@code stopped} for the peers they carried and then closed.
     */
    public void setForwarders(List<ForwarderSpec> specs) {
        synchronized (reloadLock) {
            Map<String, Forwarder> current = new HashMap<>();
            for (Forwarder f : forwarders) {
                current.put(Forwarder.target(f.spec), f);
            }
            List<Forwarder> next = new ArrayList<>();
            for (ForwarderSpec spec : specs) {
                Forwarder kept = current.remove(Forwarder.target(spec));
                if (kept != null) {
                    kept.rename(spec);
                    next.add(kept);
                    continue;
                }
                int slot = usedSlots.nextClearBit(0);
                usedSlots.set(slot);
                next.add(new Forwarder(spec, factory.create(spec), slot));
            }
            forwarders = next.toArray(new Forwarder[0]);
            rankFastest();
            for (Forwarder gone : current.values()) {
                retire(gone);
            }
            if (!specs.isEmpty() || !current.isEmpty()) {
                log.info("forwarders: {} active, {} removed", next.size(), current.size());
            }
        }
    }

    /** Sends {@code stopped} for every peer {@code gone} carried, then closes it and frees its slot. */
    private void retire(Forwarder gone) {
        List<Job> jobs = new ArrayList<>();
        for (SwarmForwards swarm : swarms.values()) {
            synchronized (swarm) {
                for (SwarmForwards.LocalPeer peer : swarm.peers.values()) {
                    if (peer.flags.length > gone.slot) {
                        if ((peer.flags[gone.slot] & SwarmForwards.ANNOUNCED) != 0) {
                            jobs.add(job(swarm, peer, gone, AnnounceEvent.STOPPED));
                        }
                        peer.flags[gone.slot] = 0;
                        peer.dueAt[gone.slot] = 0;
                    }
                }
                if (swarm.upstreams.length > gone.slot && swarm.upstreams[gone.slot] != null) {
                    swarm.upstreams[gone.slot] = null;
                    swarm.rebuild(clock.millis());
                }
            }
        }
        counters.stoppedSent.add(jobs.size());
        for (Job j : jobs) {
            j.attempt = options.retryAttempts() - 1; // one try: the forwarder is on its way out
            submit(j);
        }
        long closeAfter = options.timeout().toMillis() * 2 + SCALE_TICK_MILLIS;
        executor.schedule(
                () -> {
                    gone.close();
                    synchronized (reloadLock) {
                        usedSlots.clear(gone.slot);
                    }
                },
                closeAfter,
                TimeUnit.MILLISECONDS);
    }

    public boolean enabled() {
        return forwarders.length > 0;
    }

    public List<ForwarderStatus> status() {
        List<ForwarderStatus> out = new ArrayList<>();
        for (Forwarder f : forwarders) {
            out.add(f.status());
        }
        return out;
    }

    public Counters counters() {
        return counters;
    }

    /** Every forwarder's counts for {@code /metrics}. */
    public List<ForwarderMetrics> forwarderMetrics() {
        List<ForwarderMetrics> out = new ArrayList<>();
        for (Forwarder f : forwarders) {
            out.add(f.metrics());
        }
        return out;
    }

    /** The options forwarding runs with, as {@code /stats} shows them. */
    public ForwardingOptions options() {
        return options;
    }

    /** The most jobs that may wait ({@code -Q}). */
    public int queueCapacity() {
        return options.queueSize();
    }

    /** Jobs waiting for a slot. */
    public int queueLength() {
        synchronized (queueLock) {
            return queue.size();
        }
    }

    public int inFlight() {
        synchronized (queueLock) {
            return inFlight;
        }
    }

    public int workers() {
        synchronized (queueLock) {
            return workers;
        }
    }

    /** The queue and its workers at one instant. */
    public QueueState queueState() {
        synchronized (queueLock) {
            return new QueueState(
                    queue.size(), options.queueSize(), inFlight, workers, options.workers(), options.maxWorkers());
        }
    }

    /**
     * The forwarding queue and its workers at one instant.
     *
     * @param depth jobs waiting for a worker
     * @param capacity the most that may wait ({@code -Q})
     * @param inFlight announces under way
     * @param workers how many may be under way now, scaled between {@code minWorkers} ({@code -w})
     *     and {@code maxWorkers} ({@code -W}) by queue fill
     */
    public record QueueState(int depth, int capacity, int inFlight, int workers, int minWorkers, int maxWorkers) {
        /** Whole percent, rounded down: the figure the scaling and load-shedding thresholds compare. */
        public int fillPercent() {
            return (int) ((long) depth * 100 / capacity);
        }
    }

    /** Swarms forwarding keeps state for. */
    public int swarmCount() {
        return swarms.size();
    }

    private int fillPercent() {
        synchronized (queueLock) {
            return (int) ((long) queue.size() * 100 / options.queueSize());
        }
    }

    // ---- the hot path (event loops) -------------------------------------------------------------

    @Override
    public @Nullable FailureReason admit(AnnounceRequest request) {
        if (forwarders.length == 0 || options.rateLimitThresholdPct() <= 0) {
            return null;
        }
        if (swarms.containsKey(hashProbe.get().set(request.infoHash))) {
            return null; // not a first announce
        }
        if (fillPercent() < options.rateLimitThresholdPct() || firstAnnounces.tryTake()) {
            return null;
        }
        counters.rateLimited.increment();
        return FailureReason.TRACKER_BUSY;
    }

    @Override
    public int retryInSeconds() {
        return BUSY_RETRY_SECONDS;
    }

    @Override
    public void announced(AnnounceRequest request, AnnounceResponse response, int numWant, boolean bothFamilies) {
        Forwarder[] all = forwarders;
        if (all.length == 0) {
            return;
        }
        long now = clock.millis();
        Keys.InfoHash probe = hashProbe.get().set(request.infoHash);
        List<Job> jobs = null;
        SwarmForwards swarm;
        while (true) {
            swarm = swarms.get(probe);
            boolean first = swarm == null;
            if (swarm == null) {
                if (request.event == AnnounceEvent.STOPPED) {
                    return; // nothing forwarded for this swarm, nothing to take back
                }
                swarm = swarms.computeIfAbsent(probe.copy(), SwarmForwards::new);
            }
            synchronized (swarm) {
                if (swarm.removed) {
                    continue; // dropped by the sweep in between: look again
                }
                jobs = note(swarm, request, all, now, first && !swarm.settled);
            }
            break;
        }
        if (jobs != null) {
            for (Job j : jobs) {
                submit(j);
            }
        }
        if (request.event != AnnounceEvent.STOPPED) {
            merge(swarm.merged, request, response, numWant, bothFamilies);
        }
    }

    /** Records the local peer and makes the jobs that are due. Holds the swarm's lock. */
    private @Nullable List<Job> note(
            SwarmForwards swarm, AnnounceRequest request, Forwarder[] all, long now, boolean firstOfSwarm) {
        Keys.Peer key = peerProbe.get().set(request.address, request.addressLength, request.port);
        List<Job> jobs = null;
        if (request.event == AnnounceEvent.STOPPED) {
            SwarmForwards.LocalPeer peer = swarm.peers.remove(key);
            if (peer != null) {
                for (Forwarder f : all) {
                    if (peer.flags.length > f.slot && (peer.flags[f.slot] & SwarmForwards.ANNOUNCED) != 0) {
                        jobs = add(jobs, job(swarm, peer, f, AnnounceEvent.STOPPED));
                        counters.stoppedSent.increment();
                    }
                }
            }
            return jobs;
        }
        SwarmForwards.LocalPeer peer = swarm.peers.get(key);
        if (peer == null) {
            peer = new SwarmForwards.LocalPeer(key.copy());
            swarm.peers.put(peer.key, peer);
        }
        System.arraycopy(request.peerId, 0, peer.peerId, 0, 20);
        peer.uploaded = request.uploaded;
        peer.downloaded = request.downloaded;
        peer.left = request.left;
        peer.lastSeen = now;
        boolean completed = request.event == AnnounceEvent.COMPLETED;
        boolean throttle =
                firstOfSwarm && options.throttleThresholdPct() > 0 && fillPercent() >= options.throttleThresholdPct();
        BitSet top = fastest;
        for (Forwarder f : all) {
            int slot = f.slot;
            peer.ensureSlots(slot + 1);
            if ((peer.flags[slot] & SwarmForwards.PENDING) != 0) {
                continue;
            }
            boolean announced = (peer.flags[slot] & SwarmForwards.ANNOUNCED) != 0;
            if (!(completed && announced) && now < peer.dueAt[slot]) {
                continue;
            }
            if (throttle && !top.get(slot)) {
                counters.throttled.increment();
                continue;
            }
            if (!f.admit(now)) {
                continue;
            }
            AnnounceEvent event =
                    completed ? AnnounceEvent.COMPLETED : announced ? AnnounceEvent.NONE : AnnounceEvent.STARTED;
            peer.flags[slot] |= SwarmForwards.PENDING;
            jobs = add(jobs, job(swarm, peer, f, event));
        }
        return jobs;
    }

    private static List<Job> add(@Nullable List<Job> jobs, Job j) {
        List<Job> list = jobs == null ? new ArrayList<>(4) : jobs;
        list.add(j);
        return list;
    }

    /** A job for {@code peer}; the caller holds the swarm's lock. */
    private Job job(SwarmForwards swarm, SwarmForwards.LocalPeer peer, Forwarder f, AnnounceEvent event) {
        swarm.pendingJobs++;
        long left = peer.left < 0 ? 0 : peer.left;
        UpstreamAnnounce a = new UpstreamAnnounce(
                swarm.infoHash.bytes,
                peer.peerId.clone(),
                peer.key.port,
                peer.uploaded,
                peer.downloaded,
                left,
                event,
                event == AnnounceEvent.STOPPED ? 0 : UPSTREAM_NUMWANT);
        return new Job(swarm, peer, f, a);
    }

    /**
     * Appends cached external peers after the local ones, the requester's family first: never the
     * requester, never one already in the reply, starting at a random place so every client does
     * not get the same ones. The duplicate check scans the reply (at most numwant entries).
     */
    private static void merge(
            SwarmForwards.Merged m, AnnounceRequest request, AnnounceResponse response, int numWant, boolean both) {
        response.complete += m.complete();
        response.incomplete += m.incomplete();
        if (!m.answered()) {
            response.interval = Math.min(response.interval, PENDING_INTERVAL_SECONDS);
            response.minInterval = Math.min(response.minInterval, PENDING_INTERVAL_SECONDS);
        }
        boolean v6 = request.addressLength == 16;
        if (v6) {
            response.peers6Count =
                    append(m.peers6(), 18, response.peers6, response.peers6Count, room(response, numWant), request);
            if (both) {
                response.peers4Count =
                        append(m.peers4(), 6, response.peers4, response.peers4Count, room(response, numWant), request);
            }
        } else {
            response.peers4Count =
                    append(m.peers4(), 6, response.peers4, response.peers4Count, room(response, numWant), request);
            if (both) {
                response.peers6Count =
                        append(m.peers6(), 18, response.peers6, response.peers6Count, room(response, numWant), request);
            }
        }
    }

    private static int room(AnnounceResponse response, int numWant) {
        return Math.max(0, numWant - response.peers4Count - response.peers6Count);
    }

    private static int append(byte[] src, int size, byte[] dst, int count, int room, AnnounceRequest request) {
        int n = src.length / size;
        if (n == 0 || room == 0) {
            return count;
        }
        int capacity = dst.length / size;
        int start = ThreadLocalRandom.current().nextInt(n);
        int added = 0;
        for (int k = 0; k < n && added < room && count < capacity; k++) {
            int off = ((start + k) % n) * size;
            if (isRequester(src, off, size, request) || contains(dst, count, size, src, off)) {
                continue;
            }
            System.arraycopy(src, off, dst, count * size, size);
            count++;
            added++;
        }
        return count;
    }

    private static boolean isRequester(byte[] src, int off, int size, AnnounceRequest request) {
        int addressLength = size - 2;
        if (request.addressLength != addressLength) {
            return false;
        }
        int port = (src[off + addressLength] & 0xff) << 8 | (src[off + addressLength + 1] & 0xff);
        return port == request.port && Arrays.equals(src, off, off + addressLength, request.address, 0, addressLength);
    }

    private static boolean contains(byte[] dst, int count, int size, byte[] src, int off) {
        for (int i = 0; i < count; i++) {
            if (Arrays.equals(dst, i * size, i * size + size, src, off, off + size)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void scraped(ScrapeRequest request, ScrapeResponse response) {
        if (forwarders.length == 0) {
            return;
        }
        Keys.InfoHash probe = hashProbe.get();
        for (int i = 0; i < request.count; i++) {
            probe.set(request.infoHashes, i * 20);
            SwarmForwards swarm = swarms.get(probe);
            if (swarm != null) {
                SwarmForwards.Merged m = swarm.merged;
                response.complete[i] += m.complete();
                response.incomplete[i] += m.incomplete();
            }
        }
    }

    // ---- the queue and its workers (any thread in, the forwarding thread out) --------------------

    private void submit(Job job) {
        synchronized (queueLock) {
            if (queue.size() >= options.queueSize()) {
                counters.droppedQueueFull.increment();
                executor.execute(() -> concluded(job, false));
                return;
            }
            queue.add(job);
            counters.queued.increment();
            if (inFlight >= workers) {
                return;
            }
        }
        executor.execute(this::pump);
    }

    /** Starts queued jobs while slots are free. Runs on the forwarding thread. */
    private void pump() {
        while (true) {
            Job job;
            synchronized (queueLock) {
                if (inFlight >= workers || queue.isEmpty()) {
                    return;
                }
                job = queue.poll();
                inFlight++;
            }
            start(job);
        }
    }

    private void start(Job job) {
        Forwarder f = job.forwarder;
        f.announces.increment();
        job.startedAt = clock.millis();
        try {
            f.client
                    .announce(job.announce)
                    .whenCompleteAsync(
                            (reply, error) -> {
                                UpstreamReply r = reply != null ? reply : UpstreamReply.error(String.valueOf(error));
                                answered(job, r);
                            },
                            executor);
        } catch (RuntimeException e) {
            log.warn("forwarder {} failed to start an announce", f.name(), e);
            executor.execute(() -> answered(job, UpstreamReply.error("client error: " + e)));
        }
    }

    /** One attempt came back. Runs on the forwarding thread. */
    private void answered(Job job, UpstreamReply reply) {
        synchronized (queueLock) {
            inFlight--;
        }
        try {
            handle(job, reply);
        } catch (RuntimeException e) {
            log.warn("forwarding: unexpected error handling a reply from {}", job.forwarder.name(), e);
        }
        pump();
    }

    private void handle(Job job, UpstreamReply reply) {
        Forwarder f = job.forwarder;
        long now = clock.millis();
        long latency = now - job.startedAt;
        f.attempted(reply, latency);
        if (f.closed()) {
            concluded(job, false);
            return;
        }
        switch (reply.outcome()) {
            case OK -> {
                f.succeeded(latency, reply.peerCount(), reply.interval());
                long intervalMillis = upstreamIntervalSeconds(reply) * 1000L;
                synchronized (job.swarm) {
                    if (job.announce.event() != AnnounceEvent.STOPPED) {
                        SwarmForwards.Upstream u = job.swarm.upstream(f.slot);
                        u.peers4 = kept(reply.peers4(), AnnounceResponse.PEER4_BYTES);
                        u.peers6 = kept(reply.peers6(), AnnounceResponse.PEER6_BYTES);
                        u.complete = Math.max(0, reply.complete());
                        u.incomplete = Math.max(0, reply.incomplete());
                        u.staleAt = now
                                + STALE_AFTER_INTERVALS * intervalMillis
                                + options.timeout().toMillis();
                        job.peer.ensureSlots(f.slot + 1);
                        job.peer.flags[f.slot] |= SwarmForwards.ANNOUNCED;
                        job.peer.dueAt[f.slot] = now + intervalMillis;
                    }
                    finish(job, now);
                }
            }
            case REFUSED -> {
                f.refused("refused: " + reply.message(), latency);
                long wait = reply.retryAfterSeconds() > 0 && reply.retryAfterSeconds() != UpstreamReply.RETRY_NEVER
                        ? reply.retryAfterSeconds() * 1000L
                        : reply.retryAfterSeconds() == UpstreamReply.RETRY_NEVER
                                ? MAX_UPSTREAM_INTERVAL_SECONDS * 1000L
                                : FAILED_RETRY_DELAY_MILLIS;
                delay(job, now + wait, now);
            }
            case RATE_LIMITED -> {
                long seconds = reply.retryAfterSeconds() > 0 ? reply.retryAfterSeconds() : options.suspendSeconds();
                seconds = Math.min(seconds, MAX_UPSTREAM_INTERVAL_SECONDS);
                f.suspend("rate limited: " + reply.message(), now, seconds);
                delay(job, now + seconds * 1000, now);
            }
            case ERROR -> {
                if (job.attempt + 1 < options.retryAttempts()) {
                    job.attempt++;
                    counters.retries.increment();
                    long base = (long) options.retryBaseMillis() << Math.min(job.attempt, 20);
                    long backoff = base
                            + (long) (base
                                    * RETRY_JITTER
                                    * ThreadLocalRandom.current().nextDouble());
                    executor.schedule(() -> resubmit(job), backoff, TimeUnit.MILLISECONDS);
                    return;
                }
                f.failed(reply.message(), now, options.failThreshold(), latency, false);
                delay(job, now + FAILED_RETRY_DELAY_MILLIS, now);
            }
        }
    }

    /** The first {@link #MAX_KEPT_PEERS} of compact {@code peers}, each {@code bytesPerPeer} long. */
    private static byte[] kept(byte[] peers, int bytesPerPeer) {
        int max = MAX_KEPT_PEERS * bytesPerPeer;
        return peers.length <= max ? peers : Arrays.copyOf(peers, max);
    }

    private void resubmit(Job job) {
        if (job.forwarder.closed()) {
            concluded(job, false);
            return;
        }
        submit(job);
    }

    private void delay(Job job, long dueAt, long now) {
        synchronized (job.swarm) {
            job.peer.ensureSlots(job.forwarder.slot + 1);
            job.peer.dueAt[job.forwarder.slot] = Math.max(job.peer.dueAt[job.forwarder.slot], dueAt);
            finish(job, now);
        }
    }

    /** A job that never ran (dropped, or its forwarder closed): clear its marks. */
    private void concluded(Job job, boolean settled) {
        synchronized (job.swarm) {
            job.peer.ensureSlots(job.forwarder.slot + 1);
            job.peer.flags[job.forwarder.slot] &= (byte) ~SwarmForwards.PENDING;
            job.swarm.pendingJobs--;
            if (settled) {
                job.swarm.settled = true;
            }
        }
    }

    /** The caller holds the swarm's lock. */
    private void finish(Job job, long now) {
        SwarmForwards swarm = job.swarm;
        job.peer.flags[job.forwarder.slot] &= (byte) ~SwarmForwards.PENDING;
        swarm.pendingJobs--;
        swarm.settled = true;
        swarm.rebuild(now);
    }

    private static int upstreamIntervalSeconds(UpstreamReply reply) {
        int interval = reply.interval() > 0 ? reply.interval() : DEFAULT_UPSTREAM_INTERVAL_SECONDS;
        interval = Math.max(interval, reply.minInterval());
        return Math.max(MIN_UPSTREAM_INTERVAL_SECONDS, Math.min(MAX_UPSTREAM_INTERVAL_SECONDS, interval));
    }

    // ---- periodic work (the forwarding thread) ---------------------------------------------------

    /** Scales workers by queue fill and ranks the fastest forwarders. */
    private void tick() {
        try {
            boolean more = false;
            synchronized (queueLock) {
                int fill = (int) ((long) queue.size() * 100 / options.queueSize());
                if (fill >= options.scaleThresholdPct() && workers < options.maxWorkers()) {
                    workers++;
                    more = true;
                } else if (queue.isEmpty() && workers > options.workers() && inFlight < workers) {
                    workers--;
                }
            }
            if (more) {
                pump();
            }
            rankFastest();
        } catch (RuntimeException e) {
            log.warn("forwarding: scaling tick failed", e);
        }
    }

    /** Ranks forwarders by mean latency; those never answered go last, in configuration order. */
    private void rankFastest() {
        Forwarder[] ranked = forwarders.clone();
        Arrays.sort(ranked, Comparator.comparingLong(Forwarder::meanLatencyMillis));
        BitSet top = new BitSet();
        for (int i = 0; i < ranked.length && i < options.throttleTop(); i++) {
            top.set(ranked[i].slot);
        }
        fastest = top;
    }

    private void sweepSafely() {
        try {
            sweep();
        } catch (RuntimeException e) {
            log.warn("forwarding: sweep failed", e);
        }
    }

    /**
     * Sends {@code stopped} upstream for local peers silent longer than the peer lifetime, drops
     * answers gone stale, and forgets swarms with no local peer and nothing pending.
     */
    void sweep() {
        long now = clock.millis();
        long cutoff = now - options.peerLifetimeSeconds() * 1000;
        Forwarder[] all = forwarders;
        List<Job> jobs = new ArrayList<>();
        for (Iterator<SwarmForwards> it = swarms.values().iterator(); it.hasNext(); ) {
            SwarmForwards swarm = it.next();
            synchronized (swarm) {
                for (Iterator<SwarmForwards.LocalPeer> p = swarm.peers.values().iterator(); p.hasNext(); ) {
                    SwarmForwards.LocalPeer peer = p.next();
                    if (peer.lastSeen > cutoff) {
                        continue;
                    }
                    p.remove();
                    counters.expiredPeers.increment();
                    for (Forwarder f : all) {
                        if (peer.flags.length > f.slot && (peer.flags[f.slot] & SwarmForwards.ANNOUNCED) != 0) {
                            jobs.add(job(swarm, peer, f, AnnounceEvent.STOPPED));
                            counters.stoppedSent.increment();
                        }
                    }
                }
                boolean stale = false;
                for (SwarmForwards.Upstream u : swarm.upstreams) {
                    stale |= u != null && u.staleAt <= now && u.peers4.length + u.peers6.length > 0;
                }
                if (stale) {
                    swarm.rebuild(now);
                }
                if (swarm.peers.isEmpty() && swarm.pendingJobs == 0) {
                    swarm.removed = true;
                    it.remove();
                }
            }
        }
        for (Job j : jobs) {
            submit(j);
        }
    }

    /**
     * For tests: returns once the forwarding thread has run everything queued to it so far, and
     * what that queued in turn (a few rounds: a start queues its completion).
     */
    void awaitQuietForTest() throws Exception {
        for (int round = 0; round < 4; round++) {
            executor.submit(() -> {}).get(5, TimeUnit.SECONDS);
        }
    }

    /** The swarms forwarding keeps state for, for tests. */
    Map<Keys.InfoHash, SwarmForwards> swarmsForTest() {
        return swarms;
    }

    /**
     * Before a shutdown: sends {@code stopped} to every forwarder for every local peer it heard of
     * (one attempt each, no retries), and waits until they are answered or {@code budgetMillis}
     * has passed, so external trackers do not hand out peers that are gone. Returns how many were
     * sent. Call {@link #close} after it.
     */
    public int stopAll(long budgetMillis) {
        Forwarder[] all = forwarders;
        List<Job> jobs = new ArrayList<>();
        for (SwarmForwards swarm : swarms.values()) {
            synchronized (swarm) {
                for (SwarmForwards.LocalPeer peer : swarm.peers.values()) {
                    for (Forwarder f : all) {
                        if (peer.flags.length > f.slot && (peer.flags[f.slot] & SwarmForwards.ANNOUNCED) != 0) {
                            jobs.add(job(swarm, peer, f, AnnounceEvent.STOPPED));
                        }
                    }
                }
                swarm.peers.clear();
            }
        }
        synchronized (queueLock) {
            queue.clear(); // regular announces are moot now; a job dropped here is not concluded, which is fine
            workers = Math.max(workers, options.maxWorkers());
        }
        counters.stoppedSent.add(jobs.size());
        for (Job j : jobs) {
            j.attempt = options.retryAttempts() - 1;
            submit(j);
        }
        long deadline = System.nanoTime() + budgetMillis * 1_000_000;
        while (System.nanoTime() < deadline) {
            synchronized (queueLock) {
                if (queue.isEmpty() && inFlight == 0) {
                    break;
                }
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return jobs.size();
    }

    @Override
    public void close() {
        executor.shutdownNow();
        synchronized (reloadLock) {
            for (Forwarder f : forwarders) {
                f.close();
            }
            forwarders = new Forwarder[0];
        }
    }
}
