package org.retracker.swarm;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;
import org.retracker.protocol.AnnounceEvent;
import org.retracker.protocol.AnnounceRequest;
import org.retracker.protocol.AnnounceResponse;
import org.retracker.protocol.ScrapeRequest;
import org.retracker.protocol.ScrapeResponse;
import org.retracker.testing.FakeClock;

class SwarmStoreTest {
    private static final int HASH_A = 1;
    private static final int HASH_B = 2;

    private final FakeClock clock = new FakeClock();
    private final SwarmStore store = new SwarmStore(clock);
    private final AnnounceRequest request = new AnnounceRequest();
    private final AnnounceResponse response = new AnnounceResponse(200);

    // ---- fairness ---------------------------------------------------------------------------------

    @Test
    void everyPeerIsHandedOutAndNoneDominates() {
        int peers = 100;
        for (int i = 0; i < peers; i++) {
            announce(HASH_A, v4(i), 6881, 1000, AnnounceEvent.STARTED, 0);
        }
        int[] times = new int[peers];
        int rounds = 2_000;
        for (int r = 0; r < rounds; r++) {
            int requester = r % peers;
            announce(HASH_A, v4(requester), 6881, 1000, AnnounceEvent.NONE, 10);
            assertThat(response.peers4Count).isEqualTo(10);
            Set<Integer> once = new HashSet<>();
            for (int k = 0; k < response.peers4Count; k++) {
                int index = response.peers4[k * 6 + 3] & 0xff;
                assertThat(index).isNotEqualTo(requester);
                assertThat(once.add(index)).isTrue();
                times[index]++;
            }
            store.checkInvariants();
        }
        // 2000 replies × 10 peers over 100 peers: 200 each on average (binomial, sd ≈ 13).
        int min = Arrays.stream(times).min().orElseThrow();
        int max = Arrays.stream(times).max().orElseThrow();
        assertThat(min).as("least returned peer").isGreaterThanOrEqualTo(100);
        assertThat(max).as("most returned peer").isLessThanOrEqualTo(320);
    }

    @Test
    void aBigSwarmSamplesInRunsYetEveryPeerIsEquallyLikely() {
        // 1,003 leechers: a big (chunked) table, slot i holding peer i, whose last run (of 16) is five
        // slots short. A reply of 30 takes one whole run and part of another.
        int peers = 1_003;
        for (int i = 0; i < peers; i++) {
            announce(HASH_A, v4(i), 6881, 1000, AnnounceEvent.STARTED, 0);
        }
        int[] times = new int[peers];
        int rounds = 20_000;
        int neighbours = 0;
        for (int r = 0; r < rounds; r++) {
            int requester = (r * 7) % peers;
            announce(HASH_A, v4(requester), 6881, 1000, AnnounceEvent.NONE, 30);
            assertThat(response.peers4Count).isEqualTo(30);
            Set<Integer> once = new HashSet<>();
            int previous = -1;
            for (int k = 0; k < 30; k++) {
                int index = (response.peers4[k * 6 + 2] & 0xff) << 8 | (response.peers4[k * 6 + 3] & 0xff);
                assertThat(index).isNotEqualTo(requester);
                assertThat(once.add(index)).isTrue();
                times[index]++;
                if (index == previous + 1) {
                    neighbours++;
                }
                previous = index;
            }
        }
        // 600,000 picks over 1,002 candidates: about 599 each (sd about 24).
        int min = Arrays.stream(times).min().orElseThrow();
        int max = Arrays.stream(times).max().orElseThrow();
        assertThat(min).as("least returned peer").isGreaterThanOrEqualTo(450);
        assertThat(max).as("most returned peer").isLessThanOrEqualTo(750);
        // Each place within a run, the partly taken runs included, gets its share.
        int run = PeerTable.RUN_SLOTS;
        long[] byPlace = new long[run];
        int whole = peers / run * run;
        for (int i = 0; i < whole; i++) {
            byPlace[i % run] += times[i];
        }
        long mean = Arrays.stream(byPlace).sum() / run;
        for (int place = 0; place < run; place++) {
            assertThat(byPlace[place]).as("place %d in a run", place).isBetween(mean * 97 / 100, mean * 103 / 100);
        }
        // The short last run is picked as often as the others.
        int shortRun = 0;
        for (int i = whole; i < peers; i++) {
            shortRun += times[i];
        }
        assertThat(shortRun).isBetween((peers - whole) * 450, (peers - whole) * 750);
        // Runs are what make the sample cheap: most peers come after their slot neighbour.
        assertThat(neighbours).isGreaterThan(rounds * 30 / 2);
    }

