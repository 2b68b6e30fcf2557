package org.retracker.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Random;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.retracker.interop.AnnounceClient.Reply;
import org.retracker.interop.AnnounceClient.Request;
import org.retracker.testing.RequiredTools;

/**
 * Forwarding against a real external tracker, opentracker on 127.0.0.1, over its HTTP and its UDP
 * interface: peers cross in both directions, and a real client downloads from a seeder it could
 * only learn of through retracker's forwarding.
 */
@Tag("interop")
class ForwardingOpentrackerTest {
    private static final String WORLD = "127.0.0.2"; // a peer that only knows opentracker
    private static final String LAN = "127.0.0.3"; // a peer that only knows retracker
    private static final Duration PATIENCE = Duration.ofSeconds(15);

    @ParameterizedTest(name = "forwarding over {0}")
    @ValueSource(strings = {"http", "udp"})
    @Timeout(60)
    void peersCrossBetweenOpentrackerAndRetrackerInBothDirections(String scheme, @TempDir Path tmp) throws Exception {
        byte[] hash = randomHash();
        try (Opentracker ot = Opentracker.start(tmp, hash);
                ForwardingRetracker rt = new ForwardingRetracker(uri(ot, scheme))) {
            AnnounceClient world = AnnounceClient.from(WORLD);
            AnnounceClient lan = AnnounceClient.from(LAN);
            world.announce(ot.httpAnnounceUri(), Request.seeder(hash, 7001)).ok();

            // The LAN peer announces only to retracker; the first reply asks it back soon, and
            // once opentracker has answered retracker the world's seeder is in the reply.
            Reply first =
                    lan.http(rt.httpAnnounceUri(), Request.leecher(hash, 7002)).ok();
            assertThat(first.interval()).isEqualTo(60);
            Reply withWorld = poll(
                    () -> lan.http(
                            rt.httpAnnounceUri(), Request.leecher(hash, 7002).event(AnnounceClient.Event.NONE)),
                    r -> r.peers().contains(AnnounceClient.ipv4(WORLD, 7001)));
            assertThat(withWorld).as("retracker hands out opentracker's peer").isNotNull();
            assertThat(withWorld.peers()).doesNotContain(AnnounceClient.ipv4(LAN, 7002));

            // The other way: opentracker lists the LAN peer (at retracker's address, 127.0.0.1,
            // since it records the sender of the announce) to the world.
            InetSocketAddress lanAsForwarded = AnnounceClient.ipv4("127.0.0.1", 7002);
            Reply seenByWorld = poll(
                    () -> world.announce(
                            ot.httpAnnounceUri(), Request.seeder(hash, 7001).event(AnnounceClient.Event.NONE)),
                    r -> r.peers().contains(lanAsForwarded));
            assertThat(seenByWorld)
                    .as("opentracker lists the peer retracker forwarded")
                    .isNotNull();
            assertThat(rt.forwarding().status().get(0).successes()).isPositive();
        }
    }

    /**
     * libtorrent seeds, announcing only to opentracker; another libtorrent announces only to
     * retracker, which forwards to opentracker, and downloads the file from the seeder. A LAN peer
     * already in the swarm has made retracker fetch opentracker's peers (as any swarm with a local
     * peer does), so the leecher's first reply carries the seeder.
     */
    @ParameterizedTest(name = "forwarding over {0}")
    @ValueSource(strings = {"http", "udp"})
    @Timeout(90)
    void aRealClientDownloadsFromASeederKnownOnlyToTheExternalTracker(String scheme, @TempDir Path tmp)
            throws Exception {
        RequiredTools.require(RequiredTools.TIMEOUT, RequiredTools.LIBTORRENT, RequiredTools.OPENTRACKER);
        Path logDir = RealClientDownloadTest.freshLogDir("forwarding-opentracker-" + scheme);
        byte[] payload = new byte[1024 * 1024 + 777];
        new Random().nextBytes(payload);
        String name = "payload.bin";
        Path seedDir = Files.createDirectories(tmp.resolve("seed"));
        Path leechDir = Files.createDirectories(tmp.resolve("leech"));
        Files.write(seedDir.resolve(name), payload);

        try (Opentracker ot = Opentracker.start(logDir.resolve("opentracker"));
                ForwardingRetracker rt = new ForwardingRetracker(uri(ot, scheme))) {
            PrivateTorrent seeding = PrivateTorrent.write(
                    tmp.resolve("seed.torrent"), ot.udpAnnounceUri().toString(), name, payload);
            PrivateTorrent leeching = PrivateTorrent.write(
                    tmp.resolve("leech.torrent"), rt.httpAnnounceUri().toString(), name, payload);
            ot.whitelist(seeding.infoHash());
            AnnounceClient scraper = AnnounceClient.from("127.0.0.1");
            try (PeerClient seeder = new LibtorrentPeer(WORLD, logDir.resolve("seeder"));
                    PeerClient leecher = new LibtorrentPeer(LAN, logDir.resolve("leecher"))) {
                Supplier<String> diagnostics = () -> ot.diagnostics() + "\n"
                        + rt.forwarding().status() + "\n" + seeder.diagnostics() + "\n" + leecher.diagnostics();
                seeder.seed(seeding, seedDir);
                assertThat(poll(() -> scraper.scrape(ot.httpAnnounceUri(), seeding.infoHash()), c -> c.complete() >= 1))
                        .as(() -> "seeder in opentracker's swarm\n" + diagnostics.get())
                        .isNotNull();

                AnnounceClient lanPeer = AnnounceClient.from("127.0.0.4");
                assertThat(poll(
                                () -> lanPeer.http(rt.httpAnnounceUri(), Request.leecher(seeding.infoHash(), 7100)),
                                r -> r.failure() == null && r.complete() >= 1))
                        .as(() -> "retracker learnt opentracker's seeder\n" + diagnostics.get())
                        .isNotNull();

                leecher.leech(leeching, leechDir);
                assertThat(leecher.awaitDownloaded(Duration.ofSeconds(45)))
                        .as(() -> "download complete\n" + diagnostics.get())
                        .isTrue();
                assertThat(RealClientDownloadTest.sha1(Files.readAllBytes(leechDir.resolve(name))))
                        .isEqualTo(RealClientDownloadTest.sha1(payload));
            }
        }
    }

    private static URI uri(Opentracker ot, String scheme) {
        return scheme.equals("udp") ? ot.udpAnnounceUri() : ot.httpAnnounceUri();
    }

    /** Calls {@code call} every 200 ms until {@code done} holds, for {@link #PATIENCE}; the last good result or null. */
    private static <T> @Nullable T poll(Supplier<T> call, Predicate<T> done) throws InterruptedException {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (System.nanoTime() < deadline) {
            T t = call.get();
            if (done.test(t)) {
                return t;
            }
            Thread.sleep(200);
        }
        return null;
    }

    private static byte[] randomHash() {
        byte[] h = new byte[20];
        new SecureRandom().nextBytes(h);
        return h;
    }
}
