package org.retracker.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.retracker.core.TrackerPolicy;

/** {@code GET /scrape} (BEP 48). */
class HttpScrapeTest extends LoopbackTrackerTest {
    private static final byte[] A = Ids.infoHash(10);
    private static final byte[] B = Ids.infoHash(11);
    private static final byte[] UNKNOWN = Ids.infoHash(12);

    @Test
    void scrapeOfSeveralHashesCountsEachSwarm() {
        HttpTrackerClient http = start(Loopback.V4).http();
        http.announce(Announce.peer(A, 7001).seeder());
        http.announce(Announce.peer(A, 7002).seeder());
        http.announce(Announce.peer(A, 7003));
        http.announce(Announce.peer(B, 7001));

        Map<String, ScrapeCounts> files = http.scrape(A, B, UNKNOWN);

        assertThat(files)
                .containsOnlyKeys(Bdecode.key(A), Bdecode.key(B), Bdecode.key(UNKNOWN))
                .containsEntry(Bdecode.key(A), new ScrapeCounts(2, 0, 1))
                .containsEntry(Bdecode.key(B), new ScrapeCounts(0, 0, 1))
                .containsEntry(Bdecode.key(UNKNOWN), new ScrapeCounts(0, 0, 0));
    }

    @Test
    void completedFromAKnownLeecherCountsOneDownloadOnce() {
        HttpTrackerClient http = start(Loopback.V4).http();
        http.announce(Announce.peer(A, 7001).event("started"));

        http.announce(Announce.peer(A, 7001).seeder().event("completed"));
        http.announce(Announce.peer(A, 7001).seeder().event("completed"));

        assertThat(http.scrapeOne(A)).isEqualTo(new ScrapeCounts(1, 1, 0));
    }

    @Test
    void completedFromAStrangerCountsNoDownload() {
        HttpTrackerClient http = start(Loopback.V4).http();
        http.announce(Announce.peer(A, 7001));

        http.announce(Announce.peer(A, 7002).seeder().event("completed"));

        assertThat(http.scrapeOne(A)).isEqualTo(new ScrapeCounts(1, 0, 1));
    }

    @Test
    void repeatedCompletedFromALeecherThatStillHasBytesLeftCountsNoDownload() {
        HttpTrackerClient http = start(Loopback.V4).http();
        http.announce(Announce.peer(A, 7001).event("started"));

        for (int i = 0; i < 3; i++) {
            http.announce(Announce.peer(A, 7001).left(500).event("completed"));
        }

        assertThat(http.scrapeOne(A).downloaded()).isZero();
    }

    @Test
    void moreHashesThanTheLimitAreRefused() {
        TrackerPolicy policy = new TrackerPolicy(1800, 900, 50, 200, 3600, 3);
        HttpTrackerClient http =
                start(TestTracker.on(Loopback.V4).policy(policy)).http();

        Map<String, ScrapeCounts> three = http.scrape(Ids.infoHash(1), Ids.infoHash(2), Ids.infoHash(3));
        String reason = HttpTrackerClient.failure(http.get(
                HttpTrackerClient.scrapeTarget(Ids.infoHash(1), Ids.infoHash(2), Ids.infoHash(3), Ids.infoHash(4))));

        assertThat(three).hasSize(3);
        assertThat(reason).contains("too many info_hash");
    }

    @Test
    void scrapeWithoutAHashIsRefused() {
        HttpTrackerClient http = start(Loopback.V4).http();

        String reason = HttpTrackerClient.failure(http.get("/scrape"));
        String shortHash = HttpTrackerClient.failure(http.get("/scrape?info_hash=abc"));

        assertThat(reason).contains("missing info_hash");
        assertThat(shortHash).contains("info_hash must be 20 bytes");
    }
}