    @Test
    void successiveRepliesDiffer() {
        for (int i = 0; i < 50; i++) {
            announce(HASH_A, v4(i), 6881, 1000, AnnounceEvent.STARTED, 0);
        }
        Set<String> replies = new HashSet<>();
        for (int r = 0; r < 20; r++) {
            announce(HASH_A, v4(0), 6881, 1000, AnnounceEvent.NONE, 5);
            replies.add(Arrays.toString(Arrays.copyOf(response.peers4, 5 * 6)));
        }
        assertThat(replies).hasSizeGreaterThan(10);
    }

    @Test
    void seedersAreSentOnlyLeechersLeechersAreSentEveryone() {
        for (int i = 0; i < 10; i++) {
            announce(HASH_A, v4(i), 6881, i < 4 ? 0 : 100, AnnounceEvent.STARTED, 0); // 4 seeders, 6 leechers
        }
        announce(HASH_A, v4(0), 6881, 0, AnnounceEvent.NONE, 50);
        assertThat(response.peers4Count).isEqualTo(6);
        for (int k = 0; k < 6; k++) {
            assertThat(response.peers4[k * 6 + 3] & 0xff).isGreaterThanOrEqualTo(4);
        }
        announce(HASH_A, v4(9), 6881, 100, AnnounceEvent.NONE, 50);
        assertThat(response.peers4Count).isEqualTo(9);
        assertThat(response.complete).isEqualTo(4);
        assertThat(response.incomplete).isEqualTo(6);
    }

    @Test
    void otherFamilyFillsWhatIsLeftOnlyWhenAllowed() {
        announce(HASH_A, v4(1), 6881, 100, AnnounceEvent.STARTED, 0);
        announce(HASH_A, v6(1), 6881, 100, AnnounceEvent.STARTED, 0);
        announce(HASH_A, v6(2), 6881, 100, AnnounceEvent.STARTED, 0);

        announce(HASH_A, v4(2), 6881, 100, AnnounceEvent.STARTED, 50, false);
        assertThat(response.peers4Count).isEqualTo(1);
        assertThat(response.peers6Count).isZero();

        announce(HASH_A, v4(2), 6881, 100, AnnounceEvent.NONE, 50, true);
        assertThat(response.peers4Count).isEqualTo(1);
        assertThat(response.peers6Count).isEqualTo(2);

        announce(HASH_A, v4(2), 6881, 100, AnnounceEvent.NONE, 2, true);
        assertThat(response.peers4Count + response.peers6Count).isEqualTo(2);
        assertThat(response.peers4Count).isEqualTo(1); // own family first
    }

    // ---- identity ---------------------------------------------------------------------------------

    @Test
    void secondPeerIdFromTheSameAddressAndPortReplacesTheEntry() {
        announceAs("-qB4650-000000000001", HASH_A, v4(1), 100, AnnounceEvent.STARTED);
        announceAs("-TR4050-000000000001", HASH_A, v4(1), 100, AnnounceEvent.STARTED);
        assertThat(store.peerCount()).isEqualTo(1);
        assertThat(store.census().clients())
                .as("the client of the latest id")
                .containsExactly(new SwarmStore.ClientCount("Transmission 4.0.5.0", 1));
    }

    @Test
    void aPlainReAnnounceKeepsTheClientAndAStartedOneNamesItAnew() {
        announceAs("-qB4650-000000000001", HASH_A, v4(1), 100, AnnounceEvent.STARTED);
        announceAs("-TR4050-000000000001", HASH_A, v4(1), 100, AnnounceEvent.NONE);
        assertThat(store.census().clients())
                .as("a re-announce does not rename the client")
                .containsExactly(new SwarmStore.ClientCount("qBittorrent 4.6.5.0", 1));
        announceAs("-TR4050-000000000001", HASH_A, v4(1), 100, AnnounceEvent.STARTED);
        assertThat(store.census().clients())
                .as("a new session names it")
                .containsExactly(new SwarmStore.ClientCount("Transmission 4.0.5.0", 1));
    }

