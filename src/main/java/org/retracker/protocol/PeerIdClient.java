package org.retracker.protocol;

import java.util.Map;

/**
 * Names the client software a {@code peer_id} announces (BEP 20 conventions), for statistics only:
 * a peer chooses its id freely, so this is a hint, never a decision. Allocates; not for the hot
 * path.
 *
 * <p>Two styles are read: Azureus style, {@code -XXvvvv-} (two letters for the client, four
 * version characters), and the mainline style, {@code Mv-v-v--} (a letter and dash-separated
 * digits). Anything else is {@code unknown}. Both styles live in the first {@link #PREFIX_LENGTH}
 * bytes, so the name depends on those alone: a census can count peers by that prefix, a {@code
 * long}, and name each prefix once.
 */
public final class PeerIdClient {
    /** Bytes of a peer id the name depends on: {@code -XXvvvv-} or {@code Mv-v-v--}. */
    public static final int PREFIX_LENGTH = 8;

    /** Azureus-style client codes (BEP 20 and the clients' own documentation). */
    private static final Map<String, String> AZUREUS = Map.ofEntries(
            Map.entry("A2", "aria2"),
            Map.entry("AZ", "Vuze"),
            Map.entry("BC", "BitComet"),
            Map.entry("BI", "BiglyBT"),
            Map.entry("BT", "BitTorrent"),
            Map.entry("DE", "Deluge"),
            Map.entry("FD", "Free Download Manager"),
            Map.entry("FW", "FrostWire"),
            Map.entry("KT", "KTorrent"),
            Map.entry("LT", "libtorrent (rakshasa)"),
            Map.entry("lt", "libtorrent"),
            Map.entry("MO", "MonoTorrent"),
            Map.entry("PI", "PicoTorrent"),
            Map.entry("qB", "qBittorrent"),
            Map.entry("RT", "rTorrent"),
            Map.entry("SD", "Thunder"),
            Map.entry("TL", "Tribler"),
            Map.entry("TR", "Transmission"),
            Map.entry("UM", "µTorrent Mac"),
            Map.entry("UT", "µTorrent"),
            Map.entry("UW", "µTorrent Web"),
            Map.entry("WD", "WebTorrent Desktop"),
            Map.entry("WW", "WebTorrent"),
            Map.entry("XL", "Xunlei"));

    private static final Map<Character, String> MAINLINE =
            Map.of('M', "BitTorrent", 'Q', "Queen Bee", 'T', "BitTornado");

    private PeerIdClient() {}

    /** The client of the 20-byte peer id at {@code offset}, e.g. {@code Transmission 4.0.6}. */
    public static String describe(byte[] id, int offset) {
        if (id.length < offset + AnnounceRequest.ID_LENGTH) {
            return "unknown";
        }
        if (id[offset] == '-' && id[offset + 7] == '-' && letter(id[offset + 1]) && letter(id[offset + 2])) {
            String code = new String(new char[] {(char) id[offset + 1], (char) id[offset + 2]});
            String name = AZUREUS.get(code);
            if (name == null) {
                name = "unknown (" + code + ")";
            }
            StringBuilder version = new StringBuilder();
            for (int i = 3; i < 7; i++) {
                char c = (char) (id[offset + i] & 0xff);
                if (!Character.isLetterOrDigit(c) || c > 0x7f) {
                    return name;
                }
                if (!version.isEmpty()) {
                    version.append('.');
                }
                version.append(digitValue(c));
            }
            return name + " " + version;
        }
        char first = (char) (id[offset] & 0xff);
        String mainline = MAINLINE.get(first);
        if (mainline != null && Character.isDigit((char) id[offset + 1])) {
            StringBuilder version = new StringBuilder();
            for (int i = 1; i < 8; i++) {
                char c = (char) (id[offset + i] & 0xff);
                if (c == '-' && i + 1 < 8 && id[offset + i + 1] == '-') {
                    return mainline + " " + version;
                }
                if (c != '-' && !Character.isDigit(c)) {
                    return "unknown";
                }
                version.append(c == '-' ? '.' : c);
            }
        }
        return "unknown";
    }

    /**
     * The client of a peer id whose first {@link #PREFIX_LENGTH} bytes are {@code prefix}, big-endian:
     * the same as {@link #describe} of the whole id.
     */
    public static String describePrefix(long prefix) {
        byte[] id = new byte[AnnounceRequest.ID_LENGTH];
        for (int i = 0; i < PREFIX_LENGTH; i++) {
            id[i] = (byte) (prefix >>> (8 * (PREFIX_LENGTH - 1 - i)));
        }
        return describe(id, 0);
    }

    /**
     * The prefix a census counts a peer id under: {@code prefix} itself when it is of a style {@link
     * #describe} names (Azureus {@code -XX....-}, or mainline), else {@link #UNKNOWN_PREFIX}, which
     * names {@code unknown} as every such prefix would. So ids of no known style (random ones, for
     * instance) count as one prefix. Allocation-free, for the announce path.
     */
    public static long censusPrefix(long prefix) {
        byte b0 = (byte) (prefix >>> 56);
        byte b1 = (byte) (prefix >>> 48);
        if (b0 == '-' && (byte) prefix == '-' && letter(b1) && letter((byte) (prefix >>> 40))) {
            return prefix;
        }
        if ((b0 == 'M' || b0 == 'Q' || b0 == 'T') && b1 >= '0' && b1 <= '9') {
            return prefix; // MAINLINE's letters followed by a digit: describe decides the rest
        }
        return UNKNOWN_PREFIX;
    }

    /** The prefix {@link #censusPrefix} gives ids of no known style; it names {@code unknown}. */
    public static final long UNKNOWN_PREFIX = 0;

    private static boolean letter(byte b) {
        return (b >= 'A' && b <= 'Z') || (b >= 'a' && b <= 'z') || (b >= '0' && b <= '9');
    }

    /** Azureus version characters: digits, and letters for 10 and up (some clients use them). */
    private static int digitValue(char c) {
        return Character.isDigit(c) ? c - '0' : Character.toUpperCase(c) - 'A' + 10;
    }
}
