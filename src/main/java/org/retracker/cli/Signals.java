package org.retracker.cli;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/** POSIX signals the tracker answers besides the JVM's own (TERM and INT stop it). */
final class Signals {
    private static final Logger log = LoggerFactory.getLogger(Signals.class);

    private Signals() {}

    /**
     * Runs {@code action} on SIGTERM and SIGINT instead of the JVM's own handling, so the process
     * can stop in order and exit with status 0 (the JVM's default exit is 143 or 130).
     */
    static void onTerminate(Runnable action) {
        for (String name : new String[] {"TERM", "INT"}) {
            try {
                Signal.handle(new Signal(name), signal -> action.run());
            } catch (IllegalArgumentException e) {
                log.warn("SIG{} cannot be handled here: the JVM's default applies", name);
            }
        }
    }

    /** Runs {@code action} on SIGHUP, on the JVM's signal thread; a no-op where HUP does not exist. */
    static void onHangup(Runnable action) {
        try {
            Signal.handle(new Signal("HUP"), signal -> action.run());
        } catch (IllegalArgumentException e) {
            log.warn("SIGHUP is not available here: reloading the forwarders and the access list needs a restart");
        }
    }
}
