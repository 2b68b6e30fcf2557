package org.retracker.forward;

import java.net.InetAddress;
import java.net.URI;
import org.jspecify.annotations.Nullable;

/**
 * One entry of {@code forwarders.yml}: an external tracker to announce local peers to.
 *
 * @param name unique, readable; keys health and stats (defaults to a name made from the URI)
 * @param uri the announce URI, with any query it already has (passkeys) kept
 * @param scheme how to talk to it, from the URI's scheme
 * @param ip sent as the announced address (HTTP {@code ip=}, UDP IP field) for NAT setups; {@code
 *     null} sends none, so the tracker records the address the announce came from
 * @param host overrides the HTTP {@code Host} header; {@code null} keeps the URI's
 */
public record ForwarderSpec(
        String name,
        URI uri,
        Scheme scheme,
        @Nullable InetAddress ip,
        @Nullable String host) {
    public ForwarderSpec {
        if (name.isEmpty()) {
            throw new IllegalArgumentException("empty forwarder name");
        }
        if (uri.getHost() == null) {
            throw new IllegalArgumentException("forwarder URI has no host: " + uri);
        }
    }

    /** A path segment this long made only of letters and digits is taken for a passkey. */
    static final int PASSKEY_SEGMENT_MIN = 16;

    /**
     * The URI as {@code /stats} and the log show it: without user info, with the query (private
     * trackers' {@code passkey=}) and any passkey-like path segment ({@code /0a1b…/announce}) as
     * {@code ***}. The forwarder's name is what identifies it to an operator.
     */
    public String shownUri() {
        StringBuilder b = new StringBuilder(64).append(uri.getScheme()).append("://");
        String host = uri.getHost();
        b.append(host.indexOf(':') >= 0 && !host.startsWith("[") ? "[" + host + "]" : host);
        if (uri.getPort() >= 0) {
            b.append(':').append(uri.getPort());
        }
        String path = uri.getRawPath();
        if (path != null) {
            int start = 0;
            while (start < path.length()) {
                int slash = path.indexOf('/', start);
                int end = slash < 0 ? path.length() : slash;
                String segment = path.substring(start, end);
                b.append(looksLikePasskey(segment) ? "***" : segment);
                if (slash < 0) {
                    break;
                }
                b.append('/');
                start = slash + 1;
            }
        }
        if (uri.getRawQuery() != null) {
            b.append("?***");
        }
        return b.toString();
    }

    private static boolean looksLikePasskey(String segment) {
        if (segment.length() < PASSKEY_SEGMENT_MIN) {
            return false;
        }
        for (int i = 0; i < segment.length(); i++) {
            if (!Character.isLetterOrDigit(segment.charAt(i)) || segment.charAt(i) > 0x7f) {
                return false;
            }
        }
        return true;
    }

    /** The port to connect to: the URI's, or the scheme's default. */
    public int port() {
        return uri.getPort() >= 0 ? uri.getPort() : scheme.defaultPort;
    }

    /** The transports an external tracker is reached by. */
    public enum Scheme {
        HTTP(80),
        HTTPS(443),
        /** BEP 15. */
        UDP(-1);

        /** The port when the URI names none; a UDP URI must name one. */
        public final int defaultPort;

        Scheme(int defaultPort) {
            this.defaultPort = defaultPort;
        }
    }
}
