package org.retracker.forward;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.retracker.protocol.AnnounceEvent;
import org.retracker.protocol.AnnounceRequest;
import org.retracker.protocol.AnnounceResponse;
import org.retracker.protocol.FailureReason;
import org.retracker.protocol.ScrapeRequest;
import org.retracker.protocol.ScrapeResponse;
import org.retracker.testing.FakeClock;

/** Scheduling, merging, health and load shedding of forwarding, against in-process fake trackers. */
class ForwardingServiceTest {
    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final int POLICY_INTERVAL = 1800;
    private static final int POLICY_MIN_INTERVAL = 900;

    private final FakeClock clock = new FakeClock();
    private final Map<String, FakeUpstream> upstreams = new HashMap<>();
    private ForwardingService service = start(options(1, 0, 0));

    @AfterEach
    void close() {
        service.close();
    }

    // ---- scheduling ------------------------------------------------------------------------------

    @Test
    void aLocalPeersFirstAnnounceGoesOutAtOnceUnderItsOwnIdentity() {
        FakeUpstream a = forwarders("a").get(0).answering(ok(1800));

        announce(hash(1), peer(1), 6881, AnnounceEvent.STARTED);

        await().atMost(WAIT).until(() -> a.count() == 1);
        UpstreamAnnounce sent = a.received().get(0);
        assertThat(sent.infoHash()).isEqualTo(hash(1));
        assertThat(sent.peerId()).isEqualTo(id(1));
        assertThat(sent.port()).isEqualTo(6881);
        assertThat(sent.event()).isEqualTo(AnnounceEvent.STARTED);
        assertThat(sent.numWant()).isEqualTo(ForwardingService.UPSTREAM_NUMWANT);
    }

    @Test
    void laterAnnouncesFollowTheForwardersIntervalNotTheClients() {
        FakeUpstream a = forwarders("a").get(0).answering(ok(1800));
        announce(hash(1), peer(1), 6881, AnnounceEvent.STARTED);
        await().atMost(WAIT).until(() -> a.count() == 1);
        awaitSettled(hash(1));

        clock.advanceSeconds(600);
        announce(hash(1), peer(1), 6881, AnnounceEvent.NONE);
        clock.advanceSeconds(600);
        announce(hash(1), peer(1), 6881, AnnounceEvent.NONE);
        quiet();
        assertThat(a.count()).isEqualTo(1);

        clock.advanceSeconds(601);
        announce(hash(1), peer(1), 6881, AnnounceEvent.NONE);
        await().atMost(WAIT).until(() -> a.count() == 2);
        assertThat(a.received().get(1).event()).isEqualTo(AnnounceEvent.NONE);
    }

    @Test
    void anUpstreamIntervalBelowTheFloorIsNotFollowedFaster() {
        FakeUpstream a = forwarders("a").get(0).answering(ok(5));
        announce(hash(1), peer(1), 6881, AnnounceEvent.STARTED);
        await().atMost(WAIT).until(() -> a.count() == 1);
        awaitSettled(hash(1));

        clock.advanceSeconds(ForwardingService.MIN_UPSTREAM_INTERVAL_SECONDS - 1);
        announce(hash(1), peer(1), 6881, AnnounceEvent.NONE);
        quiet();
        assertThat(a.count()).isEqualTo(1);
    }

    @Test
    void theStatusAveragesTheIntervalsTrackersAskedForAsSentAndSkipsAnswersWithout() {
        FakeUpstream a = forwarders("a").get(0);
        int[] asked = {5, 4000, UpstreamReply.ABSENT};
        int[] next = {0};
        a.answering(x -> ok(asked[next[0]++ % asked.length]));
        assertThat(service.status().get(0).meanIntervalSeconds()).as("none yet").isEqualTo(-1);

        for (int p = 1; p <= 3; p++) {
            announce(hash(1), peer(p), 6880 + p, AnnounceEvent.STARTED);
        }

        await().atMost(WAIT).until(() -> service.status().get(0).successes() == 3);
        ForwarderStatus s = service.status().get(0);
        assertThat(s.intervalSamples()).isEqualTo(2);
        assertThat(s.meanIntervalSeconds())
                .as("5 is not raised to the 60 s floor here")
                .isEqualTo((5 + 4000) / 2);
        assertThat(s.latencySamples()).isEqualTo(3);
        assertThat(s.meanLatencyMillis()).isZero();
    }

