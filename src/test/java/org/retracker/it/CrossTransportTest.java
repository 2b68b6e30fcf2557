package org.retracker.it;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** HTTP and UDP are two doors to the same swarms. */
class CrossTransportTest extends LoopbackTrackerTest {
    private static final byte[] HASH = Ids.infoHash(2);

    @ParameterizedTest
    @ValueSource(strings = {Loopback.V4, Loopback.V6})
    void aPeerAnnouncedOverUdpIsGivenToAnHttpClient(String host) {
        TestTracker t = start(host);
        try (UdpTrackerClient udp = t.udpClient(host)) {
            udp.announce(udp.connect(), Announce.peer(HASH, 7001));
        }

        HttpAnnounceReply reply = t.http(host).announce(Announce.peer(HASH, 7002));

        assertThat(reply.compactPeers()).containsExactly(Loopback.socket(host, 7001));
        assertThat(reply.incomplete()).isEqualTo(2);
    }

    @ParameterizedTest
    @ValueSource(strings = {Loopback.V4, Loopback.V6})
    void aPeerAnnouncedOverHttpIsGivenToAUdpClient(String host) {
        TestTracker t = start(host);
        t.http(host).announce(Announce.peer(HASH, 7001).seeder());

        UdpTrackerClient.AnnounceReply reply;
        try (UdpTrackerClient udp = t.udpClient(host)) {
            reply = udp.announce(udp.connect(), Announce.peer(HASH, 7002));
        }

        assertThat(reply.peers()).containsExactly(Loopback.socket(host, 7001));
        assertThat(reply.seeders()).isEqualTo(1);
        assertThat(reply.leechers()).isEqualTo(1);
    }
}
