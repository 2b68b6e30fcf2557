package org.retracker.protocol.http;

import java.nio.charset.StandardCharsets;

/**
 * The head of one HTTP/1.x request (RFC 9112 §3, §5): request line and the few header fields a
 * tracker needs, parsed from bytes into offsets. Nothing becomes a {@code String}.
 *
 * <p>Reusable, one per event loop; not thread-safe. After {@link #parse} returns {@link #OK} the
 * public offsets index into the array that was parsed.
 */
public final class HttpRequestHead {
    /** Longest request line: a full announce with escaped hashes is under 600 bytes (aquatic: 2 KiB buffer). */
    public static final int MAX_REQUEST_LINE = 4096;
    /** Longest head, request line included (nginx's default large_client_header_buffers is 8 KiB). */
    public static final int MAX_HEAD = 8192;
    /** Most header fields in one head. */
    public static final int MAX_HEADER_FIELDS = 64;

    /** {@link #parse} results. */
    public static final int OK = 0;

    public static final int BAD_REQUEST = 1;
    public static final int TOO_LARGE = 2;
    public static final int METHOD_NOT_ALLOWED = 3;
    public static final int VERSION_NOT_SUPPORTED = 4;

    public boolean head; // HEAD rather than GET
    public int pathStart;
    public int pathEnd;
    /** Start of the query after {@code ?}, or equal to {@link #queryEnd} when there is none. */
    public int queryStart;

    public int queryEnd;
    public boolean keepAlive;
    /** {@code X-Real-IP} value offsets, or -1. */
    public int realIpStart;

    public int realIpEnd;
    /** Offsets of the last {@code X-Forwarded-For} field value, or -1. */
    public int forwardedForStart;

    public int forwardedForEnd;
    /** The request announces a body ({@code Content-Length} &gt; 0 or {@code Transfer-Encoding}). */
    public boolean hasBody;

    /**
     * Returns the offset just past the blank line that ends a head in {@code src[start, end)}, or -1
     * when the head is not complete yet. Accepts bare LF line ends as RFC 9112 §2.2 allows.
     */
    public static int findHeadEnd(byte[] src, int start, int end) {
        for (int i = start; i < end; i++) {
            if (src[i] == '\n') {
                if (i + 1 < end && src[i + 1] == '\n') {
                    return i + 2;
                }
                if (i + 2 < end && src[i + 1] == '\r' && src[i + 2] == '\n') {
                    return i + 3;
                }
            }
        }
        return -1;
    }

