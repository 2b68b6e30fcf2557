package org.retracker.core;

import java.util.Locale;
import org.jspecify.annotations.Nullable;
import org.retracker.swarm.InfoHashSet;

/**
 * Which torrents the tracker serves: every one ({@link #NONE}), only those on an allow list, or
 * every one but those on a deny list. Read from a file by {@link AccessListFile}.
 *
 * <p>Immutable. {@link AnnounceService} holds the current list in a volatile field; a reload
 * (SIGHUP) builds a whole new list and swaps it in, so an event loop sees either the old list or
 * the new one, never half of each. {@link #permits} allocates nothing.
 */
public final class AccessList {
    /** No list: every info hash is served. */
    public static final AccessList NONE = new AccessList("", Mode.ALLOW, InfoHashSet.EMPTY, false);

    /** How the hashes of a list are used. */
    public enum Mode {
        /** Only the listed hashes are served. */
        ALLOW,
        /** Every hash but the listed ones is served. */
        DENY;

        /** As the config file writes it: {@code allow} or {@code deny}. */
        public String key() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** The mode written {@code text} ({@code allow} or {@code deny}, any case), or {@code null}. */
        public static @Nullable Mode parse(String text) {
            return switch (text.strip().toLowerCase(Locale.ROOT)) {
                case "allow" -> ALLOW;
                case "deny" -> DENY;
                default -> null;
            };
        }
    }

    private final String file;
    private final Mode mode;
    private final InfoHashSet hashes;
    private final boolean on;

    private AccessList(String file, Mode mode, InfoHashSet hashes, boolean on) {
        this.file = file;
        this.mode = mode;
        this.hashes = hashes;
        this.on = on;
    }

    /**
     * A list read from {@code file}.
     *
     * @param file names the list in logs and {@code /stats}; must not be empty
     */
    public static AccessList of(String file, Mode mode, InfoHashSet hashes) {
        if (file.isEmpty()) {
            throw new IllegalArgumentException("an access list needs its file name");
        }
        return new AccessList(file, mode, hashes, true);
    }

    /**
     * Whether the info hash at {@code hash[offset..offset+20)} may be announced and scraped: always
     * without a list; with an allow list when it is listed; with a deny list when it is not.
     */
    public boolean permits(byte[] hash, int offset) {
        return !on || hashes.contains(hash, offset) == (mode == Mode.ALLOW);
    }

    /** Whether there is a list at all (a file was configured). */
    public boolean isOn() {
        return on;
    }

    /** The file the list was read from, empty for {@link #NONE}. */
    public String file() {
        return file;
    }

    public Mode mode() {
        return mode;
    }

    /** Distinct info hashes on the list. */
    public int size() {
        return hashes.size();
    }

    @Override
    public String toString() {
        return on ? mode.key() + " list " + file + " (" + size() + " info hashes)" : "no access list";
    }
}
