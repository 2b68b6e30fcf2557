/**
 * Forwarding: announcing local peers to external trackers (HTTP, HTTPS, BEP 15 UDP) and merging
 * the peers they return into local replies. Clients never wait for it.
 */
@NullMarked
package org.retracker.forward;

import org.jspecify.annotations.NullMarked;