    /** Parses the complete head {@code src[start, end)}. */
    public int parse(byte[] src, int start, int end) {
        head = false;
        keepAlive = false;
        realIpStart = realIpEnd = forwardedForStart = forwardedForEnd = -1;
        hasBody = false;
        if (end - start > MAX_HEAD) {
            return TOO_LARGE;
        }
        int lineEnd = lineEnd(src, start, end);
        if (lineEnd < 0) {
            return BAD_REQUEST;
        }
        int contentEnd = trimCr(src, start, lineEnd);
        if (contentEnd - start > MAX_REQUEST_LINE) {
            return TOO_LARGE;
        }
        if (hasCrOrNul(src, start, contentEnd)) {
            return BAD_REQUEST;
        }
        // method SP request-target SP HTTP-version
        int sp1 = indexOf(src, start, contentEnd, (byte) ' ');
        if (sp1 < 0) {
            return BAD_REQUEST;
        }
        if (matches(src, start, sp1, "GET")) {
            head = false;
        } else if (matches(src, start, sp1, "HEAD")) {
            head = true;
        } else {
            return sp1 > start && isToken(src, start, sp1) ? METHOD_NOT_ALLOWED : BAD_REQUEST;
        }
        int targetStart = sp1 + 1;
        int sp2 = lastIndexOf(src, targetStart, contentEnd, (byte) ' ');
        if (sp2 < 0 || sp2 == targetStart) {
            return BAD_REQUEST; // HTTP/0.9 or an empty target
        }
        int version = contentEnd - (sp2 + 1);
        if (version != 8 || !matches(src, sp2 + 1, sp2 + 6, "HTTP/") || src[sp2 + 7] != '.') {
            return BAD_REQUEST;
        }
        if (src[sp2 + 6] != '1' || (src[sp2 + 8] != '0' && src[sp2 + 8] != '1')) {
            return VERSION_NOT_SUPPORTED;
        }
        boolean http11 = src[sp2 + 8] == '1';
        keepAlive = http11;
        if (!parseTarget(src, targetStart, trimTrailingSpaces(src, targetStart, sp2))) {
            return BAD_REQUEST;
        }
        // Header fields.
        int fields = 0;
        int p = lineEnd + 1;
        while (p < end) {
            int le = lineEnd(src, p, end);
            if (le < 0) {
                return BAD_REQUEST;
            }
            int ce = trimCr(src, p, le);
            if (ce == p) {
                break; // the blank line
            }
            if (++fields > MAX_HEADER_FIELDS) {
                return TOO_LARGE;
            }
            if (src[p] == ' ' || src[p] == '\t') {
                return BAD_REQUEST; // obsolete line folding (RFC 9112 §5.2)
            }
            if (hasCrOrNul(src, p, ce)) {
                return BAD_REQUEST; // a bare CR or a NUL: RFC 9110 §5.5 says reject or replace
            }
            int colon = indexOf(src, p, ce, (byte) ':');
            if (colon <= p || !isToken(src, p, colon)) {
                return BAD_REQUEST;
            }
            int vs = colon + 1;
            while (vs < ce && (src[vs] == ' ' || src[vs] == '\t')) {
                vs++;
            }
            int ve = ce;
            while (ve > vs && (src[ve - 1] == ' ' || src[ve - 1] == '\t')) {
                ve--;
            }
            if (equalsIgnoreCase(src, p, colon, "connection")) {
                if (containsIgnoreCase(src, vs, ve, "close")) {
                    keepAlive = false;
                } else if (containsIgnoreCase(src, vs, ve, "keep-alive")) {
                    keepAlive = true;
                }
            } else if (equalsIgnoreCase(src, p, colon, "x-real-ip")) {
                realIpStart = vs;
                realIpEnd = ve;
            } else if (equalsIgnoreCase(src, p, colon, "x-forwarded-for")) {
                forwardedForStart = vs; // the last field wins: proxies append
                forwardedForEnd = ve;
            } else if (equalsIgnoreCase(src, p, colon, "content-length")) {
                if (ve - vs != 1 || src[vs] != '0') {
                    hasBody = true;
                }
            } else if (equalsIgnoreCase(src, p, colon, "transfer-encoding")) {
                hasBody = true;
            }
            p = le + 1;
        }
        return OK;
    }

    /** Splits origin-form or absolute-form targets into path and query; drops a fragment. */
    private boolean parseTarget(byte[] src, int s, int e) {
        if (e <= s) {
            return false;
        }
        // A fragment (RFC 3986 §3.5) starts at the first '#' whatever the form; drop it first.
        int hash = indexOf(src, s, e, (byte) '#');
        if (hash >= 0) {
            e = hash;
        }
        if (src[s] != '/') {
            // absolute-form: scheme "://" authority path
            int scheme = indexOf(src, s, e, (byte) ':');
            if (scheme < 0 || scheme + 2 >= e || src[scheme + 1] != '/' || src[scheme + 2] != '/') {
                return false;
            }
            int path = indexOf(src, scheme + 3, e, (byte) '/');
            int q = indexOf(src, scheme + 3, e, (byte) '?');
            if (path < 0 || (q >= 0 && q < path)) {
                // no path: "/" implied
                pathStart = pathEnd = q < 0 ? e : q;
                setQuery(q, e);
                return true;
            }
            s = path;
        }
        int q = indexOf(src, s, e, (byte) '?');
        pathStart = s;
        pathEnd = q < 0 ? e : q;
        setQuery(q, e);
        return true;
    }

    private void setQuery(int q, int e) {
        if (q < 0) {
            queryStart = queryEnd = e;
        } else {
            queryStart = q + 1;
            queryEnd = e;
        }
    }

