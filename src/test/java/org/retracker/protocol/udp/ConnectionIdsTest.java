package org.retracker.protocol.udp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.HexFormat;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.retracker.testing.FakeClock;

class ConnectionIdsTest {
    private static final byte[] V4 = {(byte) 203, 0, 113, 7};
    private static final byte[] OTHER_V4 = {(byte) 203, 0, 113, 8};
    private static final byte[] V6 = HexFormat.of().parseHex("20010db8000000000000000000000007");
    private static final byte[] OTHER_V6 = HexFormat.of().parseHex("20010db8000000000000000000000008");

    private final FakeClock clock = new FakeClock();

    @Test
    void idIsValidForItsAddressForTwoMinutes() {
        ConnectionIds ids = new ConnectionIds(clock, 0);
        long id = ids.issue(V4, 4);
        assertThat(ids.isValid(id, V4, 4)).isTrue();
        clock.advanceSeconds(60);
        assertThat(ids.isValid(id, V4, 4)).isTrue();
        clock.advanceSeconds(60);
        assertThat(ids.isValid(id, V4, 4)).as("at 120 s").isTrue();
        clock.advanceSeconds(1);
        assertThat(ids.isValid(id, V4, 4)).as("at 121 s").isFalse();
    }

    @Test
    void graceExtendsTheLifetime() {
        ConnectionIds ids = new ConnectionIds(clock, 30);
        long id = ids.issue(V6, 16);
        clock.advanceSeconds(150);
        assertThat(ids.isValid(id, V6, 16)).as("at 150 s").isTrue();
        clock.advanceSeconds(1);
        assertThat(ids.isValid(id, V6, 16)).as("at 151 s").isFalse();
    }

    @Test
    void idIssuedLaterInTheProcessLivesAsLong() {
        ConnectionIds ids = new ConnectionIds(clock, 0);
        clock.advanceSeconds(86_400);
        long id = ids.issue(V4, 4);
        clock.advanceSeconds(120);
        assertThat(ids.isValid(id, V4, 4)).isTrue();
        clock.advanceSeconds(1);
        assertThat(ids.isValid(id, V4, 4)).isFalse();
    }

    @Test
    void idIsRejectedFromAnotherIpv4Address() {
        ConnectionIds ids = new ConnectionIds(clock, 0);
        long id = ids.issue(V4, 4);
        assertThat(ids.isValid(id, OTHER_V4, 4)).isFalse();
    }

    @Test
    void idIsRejectedFromAnotherIpv6Address() {
        ConnectionIds ids = new ConnectionIds(clock, 0);
        long id = ids.issue(V6, 16);
        assertThat(ids.isValid(id, V6, 16)).isTrue();
        assertThat(ids.isValid(id, OTHER_V6, 16)).isFalse();
    }

    @Test
    void idIsRejectedAcrossAddressFamilies() {
        ConnectionIds ids = new ConnectionIds(clock, 0);
        byte[] compatible = new byte[16]; // ::203.0.113.7, the same 32 bits as V4
        System.arraycopy(V4, 0, compatible, 12, 4);
        assertThat(ids.isValid(ids.issue(V4, 4), compatible, 16)).isFalse();
        assertThat(ids.isValid(ids.issue(compatible, 16), V4, 4)).isFalse();
    }

    @Test
    void idForIpv4IsNotValidFromAnyIpv6AddressWithTheSameHashWords() {
        // 0:0:0:4::cb00:7107 reads as the words (hi 4, lo 203.0.113.7) an IPv4 address once hashed to.
        ConnectionIds ids = new ConnectionIds(clock, 0);
        byte[] lookalike = new byte[16];
        lookalike[7] = 4;
        System.arraycopy(V4, 0, lookalike, 12, 4);
        assertThat(ids.isValid(ids.issue(V4, 4), lookalike, 16)).isFalse();
        assertThat(ids.isValid(ids.issue(lookalike, 16), V4, 4)).isFalse();
    }

    @Test
    void idIssuedInTheFutureIsRejected() {
        ConnectionIds ids = new ConnectionIds(clock, 0);
        clock.advanceSeconds(100);
        long id = ids.issue(V4, 4); // issued at 100 s
        clock.advanceSeconds(-99); // the clock steps back: the id now claims to be from the future
        assertThat(ids.isValid(id, V4, 4)).isFalse();
        clock.advanceSeconds(99);
        assertThat(ids.isValid(id, V4, 4)).isTrue();
    }

    @Test
    void forgedIdsAreRejected() {
        ConnectionIds ids = new ConnectionIds(clock, 0);
        clock.advanceSeconds(10);
        long id = ids.issue(V4, 4);
        assertThat(ids.isValid(id ^ 1, V4, 4)).isFalse(); // one MAC bit flipped
        assertThat(ids.isValid(id + (1L << 32), V4, 4)).isFalse(); // time moved, MAC kept
        assertThat(ids.isValid(UdpRequestDecoder.PROTOCOL_ID, V4, 4)).isFalse();
        assertThat(ids.isValid(0, V4, 4)).isFalse();
        assertThat(ids.isValid(-1L, V4, 4)).isFalse(); // issued 0xffffffff: far future or far past
        assertThat(ids.isValid(0xFFFF_FFFF_0000_0000L | (id & 0xFFFF_FFFFL), V4, 4))
                .isFalse();
    }

    @Test
    void eachInstanceHasItsOwnSecret() {
        Set<Long> seen = new HashSet<>();
        for (int i = 0; i < 50; i++) {
            ConnectionIds ids = new ConnectionIds(clock, 0);
            long id = ids.issue(V4, 4);
            assertThat(seen.add(id)).isTrue();
        }
        ConnectionIds a = new ConnectionIds(clock, 0);
        ConnectionIds b = new ConnectionIds(clock, 0);
        assertThat(b.isValid(a.issue(V4, 4), V4, 4)).isFalse();
    }

    @Test
    void sameAddressAndSecondGiveTheSameId() {
        ConnectionIds ids = new ConnectionIds(clock, 0);
        long first = ids.issue(V4, 4);
        clock.advanceMillis(999);
        assertThat(ids.issue(V4, 4)).isEqualTo(first);
        clock.advanceMillis(1);
        assertThat(ids.issue(V4, 4)).isNotEqualTo(first);
    }

    @Test
    void onlyTheLeadingBytesOfTheAddressArrayCount() {
        ConnectionIds ids = new ConnectionIds(clock, 0);
        byte[] padded = new byte[16];
        System.arraycopy(V4, 0, padded, 0, 4);
        padded[10] = 99; // garbage after the 4 address bytes
        assertThat(ids.isValid(ids.issue(V4, 4), padded, 4)).isTrue();
    }

    @Test
    void negativeGraceIsRefused() {
        assertThatThrownBy(() -> new ConnectionIds(clock, -1)).isInstanceOf(IllegalArgumentException.class);
    }
}
