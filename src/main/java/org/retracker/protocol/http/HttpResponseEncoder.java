package org.retracker.protocol.http;

import static org.retracker.bencode.BencodeWriter.decimalLength;
import static org.retracker.bencode.BencodeWriter.key;
import static org.retracker.bencode.BencodeWriter.writeBytes;
import static org.retracker.bencode.BencodeWriter.writeDecimal;
import static org.retracker.bencode.BencodeWriter.writeInteger;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.jspecify.annotations.Nullable;
import org.retracker.protocol.AnnounceRequest;
import org.retracker.protocol.AnnounceResponse;
import org.retracker.protocol.FailureReason;
import org.retracker.protocol.ScrapeRequest;
import org.retracker.protocol.ScrapeResponse;

/**
 * Writes HTTP tracker bodies (bencoded dictionaries, keys in the sorted order BEP 3 requires) and
 * the HTTP/1.1 head around them, straight into pooled buffers.
 *
 * <p>Announce: {@code complete, incomplete, interval, min interval, peers[, peers6][, tracker
 * id][, warning message]}. Compact replies (BEP 23) carry {@code peers} as 6 bytes per IPv4 peer,
 * always present, and {@code peers6} (BEP 7) as 18 bytes per IPv6 peer only when there are any.
 * Non-compact replies list dicts {@code ip, port} (BEP 3 without {@code peer id}, as BEP 23's {@code
 * no_peer_id} asks: the store keeps no peer ids), IPv4 and IPv6 alike. Scrape (BEP 48): {@code files} keyed by the raw info
 * hashes in ascending byte order, duplicates once.
 *
 * <p>One instance per event loop (scratch index array for scrape ordering); not thread-safe.
 */
public final class HttpResponseEncoder {
    private static final byte[] COMPLETE = key("complete");
    private static final byte[] INCOMPLETE = key("incomplete");
    private static final byte[] INTERVAL = key("interval");
    private static final byte[] MIN_INTERVAL = key("min interval");
    private static final byte[] PEERS = key("peers");
    private static final byte[] PEERS6 = key("peers6");
    private static final byte[] TRACKER_ID = key("tracker id");
    private static final byte[] WARNING = key("warning message");
    private static final byte[] FAILURE = key("failure reason");
    private static final byte[] RETRY_IN = key("retry in");
    private static final byte[] IP = key("ip");
    private static final byte[] PORT = key("port");
    private static final byte[] FILES = key("files");
    private static final byte[] DOWNLOADED = key("downloaded");

    private static final byte[] CONTENT_LENGTH = ascii("\r\nContent-Length: ");
    private static final byte[] KEEP_ALIVE = ascii("\r\nConnection: keep-alive\r\n\r\n");
    private static final byte[] CLOSE = ascii("\r\nConnection: close\r\n\r\n");

    private final int[] order;
    private final byte @Nullable [] trackerId;

    /**
     * @param maxScrapeHashes the most hashes a scrape may carry
     * @param trackerId BEP 3 {@code tracker id} to send, or {@code null}
     */
    public HttpResponseEncoder(int maxScrapeHashes, @Nullable String trackerId) {
        this.order = new int[maxScrapeHashes];
        this.trackerId = trackerId == null || trackerId.isEmpty() ? null : trackerId.getBytes(StandardCharsets.UTF_8);
    }

    /** Writes the bencoded body of a successful announce. */
    public void writeAnnounce(ByteBuf out, AnnounceRequest request, AnnounceResponse response) {
        out.writeByte('d');
        out.writeBytes(COMPLETE);
        writeInteger(out, response.complete);
        out.writeBytes(INCOMPLETE);
        writeInteger(out, response.incomplete);
        out.writeBytes(INTERVAL);
        writeInteger(out, response.interval);
        out.writeBytes(MIN_INTERVAL);
        writeInteger(out, response.minInterval);
        out.writeBytes(PEERS);
        if (request.compact) {
            writeBytes(out, response.peers4, 0, response.peers4Count * AnnounceResponse.PEER4_BYTES);
            if (response.peers6Count > 0) {
                out.writeBytes(PEERS6);
                writeBytes(out, response.peers6, 0, response.peers6Count * AnnounceResponse.PEER6_BYTES);
            }
        } else {
            // BEP 3's list of dictionaries, without "peer id": the tracker keeps no peer ids (as if
            // every client sent BEP 23's no_peer_id; BEP 3 clients connect by ip and port alone).
            out.writeByte('l');
            for (int i = 0; i < response.peers4Count; i++) {
                writePeerDict(out, response.peers4, i * AnnounceResponse.PEER4_BYTES, 4);
            }
            for (int i = 0; i < response.peers6Count; i++) {
                writePeerDict(out, response.peers6, i * AnnounceResponse.PEER6_BYTES, 16);
            }
            out.writeByte('e');
        }
        byte[] id = trackerId;
        if (id != null) {
            out.writeBytes(TRACKER_ID);
            writeBytes(out, id);
        }
        byte[] warning = response.warning;
        if (warning != null) {
            out.writeBytes(WARNING);
            writeBytes(out, warning);
        }
        out.writeByte('e');
    }

