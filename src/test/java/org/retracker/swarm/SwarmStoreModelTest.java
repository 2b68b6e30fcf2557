package org.retracker.swarm;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.retracker.protocol.AnnounceEvent;
import org.retracker.protocol.AnnounceRequest;
import org.retracker.protocol.AnnounceResponse;
import org.retracker.protocol.ScrapeRequest;
import org.retracker.protocol.ScrapeResponse;
import org.retracker.testing.FakeClock;

/**
 * Drives a {@link SwarmStore} with long random sequences of announces, stops, completions, clock
 * steps and expiry sweeps, and compares every answer with a plain {@code HashMap} model. The store's
 * own invariants (partition, hash index, shard counts) are checked after every step.
 *
 * <p>Plain JUnit with seeded {@link Random}s, so a failure names its seed and step and replays.
 */
class SwarmStoreModelTest {
    private static final int SWARMS = 3;
    /** Peers per swarm and family: enough to cross {@link PeerTable#INDEX_THRESHOLD} several times. */
    private static final int V4_PEERS = 70;

    private static final int V6_PEERS = 30;
    private static final int MAX_NUMWANT = 60;

    /** One peer of the model, keyed by its address and port. */
    private static final class ModelPeer {
        boolean seeder;
        int lastSeen;
    }

    private record Key(List<Byte> address, int port) {
        boolean ipv6() {
            return address.size() == 16;
        }
    }

    private static final class ModelSwarm {
        final Map<Key, ModelPeer> peers = new HashMap<>();
        int downloaded;

        int seeders() {
            return (int) peers.values().stream().filter(p -> p.seeder).count();
        }

        int leechers() {
            return peers.size() - seeders();
        }

        int count(boolean ipv6, boolean leechersOnly) {
            int n = 0;
            for (Map.Entry<Key, ModelPeer> e : peers.entrySet()) {
                if (e.getKey().ipv6() == ipv6 && (!leechersOnly || !e.getValue().seeder)) {
                    n++;
                }
            }
            return n;
        }
    }

    @Test
    void randomOperationsAgreeWithAHashMapModel() {
        long maxSwarmSeen = 0;
        boolean shrankAfterGrowing = false;
        for (long seed = 1; seed <= 8; seed++) {
            Run run = new Run(seed, V4_PEERS, V6_PEERS, PeerTable.INDEX_THRESHOLD);
            run.steps(6_000);
            maxSwarmSeen = Math.max(maxSwarmSeen, run.maxPerFamily);
            shrankAfterGrowing |= run.shrankAfterGrowing;
        }
        // The runs really exercised the hash index and the shrink back to a linear table.
        assertThat(maxSwarmSeen).isGreaterThan(2L * PeerTable.INDEX_THRESHOLD);
        assertThat(shrankAfterGrowing).isTrue();
    }

    /**
     * The same with swarms that grow past one block into chunks ({@link PeerBlocks#MAX_SMALL_CAPACITY}
     * slots) in both families and drain back; the store checks after every step that the storage its
     * tables hold is what {@link PeerBlocks} counts as taken, and at the end everything comes back.
     */
    @Test
    void chunkedSwarmsAgreeWithAHashMapModel() {
        long maxSwarmSeen = 0;
        boolean shrankAfterGrowing = false;
        for (long seed = 1; seed <= 2; seed++) {
            Run run = new Run(
                    seed,
                    8 * PeerBlocks.MAX_SMALL_CAPACITY,
                    4 * PeerBlocks.MAX_SMALL_CAPACITY,
                    PeerBlocks.MAX_SMALL_CAPACITY);
            run.maxStopRate = 0.1;
            run.maxClockStepMillis = 1_000;
            run.maxExpireAge = 1_800;
            run.steps(25_000);
            maxSwarmSeen = Math.max(maxSwarmSeen, run.maxPerFamily);
            shrankAfterGrowing |= run.shrankAfterGrowing;
            run.expire(0);
            run.clock.advanceMillis(1_000);
            run.expire(0);
            assertThat(run.store.peerCount()).isZero();
            assertThat(run.store.storageLongs()[0])
                    .as("storage still taken after every peer left")
                    .isZero();
        }
        assertThat(maxSwarmSeen).isGreaterThan(2L * PeerBlocks.MAX_SMALL_CAPACITY);
        assertThat(shrankAfterGrowing).isTrue();
    }

    private static final class Run {
        final long seed;
        final Random random;
        long expiredByListener;
        final FakeClock clock = new FakeClock();
        final long epoch = clock.millis();
        final SwarmStore store = new SwarmStore(clock, n -> expiredByListener += n);
        final Map<Integer, ModelSwarm> model = new HashMap<>();
        final AnnounceRequest request = new AnnounceRequest();
        final AnnounceResponse response = new AnnounceResponse(MAX_NUMWANT);
        final ScrapeRequest scrape = new ScrapeRequest(SWARMS + 1);
        final ScrapeResponse scrapeResponse = new ScrapeResponse(SWARMS + 1);
        /** Likelihood of a stop, changing over the run so that swarms fill up and drain. */
        double stopRate = 0.05;