    @Test
    void eachLocalPeerIsAnnouncedToEveryForwarder() {
        List<FakeUpstream> fs = forwarders("a", "b");
        fs.forEach(f -> f.answering(ok(1800)));

        announce(hash(1), peer(1), 6881, AnnounceEvent.STARTED);
        announce(hash(1), peer(2), 6882, AnnounceEvent.STARTED);

        for (FakeUpstream f : fs) {
            await().atMost(WAIT).until(() -> f.count() == 2);
            assertThat(f.received()).extracting(UpstreamAnnounce::port).containsExactlyInAnyOrder(6881, 6882);
        }
    }

    @Test
    void completedGoesOutAtOnceAndStoppedReachesEveryForwarderThatHeardThePeer() {
        FakeUpstream a = forwarders("a").get(0).answering(ok(1800));
        announce(hash(1), peer(1), 6881, AnnounceEvent.STARTED);
        await().atMost(WAIT).until(() -> a.count() == 1);
        awaitSettled(hash(1));

        announce(hash(1), peer(1), 6881, AnnounceEvent.COMPLETED);
        await().atMost(WAIT).until(() -> a.count() == 2);
        assertThat(a.received().get(1).event()).isEqualTo(AnnounceEvent.COMPLETED);
        awaitSettled(hash(1));

        announce(hash(1), peer(1), 6881, AnnounceEvent.STOPPED);
        await().atMost(WAIT).until(() -> a.count() == 3);
        assertThat(a.received().get(2).event()).isEqualTo(AnnounceEvent.STOPPED);
        assertThat(a.received().get(2).numWant()).isZero();
    }

    @Test
    void aStoppedFromAPeerNoForwarderHeardOfSendsNothing() {
        FakeUpstream a = forwarders("a").get(0).answering(ok(1800));

        announce(hash(1), peer(1), 6881, AnnounceEvent.STOPPED);
        quiet();

        assertThat(service.swarmCount()).isZero();
        assertThat(a.count()).isZero();
    }

    @Test
    void aLocalPeerThatExpiresIsSentStopped() {
        FakeUpstream a = forwarders("a").get(0).answering(ok(1800));
        announce(hash(1), peer(1), 6881, AnnounceEvent.STARTED);
        await().atMost(WAIT).until(() -> a.count() == 1);
        awaitSettled(hash(1));

        clock.advanceSeconds(3601);
        service.sweep();

        await().atMost(WAIT).until(() -> a.count() == 2);
        assertThat(a.received().get(1).event()).isEqualTo(AnnounceEvent.STOPPED);
        assertThat(service.counters().expiredPeers.sum()).isEqualTo(1);
        await().atMost(WAIT).until(() -> {
            service.sweep();
            return service.swarmCount() == 0;
        });
    }

    // ---- replies -----------------------------------------------------------------------------------

    @Test
    void repliesCarryLocalPeersFirstThenExternalOnesNeverTheRequesterNorADuplicate() {
        byte[] requester = compact(peer(1), 6881);
        byte[] local = compact(peer(9), 7000);
        byte[] external =
                concat(compact(new byte[] {1, 1, 1, 1}, 1), requester, local, compact(new byte[] {2, 2, 2, 2}, 2));
        FakeUpstream a = forwarders("a").get(0).answering(ok(1800, external));
        announce(hash(1), peer(1), 6881, AnnounceEvent.STARTED);
        awaitSettled(hash(1));

        AnnounceResponse response = response();
        System.arraycopy(local, 0, response.peers4, 0, 6);
        response.peers4Count = 1;
        service.announced(request(hash(1), peer(1), 6881, AnnounceEvent.NONE), response, 50, true);
        quiet();

        List<String> peers = peers4(response);
        assertThat(peers.get(0)).isEqualTo("127.0.0.9:7000");
        assertThat(peers).containsExactlyInAnyOrder("127.0.0.9:7000", "1.1.1.1:1", "2.2.2.2:2");
        assertThat(a.count()).isEqualTo(1);
    }

