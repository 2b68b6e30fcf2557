@NullMarked
package org.retracker.forward;

import org.jspecify.annotations.NullMarked;
