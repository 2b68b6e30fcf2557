package org.retracker.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.Random;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.retracker.interop.AnnounceClient.Counts;
import org.retracker.interop.AnnounceClient.Event;
import org.retracker.interop.AnnounceClient.Reply;
import org.retracker.interop.AnnounceClient.Request;
import org.retracker.testing.RequiredTools;

/**
 * The opentracker harness ({@link Opentracker}, {@link AnnounceClient}) against the real
 * opentracker: peers announced over HTTP and UDP meet, the whitelist holds and can be changed, the
 * process is gone after {@code close}, and real clients find each other through it alone.
 */
@Tag("interop")
class OpentrackerTest {
    private static final String ALICE = "127.0.0.2";
    private static final String BOB = "127.0.0.3";
    private static final String REFUSED = "Requested download is not authorized for use with this tracker.";

    private final byte[] hash = randomHash();
    private final byte[] other = randomHash();

    @Test
    @Timeout(20)
    void peersAnnouncedOverHttpAndUdpSeeEachOther(@TempDir Path tmp) throws Exception {
        try (Opentracker ot = Opentracker.start(tmp, hash)) {
            AnnounceClient alice = AnnounceClient.from(ALICE);
            AnnounceClient bob = AnnounceClient.from(BOB);
            InetSocketAddress aliceAt = AnnounceClient.ipv4(ALICE, 6881);
            InetSocketAddress bobAt = AnnounceClient.ipv4(BOB, 6882);

            Reply first = alice.http(ot.httpAnnounceUri(), Request.leecher(hash, 6881))
                    .ok();
            assertThat(first.incomplete()).as("alice, a leecher").isEqualTo(1);
            assertThat(first.complete()).isZero();

            Reply second =
                    bob.udp(ot.udpAnnounceUri(), Request.seeder(hash, 6882)).ok();
            assertThat(second.peers()).as("bob (UDP) sees alice").contains(aliceAt);
            assertThat(second.complete()).isEqualTo(1);
            assertThat(second.incomplete()).isEqualTo(1);
            assertThat(second.interval()).isPositive();

            Reply again = alice.http(
                            ot.httpAnnounceUri(), Request.leecher(hash, 6881).event(Event.NONE))
                    .ok();
            assertThat(again.peers()).as("alice (HTTP) sees bob").contains(bobAt);
            assertThat(again.complete()).isEqualTo(1);
            assertThat(again.incomplete()).isEqualTo(1);

            assertThat(alice.scrape(ot.httpAnnounceUri(), hash)).isEqualTo(new Counts(1, 0, 1));
            bob.udp(ot.udpAnnounceUri(), Request.seeder(hash, 6882).event(Event.STOPPED));
            assertThat(alice.scrape(ot.httpAnnounceUri(), hash)).isEqualTo(new Counts(0, 0, 1));
        }
    }

    @Test
    @Timeout(20)
    void aHashOffTheWhitelistIsRefusedUntilItIsListed(@TempDir Path tmp) throws Exception {
        try (Opentracker ot = Opentracker.start(tmp, hash)) {
            AnnounceClient alice = AnnounceClient.from(ALICE);
            assertThat(alice.http(ot.httpAnnounceUri(), Request.leecher(other, 6881))
                            .failure())
                    .isEqualTo(REFUSED);
            // over UDP opentracker refuses with a bare 8-byte announce header, not an error
            assertThat(alice.udp(ot.udpAnnounceUri(), Request.leecher(other, 6881))
                            .failure())
                    .startsWith(AnnounceClient.TRUNCATED);

            ot.whitelist(hash, other);
            assertThat(alice.udp(ot.udpAnnounceUri(), Request.leecher(other, 6881))
                            .failure())
                    .isNull();
            assertThat(alice.http(ot.httpAnnounceUri(), Request.leecher(other, 6881))
                            .failure())
                    .isNull();

            ot.whitelist(other);
            assertThat(alice.http(ot.httpAnnounceUri(), Request.leecher(hash, 6881))
                            .failure())
                    .isEqualTo(REFUSED);
            assertThat(alice.http(ot.httpAnnounceUri(), Request.leecher(other, 6881))
                            .failure())
                    .isNull();
        }
    }

