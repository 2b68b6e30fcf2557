@NullMarked
package org.retracker.swarm;

import org.jspecify.annotations.NullMarked;
