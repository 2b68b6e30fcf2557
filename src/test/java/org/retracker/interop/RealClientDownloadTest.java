package org.retracker.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Random;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.retracker.core.AnnounceService;
import org.retracker.core.TrackerPolicy;
import org.retracker.swarm.SwarmStore;
import org.retracker.testing.RequiredTools;
import org.retracker.transport.ServerOptions;
import org.retracker.transport.TrackerServer;

/**
 * Real BitTorrent clients from Debian download a file from each other through retracker, with
 * nothing else to meet by: the torrent is private (BEP 27) and DHT, PEX and LSD are off. Everything
 * runs on loopback, each client on its own 127.x address; every process is bounded in time and its
 * tree is stopped in teardown. Logs go to {@code target/interop-logs/<pair>/}.
 *
 * <p>A missing client skips its pairs (with the install command), or fails them when {@code
 * RETRACKER_REQUIRE_INTEROP=1} (see {@link RequiredTools}).
 */
@Tag("interop")
class RealClientDownloadTest {
    /** Short intervals so that clients re-announce within a test; peers live long enough for one. */
    static final TrackerPolicy POLICY = new TrackerPolicy(5, 2, 50, 200, 60, 74);
    /** 2 MiB and a short last piece. */
    static final int PAYLOAD_BYTES = 2 * 1024 * 1024 + 12_345;
    /** How long the first client may take to show up in the swarm. */
    static final Duration ANNOUNCE_TIMEOUT = Duration.ofSeconds(30);
    /** How long the download may take once both clients run. */
    static final Duration DOWNLOAD_TIMEOUT = Duration.ofSeconds(90);
    /** How long the leecher's {@code completed} may take to reach the tracker. */
    static final Duration COMPLETED_TIMEOUT = Duration.ofSeconds(10);

    static final Path LOGS = Path.of("target", "interop-logs");

    enum Transport {
        HTTP,
        UDP
    }

    /** The real clients, each with its own loopback address (some ignore peers on their own). */
    enum Client {
        LIBTORRENT(RequiredTools.LIBTORRENT, "127.0.0.2"),
        TRANSMISSION(RequiredTools.TRANSMISSION, "127.0.0.3"),
        ARIA2(RequiredTools.ARIA2, "127.0.0.4");

        final RequiredTools tool;
        final String ipv4;

        Client(RequiredTools tool, String ipv4) {
            this.tool = tool;
            this.ipv4 = ipv4;
        }

        PeerClient create(String bind, Path logDir) {
            return switch (this) {
                case LIBTORRENT -> new LibtorrentPeer(bind, logDir);
                case TRANSMISSION -> new TransmissionPeer(bind, logDir);
                case ARIA2 -> new Aria2Peer(bind, logDir);
            };
        }
    }

    /** Who seeds, who leeches, over which tracker protocol and address family. */
    enum Pair {
        TRANSMISSION_TO_LIBTORRENT_UDP(Client.TRANSMISSION, Client.LIBTORRENT, Transport.UDP, false),
        LIBTORRENT_TO_TRANSMISSION_UDP(Client.LIBTORRENT, Client.TRANSMISSION, Transport.UDP, false),
        TRANSMISSION_TO_LIBTORRENT_HTTP(Client.TRANSMISSION, Client.LIBTORRENT, Transport.HTTP, false),
        LIBTORRENT_TO_TRANSMISSION_HTTP(Client.LIBTORRENT, Client.TRANSMISSION, Transport.HTTP, false),
        LIBTORRENT_TO_ARIA2_HTTP(Client.LIBTORRENT, Client.ARIA2, Transport.HTTP, false),
        ARIA2_TO_LIBTORRENT_HTTP(Client.ARIA2, Client.LIBTORRENT, Transport.HTTP, false),
        TRANSMISSION_TO_ARIA2_HTTP(Client.TRANSMISSION, Client.ARIA2, Transport.HTTP, false),
        /** Transmission cannot parse {@code [::1]} URLs and aria2's UDP needs DHT: libtorrent only. */
        LIBTORRENT_TO_LIBTORRENT_UDP_IPV6(Client.LIBTORRENT, Client.LIBTORRENT, Transport.UDP, true);

