@NullMarked
package org.retracker.transport;

import org.jspecify.annotations.NullMarked;
