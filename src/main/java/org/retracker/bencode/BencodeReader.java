package org.retracker.bencode;

import java.util.Arrays;

/**
 * Reads bencode (BEP 3) from a byte range as a stream of tokens, for replies from external
 * trackers: nothing is trusted, nothing is allocated per token, and every limit is checked before
 * it is reached.
 *
 * <p>{@link #next()} returns one {@link Token} per call: {@link Token#INTEGER} (read {@link
 * #integer()}), {@link Token#STRING} (a range of the input: {@link #stringStart()}, {@link
 * #stringLength()}), {@link Token#LIST} and {@link Token#DICT} when a container opens, {@link
 * Token#END} when one closes, {@link Token#EOF} once the one top-level value is complete and the
 * input ends exactly there, and {@link Token#ERROR} for malformed input, with {@link #status()}
 * saying why and {@link #position()} where. An error is final: later calls return it again. Inside
 * a dictionary tokens alternate key ({@link #isKey()}) and value; the reader enforces that keys are
 * strings and that every key has a value.
 *
 * <p>Strict where BEP 3 leaves no room: integers without leading zeros, no {@code -0}, within a
 * {@code long}; string lengths without leading zeros; nothing after the top-level value. Tolerant
 * where trackers are known to stray: dictionary keys are accepted in any order and duplicates are
 * passed through (the caller decides; {@link org.retracker.protocol.http} lets the last one win).
 *
 * <p>Container state: a fixed stack of {@link #MAX_DEPTH} bytes, one per open container (list,
 * dictionary expecting a key, dictionary expecting a value). Reusable through {@link #reset}; not
 * thread-safe.
 */
public final class BencodeReader {
    /**
     * Deepest nesting accepted. A tracker reply nests three deep (dictionary, {@code peers} list,
     * peer dictionary); 32 leaves room for extensions while keeping the container stack tiny.
     */
    public static final int MAX_DEPTH = 32;
    /**
     * Most values (integers, strings, lists, dictionaries, keys included) in one document. A
     * non-compact peer costs 7 (dictionary, three keys, three values), so 64 Ki admits about 9,000
     * peers, far above the 200 trackers usually cap numwant at, while bounding work on hostile input.
     */
    public static final int MAX_ELEMENTS = 64 * 1024;
    /** Digits in {@link Long#MAX_VALUE}: an integer with more cannot be a {@code long}. */
    private static final int MAX_INTEGER_DIGITS = 19;
    /** Digits in {@link Integer#MAX_VALUE}: a string length with more cannot index an array. */
    private static final int MAX_LENGTH_DIGITS = 10;

    private static final byte IN_LIST = 0;
    private static final byte IN_DICT_KEY = 1;
    private static final byte IN_DICT_VALUE = 2;

    /** What {@link #next()} found. */
    public enum Token {
        INTEGER,
        STRING,
        LIST,
        DICT,
        END,
        EOF,
        ERROR
    }

    /** Why a document was rejected; {@link #OK} while it is not. */
    public enum Status {
        OK("ok"),
        TRUNCATED("input ends inside a value"),
        UNEXPECTED_BYTE("byte cannot start a value"),
        BAD_INTEGER("integer is empty, has a leading zero, is -0 or has a non-digit"),
        INTEGER_OVERFLOW("integer does not fit 64 bits"),
        BAD_LENGTH("string length has a leading zero, a non-digit or no colon"),
        KEY_NOT_STRING("dictionary key is not a string"),
        KEY_WITHOUT_VALUE("dictionary ends after a key"),
        TOO_DEEP("nested deeper than " + MAX_DEPTH),
        TOO_MANY_ELEMENTS("more than " + MAX_ELEMENTS + " values"),
        TRAILING_DATA("bytes after the top-level value");

        private final String message;

        Status(String message) {
            this.message = message;
        }

        public String message() {
            return message;
        }
    }

    private final byte[] stack = new byte[MAX_DEPTH];
    private byte[] src = new byte[0];
    private int pos;
    private int end;
    private int depth;
    private int elements;
    private boolean started;
    private boolean key;
    private long integer;
    private int stringStart;
    private int stringLength;
    private Status status = Status.OK;

    /** Starts reading {@code src[start, end)}; the array is read, never written or kept past the next reset. */
    public BencodeReader reset(byte[] src, int start, int end) {
        if (start < 0 || end < start || end > src.length) {
            throw new IndexOutOfBoundsException("range [" + start + ", " + end + ") of " + src.length);
        }
        this.src = src;
        this.pos = start;
        this.end = end;
        this.depth = 0;
        this.elements = 0;
        this.started = false;
        this.key = false;
        this.integer = 0;
        this.stringStart = start;
        this.stringLength = 0;
        this.status = Status.OK;
        return this;
    }

