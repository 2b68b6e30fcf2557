/**
 * End-to-end tests over real loopback sockets: the tracker runs in-process on {@code 127.0.0.1}
 * and {@code ::1} with ephemeral ports, and the tests talk to it as BitTorrent clients do, with
 * plain {@code java.net} sockets. The small clients and the fixture here are shared by all of them.
 */
@NullMarked
package org.retracker.it;

import org.jspecify.annotations.NullMarked;