    @Test
    void samePeerIdFromAnotherPortIsAnotherPeer() {
        announce(HASH_A, v4(1), 6881, 100, AnnounceEvent.STARTED, 0, (byte) 'a');
        announce(HASH_A, v4(1), 6882, 100, AnnounceEvent.STARTED, 0, (byte) 'a');
        assertThat(store.peerCount()).isEqualTo(2);
    }

    @Test
    void stoppedFromAnotherPortDoesNotRemoveThePeer() {
        announce(HASH_A, v4(1), 6881, 100, AnnounceEvent.STARTED, 0, (byte) 'a');
        announce(HASH_A, v4(1), 6999, 100, AnnounceEvent.STOPPED, 0, (byte) 'a');
        assertThat(store.peerCount()).isEqualTo(1);
        announce(HASH_A, v4(2), 6881, 100, AnnounceEvent.STOPPED, 0, (byte) 'a'); // another address
        assertThat(store.peerCount()).isEqualTo(1);
        announce(HASH_A, v4(1), 6881, 100, AnnounceEvent.STOPPED, 0, (byte) 'z'); // the right ip:port
        assertThat(store.peerCount()).isZero();
        assertThat(store.swarmCount()).isZero();
    }

    @Test
    void stoppedGetsNoPeersAndCountsWithoutItself() {
        announce(HASH_A, v4(1), 6881, 0, AnnounceEvent.STARTED, 0);
        announce(HASH_A, v4(2), 6881, 100, AnnounceEvent.STARTED, 0);
        announce(HASH_A, v4(2), 6881, 100, AnnounceEvent.STOPPED, 50);
        assertThat(response.peers4Count).isZero();
        assertThat(response.complete).isEqualTo(1);
        assertThat(response.incomplete).isZero();
    }

    @Test
    void stoppedForAnUnknownSwarmCreatesNothing() {
        announce(HASH_A, v4(1), 6881, 100, AnnounceEvent.STOPPED, 50);
        assertThat(store.swarmCount()).isZero();
        assertThat(response.complete).isZero();
    }

    @Test
    void swarmsAreSeparate() {
        announce(HASH_A, v4(1), 6881, 100, AnnounceEvent.STARTED, 0);
        announce(HASH_B, v4(2), 6881, 100, AnnounceEvent.STARTED, 50);
        assertThat(response.peers4Count).isZero();
        assertThat(store.swarmCount()).isEqualTo(2);
    }

    // ---- downloaded ---------------------------------------------------------------------------------

    @Test
    void completedCountsOnlyFromAKnownLeecher() {
        announce(HASH_A, v4(1), 6881, 0, AnnounceEvent.COMPLETED, 0); // a stranger: not counted
        announce(HASH_A, v4(2), 6881, 100, AnnounceEvent.STARTED, 0);
        announce(HASH_A, v4(2), 6881, 0, AnnounceEvent.COMPLETED, 0); // counted
        announce(HASH_A, v4(2), 6881, 0, AnnounceEvent.COMPLETED, 0); // now a seeder: not again
        announce(HASH_A, v4(1), 6881, 0, AnnounceEvent.COMPLETED, 0); // a seeder all along
        assertThat(scrape(HASH_A)).containsExactly(2, 0, 1);
    }

    @Test
    void unknownLeftIsALeecher() {
        announce(HASH_A, v4(1), 6881, AnnounceRequest.LEFT_UNKNOWN, AnnounceEvent.STARTED, 0);
        assertThat(scrape(HASH_A)).containsExactly(0, 1, 0);
    }

    @Test
    void leecherBecomingSeederMovesAcrossTheCounts() {
        announce(HASH_A, v4(1), 6881, 100, AnnounceEvent.STARTED, 0);
        announce(HASH_A, v4(1), 6881, 0, AnnounceEvent.NONE, 0);
        assertThat(scrape(HASH_A)).containsExactly(1, 0, 0);
        announce(HASH_A, v4(1), 6881, 5, AnnounceEvent.NONE, 0); // back to leeching
        assertThat(scrape(HASH_A)).containsExactly(0, 1, 0);
    }

    // ---- totals -----------------------------------------------------------------------------------

