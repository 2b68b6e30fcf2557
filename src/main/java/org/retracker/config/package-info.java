@NullMarked
package org.retracker.config;

import org.jspecify.annotations.NullMarked;
