/**
 * Tests of the packaging: {@code docker/} (the entrypoint and health probe scripts run with
 * {@code /bin/bash}, the Dockerfile and compose file read for their essentials; no Docker engine
 * is needed) and the jlink runtime image of {@code make image} ({@code ImageIT}, run by failsafe
 * after the jar is packaged).
 */
@NullMarked
package org.retracker.packaging;

import org.jspecify.annotations.NullMarked;
