package org.retracker.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Eight clients at once, half over HTTP keep-alive and half over UDP, on a server with two event
 * loops (and so, with epoll, two UDP sockets on the port): afterwards every count agrees.
 */
class ConcurrencyTest extends LoopbackTrackerTest {
    private static final int THREADS = 8;
    private static final int ANNOUNCES = 300;
    private static final int SWARMS = 3;

    @Test
    void concurrentHttpAndUdpAnnouncesLeaveConsistentCounts() throws Exception {
        TestTracker t = start(TestTracker.on(Loopback.V4).ioThreads(2));
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<?>> done = new ArrayList<>();
        try {
            for (int thread = 0; thread < THREADS; thread++) {
                int base = 10_000 + thread * ANNOUNCES;
                boolean overUdp = thread % 2 == 1;
                done.add(pool.submit(() -> {
                    go.await();
                    if (overUdp) {
                        announceOverUdp(t, base);
                    } else {
                        announceOverHttp(t, base);
                    }
                    return null;
                }));
            }
            go.countDown();
            for (Future<?> f : done) {
                f.get(20, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }

        int total = THREADS * ANNOUNCES;
        assertThat(t.store().peerCount()).isEqualTo(total);
        assertThat(t.store().swarmCount()).isEqualTo(SWARMS);
        assertThat(t.server().counters().httpAnnounces.sum()).isEqualTo(total / 2);
        assertThat(t.server().counters().udpAnnounces.sum()).isEqualTo(total / 2);
        int seeders = 0;
        int leechers = 0;
        for (int s = 0; s < SWARMS; s++) {
            ScrapeCounts c = t.http().scrapeOne(Ids.infoHash(s));
            seeders += c.seeders();
            leechers += c.leechers();
        }
        assertThat(seeders + leechers).isEqualTo(total);
        assertThat(seeders).isEqualTo(total / 4); // every fourth port is a seeder
    }

    /** Peer {@code i} of a thread: its swarm, and whether it is a seeder, follow from its port. */
    private static Announce peer(int port) {
        Announce a = Announce.peer(Ids.infoHash(port % SWARMS), port).numWant(5);
        return port % 4 == 0 ? a.seeder() : a;
    }

    private static void announceOverHttp(TestTracker t, int base) {
        try (HttpConnection c = t.http().connect()) {
            for (int i = 0; i < ANNOUNCES; i++) {
                HttpReply r = c.get(peer(base + i).httpTarget());
                assertThat(r.failureReason()).isNull();
                assertThat(new HttpAnnounceReply(r.dict()).compactPeers()).hasSizeLessThanOrEqualTo(5);
            }
        }
    }

    private static void announceOverUdp(TestTracker t, int base) {
        try (UdpTrackerClient udp = t.udpClient()) {
            long id = udp.connect();
            for (int i = 0; i < ANNOUNCES; i++) {
                assertThat(udp.announce(id, peer(base + i)).peers()).hasSizeLessThanOrEqualTo(5);
            }
        }
    }
}
