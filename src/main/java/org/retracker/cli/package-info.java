@NullMarked
package org.retracker.cli;

import org.jspecify.annotations.NullMarked;
