package org.retracker.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.retracker.core.TrackerPolicy;

/** Peers that stop announcing are dropped once they are older than the lifetime (fake clock). */
class ExpiryTest extends LoopbackTrackerTest {
    private static final byte[] HASH = Ids.infoHash(50);
    private static final TrackerPolicy POLICY = new TrackerPolicy(1800, 900, 50, 200, 3600, 74);

    @Test
    void peersPastTheirLifetimeAreRemovedWithTheirSwarm() {
        TestTracker t = start(TestTracker.on(Loopback.V4).policy(POLICY));
        HttpTrackerClient http = t.http();
        http.announce(Announce.peer(HASH, 7001));
        try (UdpTrackerClient udp = t.udpClient()) {
            udp.announce(udp.connect(), Announce.peer(HASH, 7002).seeder());
        }
        assertThat(t.store().swarmCount()).isEqualTo(1);

        t.clock().advance(Duration.ofSeconds(3601));
        long removed = t.service().expirePeers();

        assertThat(removed).isEqualTo(2);
        assertThat(http.scrapeOne(HASH)).isEqualTo(new ScrapeCounts(0, 0, 0));
        assertThat(t.store().swarmCount()).isZero();
        assertThat(t.store().peerCount()).isZero();
    }

    @Test
    void aPeerThatAnnouncedAgainSurvivesTheOneThatDidNot() {
        TestTracker t = start(TestTracker.on(Loopback.V4).policy(POLICY));
        HttpTrackerClient http = t.http();
        http.announce(Announce.peer(HASH, 7001));
        http.announce(Announce.peer(HASH, 7002));

        t.clock().advance(Duration.ofSeconds(2000));
        http.announce(Announce.peer(HASH, 7002));
        t.clock().advance(Duration.ofSeconds(2000));
        long removed = t.service().expirePeers();

        assertThat(removed).isEqualTo(1);
        assertThat(http.scrapeOne(HASH).leechers()).isEqualTo(1);
        assertThat(http.announce(Announce.peer(HASH, 7003)).compactPeers())
                .containsExactly(Loopback.socket(Loopback.V4, 7002));
        assertThat(t.store().swarmCount()).isEqualTo(1);
    }

    @Test
    void nothingExpiresWithinTheLifetime() {
        TestTracker t = start(TestTracker.on(Loopback.V4).policy(POLICY));
        t.http().announce(Announce.peer(HASH, 7001));

        t.clock().advance(Duration.ofSeconds(3599));

        assertThat(t.service().expirePeers()).isZero();
        assertThat(t.store().peerCount()).isEqualTo(1);
    }
}
