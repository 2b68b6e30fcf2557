package org.retracker.transport;

import io.netty.util.concurrent.EventExecutor;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * The HTTP connections of one event loop, least recently read first, for the idle timeout.
 *
 * <h2>Layout</h2>
 *
 * An intrusive doubly linked list through the {@link HttpTrackerHandler}s themselves ({@code
 * idlePrev}, {@code idleNext}) and a clock of whole seconds, {@link #tick}, advanced by one task
 * per loop every {@link #SWEEP_PERIOD_SECONDS}. A connection joins at the tail when it becomes active
 * and moves back to the tail, stamped with the tick, whenever it reads; so the list stays in the
 * order of last reads, and each sweep closes from the head the connections whose stamp is more than
 * the timeout behind, stopping at the first that is not. A connection closes between the timeout
 * and a second after it.
 *
 * <h2>Why</h2>
 *
 * Netty's {@code IdleStateHandler} schedules a timer task per connection, takes the time at every
 * read, and cancels the task at the close: an object, two priority-queue operations and a handler
 * context per connection, which is a measurable share of a connection that carries one request
 * (docs/PERFORMANCE.md). Here a connection costs two link updates when it opens and closes and at
 * most two per read, and nothing is allocated.
 *
 * <p>Thread ownership: only its event loop's thread uses it (a connection's handler runs on the loop
 * that serves the connection, and each loop has its own list through {@code Scratch}).
 */
final class IdleConnections {
    /** Seconds between sweeps: a connection closes at most this much after its timeout. */
    static final int SWEEP_PERIOD_SECONDS = 1;

    private final int timeoutTicks;
    private @Nullable HttpTrackerHandler head;
    private @Nullable HttpTrackerHandler tail;
    private int tick;
    /** Whether this loop's sweep is scheduled (it runs until the loop shuts down). */
    private boolean sweeping;

    /** @param timeoutSeconds a connection not read for longer than this is closed */
    IdleConnections(int timeoutSeconds) {
        this.timeoutTicks = Math.ceilDiv(timeoutSeconds, SWEEP_PERIOD_SECONDS);
    }

    /** Adds a connection that has just become active; starts the sweep on {@code loop} at the first. */
    void add(HttpTrackerHandler connection, EventExecutor loop) {
        if (!sweeping) {
            sweeping = true;
            var unused =
                    loop.scheduleAtFixedRate(this::sweep, SWEEP_PERIOD_SECONDS, SWEEP_PERIOD_SECONDS, TimeUnit.SECONDS);
        }
        connection.idleLinked = true;
        link(connection);
    }

    /** The connection read something: it is the most recently read now. */
    void touch(HttpTrackerHandler connection) {
        if (!connection.idleLinked) {
            return;
        }
        if (connection != tail) {
            unlink(connection);
            link(connection);
        } else {
            connection.lastRead = tick;
        }
    }

    /** The connection is closed: it leaves the list (again is harmless). */
    void remove(HttpTrackerHandler connection) {
        if (connection.idleLinked) {
            connection.idleLinked = false;
            unlink(connection);
        }
    }

    /** One tick: closes, oldest first, the connections read last more than the timeout ago. */
    void sweep() {
        tick++;
        for (HttpTrackerHandler h = head; h != null && tick - h.lastRead > timeoutTicks; h = head) {
            remove(h);
            h.idleTimeout();
        }
    }

    private void link(HttpTrackerHandler c) {
        c.lastRead = tick;
        c.idleNext = null;
        c.idlePrev = tail;
        if (tail != null) {
            tail.idleNext = c;
        } else {
            head = c;
        }
        tail = c;
    }

    private void unlink(HttpTrackerHandler c) {
        HttpTrackerHandler prev = c.idlePrev;
        HttpTrackerHandler next = c.idleNext;
        if (prev != null) {
            prev.idleNext = next;
        } else {
            head = next;
        }
        if (next != null) {
            next.idlePrev = prev;
        } else {
            tail = prev;
        }
        c.idlePrev = null;
        c.idleNext = null;
    }
}
