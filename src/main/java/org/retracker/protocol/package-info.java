@NullMarked
package org.retracker.protocol;

import org.jspecify.annotations.NullMarked;