    @Test
    void totalsCountSwarmsSeedersAndLeechersOfBothFamilies() {
        assertThat(store.totals()).isEqualTo(new SwarmStore.Totals(0, 0, 0));
        announce(HASH_A, v4(1), 6881, 0, AnnounceEvent.STARTED, 0);
        announce(HASH_A, v4(2), 6881, 100, AnnounceEvent.STARTED, 0);
        announce(HASH_A, v6(3), 6881, 100, AnnounceEvent.STARTED, 0);
        announce(HASH_B, v6(4), 6881, 0, AnnounceEvent.STARTED, 0);
        announce(HASH_B, v4(5), 6881, 100, AnnounceEvent.STARTED, 0);
        announce(HASH_B, v4(5), 6881, 100, AnnounceEvent.STOPPED, 0);

        SwarmStore.Totals totals = store.totals();

        assertThat(totals).isEqualTo(new SwarmStore.Totals(2, 2, 2));
        assertThat(totals.peers()).isEqualTo(store.peerCount());
        assertThat(totals.swarms()).isEqualTo(store.swarmCount());
    }

    // ---- census (/stats) ---------------------------------------------------------------------------

    @Test
    void censusAgreesWithTotalsAndScrapeAndCountsPeersByClient() {
        announceAs("-qB4650-000000000001", HASH_A, v4(1), 0, AnnounceEvent.STARTED);
        announceAs("-TR4050-000000000002", HASH_A, v4(2), 100, AnnounceEvent.STARTED);
        announceAs("-qB4650-000000000003", HASH_A, v6(3), 100, AnnounceEvent.STARTED);
        announceAs("-lt0D80-000000000004", HASH_B, v6(4), 100, AnnounceEvent.STARTED);
        announceAs("-lt0D80-000000000004", HASH_B, v6(4), 0, AnnounceEvent.COMPLETED);
        announceAs("M7-4-3--000000000005", HASH_B, v4(5), 100, AnnounceEvent.STARTED);
        announceAs("-TR4050-000000000006", HASH_B, v4(6), 100, AnnounceEvent.STARTED);
        announceAs("-TR4050-000000000006", HASH_B, v4(6), 100, AnnounceEvent.STOPPED);

        SwarmStore.Census census = store.census();

        assertThat(census.swarms()).isEqualTo(2);
        assertThat(census.seeders()).isEqualTo(2);
        assertThat(census.leechers()).isEqualTo(3);
        assertThat(census.downloaded()).isEqualTo(1);
        SwarmStore.Totals totals = store.totals();
        assertThat(new SwarmStore.Totals(census.swarms(), census.seeders(), census.leechers()))
                .isEqualTo(totals);
        int[] a = scrape(HASH_A);
        int[] b = scrape(HASH_B);
        assertThat(census.seeders()).isEqualTo(a[0] + b[0]);
        assertThat(census.leechers()).isEqualTo(a[1] + b[1]);
        assertThat(census.downloaded()).isEqualTo(a[2] + b[2]);
        assertThat(census.clients())
                .containsExactly(
                        new SwarmStore.ClientCount("qBittorrent 4.6.5.0", 2),
                        new SwarmStore.ClientCount("BitTorrent 7.4.3", 1),
                        new SwarmStore.ClientCount("Transmission 4.0.5.0", 1),
                        new SwarmStore.ClientCount("libtorrent 0.13.8.0", 1));
    }

    @Test
    void censusOfAnEmptyStoreIsZeros() {
        assertThat(store.census()).isEqualTo(new SwarmStore.Census(0, 0, 0, 0, java.util.List.of()));
    }

    @Test
    void censusTellsApartABoundedNumberOfIdPrefixesAndCountsTheRestAsOther() {
        int extra = 10;
        int peers = SwarmStore.Census.MAX_NAMED_PREFIXES + extra;
        byte[] id = new byte[20];
        for (int i = 0; i < peers; i++) {
            // Azureus style "-ZZ", then version bytes that are no digits: every prefix is told
            // apart, and each names "unknown (ZZ)".
            id[0] = '-';
            id[1] = 'Z';
            id[2] = 'Z';
            id[3] = 1;
            id[4] = (byte) (i >>> 8);
            id[5] = (byte) i;
            id[7] = '-';
            fill(HASH_A, v4(i), 6881, 100, AnnounceEvent.STARTED, (byte) 0);
            System.arraycopy(id, 0, request.peerId, 0, 20);
            response.reset();
            store.announce(request, 0, true, response);
        }

        SwarmStore.Census census = store.census();

        assertThat(census.peers()).isEqualTo(peers);
        assertThat(census.clients())
                .containsExactly(
                        new SwarmStore.ClientCount("unknown (ZZ)", SwarmStore.Census.MAX_NAMED_PREFIXES),
                        new SwarmStore.ClientCount(SwarmStore.Census.OTHER_CLIENTS, extra));
    }

