package org.retracker.protocol.http;

import java.nio.charset.StandardCharsets;
import org.jspecify.annotations.Nullable;
import org.retracker.protocol.AddressParser;
import org.retracker.protocol.AnnounceEvent;
import org.retracker.protocol.AnnounceRequest;
import org.retracker.protocol.FailureReason;
import org.retracker.protocol.ScrapeRequest;

/**
 * Parses the query string of {@code GET /announce} (BEP 3) and {@code GET /scrape} (BEP 48) straight
 * from the request bytes into the reusable request objects.
 *
 * <p>{@code info_hash}, {@code peer_id} and {@code key} are binary: every byte value may arrive
 * percent-encoded, and unreserved bytes may arrive raw, so values are percent-decoded byte by byte
 * and never go through a {@code String} or a charset. {@code +} decodes to a space, as in any URL
 * query. Bad input is answered with a {@link FailureReason}, never an exception.
 *
 * <p>One instance per event loop (it owns a scratch buffer); not thread-safe.
 */
public final class QueryParser {
    /** The most {@code name=value} pairs one query may hold; clients send about a dozen. */
    public static final int MAX_PARAMETERS = 64;
    /** The longest parameter name that can be one we know; longer ones are skipped unread. */
    private static final int MAX_KEY_BYTES = 16;
    /** The longest decoded value we read (an IPv6 address with brackets is 47 bytes). */
    private static final int MAX_VALUE_BYTES = 64;

    private static final byte[] INFO_HASH = ascii("info_hash");
    private static final byte[] PEER_ID = ascii("peer_id");
    private static final byte[] PORT = ascii("port");
    private static final byte[] UPLOADED = ascii("uploaded");
    private static final byte[] DOWNLOADED = ascii("downloaded");
    private static final byte[] LEFT = ascii("left");
    private static final byte[] NUMWANT = ascii("numwant");
    private static final byte[] EVENT = ascii("event");
    private static final byte[] COMPACT = ascii("compact");
    private static final byte[] NO_PEER_ID = ascii("no_peer_id");
    private static final byte[] IP = ascii("ip");
    private static final byte[] STARTED = ascii("started");
    private static final byte[] STOPPED = ascii("stopped");
    private static final byte[] COMPLETED = ascii("completed");
    /** BEP 21 partial seeds: treated as a regular announce. */
    private static final byte[] PAUSED = ascii("paused");

    private final byte[] key = new byte[MAX_KEY_BYTES];
    private final byte[] value = new byte[MAX_VALUE_BYTES];

