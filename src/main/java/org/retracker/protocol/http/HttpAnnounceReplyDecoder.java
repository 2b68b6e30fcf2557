package org.retracker.protocol.http;

import static org.retracker.protocol.AnnounceResponse.PEER4_BYTES;
import static org.retracker.protocol.AnnounceResponse.PEER6_BYTES;
import static org.retracker.protocol.http.HttpAnnounceReply.ABSENT;
import static org.retracker.protocol.http.HttpAnnounceReply.RETRY_NEVER;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.jspecify.annotations.Nullable;
import org.retracker.bencode.BencodeReader;
import org.retracker.bencode.BencodeReader.Token;
import org.retracker.protocol.AddressParser;

/**
 * Decodes the bencoded body an HTTP tracker answers an announce with (BEP 3) into an {@link
 * HttpAnnounceReply}.
 *
 * <p>Read from the top-level dictionary: {@code failure reason} and BEP 31 {@code retry in} (an
 * integer, or the string {@code never}); {@code warning message}; {@code interval}, {@code min
 * interval}, {@code complete}, {@code incomplete}; {@code peers} as a compact string of 6-byte
 * entries (BEP 23) or a list of dictionaries with {@code ip} (IPv4 or IPv6 text) and {@code port}
 * (BEP 3); {@code peers6} as a compact string of 18-byte entries (BEP 7) or such a list. An empty
 * list or dictionary where peers are expected means no peers. Other keys are skipped.
 *
 * <p>Tolerant of what trackers get wrong in a single peer or field, strict about structure: a peer
 * dictionary without a numeric address (a DNS name, say) or a port of 1..65535 is skipped, port 0
 * peers are dropped, a trailing partial compact entry is ignored, and a known key with a value of
 * the wrong type or a negative number counts as absent; but a body that is not well-formed bencode
 * (see {@link BencodeReader}) or not a dictionary is rejected, and so is a dictionary carrying none
 * of {@code failure reason}, {@code interval}, {@code peers}, {@code peers6}. Peers of every
 * {@code peers} and {@code peers6} value are collected, in order, each going to its own family.
 *
 * <p>Reusable (it keeps its peer buffers); not thread-safe.
 */
public final class HttpAnnounceReplyDecoder {
    /**
     * Longest {@code failure reason} / {@code warning message} kept, in bytes: trackers send a
     * sentence; a longer text is cut here so that a hostile one cannot bloat logs and stats pages.
     */
    public static final int MAX_MESSAGE_BYTES = 1024;
    /** Peer buffer size to start with: 64 compact IPv4 peers; it doubles as needed. */
    private static final int INITIAL_PEER_BYTES = 64 * PEER4_BYTES;

    private static final byte[] FAILURE_REASON = ascii("failure reason");
    private static final byte[] RETRY_IN = ascii("retry in");
    private static final byte[] WARNING_MESSAGE = ascii("warning message");
    private static final byte[] INTERVAL = ascii("interval");
    private static final byte[] MIN_INTERVAL = ascii("min interval");
    private static final byte[] COMPLETE = ascii("complete");
    private static final byte[] INCOMPLETE = ascii("incomplete");
    private static final byte[] PEERS = ascii("peers");
    private static final byte[] PEERS6 = ascii("peers6");
    private static final byte[] IP = ascii("ip");
    private static final byte[] PORT = ascii("port");
    private static final byte[] NEVER = ascii("never");

    /** What {@link #decode} came to. */
    public enum Status {
        OK,
        /** Not well-formed bencode; {@link #problem()} says what and where. */
        MALFORMED,
        /** Well-formed, but not a dictionary. */
        NOT_A_DICTIONARY,
        /** A dictionary with none of the keys an announce reply has. */
        NOT_AN_ANNOUNCE_REPLY
    }

    private final BencodeReader reader = new BencodeReader();
    /** A parsed {@code ip} (4 or 16 bytes) followed by its port: one compact entry. */
    private final byte[] address = new byte[16 + 2];