    // ---- expiry -----------------------------------------------------------------------------------

    @Test
    void idsOfNoKnownStyleCountAsOneUnknownClientAndUseNoCodes() {
        byte[] id = new byte[20];
        for (int i = 0; i < 1000; i++) {
            ThreadLocalRandom.current().nextBytes(id);
            id[0] = 'x'; // neither '-' (Azureus style) nor M, Q or T (mainline)
            fill(HASH_A, v4(i), 6881, 100, AnnounceEvent.STARTED, (byte) 0);
            System.arraycopy(id, 0, request.peerId, 0, 20);
            response.reset();
            store.announce(request, 0, true, response);
        }

        assertThat(store.census().clients()).containsExactly(new SwarmStore.ClientCount("unknown", 1000));
    }

    @Test
    void peersNotSeenWithinTheLifetimeExpire() {
        long[] expired = new long[1];
        SwarmStore store = new SwarmStore(clock, n -> expired[0] += n);
        announceTo(store, HASH_A, v4(1), 100);
        announceTo(store, HASH_A, v4(2), 100);
        announceTo(store, HASH_B, v6(3), 100);
        clock.advanceSeconds(50);
        announceTo(store, HASH_A, v4(2), 100); // refreshed
        clock.advanceSeconds(50); // now 100 s; v4(1) and v6(3) last seen at 0

        assertThat(store.expire(60)).isEqualTo(2);
        assertThat(expired[0]).isEqualTo(2);
        assertThat(store.peerCount()).isEqualTo(1);
        assertThat(store.swarmCount()).as("the swarm left empty is removed").isEqualTo(1);
        store.checkInvariants();

        assertThat(store.expire(60)).isZero();
        clock.advanceSeconds(11);
        assertThat(store.expire(60)).isEqualTo(1);
        assertThat(store.swarmCount()).isZero();
        assertThat(store.peerCount()).isZero();
        store.checkInvariants();
    }

    @Test
    void peerExactlyAtTheLifetimeStays() {
        announce(HASH_A, v4(1), 6881, 100, AnnounceEvent.STARTED, 0);
        clock.advanceSeconds(60);
        assertThat(store.expire(60)).isZero();
        clock.advanceSeconds(1);
        assertThat(store.expire(60)).isEqualTo(1);
    }

    @Test
    void aPeerStampedAheadOfTheSweepsClockIsJustSeenNotAncient() {
        clock.advanceSeconds(100);
        announce(HASH_A, v4(1), 6881, 100, AnnounceEvent.STARTED, 0);
        clock.advanceSeconds(-1); // the wall clock stepped back, or the sweep read it before the announce
        assertThat(store.expire(60))
                .as("a 16-bit tick one behind the peer's stamp")
                .isZero();
        assertThat(store.peerCount()).isEqualTo(1);
        clock.advanceSeconds(62);
        assertThat(store.expire(60)).isEqualTo(1);
    }

    @Test
    void manySwarmsComeAndGo() {
        for (int i = 0; i < 5_000; i++) {
            announce(i, v4(i % 200), 6881, 100, AnnounceEvent.STARTED, 0);
        }
        assertThat(store.swarmCount()).isEqualTo(5_000);
        store.checkInvariants();
        clock.advanceSeconds(10);
        for (int i = 0; i < 5_000; i += 2) {
            announce(i, v4(i % 200), 6881, 100, AnnounceEvent.NONE, 0);
        }
        assertThat(store.expire(5)).isEqualTo(2_500);
        assertThat(store.swarmCount()).isEqualTo(2_500);
        store.checkInvariants();
        for (int i = 0; i < 5_000; i += 2) {
            announce(i, v4(i % 200), 6881, 100, AnnounceEvent.STOPPED, 0);
        }
        assertThat(store.swarmCount()).isZero();
        store.checkInvariants();
        for (int i = 0; i < 5_000; i += 2) {
            assertThat(scrape(i)).containsExactly(0, 0, 0);
        }
    }

    // ---- the peer table directly ---------------------------------------------------------------------

