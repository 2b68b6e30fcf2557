package org.retracker.it;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.retracker.core.TrackerPolicy;

/** How many peers a reply carries: {@code numwant} against the policy's default and maximum. */
class NumwantTest extends LoopbackTrackerTest {
    private static final byte[] HASH = Ids.infoHash(4);

    /** Announces {@code count} leechers on ports 10000.. over one keep-alive connection. */
    private static void populate(TestTracker t, int count) {
        try (HttpConnection c = t.http().connect()) {
            for (int i = 0; i < count; i++) {
                HttpReply r = c.get(Announce.peer(HASH, 10000 + i).httpTarget());
                assertThat(r.failureReason()).isNull();
            }
        }
    }

    @Test
    void withoutNumwantTheReplyCarriesTheDefaultOf50() {
        TestTracker t = start(Loopback.V4);
        populate(t, 60);

        HttpAnnounceReply reply = t.http().announce(Announce.peer(HASH, 6881));

        assertThat(TrackerPolicy.defaults().numwantDefault()).isEqualTo(50);
        assertThat(reply.compactPeers()).hasSize(50).doesNotHaveDuplicates();
        assertThat(reply.incomplete()).isEqualTo(61);
    }

    @Test
    void numwantAboveTheMaximumIsClamped() {
        TrackerPolicy policy = new TrackerPolicy(1800, 900, 5, 20, 3600, 74);
        TestTracker t = start(TestTracker.on(Loopback.V4).policy(policy));
        populate(t, 30);

        HttpAnnounceReply asked100 = t.http().announce(Announce.peer(HASH, 6881).numWant(100));
        HttpAnnounceReply askedNothing = t.http().announce(Announce.peer(HASH, 6882));
        HttpAnnounceReply asked12 = t.http().announce(Announce.peer(HASH, 6883).numWant(12));

        assertThat(asked100.compactPeers()).hasSize(20).doesNotHaveDuplicates();
        assertThat(askedNothing.compactPeers()).hasSize(5);
        assertThat(asked12.compactPeers()).hasSize(12);
    }

    @Test
    void numwantZeroGetsNoPeersButStillCounts() {
        TestTracker t = start(Loopback.V4);
        populate(t, 3);

        HttpAnnounceReply reply = t.http().announce(Announce.peer(HASH, 6881).numWant(0));

        assertThat(reply.compactPeers()).isEmpty();
        assertThat(reply.incomplete()).isEqualTo(4);
    }

    @Test
    void numwantThatIsNotANumberIsRefused() {
        HttpTrackerClient http = start(Loopback.V4).http();

        String reason = http.announceFailure(Announce.peer(HASH, 6881).numWant("lots"));

        assertThat(reason).contains("numwant");
        assertThat(http.scrapeOne(HASH).leechers())
                .as("a refused announce adds no peer")
                .isZero();
    }
}