    /**
     * Parses an announce query {@code src[start, end)} (the bytes after {@code ?}) into {@code out},
     * which is reset first. The client address is left for the transport to set. Returns {@code
     * null} on success.
     */
    public @Nullable FailureReason parseAnnounce(byte[] src, int start, int end, AnnounceRequest out) {
        out.reset();
        boolean infoHash = false;
        boolean peerId = false;
        boolean port = false;
        int parameters = 0;
        int i = start;
        while (i < end) {
            int pairEnd = indexOf(src, i, end, (byte) '&');
            if (pairEnd == i) {
                i++;
                continue; // empty pair ("&&")
            }
            if (++parameters > MAX_PARAMETERS) {
                return FailureReason.TOO_MANY_PARAMETERS;
            }
            int eq = indexOf(src, i, pairEnd, (byte) '=');
            int keyLength = decode(src, i, eq, key);
            int vs = eq < pairEnd ? eq + 1 : pairEnd;
            i = pairEnd + 1;
            if (keyLength == MALFORMED) {
                return FailureReason.MALFORMED_QUERY;
            }
            if (keyLength == TOO_LONG) {
                continue; // not a name we know
            }
            if (is(INFO_HASH, keyLength)) {
                if (infoHash) {
                    return FailureReason.DUPLICATE_INFO_HASH;
                }
                FailureReason r = decodeId(src, vs, pairEnd, out.infoHash, FailureReason.INVALID_INFO_HASH);
                if (r != null) {
                    return r;
                }
                infoHash = true;
            } else if (is(PEER_ID, keyLength)) {
                FailureReason r = decodeId(src, vs, pairEnd, out.peerId, FailureReason.INVALID_PEER_ID);
                if (r != null) {
                    return r;
                }
                peerId = true;
            } else if (is(PORT, keyLength)) {
                long p = parseUnsigned(src, vs, pairEnd);
                if (p < 1 || p > 65535) {
                    return FailureReason.INVALID_PORT;
                }
                out.port = (int) p;
                port = true;
            } else if (is(UPLOADED, keyLength)) {
                long v = parseUnsigned(src, vs, pairEnd);
                if (v < 0) {
                    return FailureReason.INVALID_UPLOADED;
                }
                out.uploaded = v;
            } else if (is(DOWNLOADED, keyLength)) {
                long v = parseUnsigned(src, vs, pairEnd);
                if (v < 0) {
                    return FailureReason.INVALID_DOWNLOADED;
                }
                out.downloaded = v;
            } else if (is(LEFT, keyLength)) {
                long v = parseUnsigned(src, vs, pairEnd);
                if (v < 0) {
                    return FailureReason.INVALID_LEFT;
                }
                out.left = v;
            } else if (is(NUMWANT, keyLength)) {
                if (pairEnd - vs == 2 && src[vs] == '-' && src[vs + 1] == '1') {
                    out.numWant = AnnounceRequest.NUMWANT_DEFAULT; // "-1": as UDP, the default
                } else {
                    long v = parseUnsigned(src, vs, pairEnd);
                    if (v < 0) {
                        return FailureReason.INVALID_NUMWANT;
                    }
                    out.numWant = (int) Math.min(v, Integer.MAX_VALUE);
                }
            } else if (is(EVENT, keyLength)) {
                int n = decode(src, vs, pairEnd, value);
                if (n == 0 || (n > 0 && equals(value, n, PAUSED))) {
                    out.event = AnnounceEvent.NONE;
                } else if (n > 0 && equals(value, n, STARTED)) {
                    out.event = AnnounceEvent.STARTED;
                } else if (n > 0 && equals(value, n, STOPPED)) {
                    out.event = AnnounceEvent.STOPPED;
                } else if (n > 0 && equals(value, n, COMPLETED)) {
                    out.event = AnnounceEvent.COMPLETED;
                } else {
                    return FailureReason.INVALID_EVENT;
                }
            } else if (is(COMPACT, keyLength)) {
                long v = parseUnsigned(src, vs, pairEnd);
                if (v != 0 && v != 1) {
                    return FailureReason.INVALID_COMPACT;
                }
                out.compact = v == 1;
            } else if (is(NO_PEER_ID, keyLength)) {
                out.noPeerId = !(pairEnd - vs == 1 && src[vs] == '0');
            } else if (is(IP, keyLength)) {
                // Only honoured for trusted proxies; an unparseable claim is simply not a claim.
                int n = decode(src, vs, pairEnd, value);
                out.claimedAddressLength = n > 0 ? AddressParser.parse(value, 0, n, out.claimedAddress) : 0;
            }
            // key, trackerid, supportcrypto, corrupt, ipv4, ipv6, ...: accepted and ignored.
        }
        if (!infoHash) {
            return FailureReason.MISSING_INFO_HASH;
        }
        if (!peerId) {
            return FailureReason.MISSING_PEER_ID;
        }
        if (!port) {
            return FailureReason.MISSING_PORT;
        }
        return null;
    }

