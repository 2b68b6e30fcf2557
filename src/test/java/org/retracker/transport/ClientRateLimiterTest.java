package org.retracker.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.retracker.protocol.AnnounceRequest;

/**
 * The per-address token buckets on a fake clock: the burst, the refill, refusals that cost nothing,
 * keys (IPv4 whole, IPv6 by /64), the table under a flood of addresses, the 40-bit clock, and
 * several threads on one bucket.
 */
@Timeout(10)
class ClientRateLimiterTest {
    private static final long SECOND = 1_000_000_000L;

    /** A monotonic clock the test moves. */
    private final AtomicLong nanos = new AtomicLong(123_456_789L);

    private ClientRateLimiter limiter(int ratePerSecond, int burst) {
        return new ClientRateLimiter(ratePerSecond, burst, nanos::get);
    }

    /** How many of {@code n} requests from {@code address} get through, with the clock standing. */
    private static int admitted(ClientRateLimiter l, String address, int n) {
        byte[] a = bytes(address);
        int ok = 0;
        for (int i = 0; i < n; i++) {
            if (l.tryAcquire(a, a.length)) {
                ok++;
            }
        }
        return ok;
    }

    private static byte[] bytes(String literal) {
        try {
            byte[] out = new byte[16];
            int length = AnnounceRequest.copyAddress(InetAddress.getByName(literal), out);
            byte[] a = new byte[length];
            System.arraycopy(out, 0, a, 0, length);
            return a;
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(literal, e);
        }
    }

    @Test
    void aQuietClientGetsItsBurstAndThenOneRequestPerInterval() {
        ClientRateLimiter l = limiter(10, 5);

        assertThat(admitted(l, "192.0.2.1", 8)).as("the burst, then nothing").isEqualTo(5);

        nanos.addAndGet(SECOND / 10); // one interval: one token
        assertThat(admitted(l, "192.0.2.1", 3)).isEqualTo(1);

        nanos.addAndGet(SECOND / 10 * 3); // three intervals: three tokens
        assertThat(admitted(l, "192.0.2.1", 5)).isEqualTo(3);
    }

    @Test
    void refusedRequestsCostNothing() {
        ClientRateLimiter l = limiter(10, 2);
        assertThat(admitted(l, "192.0.2.1", 2)).isEqualTo(2);

        assertThat(admitted(l, "192.0.2.1", 1000)).as("hammering while empty").isZero();
        nanos.addAndGet(SECOND / 10);

        assertThat(admitted(l, "192.0.2.1", 2))
                .as("the refill is not pushed back")
                .isEqualTo(1);
    }

    @Test
    void theBucketRefillsToTheBurstAndNoFurther() {
        ClientRateLimiter l = limiter(10, 3);
        assertThat(admitted(l, "192.0.2.1", 3)).isEqualTo(3);

        nanos.addAndGet(3600 * SECOND);

        assertThat(admitted(l, "192.0.2.1", 10)).isEqualTo(3);
    }

    @Test
    void addressesHaveBucketsOfTheirOwn() {
        ClientRateLimiter l = limiter(1, 2);
        assertThat(admitted(l, "192.0.2.1", 5)).isEqualTo(2);

        assertThat(admitted(l, "192.0.2.2", 5)).isEqualTo(2);
        assertThat(admitted(l, "2001:db8::1", 5)).isEqualTo(2);
    }

    @Test
    void ipv6AddressesAreKeyedByTheirSlash64() {
        ClientRateLimiter l = limiter(1, 2);
        assertThat(admitted(l, "2001:db8:0:1::1", 1)).isEqualTo(1);

        assertThat(admitted(l, "2001:db8:0:1:ffff:ffff:ffff:ffff", 5))
                .as("the same /64: one bucket")
                .isEqualTo(1);
        assertThat(admitted(l, "2001:db8:0:2::1", 5)).as("the next /64").isEqualTo(2);
    }

    @Test
    void anIpv4AddressAndAnIpv6PrefixWithTheSameBytesAreDifferentClients() {
        ClientRateLimiter l = limiter(1, 1);
        assertThat(admitted(l, "192.0.2.1", 1)).isEqualTo(1);

        assertThat(admitted(l, "c000:201::1", 1)).isEqualTo(1);
    }

    @Test
    void anAddressOfNoIpFamilyIsNotLimited() {
        ClientRateLimiter l = limiter(1, 1);
        byte[] none = new byte[16];
        for (int i = 0; i < 10; i++) {
            assertThat(l.tryAcquire(none, 0)).isTrue();
        }
    }