        int step;
        int maxPerFamily;
        boolean grown;
        boolean shrankAfterGrowing;

        /** Distinct peers per swarm and family. */
        final int v4Peers;

        final int v6Peers;
        /** Grown means past twice this many peers in one family; shrunk, below a quarter of it. */
        final int bigMark;
        /** Bounds of the random stop rate, clock step and expiry age: smaller ones let swarms grow. */
        double maxStopRate = 0.6;

        int maxClockStepMillis = 30_000;
        int maxExpireAge = 120;

        Run(long seed, int v4Peers, int v6Peers, int bigMark) {
            this.seed = seed;
            this.random = new Random(seed);
            this.v4Peers = v4Peers;
            this.v6Peers = v6Peers;
            this.bigMark = bigMark;
        }

        void steps(int n) {
            for (step = 0; step < n; step++) {
                if (step % 500 == 0) {
                    stopRate = random.nextDouble() * maxStopRate;
                }
                int op = random.nextInt(100);
                if (op < 85) {
                    announce();
                } else if (op < 92) {
                    clock.advanceMillis(random.nextInt(maxClockStepMillis));
                } else if (op < 97) {
                    expire(random.nextInt(maxExpireAge));
                } else {
                    scrape();
                }
                store.checkInvariants();
                checkCounts();
            }
        }

        int now() {
            return (int) ((clock.millis() - epoch) / 1000);
        }

        String where() {
            return "seed " + seed + " step " + step;
        }

        void announce() {
            int swarmIndex = random.nextInt(SWARMS);
            boolean ipv6 = random.nextInt(4) == 0;
            int peer = random.nextInt(ipv6 ? v6Peers : v4Peers);
            byte[] address = ipv6 ? v6(peer % 10) : v4(peer % 35);
            int port = 6881 + peer / (ipv6 ? 10 : 35); // several ports per address
            Key key = new Key(boxed(address), port);

            double r = random.nextDouble();
            AnnounceEvent event;
            if (r < stopRate) {
                event = AnnounceEvent.STOPPED;
            } else if (r < stopRate + 0.1) {
                event = AnnounceEvent.COMPLETED;
            } else if (r < stopRate + 0.3) {
                event = AnnounceEvent.STARTED;
            } else {
                event = AnnounceEvent.NONE;
            }
            long left = switch (random.nextInt(4)) {
                case 0 -> 0;
                case 1 -> AnnounceRequest.LEFT_UNKNOWN;
                default -> 1 + random.nextInt(1000);
            };
            if (event == AnnounceEvent.COMPLETED && random.nextInt(4) != 0) {
                left = 0;
            }
            int numWant = random.nextInt(MAX_NUMWANT + 1);
            boolean otherFamily = random.nextBoolean();

            request.reset();
            Arrays.fill(request.infoHash, (byte) 0);
            request.infoHash[0] = (byte) swarmIndex;
            request.infoHash[19] = (byte) 0x5A;
            random.nextBytes(request.peerId);
            System.arraycopy(address, 0, request.address, 0, address.length);
            request.addressLength = address.length;
            request.port = port;
            request.event = event;
            request.left = left;
            response.reset();
            store.announce(request, numWant, otherFamily, response);

            // The model's view of the same announce.
            ModelSwarm swarm = model.get(swarmIndex);
            boolean seeder = left == 0;
            if (event == AnnounceEvent.STOPPED) {
                if (swarm != null) {
                    swarm.peers.remove(key);
                }
            } else {
                if (swarm == null) {
                    swarm = new ModelSwarm();
                    model.put(swarmIndex, swarm);
                }
                ModelPeer p = swarm.peers.get(key);
                if (p == null) {
                    p = new ModelPeer();
                    swarm.peers.put(key, p);
                } else if (event == AnnounceEvent.COMPLETED && seeder && !p.seeder) {
                    swarm.downloaded++;
                }
                p.seeder = seeder;
                p.lastSeen = now();
            }
            if (swarm != null && swarm.peers.isEmpty()) {
                model.remove(swarmIndex);
                swarm = null;
            }

            assertThat(response.complete).as(where()).isEqualTo(swarm == null ? 0 : swarm.seeders());
            assertThat(response.incomplete).as(where()).isEqualTo(swarm == null ? 0 : swarm.leechers());

            if (event == AnnounceEvent.STOPPED || swarm == null) {
                assertThat(response.peers4Count + response.peers6Count)
                        .as(where())
                        .isZero();
                return;
            }
            // Exact counts: the store takes every candidate when there are few, else numWant.
            int ownCandidates = swarm.count(ipv6, seeder) - (seeder ? 0 : 1);
            int own = Math.min(numWant, ownCandidates);
            int other = otherFamily ? Math.min(numWant - own, swarm.count(!ipv6, seeder)) : 0;
            assertThat(ipv6 ? response.peers6Count : response.peers4Count)
                    .as(where())
                    .isEqualTo(own);
            assertThat(ipv6 ? response.peers4Count : response.peers6Count)
                    .as(where())
                    .isEqualTo(other);

            Set<Key> returned = new HashSet<>();
            checkPeers(swarm, response.peers4, response.peers4Count, 4, key, seeder, returned);
            checkPeers(swarm, response.peers6, response.peers6Count, 16, key, seeder, returned);
            assertThat(returned.size()).as(where()).isLessThanOrEqualTo(numWant);

            int largest = Math.max(swarm.count(false, false), swarm.count(true, false));
            maxPerFamily = Math.max(maxPerFamily, largest);
        }

