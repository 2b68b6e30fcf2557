package org.retracker.transport;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/** Static files bundled in the jar. */
final class Resources {
    private Resources() {}

    /** The 16×16 icon served at {@code /favicon.ico} (what the seed's compose health check polls). */
    static byte[] favicon() {
        try (InputStream in = Resources.class.getResourceAsStream("/favicon.ico")) {
            if (in == null) {
                throw new IllegalStateException("favicon.ico missing from the jar");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
