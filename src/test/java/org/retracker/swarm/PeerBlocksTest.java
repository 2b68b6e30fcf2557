package org.retracker.swarm;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PeerBlocksTest {
    private final PeerBlocks blocks = new PeerBlocks();

    @Test
    void sizeClassesAreTheGrowthStepsUpToOneChunk() {
        int[] c = PeerBlocks.CLASSES;
        assertThat(c).startsWith(1, 2, 3, 4, 5, 6, 7, 8, 10, 12, 15);
        assertThat(c[c.length - 1]).isEqualTo(PeerBlocks.MAX_SMALL_CAPACITY);
        for (int i = 1; i < c.length; i++) {
            assertThat(c[i]).isGreaterThan(c[i - 1]);
            assertThat(PeerBlocks.classOf(c[i])).isEqualTo(i);
            assertThat(PeerBlocks.classOf(c[i - 1] + 1)).isEqualTo(i);
        }
    }

    @Test
    void aBlockHoldsKeysCodesAndAboveTheThresholdItsIndex() {
        assertThat(PeerBlocks.blockLength(1, 10)).isEqualTo(10 + 3);
        assertThat(PeerBlocks.blockLength(3, 10)).isEqualTo(30 + 3);
        int cap = 22; // above PeerTable.INDEX_THRESHOLD: 30 index entries, 15 longs
        assertThat(PeerBlocks.blockLength(1, cap)).isEqualTo(cap + 6 + (PeerBlocks.indexLength(cap) + 1) / 2);
    }

    @Test
    void aReturnedBlockIsTakenAgainAndCounted() {
        long[] a = blocks.takeBlock(1, 5);
        assertThat(blocks.usedLongs()).isEqualTo(a.length);
        blocks.releaseBlock(1, 5, a);
        assertThat(blocks.usedLongs()).isZero();
        assertThat(blocks.freeLongs()).isEqualTo(a.length);
        assertThat(blocks.takeBlock(1, 5)).isSameAs(a);
        assertThat(blocks.takeBlock(3, 5)).as("another family's class").isNotSameAs(a);
        assertThat(blocks.freeLongs()).isZero();
    }

    @Test
    void indexChunksComeBackZeroed() {
        long[] c = blocks.takeIndexChunk();
        c[7] = -1;
        blocks.releaseIndexChunk(c);
        long[] again = blocks.takeIndexChunk();
        assertThat(again).isSameAs(c);
        assertThat(again).containsOnly(0L);
    }

    @Test
    void freeArraysStayWithinTheirBound() {
        List<long[]> taken = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            taken.add(blocks.takeChunk(1));
        }
        long used = blocks.usedLongs();
        assertThat(used).isEqualTo(1000L * PeerBlocks.chunkLength(1));
        for (long[] c : taken.subList(0, 500)) {
            blocks.releaseChunk(1, c);
        }
        // the bound is taken at each release: at most 1/32 of the peak use (or 32 KiB)
        long bound = Math.max(PeerBlocks.MIN_FREE_LONGS, used / PeerBlocks.FREE_FRACTION);
        assertThat(blocks.freeLongs()).isPositive().isLessThanOrEqualTo(bound);
        assertThat(blocks.usedLongs()).isEqualTo(500L * PeerBlocks.chunkLength(1));
    }
}
