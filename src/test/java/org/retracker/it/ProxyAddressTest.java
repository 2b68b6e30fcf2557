package org.retracker.it;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * Where a peer's address comes from (trackers.md §4.3 "Client-supplied IP" and "Proxies"): the
 * socket, unless the socket is a trusted proxy and {@code -x} is on, in which case the proxy's
 * header, right-most entry; a client's own {@code ip=} only from a trusted source.
 */
class ProxyAddressTest extends LoopbackTrackerTest {
    private static final byte[] HASH = Ids.infoHash(30);

    /** What a second client (from 127.0.0.2, with {@code headers}) is told about the first peer. */
    private static HttpAnnounceReply seenByAnotherClient(TestTracker t, String... headers) {
        return t.httpFrom(Loopback.V4_OTHER).announce(Announce.peer(HASH, 9999), headers);
    }

    /** The observer's own header when it too comes through the trusted proxy. */
    private static final String OBSERVER = "X-Real-IP: 192.0.2.200";

    @Test
    void xRealIpFromATrustedProxySetsThePeerAddress() {
        TestTracker t = start(TestTracker.on(Loopback.V4).realIpHeader().trustedProxies("127.0.0.0/8"));

        t.http().announce(Announce.peer(HASH, 6881), "X-Real-IP: 203.0.113.7");

        assertThat(seenByAnotherClient(t, OBSERVER).compactPeers())
                .containsExactly(Loopback.socket("203.0.113.7", 6881));
    }

    @Test
    void xRealIpMayCarryAnIpv6AddressThatGoesToPeers6() {
        TestTracker t = start(TestTracker.on(Loopback.V4).realIpHeader().trustedProxies("127.0.0.0/8"));

        t.http().announce(Announce.peer(HASH, 6881), "X-Real-IP: 2001:db8::7");

        HttpAnnounceReply seen = seenByAnotherClient(t, OBSERVER);
        assertThat(seen.peers4()).isEmpty();
        assertThat(seen.peers6()).containsExactly(Loopback.socket("2001:db8::7", 6881));
    }

    @Test
    void theRightMostXForwardedForEntryIsUsed() {
        TestTracker t = start(TestTracker.on(Loopback.V4).realIpHeader().trustedProxies("127.0.0.0/8"));

        // The left entries are whatever the client wrote; the proxy appended the last one.
        t.http().announce(Announce.peer(HASH, 6881), "X-Forwarded-For: 192.0.2.1, 198.51.100.23");

        assertThat(seenByAnotherClient(t, OBSERVER).compactPeers())
                .containsExactly(Loopback.socket("198.51.100.23", 6881));
    }

    @Test
    void aTrustedProxyThatSendsNoHeaderIsRefused() {
        TestTracker t = start(TestTracker.on(Loopback.V4).realIpHeader().trustedProxies("127.0.0.0/8"));

        String reason = t.http().announceFailure(Announce.peer(HASH, 6881));

        assertThat(reason).contains("X-Real-IP");
        assertThat(t.http().scrapeOne(HASH).leechers()).as("nothing stored").isZero();
    }

    @Test
    void theHeaderOfAnUntrustedSourceIsIgnored() {
        TestTracker t = start(TestTracker.on(Loopback.V4).realIpHeader().trustedProxies("10.0.0.0/8"));

        t.http().announce(Announce.peer(HASH, 6881), "X-Real-IP: 203.0.113.7", "X-Forwarded-For: 203.0.113.8");

        assertThat(seenByAnotherClient(t).compactPeers()).containsExactly(Loopback.socket(Loopback.V4, 6881));
    }

    @Test
    void theHeaderIsIgnoredWithoutRealIpHeaderMode() {
        TestTracker t = start(TestTracker.on(Loopback.V4).trustedProxies("10.0.0.0/8"));

        t.http().announce(Announce.peer(HASH, 6881), "X-Real-IP: 203.0.113.7");

        assertThat(seenByAnotherClient(t).compactPeers()).containsExactly(Loopback.socket(Loopback.V4, 6881));
    }

    @Test
    void ipParameterFromAnUntrustedSourceIsIgnored() {
        TestTracker t = start(TestTracker.on(Loopback.V4).trustedProxies("10.0.0.0/8"));

        t.http().announce(Announce.peer(HASH, 6881).ip("198.51.100.1"));

        assertThat(seenByAnotherClient(t).compactPeers()).containsExactly(Loopback.socket(Loopback.V4, 6881));
    }

    @Test
    void ipParameterFromATrustedSourceIsBelieved() {
        TestTracker t = start(TestTracker.on(Loopback.V4).trustedProxies("127.0.0.1/32"));

        t.http().announce(Announce.peer(HASH, 6881).ip("198.51.100.1"));

        assertThat(seenByAnotherClient(t).compactPeers()).containsExactly(Loopback.socket("198.51.100.1", 6881));
    }

    @Test
    void ipParameterBehindATrustedProxyIsIgnoredForAnUntrustedClient() {
        TestTracker t = start(TestTracker.on(Loopback.V4).realIpHeader().trustedProxies("127.0.0.0/8"));

        t.http().announce(Announce.peer(HASH, 6881).ip("198.51.100.1"), "X-Real-IP: 203.0.113.7");

        assertThat(seenByAnotherClient(t, OBSERVER).compactPeers())
                .containsExactly(Loopback.socket("203.0.113.7", 6881));
    }
}
