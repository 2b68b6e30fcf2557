package org.retracker.protocol.udp;

import java.security.SecureRandom;
import java.time.InstantSource;

/**
 * Stateless BEP 15 connection ids, in the manner of SYN cookies: no table of issued ids exists, so a
 * flood of {@code connect}s from spoofed sources costs no memory.
 *
 * <pre>
 *   connection_id (64 bits) = issued (32 bits, seconds since this process started)
 *                           ‖ SipHash-2-4(secret, issued ‖ address length ‖ client address) truncated to 32 bits
 * </pre>
 *
 * <p>The 128-bit secret is random per process. An id is accepted from the address it was issued to
 * for {@link #LIFETIME_SECONDS} plus a configurable grace (clients that reuse ids a little longer
 * than the BEP allows), never from the future; the port is left out so that a NAT changing the
 * client's source port does not break it. Forging an id for another address means guessing 32
 * bits within that window.
 */
public final class ConnectionIds {
    /** BEP 15: "a connection ID ... can be used ... by a tracker for two minutes". */
    public static final int LIFETIME_SECONDS = 120;

    private final InstantSource clock;
    private final long epochMillis;
    private final long k0;
    private final long k1;
    private final int maxAgeSeconds;

    /** @param graceSeconds accepted beyond {@link #LIFETIME_SECONDS} */
    public ConnectionIds(InstantSource clock, int graceSeconds) {
        if (graceSeconds < 0) {
            throw new IllegalArgumentException("connection id grace must not be negative");
        }
        this.clock = clock;
        this.epochMillis = clock.millis();
        SecureRandom random = new SecureRandom();
        this.k0 = random.nextLong();
        this.k1 = random.nextLong();
        this.maxAgeSeconds = LIFETIME_SECONDS + graceSeconds;
    }

    private int now() {
        return (int) ((clock.millis() - epochMillis) / 1000);
    }

    /** Issues an id for a client at {@code address} (4 or 16 bytes of {@code addressBytes}). */
    public long issue(byte[] addressBytes, int addressLength) {
        int issued = now();
        return ((long) issued << 32) | (mac(issued, addressBytes, addressLength) & 0xffffffffL);
    }

    /** True when {@code id} was issued by this process to {@code address} and is still valid. */
    public boolean isValid(long id, byte[] addressBytes, int addressLength) {
        int issued = (int) (id >>> 32);
        int age = now() - issued;
        if (age < 0 || age > maxAgeSeconds) {
            return false;
        }
        return (int) id == mac(issued, addressBytes, addressLength);
    }

    private int mac(int issued, byte[] a, int length) {
        long hi = 0;
        long lo = 0;
        if (length == 16) {
            hi = readLong(a, 0);
            lo = readLong(a, 8);
        } else {
            lo = ((a[0] & 0xffL) << 24) | ((a[1] & 0xffL) << 16) | ((a[2] & 0xffL) << 8) | (a[3] & 0xffL);
        }
        // The address length shares the first word with the time, so that no IPv4 address hashes
        // like an IPv6 one (::a.b.c.d, or any other 16 bytes spelling the same two words).
        return (int) SipHash.hash(k0, k1, (long) length << 32 | (issued & 0xffffffffL), hi, lo);
    }

    private static long readLong(byte[] a, int off) {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (a[off + i] & 0xffL);
        }
        return v;
    }
}
