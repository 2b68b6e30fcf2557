package org.retracker.transport;

import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.List;

/**
 * The host's own addresses, as a UDP listener on a wildcard address needs them: it binds a group of
 * sockets to each, so that replies leave from the address a request was sent to ({@link
 * UdpListener}). {@link #host()} in production; tests list loopback addresses such as 127.0.0.2,
 * which Linux routes to {@code lo} without listing them on it.
 */
@FunctionalInterface
public interface LocalAddresses {
    /**
     * The addresses now, in any order; filtering (link-local, family, how many) is the listener's.
     *
     * @throws SocketException when they cannot be read: the listener then keeps the sockets it has
     */
    List<InetAddress> current() throws SocketException;

    /** Every address on the host's network interfaces that are up, as {@code ip addr} lists them. */
    static LocalAddresses host() {
        return () -> {
            List<InetAddress> out = new ArrayList<>();
            for (NetworkInterface ni : NetworkInterface.networkInterfaces().toList()) {
                if (ni.isUp()) {
                    out.addAll(ni.inetAddresses().toList());
                }
            }
            return out;
        };
    }
}
