package org.retracker.transport;

import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.net.UnknownHostException;
import org.retracker.protocol.AddressParser;

/**
 * An address block such as {@code 10.0.0.0/8} or {@code ::1/128}, matched against raw address bytes.
 * IPv4-mapped IPv6 addresses are matched as IPv4.
 *
 * @param network the network address, 4 or 16 bytes
 * @param prefix the prefix length in bits
 */
public record Cidr(byte[] network, int prefix) {
    public Cidr {
        if (network.length != 4 && network.length != 16) {
            throw new IllegalArgumentException("network must be 4 or 16 bytes");
        }
        if (prefix < 0 || prefix > network.length * 8) {
            throw new IllegalArgumentException("prefix length " + prefix + " out of range");
        }
        network = network.clone();
    }

    /**
     * Parses {@code a.b.c.d/n}, {@code x::y/n} or a bare address (a single host).
     *
     * @throws IllegalArgumentException naming the text when it is not a CIDR block
     */
    public static Cidr parse(String text) {
        String s = text.strip();
        int slash = s.indexOf('/');
        String address = slash < 0 ? s : s.substring(0, slash);
        byte[] raw = address.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        byte[] parsed = new byte[16];
        int length = AddressParser.parse(raw, 0, raw.length, parsed);
        if (length == 0) {
            throw new IllegalArgumentException("not an IP address or CIDR block: '" + text + "'");
        }
        int prefix = length * 8;
        if (slash >= 0) {
            try {
                prefix = Integer.parseInt(s.substring(slash + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("bad prefix length in '" + text + "'", e);
            }
            if (prefix < 0 || prefix > length * 8) {
                throw new IllegalArgumentException("prefix length out of range in '" + text + "'");
            }
        }
        return new Cidr(java.util.Arrays.copyOf(parsed, length), prefix);
    }

    /** True when the first {@code length} bytes of {@code address} lie in this block. */
    public boolean contains(byte[] address, int length) {
        if (length != network.length) {
            return false;
        }
        int bits = prefix;
        for (int i = 0; i < length && bits > 0; i++, bits -= 8) {
            int mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
            if ((address[i] & mask) != (network[i] & mask)) {
                return false;
            }
        }
        return true;
    }

    public boolean contains(InetAddress address) {
        byte[] raw = new byte[16];
        int length = org.retracker.protocol.AnnounceRequest.copyAddress(address, raw);
        return contains(raw, length);
    }

    /** {@code 10.0.0.0/8}, {@code ::1/128}: the address in its short form (RFC 5952). */
    @Override
    public String toString() {
        try {
            return NetUtil.toAddressString(InetAddress.getByAddress(network)) + "/" + prefix;
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Cidr c && c.prefix == prefix && java.util.Arrays.equals(c.network, network);
    }

    @Override
    public int hashCode() {
        return java.util.Arrays.hashCode(network) * 31 + prefix;
    }
}
