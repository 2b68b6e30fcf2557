@NullMarked
package org.retracker.protocol.http;

import org.jspecify.annotations.NullMarked;