    @Test
    void externalPeersStopAtNumwant() {
        byte[] external = new byte[0];
        for (int i = 1; i <= 20; i++) {
            external = concat(external, compact(new byte[] {10, 0, 0, (byte) i}, 1000 + i));
        }
        forwarders("a").get(0).answering(ok(1800, external));
        announce(hash(1), peer(1), 6881, AnnounceEvent.STARTED);
        awaitSettled(hash(1));

        AnnounceResponse response = response();
        service.announced(request(hash(1), peer(1), 6881, AnnounceEvent.NONE), response, 5, true);

        assertThat(response.peers4Count).isEqualTo(5);
        assertThat(peers4(response)).doesNotHaveDuplicates();
    }

    /**
     * A tracker that ignores numwant and sends 1000 peers has only as many kept as were asked for:
     * a client asking for 200 gets {@link ForwardingService#MAX_KEPT_PEERS} of them.
     */
    @Test
    void aForwarderSendingMorePeersThanAskedHasOnlyTheAskedForKept() {
        byte[] external = new byte[0];
        for (int i = 0; i < 1000; i++) {
            external = concat(external, compact(new byte[] {10, 0, (byte) (i >> 8), (byte) i}, 1000));
        }
        forwarders("a").get(0).answering(ok(1800, external));
        announce(hash(1), peer(1), 6881, AnnounceEvent.STARTED);
        awaitSettled(hash(1));

        AnnounceResponse response = response();
        service.announced(request(hash(1), peer(1), 6881, AnnounceEvent.NONE), response, 200, true);

        assertThat(response.peers4Count).isEqualTo(ForwardingService.MAX_KEPT_PEERS);
        assertThat(peers4(response)).doesNotHaveDuplicates().allMatch(p -> p.startsWith("10.0."));
    }

    @Test
    void theIntervalIsShortUntilAForwarderConcludesForTheSwarm() {
        FakeUpstream a = forwarders("a").get(0).hanging();

        AnnounceResponse first = announce(hash(1), peer(1), 6881, AnnounceEvent.STARTED);
        assertThat(first.interval).isEqualTo(ForwardingService.PENDING_INTERVAL_SECONDS);
        assertThat(first.minInterval).isEqualTo(ForwardingService.PENDING_INTERVAL_SECONDS);

        await().atMost(WAIT).until(() -> a.count() == 1);
        a.release(ok(1800));
        awaitSettled(hash(1));
        AnnounceResponse later = announce(hash(1), peer(1), 6881, AnnounceEvent.NONE);
        assertThat(later.interval).isEqualTo(POLICY_INTERVAL);
        assertThat(later.minInterval).isEqualTo(POLICY_MIN_INTERVAL);
    }

    @Test
    void countsAddTheLargestCountsAnyForwarderReported() {
        List<FakeUpstream> fs = forwarders("a", "b");
        fs.get(0).answering(reply(1800, 10, 3, new byte[0]));
        fs.get(1).answering(reply(1800, 4, 7, new byte[0]));
        announce(hash(1), peer(1), 6881, AnnounceEvent.STARTED);
        await().atMost(WAIT).until(() -> service.status().stream().allMatch(s -> s.successes() == 1));
        awaitSettled(hash(1));

        AnnounceResponse response = response();
        response.complete = 1;
        response.incomplete = 1;
        service.announced(request(hash(1), peer(1), 6881, AnnounceEvent.NONE), response, 50, true);
        assertThat(response.complete).isEqualTo(11);
        assertThat(response.incomplete).isEqualTo(8);

        ScrapeRequest scrape = new ScrapeRequest(2);
        System.arraycopy(hash(1), 0, scrape.infoHashes, 0, 20);
        System.arraycopy(hash(2), 0, scrape.infoHashes, 20, 20);
        scrape.count = 2;
        ScrapeResponse counts = new ScrapeResponse(2);
        service.scraped(scrape, counts);
        assertThat(counts.complete).containsExactly(10, 0);
        assertThat(counts.incomplete).containsExactly(7, 0);
    }

