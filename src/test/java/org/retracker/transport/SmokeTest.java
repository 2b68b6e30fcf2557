package org.retracker.transport;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.InstantSource;
import org.junit.jupiter.api.Test;
import org.retracker.core.AnnounceService;
import org.retracker.core.TrackerPolicy;
import org.retracker.swarm.SwarmStore;

class SmokeTest {
    @Test
    void httpAndUdpAnswer() throws Exception {
        AnnounceService service = new AnnounceService(TrackerPolicy.defaults(), new SwarmStore(InstantSource.system()));
        try (TrackerServer server = TrackerServer.start(ServerOptions.loopback("127.0.0.1"), service)) {
            InetSocketAddress http = server.httpAddress();
            assertThat(http).isNotNull();
            try (Socket s = new Socket(http.getAddress(), http.getPort())) {
                OutputStream out = s.getOutputStream();
                out.write(("GET /announce?info_hash=%01%02%03%04%05%06%07%08%09%0a%0b%0c%0d%0e%0f%10%11%12%13%14"
                                + "&peer_id=-TR3000-abcdefghijkl&port=6881&uploaded=0&downloaded=0&left=10&compact=1 HTTP/1.0\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                out.flush();
                InputStream in = s.getInputStream();
                String reply = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
                System.out.println(reply);
                assertThat(reply)
                        .startsWith("HTTP/1.1 200 OK")
                        .contains("8:intervali1800e")
                        .contains("5:peers0:");
            }
            InetSocketAddress udp = server.udpAddress();
            assertThat(udp).isNotNull();
            try (DatagramSocket ds = new DatagramSocket()) {
                ds.setSoTimeout(2000);
                ByteBuffer req = ByteBuffer.allocate(16)
                        .putLong(0x41727101980L)
                        .putInt(0)
                        .putInt(77);
                ds.send(new DatagramPacket(req.array(), 16, udp));
                byte[] buf = new byte[2048];
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                ds.receive(p);
                ByteBuffer r = ByteBuffer.wrap(buf, 0, p.getLength());
                assertThat(p.getLength()).isEqualTo(16);
                assertThat(r.getInt()).isZero();
                assertThat(r.getInt()).isEqualTo(77);
                long cid = r.getLong();
                ByteBuffer a = ByteBuffer.allocate(98).putLong(cid).putInt(1).putInt(78);
                for (int i = 1; i <= 20; i++) a.put((byte) i);
                a.put("-LT2080-abcdefghijkl".getBytes(StandardCharsets.US_ASCII));
                a.putLong(0)
                        .putLong(5)
                        .putLong(0)
                        .putInt(2)
                        .putInt(0)
                        .putInt(0)
                        .putInt(-1)
                        .putShort((short) 7000);
                ds.send(new DatagramPacket(a.array(), 98, udp));
                ds.receive(p);
                r = ByteBuffer.wrap(buf, 0, p.getLength());
                assertThat(r.getInt()).isEqualTo(1);
                assertThat(r.getInt()).isEqualTo(78);
                assertThat(r.getInt()).isEqualTo(1800);
                int leechers = r.getInt();
                int seeders = r.getInt();
                assertThat(leechers).isEqualTo(2);
                assertThat(seeders).isZero();
                assertThat(p.getLength()).isEqualTo(26); // one peer: the HTTP one
            }
            System.out.println(server.transportName());
        }
    }
}
