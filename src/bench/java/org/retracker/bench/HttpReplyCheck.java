package org.retracker.bench;

import java.nio.charset.StandardCharsets;
import org.retracker.bencode.BencodeReader;
import org.retracker.bencode.BencodeReader.Token;

/**
 * Validates tracker reply bodies with the tracker's own bounded bencode reader. A problem is
 * counted in the lane's stats; the methods only say whether the body was good.
 *
 * <ul>
 *   <li>announce: a dictionary with a positive {@code interval} and {@code peers} as a compact
 *       string (a multiple of 6 bytes, at most numwant peers) or a list of at most numwant
 *       entries; {@code complete} / {@code incomplete}, when present, not negative.
 *   <li>scrape: a dictionary whose {@code files} maps at most as many 20-byte hashes as were asked
 *       for to dictionaries with non-negative {@code complete} / {@code downloaded} / {@code
 *       incomplete}.
 *   <li>either: a {@code failure reason} is a {@link ErrorKind#TRACKER_ERROR}.
 * </ul>
 */
final class HttpReplyCheck {
    private static final byte[] FAILURE_REASON = HttpRequests.ascii("failure reason");
    private static final byte[] INTERVAL = HttpRequests.ascii("interval");
    private static final byte[] PEERS = HttpRequests.ascii("peers");
    private static final byte[] COMPLETE = HttpRequests.ascii("complete");
    private static final byte[] INCOMPLETE = HttpRequests.ascii("incomplete");
    private static final byte[] DOWNLOADED = HttpRequests.ascii("downloaded");
    private static final byte[] FILES = HttpRequests.ascii("files");
    private static final int PEER_BYTES = 6;
    /** Bytes of a failure reason kept for the diagnostics. */
    private static final int MAX_MESSAGE = 200;

    private HttpReplyCheck() {}

    static boolean announce(BencodeReader r, byte[] body, int start, int end, int numWant, LoopStats stats) {
        r.reset(body, start, end);
        if (r.next() != Token.DICT) {
            return fail(stats, ErrorKind.BAD_BENCODE);
        }
        boolean interval = false;
        boolean peers = false;
        while (true) {
            Token key = r.next();
            if (key == Token.END) {
                break;
            }
            if (key != Token.STRING) {
                return fail(stats, ErrorKind.BAD_BENCODE);
            }
            if (r.stringEquals(FAILURE_REASON)) {
                return failure(r, stats);
            }
            boolean isInterval = r.stringEquals(INTERVAL);
            boolean isPeers = !isInterval && r.stringEquals(PEERS);
            boolean isCount = !isInterval && !isPeers && (r.stringEquals(COMPLETE) || r.stringEquals(INCOMPLETE));
            Token value = r.next();
            if (isInterval) {
                if (value != Token.INTEGER || r.integer() <= 0) {
                    return fail(stats, ErrorKind.BAD_VALUE);
                }
                interval = true;
            } else if (isPeers) {
                int count;
                if (value == Token.STRING) {
                    if (r.stringLength() % PEER_BYTES != 0) {
                        return fail(stats, ErrorKind.BAD_LENGTH);
                    }
                    count = r.stringLength() / PEER_BYTES;
                } else if (value == Token.LIST) {
                    count = 0;
                    for (Token t = r.next(); t != Token.END; t = r.next()) {
                        if (!r.skip(t) || t == Token.EOF) {
                            return fail(stats, ErrorKind.BAD_BENCODE);
                        }
                        count++;
                    }
                } else {
                    return fail(stats, ErrorKind.BAD_VALUE);
                }
                if (count > numWant) {
                    return fail(stats, ErrorKind.BAD_VALUE);
                }
                peers = true;
            } else if (isCount) {
                if (value != Token.INTEGER || r.integer() < 0) {
                    return fail(stats, ErrorKind.BAD_VALUE);
                }
            } else if (!r.skip(value)) {
                return fail(stats, ErrorKind.BAD_BENCODE);
            }
        }
        if (r.next() != Token.EOF) {
            return fail(stats, ErrorKind.BAD_BENCODE);
        }
        if (!interval || !peers) {
            return fail(stats, ErrorKind.BAD_VALUE);
        }
        stats.announces++;
        return true;
    }

    static boolean scrape(BencodeReader r, byte[] body, int start, int end, int requested, LoopStats stats) {
        r.reset(body, start, end);
        if (r.next() != Token.DICT) {
            return fail(stats, ErrorKind.BAD_BENCODE);
        }
        boolean files = false;
        while (true) {
            Token key = r.next();
            if (key == Token.END) {
                break;
            }
            if (key != Token.STRING) {
                return fail(stats, ErrorKind.BAD_BENCODE);
            }
            if (r.stringEquals(FAILURE_REASON)) {
                return failure(r, stats);
            }
            boolean isFiles = r.stringEquals(FILES);
            Token value = r.next();
            if (!isFiles) {
                if (!r.skip(value)) {
                    return fail(stats, ErrorKind.BAD_BENCODE);
                }
                continue;
            }
            if (value != Token.DICT) {
                return fail(stats, ErrorKind.BAD_VALUE);
            }
            int entries = 0;
            for (Token hash = r.next(); hash != Token.END; hash = r.next()) {
                if (hash != Token.STRING || r.stringLength() != Workload.HASH_BYTES) {
                    return fail(stats, hash == Token.STRING ? ErrorKind.BAD_VALUE : ErrorKind.BAD_BENCODE);
                }
                if (++entries > requested) {
                    return fail(stats, ErrorKind.BAD_VALUE);
                }
                if (r.next() != Token.DICT) {
                    return fail(stats, ErrorKind.BAD_VALUE);
                }
                if (!counts(r, stats)) {
                    return false;
                }
            }
            files = true;
        }
        if (r.next() != Token.EOF) {
            return fail(stats, ErrorKind.BAD_BENCODE);
        }
        if (!files) {
            return fail(stats, ErrorKind.BAD_VALUE);
        }
        stats.scrapes++;
        return true;
    }

    /** The inside of one scrape entry, up to its END; counts a problem. */
    private static boolean counts(BencodeReader r, LoopStats stats) {
        for (Token key = r.next(); key != Token.END; key = r.next()) {
            if (key != Token.STRING) {
                return fail(stats, ErrorKind.BAD_BENCODE);
            }
            boolean isCount = r.stringEquals(COMPLETE) || r.stringEquals(INCOMPLETE) || r.stringEquals(DOWNLOADED);
            Token value = r.next();
            if (isCount) {
                if (value != Token.INTEGER || r.integer() < 0) {
                    return fail(stats, ErrorKind.BAD_VALUE);
                }
            } else if (!r.skip(value)) {
                return fail(stats, ErrorKind.BAD_BENCODE);
            }
        }
        return true;
    }

    private static boolean failure(BencodeReader r, LoopStats stats) {
        if (r.next() != Token.STRING) {
            return fail(stats, ErrorKind.BAD_BENCODE);
        }
        byte[] text = r.stringBytes(MAX_MESSAGE);
        stats.trackerMessage(new String(text, StandardCharsets.UTF_8));
        return false;
    }

    private static boolean fail(LoopStats stats, ErrorKind kind) {
        stats.error(kind);
        return false;
    }
}
