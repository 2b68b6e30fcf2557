@NullMarked
package org.retracker.bencode;

import org.jspecify.annotations.NullMarked;
