package org.retracker.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CidrTest {
    @Test
    void ipv4BlockContainsItsAddressesOnly() throws Exception {
        Cidr block = Cidr.parse("10.0.0.0/8");
        assertThat(block.contains(InetAddress.getByName("10.255.1.2"))).isTrue();
        assertThat(block.contains(InetAddress.getByName("11.0.0.0"))).isFalse();
        assertThat(block.contains(InetAddress.getByName("::ffff:10.1.2.3"))).isTrue(); // mapped = IPv4
        assertThat(block.contains(InetAddress.getByName("::a01:203"))).isFalse(); // compatible is IPv6
    }

    @Test
    void prefixNotOnAByteBoundary() throws Exception {
        Cidr block = Cidr.parse("192.168.0.0/17");
        assertThat(block.contains(InetAddress.getByName("192.168.127.255"))).isTrue();
        assertThat(block.contains(InetAddress.getByName("192.168.128.0"))).isFalse();
    }

    @Test
    void bareAddressIsASingleHost() throws Exception {
        Cidr v4 = Cidr.parse(" 127.0.0.1 ");
        assertThat(v4.prefix()).isEqualTo(32);
        assertThat(v4.contains(InetAddress.getByName("127.0.0.1"))).isTrue();
        assertThat(v4.contains(InetAddress.getByName("127.0.0.2"))).isFalse();
        Cidr v6 = Cidr.parse("::1");
        assertThat(v6.prefix()).isEqualTo(128);
        assertThat(v6.contains(InetAddress.getByName("::1"))).isTrue();
        assertThat(v6.contains(InetAddress.getByName("127.0.0.1"))).isFalse();
    }

    @Test
    void ipv6Block() throws Exception {
        Cidr block = Cidr.parse("2001:db8::/32");
        assertThat(block.contains(InetAddress.getByName("2001:db8:ffff::1"))).isTrue();
        assertThat(block.contains(InetAddress.getByName("2001:db9::1"))).isFalse();
        assertThat(block.contains(InetAddress.getByName("10.0.0.1"))).isFalse();
    }

    @Test
    void zeroPrefixMatchesTheWholeFamily() throws Exception {
        assertThat(Cidr.parse("0.0.0.0/0").contains(InetAddress.getByName("203.0.113.1")))
                .isTrue();
        assertThat(Cidr.parse("::/0").contains(InetAddress.getByName("2001:db8::1")))
                .isTrue();
        assertThat(Cidr.parse("::/0").contains(InetAddress.getByName("203.0.113.1")))
                .isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "10.0.0.0/33", "::/129", "10.0.0.0/-1", "10.0.0.0/", "10.0.0.0/x", "example.com/8"})
    void badBlocksAreRefusedNamingTheText(String text) {
        assertThatThrownBy(() -> Cidr.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'" + text + "'");
    }

    @Test
    void valueSemantics() {
        assertThat(Cidr.parse("10.0.0.0/8")).isEqualTo(Cidr.parse("10.0.0.0/8"));
        assertThat(Cidr.parse("10.0.0.0/8").hashCode())
                .isEqualTo(Cidr.parse("10.0.0.0/8").hashCode());
        assertThat(Cidr.parse("10.0.0.0/8")).isNotEqualTo(Cidr.parse("10.0.0.0/9"));
        assertThat(Cidr.parse("10.0.0.0/8")).hasToString("10.0.0.0/8");
        byte[] network = {1, 2, 3, 4};
        Cidr c = new Cidr(network, 24);
        network[0] = 9; // the record keeps its own copy
        assertThat(c.network()[0]).isEqualTo((byte) 1);
        assertThatThrownBy(() -> new Cidr(new byte[5], 1)).isInstanceOf(IllegalArgumentException.class);
    }
}
