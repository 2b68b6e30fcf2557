package org.retracker.testing;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetric;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;

/**
 * What a test keeps in memory: the Java heap in use after full collections, and the memory
 * Netty's default allocator holds (its buffers are off the heap).
 */
public final class HeapAfterGc {
    /** Collections in a row: the second catches what the first only made unreachable (finalizable, soft). */
    private static final int COLLECTIONS = 3;

    private HeapAfterGc() {}

    /** Heap bytes in use after {@link #COLLECTIONS} full collections. */
    public static long used() {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        long used = Long.MAX_VALUE;
        for (int i = 0; i < COLLECTIONS; i++) {
            System.gc();
            used = Math.min(used, memory.getHeapMemoryUsage().getUsed());
        }
        return used;
    }

    /** Direct and heap memory held by Netty's default allocator, in bytes. */
    public static long nettyAllocated() {
        if (!(ByteBufAllocator.DEFAULT instanceof ByteBufAllocatorMetricProvider provider)) {
            throw new IllegalStateException("no metrics from " + ByteBufAllocator.DEFAULT.getClass());
        }
        ByteBufAllocatorMetric metric = provider.metric();
        return metric.usedDirectMemory() + metric.usedHeapMemory();
    }
}
