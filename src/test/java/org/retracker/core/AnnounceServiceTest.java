package org.retracker.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.retracker.protocol.AnnounceEvent;
import org.retracker.protocol.AnnounceRequest;
import org.retracker.protocol.AnnounceResponse;
import org.retracker.protocol.FailureReason;
import org.retracker.protocol.ScrapeRequest;
import org.retracker.protocol.ScrapeResponse;
import org.retracker.swarm.InfoHashSet;
import org.retracker.swarm.SwarmStore;
import org.retracker.testing.FakeClock;

class AnnounceServiceTest {
    /** interval 1800, min 900, numwant default 5, max 20, lifetime 3600 s, 10 scrape hashes. */
    private final TrackerPolicy policy = new TrackerPolicy(1800, 900, 5, 20, 3600, 10);

    private final FakeClock clock = new FakeClock();
    private final AnnounceService service = new AnnounceService(policy, new SwarmStore(clock));
    private final AnnounceRequest request = new AnnounceRequest();
    private final AnnounceResponse response = new AnnounceResponse(policy.numwantMax());

    AnnounceServiceTest() {
        for (int i = 0; i < 50; i++) {
            announce(i, AnnounceEvent.STARTED, 0);
        }
    }

    @Test
    void announceWithoutNumwantGetsTheDefault() {
        announce(99, AnnounceEvent.NONE, AnnounceRequest.NUMWANT_DEFAULT);
        assertThat(response.peers4Count).isEqualTo(5);
    }

    @Test
    void announceWithNumwantAboveMaxIsClamped() {
        announce(99, AnnounceEvent.NONE, 10_000);
        assertThat(response.peers4Count).isEqualTo(20);
        announce(99, AnnounceEvent.NONE, Integer.MAX_VALUE);
        assertThat(response.peers4Count).isEqualTo(20);
    }

    @Test
    void announceWithNumwantBelowMaxIsHonoured() {
        announce(99, AnnounceEvent.NONE, 7);
        assertThat(response.peers4Count).isEqualTo(7);
        announce(99, AnnounceEvent.NONE, 0);
        assertThat(response.peers4Count).isZero();
    }

    @Test
    void transportCapLimitsTheReply() {
        fill(99, AnnounceEvent.NONE, 20);
        service.announce(request, 3, false, response);
        assertThat(response.peers4Count).isEqualTo(3);
    }

    @Test
    void replyNeverExceedsTheResponseCapacity() {
        AnnounceResponse small = new AnnounceResponse(2);
        fill(99, AnnounceEvent.NONE, 20);
        service.announce(request, 1000, true, small);
        assertThat(small.peers4Count).isEqualTo(2);
    }

    @Test
    void stoppedAnnounceGetsNoPeersButTheIntervals() {
        announce(3, AnnounceEvent.STOPPED, 20);
        assertThat(response.peers4Count).isZero();
        assertThat(response.interval).isEqualTo(1800);
        assertThat(response.minInterval).isEqualTo(900);
        assertThat(service.store().peerCount()).isEqualTo(49);
    }

    @Test
    void everyReplyCarriesTheIntervalsAndCounts() {
        announce(99, AnnounceEvent.NONE, 1);
        assertThat(response.interval).isEqualTo(1800);
        assertThat(response.minInterval).isEqualTo(900);
        assertThat(response.complete).isZero();
        assertThat(response.incomplete).isEqualTo(51);
    }

    @Test
    void responseIsResetBetweenAnnounces() {
        announce(99, AnnounceEvent.NONE, 20);
        response.warning = new byte[] {1};
        fill(7, AnnounceEvent.STARTED, 20);
        request.infoHash[0] = 42; // an empty swarm
        service.announce(request, 20, true, response);
        assertThat(response.peers4Count).isZero();
        assertThat(response.incomplete).isEqualTo(1);
        assertThat(response.warning).isNull();
    }

    @Test
    void scrapeAndExpiryGoThroughTheStore() {
        ScrapeRequest scrape = new ScrapeRequest(1);
        scrape.count = 1;
        ScrapeResponse counts = new ScrapeResponse(1);
        service.scrape(scrape, counts, false);
        assertThat(counts.incomplete[0]).isEqualTo(50);
        clock.advanceSeconds(3601);
        assertThat(service.expirePeers()).isEqualTo(50);
        service.scrape(scrape, counts, false);
        assertThat(counts.incomplete[0]).isZero();
    }

    // ---- access list ------------------------------------------------------------------------------

    @Test
    void anAnnounceTheAccessListRefusesStoresNothingAndGetsNoRetryIn() {
        service.accessList(list(AccessList.Mode.DENY, 0));
        long peers = service.store().peerCount();

        fill(99, AnnounceEvent.STARTED, 20);
        FailureReason refused = service.announce(request, 20, true, response);

        assertThat(refused).isEqualTo(FailureReason.TORRENT_NOT_ALLOWED);
        assertThat(FailureReason.TORRENT_NOT_ALLOWED.message()).isEqualTo("torrent not allowed on this tracker");
        assertThat(service.retryInSeconds(FailureReason.TORRENT_NOT_ALLOWED)).isZero();
        assertThat(service.store().peerCount()).isEqualTo(peers);
        assertThat(response.peers4Count).isZero();
    }

    @Test
    void anAllowListRefusesANewSwarmAndCreatesNone() {
        service.accessList(list(AccessList.Mode.ALLOW, 0));

        fill(99, AnnounceEvent.STARTED, 20);
        request.infoHash[0] = 42;

        assertThat(service.announce(request, 20, true, response)).isEqualTo(FailureReason.TORRENT_NOT_ALLOWED);
        assertThat(service.store().swarmCount()).isEqualTo(1);
        request.infoHash[0] = 0;
        assertThat(service.announce(request, 20, true, response)).isNull();
        assertThat(response.incomplete).isEqualTo(51);
    }

