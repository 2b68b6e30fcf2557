/**
 * Tests of the shell scripts under {@code scripts/}: each runs the script with {@code /bin/bash} on
 * local files only (no network), as a user would from the repository.
 */
@NullMarked
package org.retracker.scripts;

import org.jspecify.annotations.NullMarked;
