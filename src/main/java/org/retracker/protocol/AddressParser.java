package org.retracker.protocol;

import java.util.Arrays;

/**
 * Parses a textual IPv4 or IPv6 address (RFC 4291 §2.2 forms, with {@code ::} compression, an
 * embedded dotted quad, and optional surrounding brackets) from bytes, without allocating. An
 * IPv4-mapped IPv6 address comes out as IPv4.
 */
public final class AddressParser {
    private AddressParser() {}

    /**
     * Parses {@code src[start, end)} into {@code dst} (at least 16 bytes). Returns 4 or 16 for the
     * address length, or 0 when the text is not an address. {@code dst} may be partly written on
     * failure.
     */
    public static int parse(byte[] src, int start, int end, byte[] dst) {
        if (end - start >= 2 && src[start] == '[' && src[end - 1] == ']') {
            start++;
            end--;
        }
        if (start >= end || end - start > 45) {
            return 0;
        }
        boolean colon = false;
        for (int i = start; i < end; i++) {
            if (src[i] == ':') {
                colon = true;
                break;
            }
        }
        if (!colon) {
            return parseIpv4(src, start, end, dst, 0) ? 4 : 0;
        }
        if (!parseIpv6(src, start, end, dst)) {
            return 0;
        }
        if (AnnounceRequest.isIpv4Mapped(dst)) {
            System.arraycopy(dst, 12, dst, 0, 4);
            return 4;
        }
        return 16;
    }

    private static boolean parseIpv4(byte[] src, int start, int end, byte[] dst, int offset) {
        int part = 0;
        int value = 0;
        int digits = 0;
        for (int i = start; i <= end; i++) {
            if (i == end || src[i] == '.') {
                if (digits == 0 || part > 3) {
                    return false;
                }
                dst[offset + part++] = (byte) value;
                value = 0;
                digits = 0;
                continue;
            }
            int d = src[i] - '0';
            if (d < 0 || d > 9 || (digits > 0 && value == 0)) {
                return false; // not a digit, or a leading zero ("01" is ambiguous octal)
            }
            value = value * 10 + d;
            if (++digits > 3 || value > 255) {
                return false;
            }
        }
        return part == 4;
    }

    private static boolean parseIpv6(byte[] src, int start, int end, byte[] dst) {
        // Fill words left of "::" forward and words right of it into a tail, then close the gap.
        int words = 0; // words written so far (each 2 bytes)
        int gapAt = -1; // word index where "::" stands
        int i = start;
        if (i + 1 < end && src[i] == ':' && src[i + 1] == ':') {
            gapAt = 0;
            i += 2;
            if (i == end) {
                Arrays.fill(dst, 0, 16, (byte) 0);
                return true;
            }
        } else if (src[i] == ':') {
            return false;
        }
        while (i < end) {
            int groupStart = i;
            int value = 0;
            int digits = 0;
            while (i < end && src[i] != ':') {
                int h = Character.digit(src[i] & 0xff, 16);
                if (h < 0) {
                    break;
                }
                value = value << 4 | h;
                digits++;
                i++;
            }
            if (i < end && src[i] == '.') {
                // Embedded IPv4 in the last 32 bits.
                if (words > 6 || !parseIpv4(src, groupStart, end, dst, words * 2)) {
                    return false;
                }
                words += 2;
                i = end;
                break;
            }
            if (digits == 0 || digits > 4 || words >= 8) {
                return false;
            }
            if (i < end && src[i] != ':') {
                return false; // neither a hex digit nor a separator ("1x2::3", a zone id "%eth0")
            }
            dst[words * 2] = (byte) (value >>> 8);
            dst[words * 2 + 1] = (byte) value;
            words++;
            if (i == end) {
                break;
            }
            i++; // past the ':'

            if (i < end && src[i] == ':') {
                if (gapAt >= 0) {
                    return false; // a second "::"
                }
                gapAt = words;
                i++;
                if (i == end) {
                    break;
                }
            } else if (i == end) {
                return false; // trailing single ':'
            }
        }
        if (gapAt < 0) {
            return words == 8;
        }
        if (words > 7) {
            return false;
        }
        int tail = words - gapAt;
        int shift = 8 - words;
        // Move the tail to the end, zero the gap.
        System.arraycopy(dst, gapAt * 2, dst, (gapAt + shift) * 2, tail * 2);
        Arrays.fill(dst, gapAt * 2, (gapAt + shift) * 2, (byte) 0);
        return true;
    }
}
