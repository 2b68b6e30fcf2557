package org.retracker.bench;

import java.util.Locale;

/** Why a request did not count as answered; each kind is reported as {@code error_<kind>=N}. */
enum ErrorKind {
    /** No reply within {@code --timeout}. */
    TIMEOUT,
    /** A UDP reply whose transaction id matches no outstanding request (late, duplicated or forged). */
    UNKNOWN_TRANSACTION,
    /** A reply with another action (BEP 15) than the request's. */
    WRONG_ACTION,
    /** A reply too short, too long, or not a whole number of entries. */
    BAD_LENGTH,
    /** A field out of range: interval not positive, a count negative, more peers than numwant. */
    BAD_VALUE,
    /** The tracker refused: a BEP 15 error or an HTTP {@code failure reason}. */
    TRACKER_ERROR,
    /** An HTTP status other than 200. */
    HTTP_STATUS,
    /** An HTTP response head that cannot be parsed. */
    BAD_HTTP,
    /** An HTTP body that is not the bencoded dictionary expected. */
    BAD_BENCODE,
    /** The server closed a connection with requests outstanding. */
    CONNECTION_CLOSED,
    /** A TCP connection could not be opened. */
    CONNECT_FAILED,
    /** {@code --insert-only}: peers not announced when the time ran out. */
    INCOMPLETE;

    String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
