package org.retracker.protocol.udp;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.retracker.core.AnnounceService;
import org.retracker.core.TrackerPolicy;
import org.retracker.protocol.AnnounceEvent;
import org.retracker.protocol.AnnounceRequest;
import org.retracker.protocol.AnnounceResponse;
import org.retracker.protocol.FailureReason;
import org.retracker.protocol.ScrapeRequest;
import org.retracker.protocol.ScrapeResponse;
import org.retracker.swarm.SwarmStore;
import org.retracker.testing.FakeClock;

/** BEP 15 response fixtures: the expected bytes are built field by field. */
class UdpResponseEncoderTest {
    private final ByteBuf out = Unpooled.buffer();
    private final ByteBuf expected = Unpooled.buffer();

    @AfterEach
    void release() {
        out.release();
        expected.release();
    }

    @Test
    void connectResponse() {
        UdpResponseEncoder.writeConnect(out, 0x01020304, 0x1122334455667788L);
        expected.writeInt(0) // action: connect
                .writeInt(0x01020304) // transaction_id
                .writeLong(0x1122334455667788L); // connection_id
        assertThat(ByteBufUtil.getBytes(out)).hasSize(16).containsExactly(ByteBufUtil.getBytes(expected));
    }

    @Test
    void announceResponseCarriesIpv4PeersOnlyForAnIpv4Requester() {
        AnnounceResponse response = response();
        UdpResponseEncoder.writeAnnounce(out, 77, response, false);
        expected.writeInt(1) // action: announce
                .writeInt(77) // transaction_id
                .writeInt(1800) // interval
                .writeInt(5) // leechers
                .writeInt(3) // seeders
                .writeBytes(new byte[] {10, 0, 0, 1, 0x1A, (byte) 0xE1}) // 10.0.0.1:6881
                .writeBytes(new byte[] {10, 0, 0, 2, 0x00, 0x50}); // 10.0.0.2:80
        assertThat(ByteBufUtil.getBytes(out)).hasSize(20 + 2 * 6).containsExactly(ByteBufUtil.getBytes(expected));
    }

    @Test
    void announceResponseCarriesIpv6PeersOnlyForAnIpv6Requester() {
        AnnounceResponse response = response();
        UdpResponseEncoder.writeAnnounce(out, 78, response, true);
        byte[] v6 = new byte[16];
        v6[0] = 0x20;
        v6[1] = 0x01;
        v6[15] = 1;
        expected.writeInt(1) // action: announce
                .writeInt(78) // transaction_id
                .writeInt(1800) // interval
                .writeInt(5) // leechers
                .writeInt(3) // seeders
                .writeBytes(v6) // 2001::1
                .writeShort(51413); // port
        assertThat(ByteBufUtil.getBytes(out)).hasSize(20 + 18).containsExactly(ByteBufUtil.getBytes(expected));
    }

    @Test
    void announceResponseWithoutPeersIsTheHeadOnly() {
        AnnounceResponse response = new AnnounceResponse(1);
        response.interval = 60;
        UdpResponseEncoder.writeAnnounce(out, 1, response, false);
        assertThat(out.readableBytes()).isEqualTo(UdpResponseEncoder.ANNOUNCE_HEAD_BYTES);
    }

    @Test
    void scrapeResponseHasSeedersCompletedLeechersPerHash() {
        ScrapeRequest request = new ScrapeRequest(3);
        request.count = 2;
        ScrapeResponse response = new ScrapeResponse(3);
        response.complete[0] = 1;
        response.downloaded[0] = 2;
        response.incomplete[0] = 3;
        response.complete[1] = 4;
        response.downloaded[1] = 5;
        response.incomplete[1] = 6;
        UdpResponseEncoder.writeScrape(out, 99, request, response);
        expected.writeInt(2) // action: scrape
                .writeInt(99) // transaction_id
                .writeInt(1) // hash 1: seeders
                .writeInt(2) // hash 1: completed
                .writeInt(3) // hash 1: leechers
                .writeInt(4) // hash 2: seeders
                .writeInt(5) // hash 2: completed
                .writeInt(6); // hash 2: leechers
        assertThat(ByteBufUtil.getBytes(out)).hasSize(8 + 2 * 12).containsExactly(ByteBufUtil.getBytes(expected));
    }

    @Test
    void errorResponseCarriesTheMessage() {
        UdpResponseEncoder.writeError(out, -1, FailureReason.UDP_UNKNOWN_ACTION);
        expected.writeInt(3) // action: error
                .writeInt(-1) // transaction_id
                .writeBytes("unknown action".getBytes(StandardCharsets.US_ASCII)); // message
        assertThat(ByteBufUtil.getBytes(out)).containsExactly(ByteBufUtil.getBytes(expected));
    }

