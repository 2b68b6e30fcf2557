package org.retracker.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayInputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.retracker.core.AccessList;
import org.retracker.core.AccessListFile;
import org.retracker.forward.ForwarderSpec;
import org.retracker.forward.ForwardingOptions;
import org.retracker.forward.UpstreamAnnounce;
import org.retracker.forward.UpstreamClient;
import org.retracker.forward.UpstreamReply;

/**
 * Access lists over loopback HTTP and UDP: what a client of a refused torrent sees, that nothing
 * is stored or forwarded for it, how scrape leaves refused hashes out, and the counters.
 */
class AccessListTest extends LoopbackTrackerTest {
    private static final String NOT_ALLOWED = "torrent not allowed on this tracker";
    private static final byte[] LISTED = Ids.infoHash(1);
    private static final byte[] OTHER = Ids.infoHash(2);

    // ---- HTTP -------------------------------------------------------------------------------------

    @Test
    void httpAllowListServesListedTorrentsAndRefusesOthersWithoutASwarm() {
        TestTracker t = start(TestTracker.on(Loopback.V4).metrics().accessList(list(AccessList.Mode.ALLOW, LISTED)));
        HttpTrackerClient http = t.http();

        http.announce(Announce.peer(LISTED, 7001).seeder());
        HttpReply refused = http.get(Announce.peer(OTHER, 7002).httpTarget());

        assertThat(HttpTrackerClient.failure(refused)).isEqualTo(NOT_ALLOWED);
        assertThat(refused.dict())
                .as("no BEP 31 retry in: retrying does not help")
                .doesNotContainKey("retry in");
        assertThat(t.store().swarmCount()).isEqualTo(1);
        assertThat(t.store().peerCount()).isEqualTo(1);
        assertThat(http.announce(Announce.peer(LISTED, 7003)).peers4()).hasSize(1);
        assertThat(failures(t, "http")).isEqualTo(1);
    }

    @Test
    void httpDenyListRefusesListedTorrentsOnly() {
        TestTracker t = start(TestTracker.on(Loopback.V4).accessList(list(AccessList.Mode.DENY, LISTED)));
        HttpTrackerClient http = t.http();

        String reason = http.announceFailure(Announce.peer(LISTED, 7001).event("started"));
        http.announce(Announce.peer(OTHER, 7002));

        assertThat(reason).isEqualTo(NOT_ALLOWED);
        assertThat(t.store().swarmCount()).isEqualTo(1);
        assertThat(http.scrapeOne(OTHER)).isEqualTo(new ScrapeCounts(0, 0, 1));
    }

    @Test
    void httpScrapeOmitsRefusedHashesAndRefusesAScrapeOfNothingElse() {
        TestTracker t = start(TestTracker.on(Loopback.V4).accessList(list(AccessList.Mode.DENY, LISTED)));
        HttpTrackerClient http = t.http();
        http.announce(Announce.peer(OTHER, 7001).seeder());

        Map<String, ScrapeCounts> files = http.scrape(LISTED, OTHER);
        String reason = HttpTrackerClient.failure(http.get(HttpTrackerClient.scrapeTarget(LISTED, LISTED)));

        assertThat(files)
                .containsOnlyKeys(Bdecode.key(OTHER))
                .containsEntry(Bdecode.key(OTHER), new ScrapeCounts(1, 0, 0));
        assertThat(reason).isEqualTo(NOT_ALLOWED);
    }

    // ---- UDP --------------------------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"allow", "deny"})
    void udpRefusalIsAnErrorPacketAndStoresNothing(String mode) {
        boolean allow = mode.equals("allow");
        byte[] refused = allow ? OTHER : LISTED;
        byte[] served = allow ? LISTED : OTHER;
        TestTracker t = start(TestTracker.on(Loopback.V4)
                .metrics()
                .accessList(list(allow ? AccessList.Mode.ALLOW : AccessList.Mode.DENY, LISTED)));
        try (UdpTrackerClient udp = t.udpClient()) {
            long id = udp.connect();
            int tx = UdpTrackerClient.transactionId();

            UdpTrackerClient.Reply error =
                    udp.exchange(Announce.peer(refused, 7001).udpPacket(id, tx));
            UdpTrackerClient.AnnounceReply ok = udp.announce(id, Announce.peer(served, 7002));

            assertThat(error.action()).isEqualTo(UdpTrackerClient.ERROR);
            assertThat(error.transactionId()).isEqualTo(tx);
            assertThat(error.errorMessage()).isEqualTo(NOT_ALLOWED);
            assertThat(error.length()).as("smaller than the 98-byte request").isEqualTo(8 + NOT_ALLOWED.length());
            assertThat(ok.leechers()).isEqualTo(1);
            assertThat(t.store().swarmCount()).isEqualTo(1);
            assertThat(failures(t, "udp")).isEqualTo(1);
        }
    }

