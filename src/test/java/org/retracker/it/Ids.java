package org.retracker.it;

import java.nio.charset.StandardCharsets;

/** Info hashes and peer ids for tests: distinct per number, and binary enough to need escaping. */
final class Ids {
    private Ids() {}

    /**
     * A 20-byte info hash: bytes that a query must percent-encode ({@code & % = + space}, NUL, 0xff),
     * then ordinary ones, then {@code n} big-endian so that hashes differ.
     */
    static byte[] infoHash(int n) {
        byte[] h = new byte[20];
        h[0] = '&';
        h[1] = '%';
        h[2] = '=';
        h[3] = '+';
        h[4] = ' ';
        h[5] = 0;
        h[6] = (byte) 0xff;
        h[7] = '?';
        for (int i = 8; i < 16; i++) {
            h[i] = (byte) ('a' + i);
        }
        h[16] = (byte) (n >>> 24);
        h[17] = (byte) (n >>> 16);
        h[18] = (byte) (n >>> 8);
        h[19] = (byte) n;
        return h;
    }

    /** An Azureus-style peer id, {@code -RT0001-} and twelve digits of {@code n}. */
    static byte[] peerId(long n) {
        return String.format("-RT0001-%012d", n).getBytes(StandardCharsets.US_ASCII);
    }
}