    @Test
    @Timeout(20)
    void closeLeavesNoProcessBehind(@TempDir Path tmp) throws Exception {
        Opentracker ot = Opentracker.start(tmp, hash);
        long pid = ot.pid();
        long wrapper = ot.wrapperPid();
        assertThat(ProcessHandle.of(pid)).as("opentracker running").isPresent();
        assertThat(ProcessHandle.of(pid).flatMap(p -> p.info().command()))
                .hasValueSatisfying(c -> assertThat(c).endsWith("opentracker"));
        ot.close();
        assertThat(ProcessHandle.of(pid).filter(ProcessHandle::isAlive))
                .as("opentracker pid %d", pid)
                .isEmpty();
        assertThat(ProcessHandle.of(wrapper).filter(ProcessHandle::isAlive))
                .as("timeout pid %d", wrapper)
                .isEmpty();
        // its TCP and UDP port are free again
        try (ServerSocket tcp = new ServerSocket();
                DatagramSocket udp = new DatagramSocket(null)) {
            tcp.bind(AnnounceClient.ipv4("127.0.0.1", ot.port()));
            udp.bind(AnnounceClient.ipv4("127.0.0.1", ot.port()));
        }
    }

    /**
     * libtorrent seeds and libtorrent leeches with opentracker as their only tracker: the torrent is
     * private and DHT, PEX and LSD are off. The seeder announces over UDP and the leecher over HTTP
     * (two .torrent files, one info dictionary), so opentracker joins them across its transports.
     */
    @Test
    @Timeout(60)
    void aRealClientDownloadsFromASeederThroughOpentrackerAlone(@TempDir Path tmp) throws Exception {
        RequiredTools.require(RequiredTools.TIMEOUT, RequiredTools.LIBTORRENT, RequiredTools.OPENTRACKER);
        Path logDir = RealClientDownloadTest.freshLogDir("opentracker-libtorrent");
        byte[] payload = new byte[1024 * 1024 + 4321];
        new Random().nextBytes(payload);
        String name = "payload.bin";
        Path seedDir = Files.createDirectories(tmp.resolve("seed"));
        Path leechDir = Files.createDirectories(tmp.resolve("leech"));
        Files.write(seedDir.resolve(name), payload);

        try (Opentracker ot = Opentracker.start(logDir.resolve("opentracker"))) {
            PrivateTorrent seeding = PrivateTorrent.write(
                    tmp.resolve("seed.torrent"), ot.udpAnnounceUri().toString(), name, payload);
            PrivateTorrent leeching = PrivateTorrent.write(
                    tmp.resolve("leech.torrent"), ot.httpAnnounceUri().toString(), name, payload);
            assertThat(leeching.infoHash()).isEqualTo(seeding.infoHash());
            ot.whitelist(seeding.infoHash());

            AnnounceClient scraper = AnnounceClient.from("127.0.0.1");
            try (PeerClient seeder = new LibtorrentPeer(ALICE, logDir.resolve("seeder"));
                    PeerClient leecher = new LibtorrentPeer(BOB, logDir.resolve("leecher"))) {
                Supplier<String> diagnostics =
                        () -> ot + "\n" + ot.diagnostics() + "\n" + seeder.diagnostics() + "\n" + leecher.diagnostics();
                seeder.seed(seeding, seedDir);
                assertThat(await(
                                () -> scraper.scrape(ot.httpAnnounceUri(), seeding.infoHash()), c -> c.complete() >= 1))
                        .as(() -> "seeder in opentracker's swarm\n" + diagnostics.get())
                        .isPresent();

                leecher.leech(leeching, leechDir);
                assertThat(leecher.awaitDownloaded(Duration.ofSeconds(30)))
                        .as(() -> "download complete\n" + diagnostics.get())
                        .isTrue();
                assertThat(RealClientDownloadTest.sha1(Files.readAllBytes(leechDir.resolve(name))))
                        .isEqualTo(RealClientDownloadTest.sha1(payload));
                assertThat(await(
                                () -> scraper.scrape(ot.httpAnnounceUri(), seeding.infoHash()),
                                c -> c.downloaded() == 1))
                        .as(() -> "opentracker counted the leecher's completed download\n" + diagnostics.get())
                        .isPresent();
            }
        }
    }

    /** Polls {@code counts} for up to 20 s until {@code condition} holds; the counts that matched. */
    private static Optional<Counts> await(Supplier<Counts> counts, Predicate<Counts> condition)
            throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline) {
            Counts c = counts.get();
            if (condition.test(c)) {
                return Optional.of(c);
            }
            Thread.sleep(100);
        }
        return Optional.empty();
    }

    private static byte[] randomHash() {
        byte[] h = new byte[20];
        new Random().nextBytes(h);
        return h;
    }
}
