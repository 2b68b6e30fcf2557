@NullMarked
package org.retracker.protocol.udp;

import org.jspecify.annotations.NullMarked;