    @Test
    void peerTableGrowsPastTheIndexThresholdAndShrinksBack() {
        PeerTable table = new PeerTable(1);
        PeerBlocks blocks = new PeerBlocks();
        for (int i = 0; i < 100; i++) {
            assertThat(table.find(key(i), 0, 0)).isEqualTo(-1);
            table.insert(key(i), 0, 0, 1, i % 3 == 0, i < 95 ? 0 : 10, blocks);
            table.checkInvariants();
        }
        assertThat(table.capacity()).isGreaterThan(PeerTable.INDEX_THRESHOLD);
        assertThat(table.size()).isEqualTo(100);
        assertThat(table.seeders()).isEqualTo(34);
        for (int i = 0; i < 100; i++) {
            assertThat(table.find(key(i), 0, 0)).isGreaterThanOrEqualTo(0);
        }
        assertThat(table.expireTable(10, 5, blocks)).isEqualTo(95);
        table.checkInvariants();
        assertThat(table.capacity()).isLessThanOrEqualTo(PeerTable.INDEX_THRESHOLD);
        for (int i = 0; i < 100; i++) {
            assertThat(table.find(key(i), 0, 0) >= 0).as("peer %d", i).isEqualTo(i >= 95);
        }
    }

    // ---- helpers ----------------------------------------------------------------------------------

    private static long key(int i) {
        return PeerTable.key4(0x0A000000 + i, 6881);
    }

    private void announceTo(SwarmStore target, int hash, byte[] address, long left) {
        fill(hash, address, 6881, left, AnnounceEvent.NONE, (byte) 1);
        response.reset();
        target.announce(request, 0, true, response);
    }

    private void announce(int hash, byte[] address, int port, long left, AnnounceEvent event, int numWant) {
        announce(hash, address, port, left, event, numWant, true, (byte) address[address.length - 1]);
    }

    private void announce(
            int hash, byte[] address, int port, long left, AnnounceEvent event, int numWant, boolean otherFamily) {
        announce(hash, address, port, left, event, numWant, otherFamily, (byte) 1);
    }

    private void announce(int hash, byte[] address, int port, long left, AnnounceEvent event, int numWant, byte id) {
        announce(hash, address, port, left, event, numWant, true, id);
    }

    private void announce(
            int hash,
            byte[] address,
            int port,
            long left,
            AnnounceEvent event,
            int numWant,
            boolean otherFamily,
            byte id) {
        fill(hash, address, port, left, event, id);
        response.reset();
        store.announce(request, numWant, otherFamily, response);
        store.checkInvariants();
    }

    /** Announces from {@code address}:6881 with the 20-character {@code peerId}. */
    private void announceAs(String peerId, int hash, byte[] address, long left, AnnounceEvent event) {
        fill(hash, address, 6881, left, event, (byte) 0);
        System.arraycopy(peerId.getBytes(java.nio.charset.StandardCharsets.US_ASCII), 0, request.peerId, 0, 20);
        response.reset();
        store.announce(request, 0, true, response);
        store.checkInvariants();
    }

    private void fill(int hash, byte[] address, int port, long left, AnnounceEvent event, byte id) {
        request.reset();
        Arrays.fill(request.infoHash, (byte) 0);
        request.infoHash[0] = (byte) (hash >>> 8);
        request.infoHash[1] = (byte) hash;
        Arrays.fill(request.peerId, id);
        System.arraycopy(address, 0, request.address, 0, address.length);
        request.addressLength = address.length;
        request.port = port;
        request.left = left;
        request.event = event;
    }

    /** {complete, incomplete, downloaded} of one swarm. */
    private int[] scrape(int hash) {
        ScrapeRequest scrape = new ScrapeRequest(1);
        scrape.infoHashes[0] = (byte) (hash >>> 8);
        scrape.infoHashes[1] = (byte) hash;
        scrape.count = 1;
        ScrapeResponse counts = new ScrapeResponse(1);
        store.scrape(scrape, counts);
        return new int[] {counts.complete[0], counts.incomplete[0], counts.downloaded[0]};
    }

    private static byte[] v4(int i) {
        return new byte[] {10, 0, (byte) (i >>> 8), (byte) i};
    }

    private static byte[] v6(int i) {
        byte[] a = new byte[16];
        a[0] = 0x20;
        a[1] = 0x01;
        a[15] = (byte) i;
        return a;
    }
}