    /**
     * The value of the last header field called {@code name} (given in lower case, matched in any case) in the head {@code
     * src[start, end)} that {@link #parse} accepted, trimmed; empty when there is none. Scans the
     * head again and makes a String: for the rare paths that need a field {@link #parse} does not
     * record ({@code Accept} on {@code /metrics}), never for announces.
     */
    public static String field(byte[] src, int start, int end, String name) {
        String value = "";
        int p = lineEnd(src, start, end) + 1; // skip the request line
        while (p > 0 && p < end) {
            int le = lineEnd(src, p, end);
            if (le < 0) {
                break;
            }
            int ce = trimCr(src, p, le);
            if (ce == p) {
                break;
            }
            int colon = indexOf(src, p, ce, (byte) ':');
            if (colon > p && equalsIgnoreCase(src, p, colon, name)) {
                int vs = colon + 1;
                while (vs < ce && (src[vs] == ' ' || src[vs] == '\t')) {
                    vs++;
                }
                int ve = ce;
                while (ve > vs && (src[ve - 1] == ' ' || src[ve - 1] == '\t')) {
                    ve--;
                }
                value = new String(src, vs, ve - vs, StandardCharsets.ISO_8859_1);
            }
            p = le + 1;
        }
        return value;
    }

    /** True when {@code src[pathStart, pathEnd)} equals {@code path}. */
    public boolean pathIs(byte[] src, String path) {
        return matches(src, pathStart, pathEnd, path);
    }

    private static int lineEnd(byte[] src, int s, int e) {
        return indexOf(src, s, e, (byte) '\n');
    }

    private static int trimCr(byte[] src, int s, int lf) {
        return lf > s && src[lf - 1] == '\r' ? lf - 1 : lf;
    }

    /**
     * True when {@code src[s, e)} (a line without its line end) holds a CR or a NUL. A bare CR is not
     * a line end here (RFC 9112 §2.2), so a peer that splits lines on it would see other fields.
     */
    private static boolean hasCrOrNul(byte[] src, int s, int e) {
        for (int i = s; i < e; i++) {
            if (src[i] == '\r' || src[i] == 0) {
                return true;
            }
        }
        return false;
    }

    private static int trimTrailingSpaces(byte[] src, int s, int e) {
        while (e > s && src[e - 1] == ' ') {
            e--;
        }
        return e;
    }

    private static int indexOf(byte[] src, int s, int e, byte b) {
        for (int i = s; i < e; i++) {
            if (src[i] == b) {
                return i;
            }
        }
        return -1;
    }

    private static int lastIndexOf(byte[] src, int s, int e, byte b) {
        for (int i = e - 1; i >= s; i--) {
            if (src[i] == b) {
                return i;
            }
        }
        return -1;
    }

    static boolean matches(byte[] src, int s, int e, String ascii) {
        if (e - s != ascii.length()) {
            return false;
        }
        for (int i = 0; i < ascii.length(); i++) {
            if (src[s + i] != ascii.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private static boolean equalsIgnoreCase(byte[] src, int s, int e, String lowerAscii) {
        if (e - s != lowerAscii.length()) {
            return false;
        }
        for (int i = 0; i < lowerAscii.length(); i++) {
            int c = src[s + i];
            if (c >= 'A' && c <= 'Z') {
                c += 'a' - 'A';
            }
            if (c != lowerAscii.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private static boolean containsIgnoreCase(byte[] src, int s, int e, String lowerAscii) {
        int n = lowerAscii.length();
        for (int i = s; i + n <= e; i++) {
            if (equalsIgnoreCase(src, i, i + n, lowerAscii)) {
                return true;
            }
        }
        return false;
    }

    /** RFC 9110 §5.6.2 tchar. */
    private static boolean isToken(byte[] src, int s, int e) {
        for (int i = s; i < e; i++) {
            int c = src[i];
            boolean ok = (c >= 'a' && c <= 'z')
                    || (c >= 'A' && c <= 'Z')
                    || (c >= '0' && c <= '9')
                    || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
            if (!ok) {
                return false;
            }
        }
        return true;
    }
}