        void checkPeers(
                ModelSwarm swarm,
                byte[] peers,
                int count,
                int addressLength,
                Key requester,
                boolean requesterIsSeeder,
                Set<Key> returned) {
            int stride = addressLength + 2;
            for (int i = 0; i < count; i++) {
                byte[] address = Arrays.copyOfRange(peers, i * stride, i * stride + addressLength);
                int port = (peers[i * stride + addressLength] & 0xff) << 8
                        | (peers[i * stride + addressLength + 1] & 0xff);
                Key k = new Key(boxed(address), port);
                ModelPeer p = swarm.peers.get(k);
                if (p == null) {
                    throw new AssertionError(where() + ": returned peer " + k + " is not in the swarm");
                }
                assertThat(k).as(where() + ": never the requester").isNotEqualTo(requester);
                assertThat(returned.add(k)).as(where() + ": no duplicates").isTrue();
                if (requesterIsSeeder) {
                    assertThat(p.seeder)
                            .as(where() + ": seeders get leechers only")
                            .isFalse();
                }
            }
        }

        void expire(int maxAge) {
            int cutoff = now() - maxAge;
            long expected = 0;
            for (var it = model.entrySet().iterator(); it.hasNext(); ) {
                ModelSwarm swarm = it.next().getValue();
                int before = swarm.peers.size();
                swarm.peers.values().removeIf(p -> p.lastSeen < cutoff);
                expected += before - swarm.peers.size();
                if (swarm.peers.isEmpty()) {
                    it.remove();
                }
            }
            long listenerBefore = expiredByListener;
            assertThat(store.expire(maxAge)).as(where()).isEqualTo(expected);
            assertThat(expiredByListener - listenerBefore).as(where()).isEqualTo(expected);
            int largest = 0;
            for (ModelSwarm swarm : model.values()) {
                largest = Math.max(largest, Math.max(swarm.count(false, false), swarm.count(true, false)));
            }
            if (maxPerFamily > bigMark * 2) {
                grown = true;
            }
            if (grown && expected > 0 && largest < bigMark / 4) {
                shrankAfterGrowing = true;
            }
        }

        void scrape() {
            scrape.reset();
            for (int s = 0; s <= SWARMS; s++) { // one more than exists: never announced
                Arrays.fill(scrape.infoHashes, s * 20, s * 20 + 20, (byte) 0);
                scrape.infoHashes[s * 20] = (byte) s;
                scrape.infoHashes[s * 20 + 19] = (byte) 0x5A;
                scrape.count++;
            }
            store.scrape(scrape, scrapeResponse);
            for (int s = 0; s <= SWARMS; s++) {
                ModelSwarm swarm = model.get(s);
                assertThat(scrapeResponse.complete[s]).as(where()).isEqualTo(swarm == null ? 0 : swarm.seeders());
                assertThat(scrapeResponse.incomplete[s]).as(where()).isEqualTo(swarm == null ? 0 : swarm.leechers());
                assertThat(scrapeResponse.downloaded[s]).as(where()).isEqualTo(swarm == null ? 0 : swarm.downloaded);
            }
        }

        void checkCounts() {
            assertThat(store.swarmCount()).as(where()).isEqualTo(model.size());
            long peers = model.values().stream().mapToLong(s -> s.peers.size()).sum();
            assertThat(store.peerCount()).as(where()).isEqualTo(peers);
        }
    }

    private static byte[] v4(int i) {
        return new byte[] {10, 0, (byte) (i >>> 8), (byte) (i + 1)};
    }

    private static byte[] v6(int i) {
        byte[] a = new byte[16];
        a[0] = 0x20;
        a[1] = 0x01;
        a[2] = 0x0d;
        a[3] = (byte) 0xb8;
        a[15] = (byte) (i + 1);
        return a;
    }

    private static List<Byte> boxed(byte[] bytes) {
        List<Byte> list = new ArrayList<>(bytes.length);
        for (byte b : bytes) {
            list.add(b);
        }
        return list;
    }
}