    @Test
    void anHttpScrapeDropsRefusedHashesAndKeepsTheOrderOfTheRest() {
        service.accessList(list(AccessList.Mode.ALLOW, 0, 3));
        ScrapeRequest scrape = scrapeOf(1, 0, 2, 3);
        ScrapeResponse counts = new ScrapeResponse(4);

        assertThat(service.scrape(scrape, counts, true)).isNull();

        assertThat(scrape.count).isEqualTo(2);
        assertThat(scrape.infoHashes[0]).isEqualTo((byte) 0);
        assertThat(scrape.infoHashes[20]).isEqualTo((byte) 3);
        assertThat(counts.incomplete[0]).isEqualTo(50);
        assertThat(counts.incomplete[1]).isZero();
    }

    @Test
    void aUdpScrapeKeepsThePlaceOfRefusedHashesWithZeroCounts() {
        service.accessList(list(AccessList.Mode.DENY, 0));
        ScrapeRequest scrape = scrapeOf(0, 1);
        ScrapeResponse counts = new ScrapeResponse(2);

        assertThat(service.scrape(scrape, counts, false)).isNull();

        assertThat(scrape.count).isEqualTo(2);
        assertThat(counts.incomplete[0]).as("refused, though the swarm has 50").isZero();
        assertThat(counts.complete[0]).isZero();
        assertThat(counts.downloaded[0]).isZero();
        assertThat(counts.incomplete[1]).isZero();
    }

    @Test
    void aScrapeOfRefusedHashesOnlyIsRefused() {
        service.accessList(list(AccessList.Mode.ALLOW, 7));

        assertThat(service.scrape(scrapeOf(0, 1), new ScrapeResponse(2), true))
                .isEqualTo(FailureReason.TORRENT_NOT_ALLOWED);
        assertThat(service.scrape(scrapeOf(0, 1), new ScrapeResponse(2), false))
                .isEqualTo(FailureReason.TORRENT_NOT_ALLOWED);
    }

    @Test
    void aNewListAppliesToTheNextRequest() {
        service.accessList(list(AccessList.Mode.DENY, 0));
        fill(99, AnnounceEvent.NONE, 1);
        assertThat(service.announce(request, 20, true, response)).isEqualTo(FailureReason.TORRENT_NOT_ALLOWED);

        service.accessList(AccessList.NONE);

        assertThat(service.announce(request, 20, true, response)).isNull();
    }

    /** A list of the hashes whose first byte is each of {@code firstBytes} and the rest zero. */
    private static AccessList list(AccessList.Mode mode, int... firstBytes) {
        InfoHashSet.Builder b = new InfoHashSet.Builder();
        for (int first : firstBytes) {
            byte[] h = new byte[20];
            h[0] = (byte) first;
            b.add(h, 0);
        }
        return AccessList.of("test.txt", mode, b.build());
    }

    private static ScrapeRequest scrapeOf(int... firstBytes) {
        ScrapeRequest scrape = new ScrapeRequest(firstBytes.length);
        for (int i = 0; i < firstBytes.length; i++) {
            scrape.infoHashes[i * 20] = (byte) firstBytes[i];
        }
        scrape.count = firstBytes.length;
        return scrape;
    }

    @Test
    void defaultPolicyIsValid() {
        TrackerPolicy p = TrackerPolicy.defaults();
        assertThat(p.numwantDefault()).isLessThanOrEqualTo(p.numwantMax());
        assertThat(p.minAnnounceInterval()).isLessThanOrEqualTo(p.announceInterval());
        assertThat(p.peerLifetimeSeconds()).isGreaterThan(p.announceInterval());
    }

    @Test
    void inconsistentPoliciesAreRefused() {
        assertThatThrownBy(() -> new TrackerPolicy(0, 1, 1, 1, 1, 1)).hasMessageContaining("announce interval");
        assertThatThrownBy(() -> new TrackerPolicy(10, 11, 1, 1, 1, 1)).hasMessageContaining("min announce interval");
        assertThatThrownBy(() -> new TrackerPolicy(10, 0, 1, 1, 1, 1)).hasMessageContaining("min announce interval");
        assertThatThrownBy(() -> new TrackerPolicy(10, 5, 1, 1001, 1, 1)).hasMessageContaining("numwant max");
        assertThatThrownBy(() -> new TrackerPolicy(10, 5, 21, 20, 1, 1)).hasMessageContaining("numwant default");
        assertThatThrownBy(() -> new TrackerPolicy(10, 5, 1, 20, 0, 1)).hasMessageContaining("peer lifetime");
        assertThatThrownBy(() -> new TrackerPolicy(10, 5, 1, 20, 1, 0)).hasMessageContaining("scrape max hashes");
        assertThatThrownBy(() -> new TrackerPolicy(10, 5, 1, 20, 1, 1001)).hasMessageContaining("scrape max hashes");
    }

    private void announce(int peer, AnnounceEvent event, int numWant) {
        fill(peer, event, numWant);
        service.announce(request, policy.numwantMax(), true, response);
    }

    private void fill(int peer, AnnounceEvent event, int numWant) {
        request.reset();
        Arrays.fill(request.infoHash, (byte) 0);
        Arrays.fill(request.peerId, (byte) peer);
        request.address[0] = 10;
        request.address[1] = 0;
        request.address[2] = 0;
        request.address[3] = (byte) peer;
        request.addressLength = 4;
        request.port = 6881;
        request.event = event;
        request.left = 100;
        request.numWant = numWant;
    }
}
