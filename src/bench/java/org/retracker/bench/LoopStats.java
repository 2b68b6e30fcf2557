package org.retracker.bench;

import org.jspecify.annotations.Nullable;

/**
 * Counters of one event loop, written only by that loop's thread; the run resets and reads them by
 * running a task on the loop, so no field needs to be volatile.
 */
final class LoopStats {
    long sent;
    long announces;
    long scrapes;
    long connects;
    long reconnects;
    /** HTTP requests sent again because the server closed a kept-alive connection (not errors). */
    long retried;

    final long[] errors = new long[ErrorKind.values().length];
    final LatencyHistogram latency = new LatencyHistogram();
    /** The first refusal the tracker sent, for the diagnostics on stderr. */
    @Nullable
    String firstTrackerMessage;

    void error(ErrorKind kind) {
        errors(kind, 1);
    }

    /** Counts {@code n} errors of one kind; the counters are an array indexed by the kind's ordinal. */
    @SuppressWarnings("EnumOrdinal")
    void errors(ErrorKind kind, long n) {
        errors[kind.ordinal()] += n;
    }

    @SuppressWarnings("EnumOrdinal")
    long errors(ErrorKind kind) {
        return errors[kind.ordinal()];
    }

    void trackerMessage(String message) {
        error(ErrorKind.TRACKER_ERROR);
        if (firstTrackerMessage == null) {
            firstTrackerMessage = message;
        }
    }

    long responses() {
        return announces + scrapes + connects;
    }

    long errorCount() {
        long n = 0;
        for (long e : errors) {
            n += e;
        }
        return n;
    }

    void reset() {
        sent = 0;
        announces = 0;
        scrapes = 0;
        connects = 0;
        reconnects = 0;
        retried = 0;
        java.util.Arrays.fill(errors, 0);
        latency.reset();
    }

    /** A copy (taken on the loop's thread). */
    LoopStats snapshot() {
        LoopStats copy = new LoopStats();
        copy.add(this);
        return copy;
    }

    void add(LoopStats other) {
        sent += other.sent;
        announces += other.announces;
        scrapes += other.scrapes;
        connects += other.connects;
        reconnects += other.reconnects;
        retried += other.retried;
        for (int i = 0; i < errors.length; i++) {
            errors[i] += other.errors[i];
        }
        latency.add(other.latency);
        if (firstTrackerMessage == null) {
            firstTrackerMessage = other.firstTrackerMessage;
        }
    }
}
