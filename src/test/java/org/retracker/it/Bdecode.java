package org.retracker.it;

import com.dampcake.bencode.Bencode;
import com.dampcake.bencode.Type;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * Decodes tracker bodies with an independent bencode library. Strings stay bytes ({@link
 * ByteBuffer}); dictionary keys are read as ISO-8859-1, which maps every byte to one char, so
 * binary keys (scrape info hashes) survive.
 */
final class Bdecode {
    private static final Bencode BENCODE = new Bencode(StandardCharsets.ISO_8859_1, true);

    private Bdecode() {}

    static Map<String, Object> dict(byte[] body) {
        if (body.length == 0 || body[0] != 'd') {
            throw new AssertionError("not a bencoded dictionary: " + new String(body, StandardCharsets.ISO_8859_1));
        }
        return BENCODE.decode(body, Type.DICTIONARY);
    }

    static Object get(Map<String, Object> dict, String key) {
        Object v = dict.get(key);
        if (v == null) {
            throw new AssertionError("no '" + key + "' in " + dict.keySet());
        }
        return v;
    }

    static byte[] bytes(Map<String, Object> dict, String key) {
        Object v = get(dict, key);
        if (!(v instanceof ByteBuffer b)) {
            throw new AssertionError("'" + key + "' is not a string: " + v);
        }
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }

    static String string(Map<String, Object> dict, String key) {
        return new String(bytes(dict, key), StandardCharsets.UTF_8);
    }

    static long number(Map<String, Object> dict, String key) {
        Object v = get(dict, key);
        if (!(v instanceof Long n)) {
            throw new AssertionError("'" + key + "' is not an integer: " + v);
        }
        return n;
    }

    static List<?> list(Map<String, Object> dict, String key) {
        Object v = get(dict, key);
        if (!(v instanceof List<?> l)) {
            throw new AssertionError("'" + key + "' is not a list: " + v);
        }
        return l;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> dict(Map<String, Object> dict, String key) {
        Object v = get(dict, key);
        if (!(v instanceof Map<?, ?>)) {
            throw new AssertionError("'" + key + "' is not a dictionary: " + v);
        }
        return (Map<String, Object>) v;
    }

    /** The dictionary key for raw bytes (see the class comment). */
    static String key(byte[] raw) {
        return new String(raw, StandardCharsets.ISO_8859_1);
    }
}