    // ---- failures and health -----------------------------------------------------------------------

    @Test
    void errorsAreRetriedWithBackoffAndCountAsOneFailureWhenAllAttemptsFail() {
        service.close();
        service = start(options(3, 0, 0));
        FakeUpstream a = forwarders("a").get(0).answering(UpstreamReply.error("connection refused"));

        announce(hash(1), peer(1), 6881, AnnounceEvent.STARTED);

        await().atMost(WAIT).until(() -> a.count() == 3);
        await().atMost(WAIT).until(() -> service.status().get(0).failures() == 1);
        ForwarderStatus s = service.status().get(0);
        assertThat(s.consecutiveFailures()).isEqualTo(1);
        assertThat(s.reason()).isEqualTo("connection refused");
        assertThat(service.counters().retries.sum()).isEqualTo(2);
    }

    @Test
    void aForwarderThatKeepsFailingLeavesRotationAndIsProbedOneAtATime() {
        service.close();
        service = start(options(1, 0, 0));
        FakeUpstream a = forwarders("a").get(0).answering(UpstreamReply.error("no route to host"));
        announce(hash(1), peer(1), 6881, AnnounceEvent.STARTED);
        announce(hash(2), peer(1), 6881, AnnounceEvent.STARTED);
        await().atMost(WAIT).until(() -> "down".equals(service.status().get(0).state()));
        assertThat(service.status().get(0).reason()).isEqualTo("no route to host");
        int before = a.count();

        announce(hash(3), peer(1), 6881, AnnounceEvent.STARTED);
        quiet();
        assertThat(a.count()).as("down: no announces").isEqualTo(before);

        clock.advanceMillis(Forwarder.FIRST_PROBE_DELAY_MILLIS);
        a.hanging();
        announce(hash(4), peer(1), 6881, AnnounceEvent.STARTED);
        announce(hash(5), peer(1), 6881, AnnounceEvent.STARTED);
        await().atMost(WAIT).until(() -> a.count() == before + 1);
        quiet();
        assertThat(a.count()).as("one probe at a time").isEqualTo(before + 1);

        a.release(ok(1800));
        await().atMost(WAIT).until(() -> "active".equals(service.status().get(0).state()));
        assertThat(service.status().get(0).consecutiveFailures()).isZero();
    }

    @Test
    void rateLimitedSuspendsTheForwarderForRetryAfter() {
        FakeUpstream a = forwarders("a").get(0).answering(UpstreamReply.rateLimited("HTTP 429", 120));
        announce(hash(1), peer(1), 6881, AnnounceEvent.STARTED);
        await().atMost(WAIT)
                .until(() -> "suspended".equals(service.status().get(0).state()));
        assertThat(a.count()).as("no retry of a 429").isEqualTo(1);

        announce(hash(2), peer(1), 6881, AnnounceEvent.STARTED);
        quiet();
        assertThat(a.count()).isEqualTo(1);

        clock.advanceSeconds(120);
        a.answering(ok(1800));
        announce(hash(3), peer(1), 6881, AnnounceEvent.STARTED);
        await().atMost(WAIT).until(() -> a.count() == 2);
    }

    @Test
    void aFailureReasonIsNotASuccessAndItsRetryInIsHonoured() {
        FakeUpstream a = forwarders("a").get(0).answering(UpstreamReply.refused("unregistered torrent", 600));
        announce(hash(1), peer(1), 6881, AnnounceEvent.STARTED);
        await().atMost(WAIT).until(() -> service.status().get(0).failures() == 1);
        assertThat(service.status().get(0).successes()).isZero();
        assertThat(service.status().get(0).reason()).isEqualTo("refused: unregistered torrent");
        awaitSettled(hash(1));

        clock.advanceSeconds(599);
        announce(hash(1), peer(1), 6881, AnnounceEvent.NONE);
        quiet();
        assertThat(a.count()).isEqualTo(1);
        clock.advanceSeconds(1);
        announce(hash(1), peer(1), 6881, AnnounceEvent.NONE);
        await().atMost(WAIT).until(() -> a.count() == 2);
    }