        final Client seeder;
        final Client leecher;
        final Transport transport;
        final boolean ipv6;

        Pair(Client seeder, Client leecher, Transport transport, boolean ipv6) {
            this.seeder = seeder;
            this.leecher = leecher;
            this.transport = transport;
            this.ipv6 = ipv6;
        }

        String trackerHost() {
            return ipv6 ? "::1" : "127.0.0.1";
        }

        @Override
        public String toString() {
            return seeder.name().toLowerCase() + " seeds, " + leecher.name().toLowerCase() + " leeches over "
                    + transport + (ipv6 ? " on ::1" : "");
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource
    @Timeout(170)
    void leecherDownloadsThePayloadFromTheSeederThroughTheTracker(Pair pair, @TempDir Path tmp) throws Exception {
        RequiredTools.require(RequiredTools.TIMEOUT, pair.seeder.tool, pair.leecher.tool);
        if (pair.ipv6) {
            assumeTrue(ipv6LoopbackWorks(), "no IPv6 loopback (::1) on this host");
        }
        Path logDir = freshLogDir(pair);
        byte[] payload = new byte[PAYLOAD_BYTES];
        new Random().nextBytes(payload);
        Path seedDir = Files.createDirectories(tmp.resolve("seed"));
        Path leechDir = Files.createDirectories(tmp.resolve("leech"));
        String name = "payload.bin";
        Files.write(seedDir.resolve(name), payload);

        AnnounceService service = new AnnounceService(POLICY, new SwarmStore(InstantSource.system()));
        try (TrackerServer tracker = TrackerServer.start(ServerOptions.loopback(pair.trackerHost()), service)) {
            InetSocketAddress address = Objects.requireNonNull(
                    pair.transport == Transport.UDP ? tracker.udpAddress() : tracker.httpAddress());
            // libtorrent announces to a loopback tracker only when the path is exactly /announce
            String host = pair.ipv6 ? "[::1]" : "127.0.0.1";
            String url = pair.transport.name().toLowerCase() + "://" + host + ":" + address.getPort() + "/announce";
            PrivateTorrent torrent = PrivateTorrent.write(tmp.resolve("payload.torrent"), url, name, payload);
            String seederBind = pair.ipv6 ? "::1" : pair.seeder.ipv4;
            String leecherBind = pair.ipv6 ? "::1" : pair.leecher.ipv4;

            SwarmScrape swarm = new SwarmScrape(service, torrent.infoHash());
            try (PeerClient seeder = pair.seeder.create(seederBind, logDir.resolve("seeder"));
                    PeerClient leecher = pair.leecher.create(leecherBind, logDir.resolve("leecher"))) {
                Supplier<String> diagnostics = () -> pair + ", tracker " + url + "\n" + swarm + "\ncounters: "
                        + counters(tracker) + "\n" + seeder.diagnostics() + "\n" + leecher.diagnostics();
                long start = System.nanoTime();

                // The side that ignores loopback peers from a tracker announces first and is dialled.
                // Either way the tracker must have seen the seeder: nothing else can introduce them.
                // (While the leecher has not finished, the seeder is the only peer that can be one.)
                if (leecher.mustBeDialled()) {
                    leecher.leech(torrent, leechDir);
                    assertThat(swarm.await(c -> c.leechers() >= 1, ANNOUNCE_TIMEOUT))
                            .as(() -> "leecher in the swarm\n" + diagnostics.get())
                            .isTrue();
                    seeder.seed(torrent, seedDir);
                } else {
                    seeder.seed(torrent, seedDir);
                }
                assertThat(swarm.await(c -> c.seeders() >= 1, ANNOUNCE_TIMEOUT))
                        .as(() -> "seeder in the swarm\n" + diagnostics.get())
                        .isTrue();
                if (!leecher.mustBeDialled()) {
                    leecher.leech(torrent, leechDir);
                }
                long bothStarted = System.nanoTime();

                assertThat(leecher.awaitDownloaded(DOWNLOAD_TIMEOUT))
                        .as(() -> "download complete within " + DOWNLOAD_TIMEOUT + "\n" + diagnostics.get())
                        .isTrue();
                long downloaded = System.nanoTime();
                Path got = leechDir.resolve(name);
                assertThat(Files.exists(got))
                        .as(() -> got + " exists\n" + diagnostics.get())
                        .isTrue();
                assertThat(sha1(Files.readAllBytes(got)))
                        .as(() -> "SHA-1 of the downloaded file\n" + diagnostics.get())
                        .isEqualTo(sha1(payload));

                // "completed" counts only from a peer the swarm holds as a leecher: the tracker saw
                // the leecher arrive and finish.
                assertThat(swarm.await(c -> c.downloaded() == 1, COMPLETED_TIMEOUT))
                        .as(() -> "one completed download counted\n" + diagnostics.get())
                        .isTrue();
                var c = tracker.counters();
                if (pair.transport == Transport.UDP) {
                    assertThat(c.udpAnnounces.sum()).as(diagnostics).isGreaterThanOrEqualTo(2);
                    assertThat(c.httpAnnounces.sum()).as(diagnostics).isZero();
                } else {
                    assertThat(c.httpAnnounces.sum()).as(diagnostics).isGreaterThanOrEqualTo(2);
                    assertThat(c.udpAnnounces.sum()).as(diagnostics).isZero();
                }
                // nothing a real client sent was refused or dropped
                assertThat(c.failures.sum()).as(diagnostics).isZero();
                assertThat(c.httpErrors.sum()).as(diagnostics).isZero();
                assertThat(c.udpBadConnectionIds.sum()).as(diagnostics).isZero();
                assertThat(c.udpDropped.sum()).as(diagnostics).isZero();
                assertThat(c.unexpectedErrors.sum()).as(diagnostics).isZero();

                String timing = String.format(
                        "%s: second client started after %.1f s, download took %.1f s, %s, counters: %s%n",
                        pair, (bothStarted - start) / 1e9, (downloaded - bothStarted) / 1e9, swarm, counters(tracker));
                System.out.print(timing);
                Files.writeString(logDir.resolve("summary.txt"), timing, StandardCharsets.UTF_8);
            }
        }
    }

    private static String counters(TrackerServer tracker) {
        var c = tracker.counters();
        return "http announces=" + c.httpAnnounces.sum() + " scrapes=" + c.httpScrapes.sum() + " errors="
                + c.httpErrors.sum() + "; udp connects=" + c.udpConnects.sum() + " announces="
                + c.udpAnnounces.sum() + " scrapes=" + c.udpScrapes.sum() + " bad-ids="
                + c.udpBadConnectionIds.sum() + " dropped=" + c.udpDropped.sum() + "; failures=" + c.failures.sum()
                + " unexpected="
                + c.unexpectedErrors.sum();
    }

    static String sha1(byte[] bytes) {
        return HexFormat.of().formatHex(PrivateTorrent.sha1().digest(bytes));
    }

    private static Path freshLogDir(Pair pair) throws IOException {
        return freshLogDir(pair.name().toLowerCase());
    }

    /** {@code target/interop-logs/<name>/}, emptied of an earlier run's logs. */
    static Path freshLogDir(String name) throws IOException {
        Path dir = LOGS.resolve(name);
        if (Files.exists(dir)) {
            try (Stream<Path> old = Files.walk(dir)) {
                for (Path p : old.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
        return Files.createDirectories(dir);
    }

    private static boolean ipv6LoopbackWorks() {
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(InetAddress.getByName("::1"), 0))) {
            return s.getLocalPort() > 0;
        } catch (IOException e) {
            return false;
        }
    }
}
