package org.retracker.bench;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;

/**
 * Writes tracker GET requests straight into a buffer, from pre-built fragments: nothing is
 * allocated per request. Binary values ({@code info_hash}) are percent-encoded byte by byte as
 * clients do: unreserved characters (RFC 3986) as they are, every other byte as {@code %XX}.
 */
final class HttpRequests {
    private static final byte[][] ENCODED = new byte[256][];

    static {
        byte[] hex = "0123456789ABCDEF".getBytes(StandardCharsets.US_ASCII);
        for (int b = 0; b < 256; b++) {
            boolean unreserved = (b >= 'a' && b <= 'z')
                    || (b >= 'A' && b <= 'Z')
                    || (b >= '0' && b <= '9')
                    || b == '-'
                    || b == '.'
                    || b == '_'
                    || b == '~';
            ENCODED[b] = unreserved ? new byte[] {(byte) b} : new byte[] {'%', hex[b >> 4], hex[b & 15]};
        }
    }

    private static final byte[] ANNOUNCE = ascii("GET /announce?info_hash=");
    private static final byte[] PEER_ID = ascii("&peer_id=");
    private static final byte[] PORT = ascii("&port=");
    private static final byte[] COUNTERS = ascii("&uploaded=0&downloaded=0&left=");
    private static final byte[] EVENT_COMPLETED = ascii("&event=completed");
    private static final byte[] EVENT_STARTED = ascii("&event=started");
    private static final byte[] EVENT_STOPPED = ascii("&event=stopped");
    private static final byte[] NUMWANT = ascii("&numwant=");
    private static final byte[] KEY = ascii("&key=");
    private static final byte[] COMPACT = ascii("&compact=1&no_peer_id=1");
    private static final byte[] SCRAPE = ascii("GET /scrape?info_hash=");
    private static final byte[] NEXT_HASH = ascii("&info_hash=");
    private static final byte[] HEX_LOWER = ascii("0123456789abcdef");

    private HttpRequests() {}

    /**
     * The part after the query: version, headers and the blank line, built once per run. {@code
     * close} asks the server to close the connection after its reply.
     */
    static byte[] tail(String hostHeader, boolean close) {
        return ascii(" HTTP/1.1\r\nHost: " + hostHeader + "\r\nUser-Agent: retracker-bench\r\n"
                + (close ? "Connection: close\r\n" : "") + "\r\n");
    }

    /** An announce of {@code peer} with a BEP 15 event code (the HTTP parameter is its name). */
    static void announce(ByteBuf out, Workload workload, int peer, int event, int numWant, byte[] tail) {
        out.writeBytes(ANNOUNCE);
        writeInfoHash(out, workload, workload.torrentOf(peer));
        out.writeBytes(PEER_ID);
        workload.writePeerId(peer, out); // ASCII letters, digits and '-': nothing to escape
        out.writeBytes(PORT);
        writeDecimal(out, workload.port(peer));
        out.writeBytes(COUNTERS);
        writeDecimal(out, workload.left(peer));
        switch (event) {
            case Workload.EVENT_COMPLETED -> out.writeBytes(EVENT_COMPLETED);
            case Workload.EVENT_STARTED -> out.writeBytes(EVENT_STARTED);
            case Workload.EVENT_STOPPED -> out.writeBytes(EVENT_STOPPED);
            default -> {
                // none: no event parameter
            }
        }
        out.writeBytes(NUMWANT);
        writeDecimal(out, numWant);
        out.writeBytes(KEY);
        int key = workload.key(peer);
        for (int shift = 28; shift >= 0; shift -= 4) {
            out.writeByte(HEX_LOWER[(key >>> shift) & 15]);
        }
        out.writeBytes(COMPACT);
        out.writeBytes(tail);
    }

    /** Starts a scrape with its first info hash; add more with {@link #scrapeHash}, then the tail. */
    static void scrapeStart(ByteBuf out, Workload workload, int torrent) {
        out.writeBytes(SCRAPE);
        writeInfoHash(out, workload, torrent);
    }

    static void scrapeHash(ByteBuf out, Workload workload, int torrent) {
        out.writeBytes(NEXT_HASH);
        writeInfoHash(out, workload, torrent);
    }

    private static void writeInfoHash(ByteBuf out, Workload workload, int torrent) {
        for (int i = 0; i < Workload.HASH_BYTES; i++) {
            out.writeBytes(ENCODED[workload.infoHashByte(torrent, i) & 0xff]);
        }
    }

    static void writeDecimal(ByteBuf out, long value) {
        if (value == 0) {
            out.writeByte('0');
            return;
        }
        long div = 1;
        while (div <= value / 10) {
            div *= 10;
        }
        for (; div > 0; div /= 10) {
            out.writeByte('0' + (int) ((value / div) % 10));
        }
    }

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