    private static void writePeerDict(ByteBuf out, byte[] peers, int offset, int addressLength) {
        out.writeByte('d');
        out.writeBytes(IP);
        // The text is 7..15 bytes (IPv4) or 15..39 (IPv6, uncompressed): its length is counted
        // first, because bencode string lengths carry no leading zero (BEP 3).
        if (addressLength == 4) {
            int textLength = 3;
            for (int b = 0; b < 4; b++) {
                textLength += decimalLength(peers[offset + b] & 0xff);
            }
            writeDecimal(out, textLength);
            out.writeByte(':');
            for (int b = 0; b < 4; b++) {
                if (b > 0) {
                    out.writeByte('.');
                }
                writeDecimal(out, peers[offset + b] & 0xff);
            }
        } else {
            int textLength = 7;
            for (int g = 0; g < 8; g++) {
                textLength += hexLength(word(peers, offset, g));
            }
            writeDecimal(out, textLength);
            out.writeByte(':');
            for (int g = 0; g < 8; g++) {
                if (g > 0) {
                    out.writeByte(':');
                }
                writeHex(out, word(peers, offset, g));
            }
        }
        out.writeBytes(PORT);
        writeInteger(out, (peers[offset + addressLength] & 0xff) << 8 | (peers[offset + addressLength + 1] & 0xff));
        out.writeByte('e');
    }

    private static int word(byte[] peers, int offset, int group) {
        return (peers[offset + 2 * group] & 0xff) << 8 | (peers[offset + 2 * group + 1] & 0xff);
    }

    /** Hex digits {@link #writeHex} writes: 1 to 4. */
    private static int hexLength(int word) {
        return word >= 0x1000 ? 4 : word >= 0x100 ? 3 : word >= 0x10 ? 2 : 1;
    }

    private static void writeHex(ByteBuf out, int word) {
        boolean started = false;
        for (int shift = 12; shift >= 0; shift -= 4) {
            int nibble = (word >>> shift) & 0xf;
            if (nibble != 0 || started || shift == 0) {
                out.writeByte(nibble < 10 ? '0' + nibble : 'a' + nibble - 10);
                started = true;
            }
        }
    }

    /**
     * Writes {@code d14:failure reason<msg>e}, with BEP 31 {@code retry in} when {@code
     * retryInSeconds} is positive. BEP 31 counts {@code retry in} in minutes: the seconds are rounded
     * up to whole minutes, so any wait at all is at least 1.
     */
    public static void writeFailure(ByteBuf out, FailureReason reason, int retryInSeconds) {
        out.writeByte('d');
        out.writeBytes(FAILURE);
        writeBytes(out, reason.bytes());
        if (retryInSeconds > 0) {
            out.writeBytes(RETRY_IN);
            writeInteger(out, (retryInSeconds + 59L) / 60);
        }
        out.writeByte('e');
    }

    /** Writes the BEP 48 scrape body for the hashes of {@code request}. */
    public void writeScrape(ByteBuf out, ScrapeRequest request, ScrapeResponse response) {
        int n = request.count;
        byte[] hashes = request.infoHashes;
        // Insertion sort of indices by raw hash bytes: n is small (a named limit) and this allocates nothing.
        for (int i = 0; i < n; i++) {
            int j = i;
            while (j > 0 && compareHash(hashes, order[j - 1], i) > 0) {
                order[j] = order[j - 1];
                j--;
            }
            order[j] = i;
        }
        out.writeByte('d');
        out.writeBytes(FILES);
        out.writeByte('d');
        for (int k = 0; k < n; k++) {
            int i = order[k];
            if (k > 0 && compareHash(hashes, order[k - 1], i) == 0) {
                continue; // a dictionary key appears once
            }
            writeBytes(out, hashes, i * AnnounceRequest.ID_LENGTH, AnnounceRequest.ID_LENGTH);
            out.writeByte('d');
            out.writeBytes(COMPLETE);
            writeInteger(out, response.complete[i]);
            out.writeBytes(DOWNLOADED);
            writeInteger(out, response.downloaded[i]);
            out.writeBytes(INCOMPLETE);
            writeInteger(out, response.incomplete[i]);
            out.writeByte('e');
        }
        out.writeByte('e');
        out.writeByte('e');
    }

    private static int compareHash(byte[] hashes, int a, int b) {
        return Arrays.compareUnsigned(
                hashes,
                a * AnnounceRequest.ID_LENGTH,
                (a + 1) * AnnounceRequest.ID_LENGTH,
                hashes,
                b * AnnounceRequest.ID_LENGTH,
                (b + 1) * AnnounceRequest.ID_LENGTH);
    }

    /**
     * Writes a response head: {@code statusLine} (with its CRLF, and any extra fields), {@code
     * contentType} (a whole field without CRLF), the length, and {@code Connection: keep-alive}
     * (needed by HTTP/1.0 clients) or {@code Connection: close}.
     */
    public static void writeHead(
            ByteBuf out, byte[] statusLine, byte[] contentType, int contentLength, boolean keepAlive) {
        out.writeBytes(statusLine);
        out.writeBytes(contentType);
        out.writeBytes(CONTENT_LENGTH);
        writeDecimal(out, contentLength);
        out.writeBytes(keepAlive ? KEEP_ALIVE : CLOSE);
    }

    /**
     * Writes a whole response: the head of {@link #writeHead} for the readable bytes of {@code body}
     * and, unless {@code headOnly} (a {@code HEAD} request), those bytes. {@code body} is not read.
     */
    public static void writeResponse(
            ByteBuf out, byte[] statusLine, byte[] contentType, ByteBuf body, boolean headOnly, boolean keepAlive) {
        int length = body.readableBytes();
        writeHead(out, statusLine, contentType, length, keepAlive);
        if (headOnly) {
            return;
        }
        if (body.hasArray()) {
            // From the backing array: given a ByteBuf source, the direct buffers of Netty 4.2's
            // adaptive allocator wrap both sides in NIO ByteBuffers, three objects per response.
            out.writeBytes(body.array(), body.arrayOffset() + body.readerIndex(), length);
        } else {
            out.writeBytes(body, body.readerIndex(), length);
        }
    }

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
