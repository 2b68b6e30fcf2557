package org.retracker.forward;

import java.net.InetAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import org.jspecify.annotations.Nullable;

/**
 * Builds the request target of an HTTP announce (BEP 3): the forwarder URI's path and its own
 * query, kept byte for byte (a passkey lives there), then the announce parameters.
 *
 * <p>{@code info_hash} and {@code peer_id} are binary: every byte other than the RFC 3986
 * unreserved characters ({@code A-Z a-z 0-9 - . _ ~}) is percent-encoded, so every byte value
 * reaches the tracker intact. {@code compact=1} always (BEP 23); {@code event} only when it is not
 * a regular announce; {@code ip} only when the forwarder is configured with one.
 */
final class AnnounceQuery {
    private static final char[] HEX = "0123456789ABCDEF".toCharArray();
    /** Room for the fixed parameters: two ids of up to 60 characters each plus numbers and names. */
    private static final int TYPICAL_LENGTH = 320;

    private final String prefix;
    private final @Nullable String ip;

    /**
     * @param uri the announce URI; non-ASCII characters in its path or query are sent as UTF-8
     *     percent-escapes, everything else as written
     * @param ip the address to announce as {@code ip=}, or {@code null}
     */
    AnnounceQuery(URI uri, @Nullable InetAddress ip) {
        URI ascii = URI.create(uri.toASCIIString());
        String path = ascii.getRawPath() == null || ascii.getRawPath().isEmpty() ? "/" : ascii.getRawPath();
        String query = ascii.getRawQuery();
        if (query == null || query.isEmpty()) {
            this.prefix = path + "?";
        } else if (query.endsWith("&")) {
            this.prefix = path + "?" + query;
        } else {
            this.prefix = path + "?" + query + "&";
        }
        this.ip = ip == null ? null : percentEncode(ip.getHostAddress());
    }

    /** The request target ({@code /path?query}) for one announce. */
    String target(UpstreamAnnounce a) {
        StringBuilder s = new StringBuilder(prefix.length() + TYPICAL_LENGTH).append(prefix);
        s.append("info_hash=");
        percentEncode(a.infoHash(), s);
        s.append("&peer_id=");
        percentEncode(a.peerId(), s);
        s.append("&port=").append(a.port());
        s.append("&uploaded=").append(a.uploaded());
        s.append("&downloaded=").append(a.downloaded());
        s.append("&left=").append(a.left());
        s.append("&compact=1");
        s.append("&numwant=").append(a.numWant());
        switch (a.event()) {
            case NONE -> {}
            case STARTED -> s.append("&event=started");
            case COMPLETED -> s.append("&event=completed");
            case STOPPED -> s.append("&event=stopped");
        }
        if (ip != null) {
            s.append("&ip=").append(ip);
        }
        return s.toString();
    }

    /** Appends {@code bytes}, unreserved ones as they are and every other one as {@code %XX}. */
    static void percentEncode(byte[] bytes, StringBuilder out) {
        for (byte b : bytes) {
            int c = b & 0xff;
            if (isUnreserved(c)) {
                out.append((char) c);
            } else {
                out.append('%').append(HEX[c >>> 4]).append(HEX[c & 0xf]);
            }
        }
    }

    private static String percentEncode(String text) {
        StringBuilder s = new StringBuilder(text.length() * 3);
        percentEncode(text.getBytes(StandardCharsets.UTF_8), s);
        return s.toString();
    }

    private static boolean isUnreserved(int c) {
        return (c >= 'A' && c <= 'Z')
                || (c >= 'a' && c <= 'z')
                || (c >= '0' && c <= '9')
                || c == '-'
                || c == '.'
                || c == '_'
                || c == '~';
    }
}
