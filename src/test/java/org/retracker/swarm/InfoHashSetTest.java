package org.retracker.swarm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class InfoHashSetTest {
    @Test
    void containsWhatWasAddedAndNothingElse() {
        InfoHashSet.Builder b = new InfoHashSet.Builder();
        b.add(hash(1), 0);
        b.add(hash(2), 0);
        InfoHashSet set = b.build();

        assertThat(set.size()).isEqualTo(2);
        assertThat(set.contains(hash(1), 0)).isTrue();
        assertThat(set.contains(hash(2), 0)).isTrue();
        assertThat(set.contains(hash(3), 0)).isFalse();
    }

    @Test
    void theEmptySetContainsNothing() {
        assertThat(InfoHashSet.EMPTY.size()).isZero();
        assertThat(InfoHashSet.EMPTY.contains(new byte[20], 0)).isFalse();
        assertThat(InfoHashSet.EMPTY.contains(hash(1), 0)).isFalse();
    }

    @Test
    void twentyZeroBytesAreAKeyLikeAnyOther() {
        InfoHashSet.Builder b = new InfoHashSet.Builder();
        b.add(new byte[20], 0);
        InfoHashSet set = b.build();

        assertThat(set.size()).isEqualTo(1);
        assertThat(set.contains(new byte[20], 0)).isTrue();
        assertThat(set.contains(hash(0), 0)).isTrue();
        assertThat(set.contains(hash(1), 0)).isFalse();
    }

    @Test
    void hashesDifferingOnlyInTheirLastByteAreTwoKeys() {
        byte[] a = HexFormat.of().parseHex("ffffffffffffffffffffffffffffffffffffff00");
        byte[] b = HexFormat.of().parseHex("ffffffffffffffffffffffffffffffffffffff01");
        InfoHashSet.Builder builder = new InfoHashSet.Builder();
        builder.add(a, 0);
        InfoHashSet set = builder.build();

        assertThat(set.contains(a, 0)).isTrue();
        assertThat(set.contains(b, 0)).isFalse();
    }

    @Test
    void aDuplicateCountsOnce() {
        InfoHashSet.Builder b = new InfoHashSet.Builder();

        assertThat(b.add(hash(7), 0)).isTrue();
        assertThat(b.add(hash(7), 0)).isFalse();
        assertThat(b.contains(hash(7), 0)).isTrue();
        assertThat(b.build().size()).isEqualTo(1);
    }

    @Test
    void readsTheHashAtAnOffsetAndNothingAroundIt() {
        byte[] padded = new byte[45];
        System.arraycopy(hash(9), 0, padded, 13, 20);
        padded[12] = 0x55;
        padded[33] = 0x55;
        InfoHashSet.Builder b = new InfoHashSet.Builder();
        b.add(padded, 13);
        InfoHashSet set = b.build();

        assertThat(set.contains(hash(9), 0)).isTrue();
        assertThat(set.contains(padded, 13)).isTrue();
        assertThat(set.contains(padded, 12)).isFalse();
    }

    @Test
    void agreesWithAHashSetAndKeepsTheLoadAtMostHalf() {
        Random random = new Random(42);
        Set<String> model = new HashSet<>();
        InfoHashSet.Builder b = new InfoHashSet.Builder();
        byte[] h = new byte[20];
        for (int i = 0; i < 20_000; i++) {
            random.nextBytes(h);
            if (i % 10 == 0) {
                h[0] = 1; // some duplicates among the first bytes' neighbours
            }
            assertThat(b.add(h, 0)).isEqualTo(model.add(HexFormat.of().formatHex(h)));
        }
        InfoHashSet set = b.build();

        assertThat(set.size()).isEqualTo(model.size());
        assertThat(set.capacity()).isGreaterThanOrEqualTo(2 * set.size());
        for (String hex : model) {
            assertThat(set.contains(HexFormat.of().parseHex(hex), 0)).isTrue();
        }
        for (int i = 0; i < 20_000; i++) {
            random.nextBytes(h);
            assertThat(set.contains(h, 0))
                    .isEqualTo(model.contains(HexFormat.of().formatHex(h)));
        }
    }

    @Test
    void holdsAtMostMaxSizeHashesButTakesDuplicatesWhenFull() {
        InfoHashSet.Builder b = new InfoHashSet.Builder();
        for (int i = 0; i < InfoHashSet.MAX_SIZE; i++) {
            b.add(hash(i), 0);
        }

        assertThat(b.add(hash(0), 0)).isFalse();
        assertThatThrownBy(() -> b.add(hash(InfoHashSet.MAX_SIZE), 0))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("more than " + InfoHashSet.MAX_SIZE);
        InfoHashSet set = b.build();
        assertThat(set.size()).isEqualTo(InfoHashSet.MAX_SIZE);
        assertThat(set.capacity()).isEqualTo(2 * InfoHashSet.MAX_SIZE);
        assertThat(set.contains(hash(InfoHashSet.MAX_SIZE - 1), 0)).isTrue();
    }

    @Test
    void aBuilderBuildsOnce() {
        InfoHashSet.Builder b = new InfoHashSet.Builder();
        b.build();

        assertThatThrownBy(b::build).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> b.add(hash(1), 0)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aLookupAllocatesNothing() {
        InfoHashSet.Builder b = new InfoHashSet.Builder();
        for (int i = 0; i < 1000; i++) {
            b.add(hash(i), 0);
        }
        InfoHashSet set = b.build();
        byte[] hit = hash(500);
        byte[] miss = hash(5000);
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        long id = Thread.currentThread().threadId();
        int found = 0;
        for (int i = 0; i < 100_000; i++) { // warm up: compile contains
            found += set.contains(hit, 0) ? 1 : 0;
            found += set.contains(miss, 0) ? 1 : 0;
        }
        long before = threads.getThreadAllocatedBytes(id);
        for (int i = 0; i < 100_000; i++) {
            found += set.contains(hit, 0) ? 1 : 0;
            found += set.contains(miss, 0) ? 1 : 0;
        }
        long allocated = threads.getThreadAllocatedBytes(id) - before;

        assertThat(found).isEqualTo(200_000);
        assertThat(allocated).as("bytes allocated by 200000 lookups").isLessThan(1024);
    }

    /** Twelve zero bytes, then {@code n} big-endian in the last eight: distinct per {@code n}. */
    private static byte[] hash(long n) {
        return ByteBuffer.allocate(20).putInt(0).putLong(0).putLong(n).array();
    }
}
