package org.retracker.bench;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.Locale;

/**
 * What the load generator drives: {@code udp://HOST:PORT} or {@code http://HOST:PORT} (a path, if
 * given, is ignored: announces go to {@code /announce}, scrapes to {@code /scrape}). Only IPv4
 * loopback targets are accepted: the generator sends from 127.0.0.x source addresses, and a load
 * test must never leave the machine.
 */
record Target(Protocol protocol, InetSocketAddress address) {
    enum Protocol {
        UDP,
        HTTP;

        String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    static Target parse(String text) {
        URI uri;
        try {
            uri = new URI(text);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("--target: not a URL: " + text);
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        Protocol protocol = switch (scheme) {
            case "udp" -> Protocol.UDP;
            case "http" -> Protocol.HTTP;
            default -> throw new IllegalArgumentException("--target: udp:// or http:// expected: " + text);
        };
        String host = uri.getHost();
        if (host == null || uri.getPort() <= 0) {
            throw new IllegalArgumentException("--target: host and port expected, e.g. udp://127.0.0.1:6969: " + text);
        }
        InetAddress address;
        try {
            address = InetAddress.getByName(host);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("--target: unknown host " + host);
        }
        if (!address.isLoopbackAddress() || !(address instanceof Inet4Address)) {
            throw new IllegalArgumentException(
                    "--target: refusing " + host + ": only IPv4 loopback targets (127.0.0.0/8) may be loaded");
        }
        return new Target(protocol, new InetSocketAddress(address, uri.getPort()));
    }

    /** {@code Host} header value. */
    String hostHeader() {
        return address.getAddress().getHostAddress() + ":" + address.getPort();
    }
}
