package org.retracker.config;

/**
 * A value that does not fit its setting. The message says what was expected and what came, but
 * not where it came from: {@link ConfigLoader} prefixes that.
 */
final class InvalidValueException extends Exception {
    private static final long serialVersionUID = 1L;

    InvalidValueException(String message) {
        super(message);
    }
}
