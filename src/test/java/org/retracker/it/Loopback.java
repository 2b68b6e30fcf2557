package org.retracker.it;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

/** The only addresses these tests use: the IPv4 and IPv6 loopback (and 127.0.0.2 as a second host). */
final class Loopback {
    static final String V4 = "127.0.0.1";
    static final String V4_OTHER = "127.0.0.2";
    static final String V6 = "::1";

    private Loopback() {}

    /** Parses an IP literal; anything else (a name that would need a lookup) is refused. */
    static InetAddress address(String literal) {
        if (literal.isEmpty() || !literal.chars().allMatch(c -> Character.digit(c, 16) >= 0 || c == '.' || c == ':')) {
            throw new IllegalArgumentException("not an IP literal: '" + literal + "'");
        }
        try {
            return InetAddress.getByName(literal); // a literal: no name lookup
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(literal, e);
        }
    }

    static InetSocketAddress socket(String literal, int port) {
        return new InetSocketAddress(address(literal), port);
    }

    /** Skips the test when {@code host} is IPv6 and this machine has no {@code ::1}. */
    static void assumeAvailable(String host) {
        if (host.indexOf(':') >= 0) {
            assumeTrue(ipv6Available(), "no IPv6 loopback on this machine");
        }
    }

    static boolean ipv6Available() {
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(address(V6), 0))) {
            return s.getLocalPort() > 0;
        } catch (IOException e) {
            return false;
        }
    }
}