    // ---- load --------------------------------------------------------------------------------------

    @Test
    void aFullQueueDropsJobsAndCountsThem() {
        service.close();
        service = start(
                new ForwardingOptions(Duration.ofSeconds(5), 1, 1, 1, 100, 0, 0, 20, 100, 200, 300, 0, 1, 1, 3600));
        FakeUpstream a = forwarders("a").get(0).hanging();

        announce(hash(1), peer(1), 6881, AnnounceEvent.STARTED);
        await().atMost(WAIT).until(() -> a.count() == 1); // the one slot is taken
        for (int i = 2; i <= 5; i++) {
            announce(hash(i), peer(1), 6881, AnnounceEvent.STARTED); // one waits, three are dropped
        }
        quiet();
        assertThat(a.count()).isEqualTo(1);
        assertThat(service.queueLength()).isEqualTo(1);
        assertThat(service.counters().droppedQueueFull.sum()).isEqualTo(3);
    }

    @Test
    void aboveTheRateLimitThresholdNewSwarmsPassATokenBucketOrAreToldToRetry() {
        service.close();
        // One slot, a queue of 2, rate limit at 50% fill, a bucket of 1 token refilled once a second.
        service =
                start(new ForwardingOptions(Duration.ofSeconds(5), 1, 1, 2, 100, 50, 0, 20, 1, 1, 300, 0, 1, 1, 3600));
        FakeUpstream a = forwarders("a").get(0).hanging();
        announce(hash(1), peer(1), 6881, AnnounceEvent.STARTED); // in flight
        await().atMost(WAIT).until(() -> a.count() == 1);
        announce(hash(2), peer(1), 6881, AnnounceEvent.STARTED); // queued: 50 % full
        quiet();

        assertThat(service.admit(request(hash(3), peer(1), 6881, AnnounceEvent.STARTED)))
                .isNull(); // the token
        assertThat(service.admit(request(hash(4), peer(1), 6881, AnnounceEvent.STARTED)))
                .isEqualTo(FailureReason.TRACKER_BUSY);
        assertThat(service.admit(request(hash(2), peer(2), 6882, AnnounceEvent.STARTED)))
                .as("a known swarm is not a first announce")
                .isNull();
        assertThat(service.counters().rateLimited.sum()).isEqualTo(1);
        assertThat(service.retryInSeconds()).isEqualTo(ForwardingService.BUSY_RETRY_SECONDS);
        assertThat(FailureReason.TRACKER_BUSY.message())
                .contains("retry in " + ForwardingService.BUSY_RETRY_SECONDS + " seconds");
    }

    @Test
    void aRateLimitThresholdOfZeroNeverRefuses() {
        service.close();
        service = start(new ForwardingOptions(Duration.ofSeconds(5), 1, 1, 1, 100, 0, 0, 20, 1, 1, 300, 0, 1, 1, 3600));
        FakeUpstream a = forwarders("a").get(0).hanging();
        announce(hash(1), peer(1), 6881, AnnounceEvent.STARTED);
        await().atMost(WAIT).until(() -> a.count() == 1);
        announce(hash(2), peer(1), 6881, AnnounceEvent.STARTED); // queue now 100 % full
        quiet();

        for (int i = 3; i < 10; i++) {
            assertThat(service.admit(request(hash(i), peer(1), 6881, AnnounceEvent.STARTED)))
                    .isNull();
        }
    }

    @Test
    void aboveTheThrottleThresholdANewSwarmGoesOnlyToTheFastestForwarders() {
        service.close();
        // One slot, throttling at 1 % fill, only the fastest one forwarder.
        service = start(
                new ForwardingOptions(Duration.ofSeconds(5), 1, 1, 100, 100, 0, 1, 1, 100, 200, 300, 0, 1, 1, 3600));
        List<FakeUpstream> fs = forwarders("a", "b");
        fs.forEach(FakeUpstream::hanging);
        announce(hash(1), peer(1), 6881, AnnounceEvent.STARTED); // a's job in flight, b's waits: 1 % full
        quiet();
        assertThat(service.queueLength()).isEqualTo(1);

        announce(hash(2), peer(1), 6881, AnnounceEvent.STARTED);
        quiet();

        assertThat(service.counters().throttled.sum()).isEqualTo(1);
        assertThat(service.queueLength())
                .as("only a's job for the new swarm joined")
                .isEqualTo(2);

        announce(hash(1), peer(2), 6882, AnnounceEvent.STARTED);
        quiet();
        assertThat(service.counters().throttled.sum())
                .as("a known swarm is not throttled")
                .isEqualTo(1);
    }

