package org.retracker.testing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Watches threads while a test runs and records each one seen blocked: waiting for a monitor
 * ({@code BLOCKED}), or waiting or sleeping with a frame of our code on its stack ({@code
 * Thread.sleep}, {@code Future.get}, a lock, ...). The JDK's executors park their idle workers
 * without any of our frames, and Netty's event loops wait in {@code epoll_wait} (a native call,
 * {@code RUNNABLE}), so neither counts.
 *
 * <p>A thread counts once it is seen so in {@link #SAMPLES_TO_COUNT} samples in a row, {@link
 * #PERIOD} apart: a lock held for microseconds by another thread is not a blocked thread; a wait
 * on a network peer (a timeout of a second or more) always is.
 */
public final class BlockedThreads implements AutoCloseable {
    /** Time between samples. */
    public static final Duration PERIOD = Duration.ofMillis(10);
    /** Consecutive blocked samples that make a finding: at least 40 ms blocked. */
    public static final int SAMPLES_TO_COUNT = 5;

    private static final String OUR_CODE = "org.retracker.";

    private final Predicate<String> names;
    private final Thread sampler;
    private final Map<Long, Integer> streaks = new HashMap<>();
    private final List<String> findings = new ArrayList<>();
    private int samples;
    private int watched;
    private volatile boolean stop;

    private BlockedThreads(Predicate<String> names) {
        this.names = names;
        this.sampler = Thread.ofPlatform().daemon().name("blocked-threads").start(this::run);
    }

    /** Starts watching every thread whose name {@code names} accepts. */
    public static BlockedThreads watch(Predicate<String> names) {
        return new BlockedThreads(names);
    }

    /** The threads of the tracker's own work: event loops, forwarding, upstream event loops. */
    public static BlockedThreads watchTrackerThreads() {
        return watch(n ->
                n.startsWith("retracker-io-") || n.equals("retracker-forward") || n.startsWith("retracker-upstream-"));
    }

    private void run() {
        while (!stop) {
            sample();
            try {
                Thread.sleep(PERIOD.toMillis());
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /**
     * One sample. Reads each thread's state, and the stack only of a waiting one: a stack is taken
     * by a handshake with that thread alone, so the sampling never stops the event loops.
     */
    private void sample() {
        List<Thread> alive = platformThreads();
        synchronized (this) {
            samples++;
            int seen = 0;
            for (Thread t : alive) {
                if (!names.test(t.getName())) {
                    continue;
                }
                seen++;
                Thread.State state = t.getState();
                StackTraceElement[] stack = state == Thread.State.WAITING
                                || state == Thread.State.TIMED_WAITING
                                || state == Thread.State.BLOCKED
                        ? t.getStackTrace()
                        : new StackTraceElement[0];
                if (!blocked(state, stack)) {
                    streaks.remove(t.threadId());
                    continue;
                }
                int streak = streaks.merge(t.threadId(), 1, Integer::sum);
                if (streak == SAMPLES_TO_COUNT) {
                    findings.add(describe(t.getName(), state, stack));
                }
            }
            watched = Math.max(watched, seen);
        }
    }

    private static List<Thread> platformThreads() {
        ThreadGroup root = Thread.currentThread().getThreadGroup();
        while (root.getParent() != null) {
            root = root.getParent();
        }
        Thread[] all = new Thread[root.activeCount() * 2 + 16];
        int n = root.enumerate(all, true);
        return Arrays.asList(all).subList(0, n);
    }

    private static boolean blocked(Thread.State state, StackTraceElement[] stack) {
        return switch (state) {
            case BLOCKED -> true;
            case WAITING, TIMED_WAITING -> ours(stack);
            default -> false;
        };
    }

    private static boolean ours(StackTraceElement[] stack) {
        for (StackTraceElement e : stack) {
            if (e.getClassName().startsWith(OUR_CODE)) {
                return true;
            }
        }
        return false;
    }

    private static String describe(String name, Thread.State state, StackTraceElement[] stack) {
        StringBuilder b = new StringBuilder(name).append(' ').append(state);
        for (int i = 0; i < Math.min(stack.length, 12); i++) {
            b.append("\n    at ").append(stack[i]);
        }
        return b.toString();
    }

    /** Stops sampling (waits for the last sample). */
    @Override
    public void close() throws InterruptedException {
        stop = true;
        sampler.interrupt();
        sampler.join(5_000);
    }

    /** Every thread found blocked, with its state and top frames. */
    public synchronized List<String> findings() {
        return List.copyOf(findings);
    }

    /** Samples taken so far. */
    public synchronized int samples() {
        return samples;
    }

    /** The most watched threads alive in one sample: shows the watch saw the threads at all. */
    public synchronized int watchedThreads() {
        return watched;
    }
}