    /** Reads the next token. */
    public Token next() {
        if (status != Status.OK) {
            return Token.ERROR;
        }
        if (depth == 0 && started) {
            return pos == end ? Token.EOF : fail(Status.TRAILING_DATA);
        }
        if (pos >= end) {
            return fail(Status.TRUNCATED);
        }
        byte b = src[pos];
        if (b == 'e' && depth > 0) {
            if (stack[depth - 1] == IN_DICT_VALUE) {
                return fail(Status.KEY_WITHOUT_VALUE);
            }
            pos++;
            depth--;
            completeValue();
            return Token.END;
        }
        key = depth > 0 && stack[depth - 1] == IN_DICT_KEY;
        if (key && (b < '0' || b > '9')) {
            return fail(Status.KEY_NOT_STRING);
        }
        if (++elements > MAX_ELEMENTS) {
            return fail(Status.TOO_MANY_ELEMENTS);
        }
        started = true;
        switch (b) {
            case 'i' -> {
                return readInteger();
            }
            case 'l', 'd' -> {
                if (depth == MAX_DEPTH) {
                    return fail(Status.TOO_DEEP);
                }
                pos++; // the parent advances when this container ends
                stack[depth++] = b == 'l' ? IN_LIST : IN_DICT_KEY;
                return b == 'l' ? Token.LIST : Token.DICT;
            }
            default -> {
                if (b >= '0' && b <= '9') {
                    return readString();
                }
                return fail(Status.UNEXPECTED_BYTE);
            }
        }
    }

    /**
     * Skips the rest of a value whose first token was {@code first}: nothing for a scalar, up to and
     * including the matching {@link Token#END} for a container. Returns false on malformed input.
     */
    public boolean skip(Token first) {
        if (first == Token.ERROR) {
            return false;
        }
        if (first != Token.LIST && first != Token.DICT) {
            return true;
        }
        int target = depth - 1;
        while (depth > target) {
            if (next() == Token.ERROR) {
                return false;
            }
        }
        return true;
    }

    /** The value of the last {@link Token#INTEGER}. */
    public long integer() {
        return integer;
    }

    /** Where the last {@link Token#STRING}'s bytes start in the input array. */
    public int stringStart() {
        return stringStart;
    }

    public int stringLength() {
        return stringLength;
    }

    /** True when the last {@link Token#STRING} equals {@code expected}. */
    public boolean stringEquals(byte[] expected) {
        return Arrays.equals(src, stringStart, stringStart + stringLength, expected, 0, expected.length);
    }

    /** A copy of the last {@link Token#STRING}'s bytes, at most {@code max} of them. */
    public byte[] stringBytes(int max) {
        return Arrays.copyOfRange(src, stringStart, stringStart + Math.min(stringLength, max));
    }

    /** True when the last token was a dictionary key. */
    public boolean isKey() {
        return key;
    }

    /** Containers open now: 0 at the top level, 1 inside the outermost dictionary or list. */
    public int depth() {
        return depth;
    }

    public Status status() {
        return status;
    }

    /** Where reading stands: after an error, the offset of the byte that caused it. */
    public int position() {
        return pos;
    }

    private Token readInteger() {
        int p = pos + 1;
        boolean negative = p < end && src[p] == '-';
        if (negative) {
            p++;
        }
        int digitsStart = p;
        long value = 0; // accumulated negatively, so Long.MIN_VALUE fits
        while (p < end && src[p] != 'e') {
            int d = src[p] - '0';
            if (d < 0 || d > 9) {
                return failAt(p, Status.BAD_INTEGER);
            }
            if (p - digitsStart == MAX_INTEGER_DIGITS) {
                return failAt(p, Status.INTEGER_OVERFLOW);
            }
            if (value < (Long.MIN_VALUE + d) / 10) {
                return failAt(p, Status.INTEGER_OVERFLOW);
            }
            value = value * 10 - d;
            p++;
        }
        if (p == end) {
            return failAt(p, Status.TRUNCATED);
        }
        int digits = p - digitsStart;
        if (digits == 0 || (digits > 1 && src[digitsStart] == '0') || (negative && value == 0)) {
            return failAt(digitsStart, Status.BAD_INTEGER);
        }
        if (!negative && value == Long.MIN_VALUE) {
            return failAt(digitsStart, Status.INTEGER_OVERFLOW);
        }
        integer = negative ? value : -value;
        pos = p + 1;
        completeValue();
        return Token.INTEGER;
    }

    private Token readString() {
        int p = pos;
        int length = 0;
        while (p < end && src[p] != ':') {
            int d = src[p] - '0';
            if (d < 0 || d > 9 || p - pos == MAX_LENGTH_DIGITS) {
                return failAt(p, Status.BAD_LENGTH);
            }
            if (length > (Integer.MAX_VALUE - d) / 10) {
                return failAt(p, Status.BAD_LENGTH);
            }
            length = length * 10 + d;
            p++;
        }
        if (p == end) {
            return failAt(p, Status.TRUNCATED);
        }
        if (p - pos > 1 && src[pos] == '0') {
            return failAt(pos, Status.BAD_LENGTH);
        }
        p++; // past ':'
        if (length > end - p) {
            return failAt(end, Status.TRUNCATED);
        }
        stringStart = p;
        stringLength = length;
        pos = p + length;
        completeValue();
        return Token.STRING;
    }

    /** A value just completed: in a dictionary, a key is followed by its value and a value by a key. */
    private void completeValue() {
        if (depth == 0) {
            return;
        }
        byte s = stack[depth - 1];
        if (s == IN_DICT_KEY) {
            stack[depth - 1] = IN_DICT_VALUE;
        } else if (s == IN_DICT_VALUE) {
            stack[depth - 1] = IN_DICT_KEY;
        }
    }

    private Token fail(Status why) {
        status = why;
        return Token.ERROR;
    }

    private Token failAt(int at, Status why) {
        pos = at;
        return fail(why);
    }
}