    @Test
    void workersScaleUpWithAFillingQueueAndBackDownWhenItEmpties() {
        service.close();
        // 1 to 3 slots, one more a second while the queue is at least 10 % full.
        service = start(
                new ForwardingOptions(Duration.ofSeconds(5), 1, 3, 10, 10, 0, 0, 20, 100, 200, 300, 0, 1, 1, 3600));
        FakeUpstream a = forwarders("a").get(0).hanging();
        for (int i = 1; i <= 6; i++) {
            announce(hash(i), peer(1), 6881, AnnounceEvent.STARTED);
        }

        await().atMost(WAIT).until(() -> service.workers() == 3 && a.count() == 3);
        assertThat(service.inFlight()).isEqualTo(3);

        a.answering(ok(1800));
        a.release(ok(1800));
        await().atMost(WAIT).until(() -> service.queueLength() == 0 && service.inFlight() == 0);
        await().atMost(WAIT).until(() -> service.workers() == 1);
        assertThat(a.count()).isEqualTo(6);
    }

    // ---- reload ------------------------------------------------------------------------------------

    @Test
    void reloadKeepsUnchangedForwardersStartsNewOnesAndSendsStoppedThroughRemovedOnes() {
        List<FakeUpstream> fs = forwarders("a", "b");
        fs.forEach(f -> f.answering(ok(1800)));
        announce(hash(1), peer(1), 6881, AnnounceEvent.STARTED);
        for (FakeUpstream f : fs) {
            await().atMost(WAIT).until(() -> f.count() == 1);
        }
        awaitSettled(hash(1));

        service.setForwarders(List.of(FakeUpstream.spec("a"), FakeUpstream.spec("c")));

        FakeUpstream b = fs.get(1);
        await().atMost(WAIT).until(() -> b.count() == 2);
        assertThat(b.received().get(1).event()).isEqualTo(AnnounceEvent.STOPPED);
        FakeUpstream c = upstream("c").answering(ok(1800));
        assertThat(service.status()).extracting(ForwarderStatus::name).containsExactly("a", "c");
        assertThat(service.status().get(0).successes()).as("a kept its state").isEqualTo(1);

        announce(hash(1), peer(1), 6881, AnnounceEvent.NONE);
        await().atMost(WAIT).until(() -> c.count() == 1);
        quiet();
        assertThat(fs.get(0).count()).as("a is not due yet").isEqualTo(1);
    }

    @Test
    void aReloadThatOnlyRenamesAForwarderKeepsItsState() {
        FakeUpstream a = forwarders("a").get(0).answering(ok(1800));
        announce(hash(1), peer(1), 6881, AnnounceEvent.STARTED);
        await().atMost(WAIT).until(() -> a.count() == 1);
        awaitSettled(hash(1));
        ForwarderSpec old = FakeUpstream.spec("a");

        service.setForwarders(List.of(new ForwarderSpec("renamed", old.uri(), old.scheme(), null, null)));

        assertThat(service.status()).extracting(ForwarderStatus::name).containsExactly("renamed");
        assertThat(service.status().get(0).successes()).isEqualTo(1);
        assertThat(upstreams).hasSize(1);
        assertThat(a.closed()).isFalse();
    }

    // ---- helpers -----------------------------------------------------------------------------------

    private static ForwardingOptions options(int attempts, int rateLimitPct, int throttlePct) {
        return new ForwardingOptions(
                Duration.ofSeconds(5),
                2,
                4,
                100,
                60,
                rateLimitPct,
                throttlePct,
                20,
                100,
                200,
                300,
                2,
                attempts,
                1,
                3600);
    }

