package org.retracker.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import org.junit.jupiter.api.Test;

/** The leak check itself: a buffer dropped unreleased must be reported, or the check proves nothing. */
class NettyLeakCheckTest {
    @Test
    void anUnreleasedBufferIsReported() throws InterruptedException {
        assertThat(ResourceLeakDetector.getLevel())
                .as("surefire's -Dio.netty.leakDetection.level")
                .isEqualTo(ResourceLeakDetector.Level.PARANOID);
        int before = NettyLeakCheck.reportCount();
        leakOneBuffer();
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (NettyLeakCheck.reportCount() == before && System.nanoTime() < deadline) {
            NettyLeakCheck.collectGarbageAndProbe();
        }
        assertThat(NettyLeakCheck.reportsSince(before))
                .as("reports of the deliberately leaked buffer")
                .isNotEmpty()
                .allSatisfy(r -> assertThat(r).contains("LEAK:"));
    }

    private static void leakOneBuffer() {
        ByteBufAllocator.DEFAULT.directBuffer(64).writeLong(42); // never released, on purpose
    }
}
