/**
 * Interop tests: real BitTorrent clients from Debian (libtorrent, Transmission, aria2) download a
 * file from each other through a retracker started in-process on loopback, and a real opentracker
 * ({@link org.retracker.interop.Opentracker}) plays the external tracker. Tagged {@code interop}.
 */
@NullMarked
package org.retracker.interop;

import org.jspecify.annotations.NullMarked;