    @Test
    void udpRefusalGoesOnlyToAValidatedSource() {
        TestTracker t = start(TestTracker.on(Loopback.V4).accessList(list(AccessList.Mode.ALLOW, LISTED)));
        try (UdpTrackerClient udp = t.udpClient()) {
            long id = udp.connect();

            udp.send(Announce.peer(OTHER, 7001).udpPacket(id ^ 1, 1)); // not an id we were given

            assertThat(udp.receivesNothing()).isTrue();
        }
    }

    @Test
    void udpScrapeKeepsThePlaceOfRefusedHashesWithZerosAndRefusesAScrapeOfNothingElse() {
        TestTracker t = start(TestTracker.on(Loopback.V4).accessList(list(AccessList.Mode.ALLOW, OTHER)));
        try (UdpTrackerClient udp = t.udpClient()) {
            long id = udp.connect();
            udp.announce(id, Announce.peer(OTHER, 7001).seeder());

            List<ScrapeCounts> counts = udp.scrape(id, LISTED, OTHER, LISTED);
            ByteBuffer onlyRefused = ByteBuffer.allocate(16 + 20)
                    .putLong(id)
                    .putInt(UdpTrackerClient.SCRAPE)
                    .putInt(77)
                    .put(LISTED);
            UdpTrackerClient.Reply error = udp.exchange(onlyRefused.array());

            assertThat(counts)
                    .containsExactly(new ScrapeCounts(0, 0, 0), new ScrapeCounts(1, 0, 0), new ScrapeCounts(0, 0, 0));
            assertThat(error.transactionId()).isEqualTo(77);
            assertThat(error.errorMessage()).isEqualTo(NOT_ALLOWED);
        }
    }

    // ---- forwarding and reload --------------------------------------------------------------------

    @Test
    void aRefusedAnnounceIsNeverForwarded() {
        AtomicInteger upstream = new AtomicInteger();
        ForwardingOptions options =
                new ForwardingOptions(Duration.ofSeconds(5), 1, 1, 100, 60, 0, 0, 20, 100, 200, 300, 10, 1, 1, 3600);
        ForwarderSpec spec = new ForwarderSpec(
                "up", java.net.URI.create("http://up.invalid/announce"), ForwarderSpec.Scheme.HTTP, null, null);
        TestTracker t = start(TestTracker.on(Loopback.V4)
                .accessList(list(AccessList.Mode.DENY, LISTED))
                .forwarding(options, s -> new Counting(s, upstream), List.of(spec)));
        HttpTrackerClient http = t.http();

        assertThat(http.announceFailure(Announce.peer(LISTED, 7001).event("started")))
                .isEqualTo(NOT_ALLOWED);
        http.announce(Announce.peer(OTHER, 7002).event("started"));

        await().atMost(Duration.ofSeconds(5)).until(() -> upstream.get() == 1);
        assertThat(t.forwarding().swarmCount())
                .as("forwarding state for the served torrent only")
                .isEqualTo(1);
    }

    @Test
    void aNewListTakesEffectOnTheNextRequest() {
        TestTracker t = start(TestTracker.on(Loopback.V4).accessList(list(AccessList.Mode.DENY, LISTED)));
        HttpTrackerClient http = t.http();
        assertThat(http.announceFailure(Announce.peer(LISTED, 7001))).isEqualTo(NOT_ALLOWED);

        t.service().accessList(list(AccessList.Mode.DENY, OTHER));

        http.announce(Announce.peer(LISTED, 7001));
        assertThat(http.announceFailure(Announce.peer(OTHER, 7002))).isEqualTo(NOT_ALLOWED);
    }

    private static double failures(TestTracker t, String protocol) {
        Exposition m = Exposition.parse(t.http().get("/metrics").text());
        return m.value("retracker_failures_total", "protocol", protocol, "reason", "torrent_not_allowed");
    }

    /** An access list of {@code hashes}, read from its file form as the tracker reads it. */
    static AccessList list(AccessList.Mode mode, byte[]... hashes) {
        StringBuilder text = new StringBuilder("# test list\n");
        for (byte[] h : hashes) {
            text.append(HexFormat.of().formatHex(h)).append('\n');
        }
        try {
            return AccessList.of(
                    "test.txt",
                    mode,
                    AccessListFile.parse(
                            "test.txt", new ByteArrayInputStream(text.toString().getBytes(StandardCharsets.UTF_8))));
        } catch (AccessListFile.InvalidAccessListException e) {
            throw new AssertionError(e);
        }
    }

    /** An external tracker that counts announces and answers none. */
    private record Counting(ForwarderSpec spec, AtomicInteger count) implements UpstreamClient {
        @Override
        public CompletableFuture<UpstreamReply> announce(UpstreamAnnounce announce) {
            count.incrementAndGet();
            return new CompletableFuture<>();
        }

        @Override
        public void close() {}
    }
}