    private byte[] src = new byte[0];
    private byte[] peers4 = new byte[INITIAL_PEER_BYTES];
    private byte[] peers6 = new byte[INITIAL_PEER_BYTES * 3];
    private int peers4Length;
    private int peers6Length;
    private @Nullable HttpAnnounceReply reply;
    private String problem = "";

    /**
     * Decodes {@code src[start, end)}. On {@link Status#OK} the result is in {@link #reply()};
     * otherwise {@link #problem()} describes the failure. Never throws for any content.
     */
    public Status decode(byte[] src, int start, int end) {
        this.src = src;
        reply = null;
        problem = "";
        peers4Length = 0;
        peers6Length = 0;
        String failureReason = null;
        String warningMessage = null;
        int retryIn = ABSENT;
        int interval = ABSENT;
        int minInterval = ABSENT;
        int complete = ABSENT;
        int incomplete = ABSENT;
        boolean replyKey = false;

        reader.reset(src, start, end);
        Token t = reader.next();
        if (t == Token.ERROR) {
            return malformed();
        }
        if (t != Token.DICT) {
            if (!reader.skip(t) || reader.next() != Token.EOF) {
                return malformed();
            }
            problem = "reply is not a bencoded dictionary";
            return Status.NOT_A_DICTIONARY;
        }
        while (true) {
            Token k = reader.next();
            if (k == Token.END) {
                break;
            }
            if (k == Token.ERROR) {
                return malformed();
            }
            int keyStart = reader.stringStart();
            int keyLength = reader.stringLength();
            Token v = reader.next();
            if (v == Token.ERROR) {
                return malformed();
            }
            if (is(keyStart, keyLength, FAILURE_REASON)) {
                replyKey = true;
                failureReason = v == Token.STRING ? message() : "";
            } else if (is(keyStart, keyLength, RETRY_IN)) {
                retryIn = retryIn(v);
            } else if (is(keyStart, keyLength, WARNING_MESSAGE)) {
                warningMessage = v == Token.STRING ? message() : null;
            } else if (is(keyStart, keyLength, INTERVAL)) {
                replyKey = true;
                interval = count(v);
            } else if (is(keyStart, keyLength, MIN_INTERVAL)) {
                minInterval = count(v);
            } else if (is(keyStart, keyLength, COMPLETE)) {
                complete = count(v);
            } else if (is(keyStart, keyLength, INCOMPLETE)) {
                incomplete = count(v);
            } else if (is(keyStart, keyLength, PEERS) || is(keyStart, keyLength, PEERS6)) {
                replyKey = true;
                if (v == Token.STRING) {
                    compactPeers(keyLength == PEERS6.length);
                } else if (v == Token.LIST) {
                    if (!peerList()) {
                        return malformed();
                    }
                    continue; // the list is consumed up to its end
                }
            }
            if (!reader.skip(v)) { // the rest of a container nobody read
                return malformed();
            }
        }
        if (reader.next() != Token.EOF) {
            return malformed();
        }
        if (!replyKey) {
            problem = "dictionary has no failure reason, interval, peers or peers6";
            return Status.NOT_AN_ANNOUNCE_REPLY;
        }
        reply = new HttpAnnounceReply(
                failureReason,
                retryIn,
                warningMessage,
                interval,
                minInterval,
                complete,
                incomplete,
                Arrays.copyOf(peers4, peers4Length),
                Arrays.copyOf(peers6, peers6Length));
        return Status.OK;
    }

    /** The reply of the last {@link #decode} that returned {@link Status#OK}. */
    public HttpAnnounceReply reply() {
        HttpAnnounceReply r = reply;
        if (r == null) {
            throw new IllegalStateException("the last decode failed: " + problem);
        }
        return r;
    }

    /** Why the last {@link #decode} failed; empty after success. */
    public String problem() {
        return problem;
    }

    private Status malformed() {
        problem = "malformed bencode at byte " + reader.position() + ": "
                + reader.status().message();
        return Status.MALFORMED;
    }

