package org.retracker.interop;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;

/**
 * A single-file, private (BEP 27) v1 torrent of {@code payload}, written to {@code file}. Private
 * keeps DHT and PEX out even where a client's own switches leave them on: peers meet only through
 * the tracker.
 */
record PrivateTorrent(Path file, String name, byte[] infoHash) {
    /** 32 KiB pieces: a 2 MiB payload has 64 of them, the last one short. */
    static final int PIECE_LENGTH = 32 * 1024;

    static PrivateTorrent write(Path file, String announce, String name, byte[] payload) throws Exception {
        ByteArrayOutputStream pieces = new ByteArrayOutputStream();
        for (int off = 0; off < payload.length; off += PIECE_LENGTH) {
            MessageDigest sha1 = sha1();
            sha1.update(payload, off, Math.min(PIECE_LENGTH, payload.length - off));
            pieces.write(sha1.digest());
        }
        Map<String, Object> info = new TreeMap<>();
        info.put("length", (long) payload.length);
        info.put("name", name);
        info.put("piece length", (long) PIECE_LENGTH);
        info.put("pieces", pieces.toByteArray());
        info.put("private", 1L);
        byte[] infoBytes = bencode(info);
        Map<String, Object> torrent = new TreeMap<>();
        torrent.put("announce", announce);
        torrent.put("created by", "retracker interop test");
        torrent.put("info", new Raw(infoBytes));
        Files.write(file, bencode(torrent));
        return new PrivateTorrent(file, name, sha1().digest(infoBytes));
    }

    String infoHashHex() {
        return HexFormat.of().formatHex(infoHash);
    }

    static MessageDigest sha1() {
        try {
            return MessageDigest.getInstance("SHA-1");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Already-encoded bencode, written as is (the info dictionary, so that its hash is the one sent). */
    private record Raw(byte[] bytes) {}

    /** BEP 3 bencoding of longs, strings, byte strings and dictionaries with sorted string keys. */
    private static byte[] bencode(Object value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        encode(value, out);
        return out.toByteArray();
    }

    private static void encode(Object value, ByteArrayOutputStream out) {
        if (value instanceof Raw raw) {
            out.writeBytes(raw.bytes());
        } else if (value instanceof Long n) {
            out.writeBytes(("i" + n + "e").getBytes(StandardCharsets.US_ASCII));
        } else if (value instanceof String s) {
            encode(s.getBytes(StandardCharsets.UTF_8), out);
        } else if (value instanceof byte[] b) {
            out.writeBytes((b.length + ":").getBytes(StandardCharsets.US_ASCII));
            out.writeBytes(b);
        } else if (value instanceof TreeMap<?, ?> map) {
            out.write('d');
            for (Map.Entry<?, ?> e : map.entrySet()) {
                encode((String) e.getKey(), out);
                encode(e.getValue(), out);
            }
            out.write('e');
        } else {
            throw new IllegalArgumentException("cannot bencode " + value.getClass());
        }
    }
}