    @Test
    void everyErrorReplyIsSmallerThanAnAnnounceRequest() {
        for (FailureReason reason : FailureReason.values()) {
            out.clear();
            UdpResponseEncoder.writeError(out, 0, reason);
            assertThat(out.readableBytes()).as(reason.name()).isLessThanOrEqualTo(UdpRequestDecoder.ANNOUNCE_BYTES);
        }
    }

    @Test
    void peerCapsKeepRepliesUnder1200Bytes() {
        assertThat(UdpResponseEncoder.MAX_PEERS_V4).isEqualTo(196);
        assertThat(UdpResponseEncoder.MAX_PEERS_V6).isEqualTo(65);
        assertThat(20 + 6 * UdpResponseEncoder.MAX_PEERS_V4).isLessThanOrEqualTo(UdpResponseEncoder.MAX_REPLY_BYTES);
        assertThat(20 + 18 * UdpResponseEncoder.MAX_PEERS_V6).isLessThanOrEqualTo(UdpResponseEncoder.MAX_REPLY_BYTES);
        assertThat(20 + 6 * (UdpResponseEncoder.MAX_PEERS_V4 + 1)).isGreaterThan(UdpResponseEncoder.MAX_REPLY_BYTES);
        assertThat(20 + 18 * (UdpResponseEncoder.MAX_PEERS_V6 + 1)).isGreaterThan(UdpResponseEncoder.MAX_REPLY_BYTES);
    }

    @Test
    void fullSwarmReplyOverUdpStaysUnder1200BytesForBothFamilies() {
        TrackerPolicy policy = new TrackerPolicy(1800, 900, 50, 1000, 3600, 74);
        AnnounceService service = new AnnounceService(policy, new SwarmStore(new FakeClock()));
        AnnounceRequest request = new AnnounceRequest();
        AnnounceResponse response = new AnnounceResponse(policy.numwantMax());
        for (int i = 0; i < 300; i++) {
            announce(service, request, response, v4(i), i + 1);
            announce(service, request, response, v6(i), i + 1);
        }
        for (boolean ipv6 : new boolean[] {false, true}) {
            request.reset();
            Arrays.fill(request.infoHash, (byte) 1);
            request.event = AnnounceEvent.NONE;
            request.numWant = Integer.MAX_VALUE;
            request.port = 40000;
            byte[] address = ipv6 ? v6(999) : v4(999);
            System.arraycopy(address, 0, request.address, 0, address.length);
            request.addressLength = address.length;
            int cap = ipv6 ? UdpResponseEncoder.MAX_PEERS_V6 : UdpResponseEncoder.MAX_PEERS_V4;
            service.announce(request, cap, false, response);
            out.clear();
            UdpResponseEncoder.writeAnnounce(out, 1, response, ipv6);
            assertThat(ipv6 ? response.peers6Count : response.peers4Count).isEqualTo(cap);
            assertThat(ipv6 ? response.peers4Count : response.peers6Count).isZero();
            assertThat(out.readableBytes()).isLessThanOrEqualTo(UdpResponseEncoder.MAX_REPLY_BYTES);
        }
    }

    private static void announce(
            AnnounceService service, AnnounceRequest request, AnnounceResponse response, byte[] address, int port) {
        request.reset();
        Arrays.fill(request.infoHash, (byte) 1);
        Arrays.fill(request.peerId, (byte) port);
        System.arraycopy(address, 0, request.address, 0, address.length);
        request.addressLength = address.length;
        request.port = port;
        request.numWant = 0;
        service.announce(request, 0, false, response);
    }

    private static byte[] v4(int i) {
        return new byte[] {10, 1, (byte) (i >>> 8), (byte) i};
    }

    private static byte[] v6(int i) {
        byte[] a = new byte[16];
        a[0] = 0x20;
        a[1] = 0x01;
        a[14] = (byte) (i >>> 8);
        a[15] = (byte) i;
        return a;
    }

    /** Two IPv4 and one IPv6 peer, interval 1800, 3 seeders, 5 leechers. */
    private static AnnounceResponse response() {
        AnnounceResponse r = new AnnounceResponse(4);
        r.interval = 1800;
        r.complete = 3;
        r.incomplete = 5;
        byte[] peers4 = {10, 0, 0, 1, 0x1A, (byte) 0xE1, 10, 0, 0, 2, 0x00, 0x50};
        System.arraycopy(peers4, 0, r.peers4, 0, peers4.length);
        r.peers4Count = 2;
        r.peers6[0] = 0x20;
        r.peers6[1] = 0x01;
        r.peers6[15] = 1;
        r.peers6[16] = (byte) (51413 >>> 8);
        r.peers6[17] = (byte) 51413;
        r.peers6Count = 1;
        return r;
    }
}
