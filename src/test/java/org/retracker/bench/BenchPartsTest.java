package org.retracker.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The load generator's parts that need no socket: workload identities, histogram, parsing. */
class BenchPartsTest {
    @Test
    void everyPeerHasItsOwnSourceAndPortWithinTheLanesItNeeds() {
        int lanes = 16;
        int peers = 1_000_000;
        Workload w = Workload.generate(1, 100_000, peers, 1.1, lanes);
        Set<Long> seen = new HashSet<>();
        for (int lane = 0; lane < lanes; lane++) {
            byte[] source = w.source(lane).getAddress().getAddress();
            for (int k = 0; k < w.peersIn(lane); k++) {
                int peer = w.peer(lane, k);
                int port = w.port(peer);
                assertThat(port).isBetween(1, 65535);
                assertThat(seen.add(((long) (source[3] & 0xff) << 16) | port)).isTrue();
            }
        }
        assertThat(seen).hasSize(peers);
    }

    @Test
    void aPeerIsTheSamePeerOnSixteenSocketsAndOnSixtyFourConnections() {
        Workload udp = Workload.generate(1, 1000, 100_000, 1.1, 16);
        Workload http = Workload.generate(1, 1000, 100_000, 1.1, 64);
        for (int peer = 0; peer < 100_000; peer += 7) {
            assertThat(http.port(peer)).isEqualTo(udp.port(peer));
            assertThat(http.source(peer % 64).getAddress())
                    .isEqualTo(udp.source(peer % 16).getAddress());
            assertThat(http.torrentOf(peer)).isEqualTo(udp.torrentOf(peer));
        }
    }

    @Test
    void tenMillionPeersTakeOneHundredSixtyAddresses() {
        assertThat(Workload.sources(10_000_000, 160)).isEqualTo(160);
        assertThat(Workload.sources(1_000_000, 64)).isEqualTo(16);
        assertThat(Workload.sources(4000, 4)).isEqualTo(4);
    }

    @Test
    void morePeersThanTheLanesHavePortsForAreRefused() {
        assertThatThrownBy(() -> Workload.generate(1, 10, 2 * 65535 + 1, 0, 2))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at least 3");
    }

    @Test
    void zipfPopularityPutsTheMostPeersOnTheFirstTorrents() {
        Workload w = Workload.generate(7, 1000, 100_000, 1.1, 16);
        int[] count = new int[1000];
        for (int p = 0; p < w.peers; p++) {
            count[w.torrentOf(p)]++;
        }
        assertThat(count[0]).isGreaterThan(count[9]).isGreaterThan(count[999]);
        assertThat(count[0]).isGreaterThan(100_000 / 20); // about 1/H(1000, 1.1), some 13 %
    }

    @Test
    void withoutChurnAPeerKeepsItsIdentityThroughStopAndRestart() {
        Workload w = Workload.generate(5, 1000, 1000, 1.1, 4);
        int peer = 17;
        String id = peerId(w, peer);
        int torrent = w.torrentOf(peer);

        assertThat(w.nextEvent(peer, 50)).isEqualTo(Workload.EVENT_STARTED);
        assertThat(w.nextEvent(peer, 0)).isEqualTo(Workload.EVENT_STOPPED); // percent 0: below STOPPED_PERCENT
        assertThat(w.nextEvent(peer, 50)).isEqualTo(Workload.EVENT_STARTED);
        assertThat(peerId(w, peer)).isEqualTo(id);
        assertThat(w.torrentOf(peer)).isEqualTo(torrent);
    }

    @Test
    void churnStopsAPeerOrDropsItSilentlyAndANewPeerTakesItsSlot() {
        Workload w = Workload.generate(5, 1000, 1000, 0, 4, 10);
        int peer = 17;
        String first = peerId(w, peer);
        assertThat(w.nextEvent(peer, 50, 99)).isEqualTo(Workload.EVENT_STARTED);

        // a draw below half of --churn-pct: stopped, by the same identity
        assertThat(w.nextEvent(peer, 50, 4.9)).isEqualTo(Workload.EVENT_STOPPED);
        assertThat(peerId(w, peer)).isEqualTo(first);
        // the slot's next announce is a new peer starting
        assertThat(w.nextEvent(peer, 50, 99)).isEqualTo(Workload.EVENT_STARTED);
        String second = peerId(w, peer);
        assertThat(second).isNotEqualTo(first);

        // a draw in the upper half: the old identity says nothing, a new one starts at once
        assertThat(w.nextEvent(peer, 50, 5.1)).isEqualTo(Workload.EVENT_STARTED);
        String third = peerId(w, peer);
        assertThat(third).isNotIn(first, second);
        assertThat(w.port(peer))
                .isEqualTo(Workload.generate(5, 1000, 1000, 0, 4).port(peer));
    }

