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
