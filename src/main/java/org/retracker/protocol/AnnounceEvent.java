package org.retracker.protocol;

/**
 * The {@code event} of an announce. The ordinals are the BEP 15 wire codes (0 none, 1 completed, 2
 * started, 3 stopped); BEP 3 spells them as the query values {@code completed}, {@code started} and
 * {@code stopped}, with an absent or empty value meaning a regular announce.
 */
public enum AnnounceEvent {
    NONE,
    COMPLETED,
    STARTED,
    STOPPED;

    private static final AnnounceEvent[] BY_CODE = values();

    /** Returns the event for a BEP 15 code, or {@code null} when the code is not one of 0..3. */
    public static @org.jspecify.annotations.Nullable AnnounceEvent ofUdpCode(int code) {
        return code >= 0 && code < BY_CODE.length ? BY_CODE[code] : null;
    }
}
