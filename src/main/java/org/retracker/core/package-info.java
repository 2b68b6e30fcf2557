@NullMarked
package org.retracker.core;

import org.jspecify.annotations.NullMarked;
