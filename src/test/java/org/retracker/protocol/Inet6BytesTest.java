package org.retracker.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class Inet6BytesTest {
    @Test
    void readsTheAddressesOwnBytesWhenJavaNetIsOpened() throws Exception {
        // The test JVM opens java.base/java.net as the jar's manifest does (pom: netty.jvm.flags).
        Inet6Address inet = (Inet6Address) InetAddress.getByName("2001:db8::1");

        assertThat(Inet6Bytes.DIRECT)
                .as("java.base opens java.net to the tracker")
                .isTrue();
        assertThat(Inet6Bytes.of(inet)).isSameAs(Inet6Bytes.of(inet)).isEqualTo(inet.getAddress());
    }

    @Test
    void givesTheSameBytesAsGetAddressForAnyAddressAndScope() throws Exception {
        SplittableRandom random = new SplittableRandom(6);
        for (int i = 0; i < 1000; i++) {
            byte[] raw = new byte[16];
            random.nextBytes(raw);
            Inet6Address inet = i % 2 == 0
                    ? Inet6Address.getByAddress(null, raw, i)
                    : (Inet6Address) Inet6Address.getByAddress(null, raw, -1);

            assertThat(Inet6Bytes.of(inet)).isEqualTo(raw);
        }
    }

    @Test
    void copyAddressStoresIpv6AndUnmapsIpv4MappedAddresses() throws Exception {
        byte[] out = new byte[16];
        byte[] mapped = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff, 10, 1, 2, 3};

        assertThat(AnnounceRequest.copyAddress(InetAddress.getByName("2001:db8::7"), out))
                .isEqualTo(16);
        assertThat(out).isEqualTo(InetAddress.getByName("2001:db8::7").getAddress());
        // getByAddress turns a mapped address into an Inet4Address; one with a scope stays IPv6
        assertThat(AnnounceRequest.copyAddress(Inet6Address.getByAddress(null, mapped, 1), out))
                .isEqualTo(4);
        assertThat(out).startsWith(10, 1, 2, 3);
    }
}