    /**
     * An attacker cycling through 200,000 addresses, faster than the table holds them, can push a
     * client's entry out, which gives it a full bucket again, but never leaves it with less than its
     * own requests left it.
     */
    @Test
    void aFloodOfOtherAddressesNeverLeavesAClientWithFewerTokens() {
        ClientRateLimiter l = limiter(1, 5);
        assertThat(admitted(l, "198.51.100.7", 3)).isEqualTo(3);

        byte[] a = new byte[4];
        for (int i = 0; i < 200_000; i++) {
            a[0] = 10;
            a[1] = (byte) (i >>> 16);
            a[2] = (byte) (i >>> 8);
            a[3] = (byte) i;
            l.tryAcquire(a, 4);
        }

        assertThat(admitted(l, "198.51.100.7", 10)).isBetween(2, 5);
    }

    /**
     * A flood of fresh addresses, each a little in debt, replaces the least indebted entries first:
     * an address that has emptied its bucket stays limited.
     */
    @Test
    void anEmptiedBucketSurvivesAFloodOfAddressesThatAskOnce() {
        ClientRateLimiter l = limiter(1, 5);
        assertThat(admitted(l, "198.51.100.7", 5)).isEqualTo(5);

        byte[] a = new byte[4];
        for (int i = 0; i < 200_000; i++) {
            a[0] = 10;
            a[1] = (byte) (i >>> 16);
            a[2] = (byte) (i >>> 8);
            a[3] = (byte) i;
            l.tryAcquire(a, 4);
        }

        assertThat(admitted(l, "198.51.100.7", 1)).isZero();
    }

    @Test
    void aBucketUntouchedForLongerThanHalfTheClockWrapIsFull() {
        ClientRateLimiter l = limiter(1, 2);
        assertThat(admitted(l, "192.0.2.1", 2)).isEqualTo(2);

        // 500 days: past the signed half of the 40-bit tick clock (397 days)
        nanos.addAndGet(500L * 24 * 3600 * SECOND);

        assertThat(admitted(l, "192.0.2.1", 5)).isEqualTo(2);
    }

    @Test
    void threadsSharingOneBucketGetExactlyTheBurst() throws Exception {
        ClientRateLimiter l = limiter(1, 1000);
        byte[] a = bytes("192.0.2.1");
        AtomicInteger ok = new AtomicInteger();
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            Thread th = new Thread(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                for (int i = 0; i < 2000; i++) {
                    if (l.tryAcquire(a, 4)) {
                        ok.incrementAndGet();
                    }
                }
            });
            th.start();
            threads.add(th);
        }
        start.countDown();
        for (Thread th : threads) {
            th.join(TimeUnit.SECONDS.toMillis(5));
        }

        assertThat(ok.get()).isEqualTo(1000);
    }

    @Test
    void takingATokenAllocatesNothing() {
        ClientRateLimiter l = limiter(1, 10);
        byte[] v4 = bytes("192.0.2.1");
        byte[] v6 = bytes("2001:db8::1");
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        long id = Thread.currentThread().threadId();
        int admitted = 0;
        for (int i = 0; i < 100_000; i++) { // warm up: compile tryAcquire
            admitted += l.tryAcquire(v4, 4) ? 1 : 0;
            admitted += l.tryAcquire(v6, 16) ? 1 : 0;
        }
        long before = threads.getThreadAllocatedBytes(id);
        for (int i = 0; i < 100_000; i++) {
            admitted += l.tryAcquire(v4, 4) ? 1 : 0;
            admitted += l.tryAcquire(v6, 16) ? 1 : 0;
        }
        long allocated = threads.getThreadAllocatedBytes(id) - before;

        assertThat(admitted).as("the clock stands: two bursts in all").isEqualTo(20);
        assertThat(allocated).as("bytes allocated by 200000 calls").isLessThan(1024);
    }

    @Test
    void ratesAndBurstsOutsideTheLimitsAreRefused() {
        assertThatThrownBy(() -> limiter(0, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> limiter(ClientLimits.MAX_RATE_PER_SECOND + 1, 1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> limiter(1, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> limiter(1, ClientLimits.MAX_BURST + 1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theHighestRateAndBurstWork() {
        ClientRateLimiter l = limiter(ClientLimits.MAX_RATE_PER_SECOND, ClientLimits.MAX_BURST);
        assertThat(admitted(l, "192.0.2.1", ClientLimits.MAX_BURST + 10)).isEqualTo(ClientLimits.MAX_BURST);

        nanos.addAndGet(SECOND);

        assertThat(admitted(l, "192.0.2.1", 2000)).isEqualTo(ClientLimits.MAX_RATE_PER_SECOND);
    }

    @Test
    void noRateMeansNoLimiter() {
        assertThat(ClientRateLimiter.of(ClientLimits.NONE)).isNull();
        assertThat(ClientRateLimiter.of(new ClientLimits(5, 10, 0))).isNotNull();
    }
}