    /**
     * Parses a scrape query: every {@code info_hash} into {@code out} (reset first), at most {@code
     * maxHashes}. Other parameters are ignored. Returns {@code null} on success.
     */
    public @Nullable FailureReason parseScrape(byte[] src, int start, int end, ScrapeRequest out, int maxHashes) {
        out.reset();
        int limit = Math.min(maxHashes, out.capacity());
        int parameters = 0;
        int i = start;
        while (i < end) {
            int pairEnd = indexOf(src, i, end, (byte) '&');
            if (pairEnd == i) {
                i++;
                continue;
            }
            if (++parameters > Math.max(MAX_PARAMETERS, limit + 8)) {
                return FailureReason.TOO_MANY_PARAMETERS;
            }
            int eq = indexOf(src, i, pairEnd, (byte) '=');
            int keyLength = decode(src, i, eq, key);
            int vs = eq < pairEnd ? eq + 1 : pairEnd;
            i = pairEnd + 1;
            if (keyLength == MALFORMED) {
                return FailureReason.MALFORMED_QUERY;
            }
            if (keyLength > 0 && is(INFO_HASH, keyLength)) {
                if (out.count >= limit) {
                    return FailureReason.TOO_MANY_INFO_HASHES;
                }
                int n = decode(src, vs, pairEnd, value);
                if (n == MALFORMED) {
                    return FailureReason.MALFORMED_QUERY;
                }
                if (n != AnnounceRequest.ID_LENGTH) {
                    return FailureReason.INVALID_INFO_HASH;
                }
                System.arraycopy(
                        value, 0, out.infoHashes, out.count * AnnounceRequest.ID_LENGTH, AnnounceRequest.ID_LENGTH);
                out.count++;
            }
        }
        return out.count == 0 ? FailureReason.MISSING_INFO_HASH : null;
    }

    private @Nullable FailureReason decodeId(byte[] src, int s, int e, byte[] target, FailureReason invalid) {
        int n = decode(src, s, e, value);
        if (n == MALFORMED) {
            return FailureReason.MALFORMED_QUERY;
        }
        if (n != AnnounceRequest.ID_LENGTH) {
            return invalid;
        }
        System.arraycopy(value, 0, target, 0, AnnounceRequest.ID_LENGTH);
        return null;
    }

    static final int MALFORMED = -1;
    static final int TOO_LONG = -2;

    /**
     * Percent-decodes {@code src[s, e)} into {@code dst}. Returns the decoded length, {@link
     * #MALFORMED} for a {@code %} not followed by two hex digits, or {@link #TOO_LONG} when the value
     * does not fit (the rest is still checked for malformed escapes).
     */
    static int decode(byte[] src, int s, int e, byte[] dst) {
        int n = 0;
        boolean tooLong = false;
        for (int i = s; i < e; i++) {
            int b = src[i];
            if (b == '%') {
                if (i + 2 >= e) {
                    return MALFORMED;
                }
                int hi = Character.digit(src[i + 1] & 0xff, 16);
                int lo = Character.digit(src[i + 2] & 0xff, 16);
                if (hi < 0 || lo < 0) {
                    return MALFORMED;
                }
                b = hi << 4 | lo;
                i += 2;
            } else if (b == '+') {
                b = ' ';
            }
            if (n < dst.length) {
                dst[n] = (byte) b;
            } else {
                tooLong = true;
            }
            n++;
        }
        return tooLong ? TOO_LONG : n;
    }

    /**
     * Parses unsigned decimal digits (no sign, no escapes) as a long. Returns -1 for an empty or
     * non-numeric value or one above {@link Long#MAX_VALUE}.
     */
    static long parseUnsigned(byte[] src, int s, int e) {
        if (s >= e || e - s > 19) {
            return -1;
        }
        long v = 0;
        for (int i = s; i < e; i++) {
            int d = src[i] - '0';
            if (d < 0 || d > 9 || v > (Long.MAX_VALUE - d) / 10) {
                return -1;
            }
            v = v * 10 + d;
        }
        return v;
    }

    private boolean is(byte[] name, int keyLength) {
        return equals(key, keyLength, name);
    }

    private static boolean equals(byte[] buf, int length, byte[] constant) {
        if (length != constant.length) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            if (buf[i] != constant[i]) {
                return false;
            }
        }
        return true;
    }

    private static int indexOf(byte[] src, int from, int to, byte b) {
        for (int i = from; i < to; i++) {
            if (src[i] == b) {
                return i;
            }
        }
        return to;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