    private ForwardingService start(ForwardingOptions options) {
        return new ForwardingService(options, clock, spec -> {
            FakeUpstream f = new FakeUpstream(spec);
            upstreams.put(spec.name(), f);
            return f;
        });
    }

    private List<FakeUpstream> forwarders(String... names) {
        List<ForwarderSpec> specs = new ArrayList<>();
        for (String n : names) {
            specs.add(FakeUpstream.spec(n));
        }
        service.setForwarders(specs);
        List<FakeUpstream> out = new ArrayList<>();
        for (String n : names) {
            out.add(upstream(n));
        }
        return out;
    }

    /** Lets the forwarding thread finish what the last announces queued, before asserting nothing more happened. */
    private void quiet() {
        try {
            service.awaitQuietForTest();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private FakeUpstream upstream(String name) {
        FakeUpstream f = upstreams.get(name);
        assertThat(f).as("client made for " + name).isNotNull();
        return java.util.Objects.requireNonNull(f);
    }

    /** Waits until no job of the swarm is pending, so what it learnt is in place. */
    private void awaitSettled(byte[] hash) {
        await().atMost(WAIT).until(() -> {
            SwarmForwards s = service.swarmsForTest().get(new Keys.InfoHash().set(hash));
            return s != null && settled(s);
        });
    }

    private static boolean settled(SwarmForwards s) {
        synchronized (s) {
            return s.pendingJobs == 0 && s.settled;
        }
    }

    private AnnounceResponse announce(byte[] hash, byte[] address, int port, AnnounceEvent event) {
        AnnounceResponse response = response();
        service.announced(request(hash, address, port, event), response, 50, true);
        return response;
    }

    private static AnnounceResponse response() {
        AnnounceResponse r = new AnnounceResponse(200);
        r.interval = POLICY_INTERVAL;
        r.minInterval = POLICY_MIN_INTERVAL;
        return r;
    }

    private static AnnounceRequest request(byte[] hash, byte[] address, int port, AnnounceEvent event) {
        AnnounceRequest r = new AnnounceRequest();
        System.arraycopy(hash, 0, r.infoHash, 0, 20);
        System.arraycopy(id(address[3]), 0, r.peerId, 0, 20);
        System.arraycopy(address, 0, r.address, 0, address.length);
        r.addressLength = address.length;
        r.port = port;
        r.left = 100;
        r.event = event;
        return r;
    }

    private static byte[] hash(int n) {
        byte[] h = new byte[20];
        h[0] = (byte) 0xab;
        h[19] = (byte) n;
        return h;
    }

    private static byte[] id(int n) {
        byte[] id = "-XX0001-000000000000".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        id[19] = (byte) ('a' + n);
        return id;
    }

    private static byte[] peer(int n) {
        return new byte[] {127, 0, 0, (byte) n};
    }

    private static byte[] compact(byte[] address, int port) {
        byte[] out = new byte[6];
        System.arraycopy(address, 0, out, 0, 4);
        out[4] = (byte) (port >> 8);
        out[5] = (byte) port;
        return out;
    }

    private static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] out = new byte[n];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }

    private static List<String> peers4(AnnounceResponse r) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < r.peers4Count; i++) {
            int o = i * 6;
            out.add((r.peers4[o] & 0xff) + "." + (r.peers4[o + 1] & 0xff) + "." + (r.peers4[o + 2] & 0xff) + "."
                    + (r.peers4[o + 3] & 0xff) + ":" + ((r.peers4[o + 4] & 0xff) << 8 | (r.peers4[o + 5] & 0xff)));
        }
        return out;
    }

    private static UpstreamReply ok(int interval) {
        return ok(interval, new byte[0]);
    }

    private static UpstreamReply ok(int interval, byte[] peers4) {
        return reply(interval, 0, 0, peers4);
    }

    private static UpstreamReply reply(int interval, int complete, int incomplete, byte[] peers4) {
        return new UpstreamReply(
                UpstreamReply.Outcome.OK,
                interval,
                UpstreamReply.ABSENT,
                complete,
                incomplete,
                peers4,
                new byte[0],
                "",
                UpstreamReply.ABSENT,
                UpstreamReply.ABSENT);
    }
}