    private boolean is(int start, int length, byte[] key) {
        return Arrays.equals(src, start, start + length, key, 0, key.length);
    }

    private String message() {
        int length = Math.min(reader.stringLength(), MAX_MESSAGE_BYTES);
        return new String(src, reader.stringStart(), length, StandardCharsets.UTF_8);
    }

    /** A non-negative integer as an int (saturated), else {@link HttpAnnounceReply#ABSENT}. */
    private int count(Token v) {
        if (v != Token.INTEGER || reader.integer() < 0) {
            return ABSENT;
        }
        return (int) Math.min(reader.integer(), Integer.MAX_VALUE);
    }

    /** BEP 31: minutes (saturated below {@code never}), or the string {@code never}. */
    private int retryIn(Token v) {
        if (v == Token.STRING) {
            return reader.stringEquals(NEVER) ? RETRY_NEVER : ABSENT;
        }
        if (v != Token.INTEGER || reader.integer() < 0) {
            return ABSENT;
        }
        return (int) Math.min(reader.integer(), RETRY_NEVER - 1L);
    }

    /** BEP 23 / BEP 7: whole entries of the string just read, port-0 entries dropped. */
    private void compactPeers(boolean six) {
        int entry = six ? PEER6_BYTES : PEER4_BYTES;
        int start = reader.stringStart();
        int stop = start + reader.stringLength() / entry * entry;
        for (int p = start; p < stop; p += entry) {
            if (src[p + entry - 2] == 0 && src[p + entry - 1] == 0) {
                continue;
            }
            if (six) {
                appendPeer6(src, p);
            } else {
                appendPeer4(src, p);
            }
        }
    }

    /**
     * BEP 3 non-compact peers, after the list's opening token: dictionaries with {@code ip} and
     * {@code port}; anything else in the list is skipped. Returns false on malformed bencode.
     */
    private boolean peerList() {
        while (true) {
            Token t = reader.next();
            if (t == Token.END) {
                return true;
            }
            if (t == Token.ERROR) {
                return false;
            }
            if (t != Token.DICT) {
                if (!reader.skip(t)) {
                    return false;
                }
                continue;
            }
            int addressLength = 0;
            int port = 0;
            while (true) {
                Token k = reader.next();
                if (k == Token.END) {
                    break;
                }
                if (k == Token.ERROR) {
                    return false;
                }
                boolean ip = reader.stringEquals(IP);
                boolean portKey = !ip && reader.stringEquals(PORT);
                Token v = reader.next();
                if (ip && v == Token.STRING) {
                    int s = reader.stringStart();
                    addressLength = AddressParser.parse(src, s, s + reader.stringLength(), address);
                } else if (portKey && v == Token.INTEGER) {
                    long n = reader.integer();
                    port = n >= 1 && n <= 65535 ? (int) n : 0;
                } else if (!reader.skip(v)) {
                    return false;
                }
            }
            if (port == 0 || addressLength == 0) {
                continue;
            }
            address[addressLength] = (byte) (port >>> 8);
            address[addressLength + 1] = (byte) port;
            if (addressLength == 4) {
                appendPeer4(address, 0);
            } else {
                appendPeer6(address, 0);
            }
        }
    }

    private void appendPeer4(byte[] from, int offset) {
        if (peers4Length + PEER4_BYTES > peers4.length) {
            peers4 = Arrays.copyOf(peers4, peers4.length * 2);
        }
        System.arraycopy(from, offset, peers4, peers4Length, PEER4_BYTES);
        peers4Length += PEER4_BYTES;
    }

    private void appendPeer6(byte[] from, int offset) {
        if (peers6Length + PEER6_BYTES > peers6.length) {
            peers6 = Arrays.copyOf(peers6, peers6.length * 2);
        }
        System.arraycopy(from, offset, peers6, peers6Length, PEER6_BYTES);
        peers6Length += PEER6_BYTES;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
