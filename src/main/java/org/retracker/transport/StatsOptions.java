package org.retracker.transport;

/**
 * Settings the listeners do not act on but {@code /stats} reports, so that an operator sees the
 * whole configuration in one place.
 *
 * @param debug debug logging ({@code -d})
 * @param statsIntervalSeconds seconds between stats lines in the log, 0 for none ({@code -s})
 * @param forwardsFile the forwarders file, empty for none ({@code -f})
 */
public record StatsOptions(boolean debug, int statsIntervalSeconds, String forwardsFile) {
    /** For tests and embedding: no debug, no stats line, no forwarders file. */
    public static final StatsOptions NONE = new StatsOptions(false, 0, "");

    public StatsOptions {
        if (statsIntervalSeconds < 0) {
            throw new IllegalArgumentException("stats interval must not be negative");
        }
    }
}
