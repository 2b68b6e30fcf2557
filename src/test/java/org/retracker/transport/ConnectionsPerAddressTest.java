package org.retracker.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.retracker.protocol.AnnounceRequest;

/** The per-address connection counts: the cap, release, keys, and other addresses' share. */
@Timeout(10)
class ConnectionsPerAddressTest {
    private static byte[] bytes(String literal) {
        try {
            byte[] out = new byte[16];
            int length = AnnounceRequest.copyAddress(InetAddress.getByName(literal), out);
            byte[] a = new byte[length];
            System.arraycopy(out, 0, a, 0, length);
            return a;
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(literal, e);
        }
    }

    /** Acquires until refused (at most {@code limit} times); returns the tokens. */
    private static List<Integer> fill(ConnectionsPerAddress c, String address, int limit) {
        byte[] a = bytes(address);
        List<Integer> tokens = new ArrayList<>();
        for (int i = 0; i < limit; i++) {
            int token = c.acquire(a, a.length);
            if (token == ConnectionsPerAddress.REFUSED) {
                break;
            }
            assertThat(token).isPositive();
            tokens.add(token);
        }
        return tokens;
    }

    @Test
    void anAddressGetsTheCapAndAPlaceBackForEachClose() {
        ConnectionsPerAddress c = new ConnectionsPerAddress(3);
        List<Integer> tokens = fill(c, "192.0.2.1", 10);
        assertThat(tokens).hasSize(3);

        c.release(tokens.get(0));

        assertThat(fill(c, "192.0.2.1", 10)).hasSize(1);
    }

    @Test
    void addressesAreCountedApartAndIpv6ByItsSlash64() {
        ConnectionsPerAddress c = new ConnectionsPerAddress(2);
        assertThat(fill(c, "192.0.2.1", 5)).hasSize(2);
        assertThat(fill(c, "192.0.2.2", 5)).hasSize(2);

        assertThat(fill(c, "2001:db8:0:1::1", 1)).hasSize(1);
        assertThat(fill(c, "2001:db8:0:1::2", 5)).as("the same /64").hasSize(1);
        assertThat(fill(c, "2001:db8:0:2::1", 5)).hasSize(2);
    }

    @Test
    void anAddressOfNoIpFamilyIsNotCounted() {
        ConnectionsPerAddress c = new ConnectionsPerAddress(1);
        byte[] none = new byte[16];
        for (int i = 0; i < 5; i++) {
            assertThat(c.acquire(none, 0)).isEqualTo(ConnectionsPerAddress.NOT_COUNTED);
        }
        c.release(ConnectionsPerAddress.NOT_COUNTED); // nothing to take back: no effect
        assertThat(fill(c, "192.0.2.1", 5)).hasSize(1);
    }

    /**
     * 100,000 connections from as many other addresses (three per counter on average) cost a client
     * at most the smaller of its two counters' share of them, never more than a few places.
     */
    @Test
    void otherAddressesTakeOnlyAFewPlacesOfAClientsCap() {
        ConnectionsPerAddress c = new ConnectionsPerAddress(64);
        byte[] a = new byte[4];
        for (int i = 0; i < 100_000; i++) {
            a[0] = 10;
            a[1] = (byte) (i >>> 16);
            a[2] = (byte) (i >>> 8);
            a[3] = (byte) i;
            assertThat(c.acquire(a, 4)).isPositive();
        }

        assertThat(fill(c, "198.51.100.7", 100)).hasSizeBetween(64 - 12, 64);
    }

    @Test
    void refusedConnectionsLeaveNothingCounted() {
        ConnectionsPerAddress c = new ConnectionsPerAddress(2);
        List<Integer> tokens = fill(c, "192.0.2.1", 2);
        byte[] a = bytes("192.0.2.1");
        for (int i = 0; i < 1000; i++) {
            assertThat(c.acquire(a, 4)).isEqualTo(ConnectionsPerAddress.REFUSED);
        }
        tokens.forEach(c::release);

        assertThat(fill(c, "192.0.2.1", 5)).hasSize(2);
    }

    @Test
    void aCapBelowOneIsRefusedAndZeroMeansNone() {
        assertThatThrownBy(() -> new ConnectionsPerAddress(0)).isInstanceOf(IllegalArgumentException.class);
        assertThat(ConnectionsPerAddress.of(ClientLimits.NONE)).isNull();
        assertThat(ConnectionsPerAddress.of(new ClientLimits(0, 1, 5))).isNotNull();
    }
}
