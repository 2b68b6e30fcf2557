package org.retracker.core;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import org.retracker.swarm.InfoHashSet;

/**
 * Reads an access list file: one info hash a line as 40 hex digits (either case), the format
 * opentracker and aquatic read. Blank lines, lines starting with {@code #} and a {@code #} comment
 * after a hash are ignored; spaces, tabs and a {@code \r} before the line end are allowed, and so
 * is a UTF-8 byte order mark at the start. A hash listed twice counts once.
 *
 * <p>Anything else stops the whole file with one message naming the file and the line ({@code
 * access.txt:12: expected ...}) and quoting the line: at start-up the tracker does not start, on
 * SIGHUP the running list stays. Nothing of a bad file is used.
 *
 * <p>The file is read in chunks and never held whole; a line costs no object, so a list of a
 * million hashes loads in a fraction of a second into the {@link InfoHashSet}'s table alone.
 */
public final class AccessListFile {
    /** An info hash is 20 bytes (BEP 3), written as two hex digits a byte. */
    static final int HEX_DIGITS = 40;
    /** The most of a bad line an error message quotes: enough to recognise it. */
    static final int MAX_QUOTED_BYTES = 64;

    private static final int CHUNK_BYTES = 64 * 1024;
    private static final byte[] UTF8_BOM = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
    private static final String EXPECTED = "expected an info hash of 40 hex digits (and at most a # comment), got ";

    private AccessListFile() {}

    /** An access list that cannot be used, with one message naming the file and the line. */
    public static final class InvalidAccessListException extends Exception {
        private static final long serialVersionUID = 1L;

        InvalidAccessListException(String message) {
            super(message);
        }
    }

    /** Reads {@code file} as a list used in {@code mode}. */
    public static AccessList read(Path file, AccessList.Mode mode) throws InvalidAccessListException {
        String name = file.toString();
        InputStream in;
        try {
            in = Files.newInputStream(file);
        } catch (NoSuchFileException e) {
            throw new InvalidAccessListException(name + ": cannot read the access list: no such file");
        } catch (AccessDeniedException e) {
            throw new InvalidAccessListException(name + ": cannot read the access list: permission denied");
        } catch (IOException | RuntimeException e) {
            throw new InvalidAccessListException(name + ": cannot read the access list: " + e.getMessage());
        }
        try (in) {
            return AccessList.of(name, mode, parse(name, in));
        } catch (IOException e) {
            // closing failed after a complete read: the list is whole, but say so rather than guess
            throw new InvalidAccessListException(name + ": cannot read the access list: " + e.getMessage());
        }
    }

    /**
     * Parses an access list.
     *
     * @param source names the file in messages
     * @throws InvalidAccessListException for the first bad line, too many hashes, or a read error
     */
    public static InfoHashSet parse(String source, InputStream in) throws InvalidAccessListException {
        return new Parser(source).parse(in);
    }

    /** One pass over one file: a state machine over its bytes. */
    private static final class Parser {
        /** Where in its line the parser is. */
        private enum State {
            /** Before anything but spaces: a hash, a comment or the line end may come. */
            START,
            /** Inside the hex digits of a hash. */
            HASH,
            /** After a whole hash: only spaces, a comment or the line end may come. */
            AFTER,
            /** In a comment, up to the line end. */
            COMMENT,
            /** The line is bad: read to its end to quote it, then stop. */
            BAD
        }

        private final String source;
        private final InfoHashSet.Builder hashes = new InfoHashSet.Builder();
        private final byte[] hash = new byte[HEX_DIGITS / 2];
        private final byte[] quote = new byte[MAX_QUOTED_BYTES];
        private State state = State.START;
        private long line = 1;
        private int digits;
        private int quoted;
        private boolean truncated;

        Parser(String source) {
            this.source = source;
        }

        InfoHashSet parse(InputStream in) throws InvalidAccessListException {
            try {
                byte[] head = in.readNBytes(UTF8_BOM.length);
                int from = Arrays.equals(head, UTF8_BOM) ? head.length : 0;
                accept(head, from, head.length);
                byte[] chunk = new byte[CHUNK_BYTES];
                for (int n; (n = in.read(chunk)) > 0; ) {
                    accept(chunk, 0, n);
                }
            } catch (IOException e) {
                throw new InvalidAccessListException(source + ": cannot read the access list: " + e.getMessage());
            }
            if (state == State.HASH) {
                state = State.BAD;
            }
            if (state == State.BAD) {
                throw bad();
            }
            return hashes.build();
        }

        private void accept(byte[] bytes, int from, int to) throws InvalidAccessListException {
            for (int i = from; i < to; i++) {
                byte b = bytes[i];
                if (b == '\n') {
                    endLine();
                    continue;
                }
                if (quoted < MAX_QUOTED_BYTES) {
                    quote[quoted++] = b;
                } else {
                    truncated = true;
                }
                state = switch (state) {
                    case START -> {
                        if (isBlank(b)) {
                            yield State.START;
                        }
                        if (b == '#') {
                            yield State.COMMENT;
                        }
                        yield digit(b) ? State.HASH : State.BAD;
                    }
                    case HASH -> digit(b) ? (digits == HEX_DIGITS ? add() : State.HASH) : State.BAD;
                    case AFTER -> isBlank(b) ? State.AFTER : b == '#' ? State.COMMENT : State.BAD;
                    case COMMENT -> State.COMMENT;
                    case BAD -> State.BAD;
                };
            }
        }

        /** Takes hex digit {@code b} into the hash; false when it is not one. */
        private boolean digit(byte b) {
            int v = b >= '0' && b <= '9'
                    ? b - '0'
                    : b >= 'a' && b <= 'f' ? b - 'a' + 10 : b >= 'A' && b <= 'F' ? b - 'A' + 10 : -1;
            if (v < 0) {
                return false;
            }
            int i = digits >> 1;
            hash[i] = (byte) ((digits & 1) == 0 ? v << 4 : (hash[i] & 0xf0) | v);
            digits++;
            return true;
        }

        private State add() throws InvalidAccessListException {
            if (hashes.size() == InfoHashSet.MAX_SIZE && !hashes.contains(hash, 0)) {
                throw new InvalidAccessListException(source + ":" + line + ": more than " + InfoHashSet.MAX_SIZE
                        + " info hashes; at most " + InfoHashSet.MAX_SIZE + " are allowed");
            }
            hashes.add(hash, 0);
            return State.AFTER;
        }

        private void endLine() throws InvalidAccessListException {
            if (state == State.HASH || state == State.BAD) {
                state = State.BAD;
                throw bad();
            }
            state = State.START;
            line++;
            digits = 0;
            quoted = 0;
            truncated = false;
        }

        private InvalidAccessListException bad() {
            int n = quoted;
            if (n > 0 && quote[n - 1] == '\r') {
                n--;
            }
            StringBuilder shown = new StringBuilder(n + 8).append('\'');
            String text = new String(quote, 0, n, StandardCharsets.UTF_8);
            for (int i = 0; i < text.length(); i++) {
                char c = text.charAt(i);
                shown.append(Character.isISOControl(c) || c == '\u2028' || c == '\u2029' ? '?' : c);
            }
            shown.append(truncated ? "...'" : "'");
            return new InvalidAccessListException(source + ":" + line + ": " + EXPECTED + shown);
        }

        private static boolean isBlank(byte b) {
            return b == ' ' || b == '\t' || b == '\r';
        }
    }
}