    @Test
    void churnedPeersMoveToOtherTorrentsWithTheSamePopularity() {
        Workload w = Workload.generate(9, 100, 10_000, 1.1, 4, 100);
        Set<Integer> torrents = new HashSet<>();
        int[] count = new int[100];
        for (int round = 0; round < 20; round++) {
            assertThat(w.nextEvent(3, 50, 99)).isEqualTo(Workload.EVENT_STARTED);
            torrents.add(w.torrentOf(3));
            assertThat(w.nextEvent(3, 50, 99)).isEqualTo(Workload.EVENT_STARTED); // vanished, replaced
        }
        for (int p = 0; p < 10_000; p++) {
            assertThat(w.nextEvent(p, 50, 99)).isEqualTo(Workload.EVENT_STARTED);
            assertThat(w.nextEvent(p, 50, 99)).isEqualTo(Workload.EVENT_STARTED);
            count[w.torrentOf(p)]++;
        }
        assertThat(torrents.size()).isGreaterThan(3);
        assertThat(count[0]).isGreaterThan(count[9]).isGreaterThan(count[99]);
        assertThatThrownBy(() -> Workload.generate(1, 10, 10, 0, 1, 101))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--churn-pct");
    }

    private static String peerId(Workload w, int peer) {
        io.netty.buffer.ByteBuf out = io.netty.buffer.Unpooled.buffer(20);
        try {
            w.writePeerId(peer, out);
            assertThat(out.readableBytes()).isEqualTo(20);
            return out.toString(java.nio.charset.StandardCharsets.US_ASCII);
        } finally {
            out.release();
        }
    }

    @Test
    void theFirstInfoHashesDoNotDependOnHowManyThereAre() {
        byte[] small = Workload.infoHashes(3, 10);
        byte[] large = Workload.infoHashes(3, 1000);
        assertThat(java.util.Arrays.copyOf(large, small.length)).isEqualTo(small);
    }

    @Test
    void percentilesAreWithinThreePercent() {
        LatencyHistogram h = new LatencyHistogram();
        for (long v = 1; v <= 100_000; v++) {
            h.record(v * 1000);
        }
        assertThat((double) h.percentile(0.5)).isCloseTo(50_000_000, within(50_000_000 * 0.032));
        assertThat((double) h.percentile(0.99)).isCloseTo(99_000_000, within(99_000_000 * 0.032));
        assertThat(h.percentile(1.0)).isEqualTo(100_000_000);
        assertThat(new LatencyHistogram().percentile(0.5)).isZero();
    }

    @Test
    void histogramBucketsCoverEveryValueInOrder() {
        for (long v : new long[] {0, 1, 31, 32, 33, 1000, 123_456_789, Long.MAX_VALUE / 2}) {
            int i = LatencyHistogram.index(v);
            assertThat(LatencyHistogram.upperBound(i)).isGreaterThanOrEqualTo(v);
            if (i > 0) {
                assertThat(LatencyHistogram.upperBound(i - 1)).isLessThan(v);
            }
        }
    }

    @Test
    void cpuTimeIsUserPlusSystemTicksOfProcStat() {
        // comm may hold spaces and parentheses; utime 150 and stime 50 ticks of 10 ms
        String stat = "4242 (java (x) y) S 1 4242 4242 0 -1 4194560 10 0 0 0 150 50 0 0 20 0 30 0 99";

        assertThat(CpuTime.parseStat(stat)).isEqualTo(2_000_000_000L);
        assertThat(CpuTime.parseStat("garbage")).isEqualTo(-1);
        assertThat(CpuTime.of(ProcessHandle.current().pid())).isPositive();
        assertThat(CpuTime.self()).isPositive();
    }

    @Test
    void durationsTakeTheUsualUnits() {
        assertThat(DurationConverter.parse("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(DurationConverter.parse("1.5s")).isEqualTo(Duration.ofMillis(1500));
        assertThat(DurationConverter.parse("2m")).isEqualTo(Duration.ofMinutes(2));
        assertThat(DurationConverter.parse("3")).isEqualTo(Duration.ofSeconds(3));
        assertThatThrownBy(() -> DurationConverter.parse("soon")).hasMessageContaining("not a duration");
    }
}
