package org.retracker.transport;

import java.security.SecureRandom;
import org.retracker.protocol.udp.SipHash;

/**
 * The client key of the per-address limits ({@link ClientRateLimiter}, {@link ConnectionsPerAddress}):
 * an IPv4 address whole, an IPv6 address by its /64 (one subscriber gets at least a /64 and picks
 * addresses in it freely, so keying by /128 would give one host 2^64 keys; hosts sharing a /64
 * count as one, as hosts behind one IPv4 NAT do), hashed with SipHash-2-4 under a random key of its
 * own, so that nobody can choose addresses that land on the same slot as another client's.
 */
final class AddressKey {
    private final long k0;
    private final long k1;

    AddressKey() {
        SecureRandom random = new SecureRandom();
        this.k0 = random.nextLong();
        this.k1 = random.nextLong();
    }

    /**
     * The keyed hash of the client at {@code address} (4 or 16 bytes). The key's length goes in too,
     * so that an IPv4 address and an IPv6 prefix of the same bytes never meet.
     */
    long hash(byte[] address, int length) {
        long bits = 0;
        int n = length == 4 ? 4 : 8;
        for (int i = 0; i < n; i++) {
            bits = bits << 8 | (address[i] & 0xff);
        }
        return SipHash.hash(k0, k1, n, bits, 0);
    }
}
