package org.retracker.config;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * Turns the host of a listen address into an address. The system's resolver in production; tests
 * and the fuzz target pass one that never asks DNS.
 */
@FunctionalInterface
interface HostResolver {
    /** {@link InetAddress#getByName}: a literal is parsed, a name is looked up. */
    HostResolver SYSTEM = InetAddress::getByName;

    InetAddress resolve(String host) throws UnknownHostException;
}
