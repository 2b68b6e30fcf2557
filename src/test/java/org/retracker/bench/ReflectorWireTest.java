package org.retracker.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.retracker.it.NettyLeakCheck;

/**
 * The reflector's HTTP side on the wire, byte by byte: it finds request heads in what it received
 * without copying, so a head split over two reads, two heads in one read and a {@code Connection:
 * close} in any case are what could break; and {@code --busy-poll} must answer as the blocking
 * loop does.
 */
@ExtendWith(NettyLeakCheck.class)
@Timeout(30)
class ReflectorWireTest {
    private static final String ANNOUNCE =
            "GET /announce?info_hash=aaaaaaaaaaaaaaaaaaaa&peer_id=bbbbbbbbbbbbbbbbbbbb&port=6881&left=0 HTTP/1.1\r\n"
                    + "Host: 127.0.0.1\r\n";
    private static final String SCRAPE = "GET /scrape?info_hash=aaaaaaaaaaaaaaaaaaaa HTTP/1.1\r\nHost: 127.0.0.1\r\n";

    @Test
    void headsSplitOverReadsPipelinedAndClosingAreEachAnswered() throws Exception {
        for (boolean busyPoll : new boolean[] {false, true}) {
            InetSocketAddress any = new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0);
            try (Reflector.Running reflector = Reflector.start(null, any, 1, 3, busyPoll);
                    Socket s = new Socket()) {
                s.connect(Objects.requireNonNull(reflector.httpAddress()), 2_000);
                s.setSoTimeout(5_000);
                s.setTcpNoDelay(true);
                OutputStream out = s.getOutputStream();
                InputStream in = s.getInputStream();

                // a head in two writes, apart long enough to arrive as two reads
                out.write(ascii(ANNOUNCE.substring(0, 40)));
                out.flush();
                Thread.sleep(100);
                out.write(ascii(ANNOUNCE.substring(40) + "\r\n"));
                out.flush();
                assertThat(body(in)).as("busy poll " + busyPoll).startsWith("d8:complete");

                // an announce and a scrape in one write: two replies, in order
                out.write(ascii(ANNOUNCE + "\r\n" + SCRAPE + "\r\n"));
                out.flush();
                assertThat(body(in)).startsWith("d8:complete");
                assertThat(body(in)).isEqualTo("d5:filesdee");

                // Connection: close in another case and spacing: answered, then the connection ends
                out.write(ascii(ANNOUNCE + "CONNECTION:  Close\r\n\r\n"));
                out.flush();
                assertThat(body(in)).startsWith("d8:complete");
                assertThat(in.read()).as("end of stream after a close request").isEqualTo(-1);
            }
        }
    }

    @Test
    void busyPollingAnswersTheGeneratorOverBothProtocols() throws Exception {
        InetSocketAddress any = new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0);
        try (Reflector.Running reflector = Reflector.start(any, any, 1, 30, true)) {
            for (String target : new String[] {
                "udp://127.0.0.1:"
                        + Objects.requireNonNull(reflector.udpAddress()).getPort(),
                "http://127.0.0.1:"
                        + Objects.requireNonNull(reflector.httpAddress()).getPort()
            }) {
                LoadGenerator.Result result = LoadGeneratorSmokeTest.load(target);
                assertThat(result.errors()).as(result.line()).isZero();
                assertThat(result.total().responses()).as(result.line()).isPositive();
            }
        }
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    /** Reads one reply: a 200 status line, headers with Content-Length, and that many bytes of body. */
    private static String body(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("stream ended in a reply head: " + head.toString(StandardCharsets.US_ASCII));
            }
            head.write(b);
        }
        String h = head.toString(StandardCharsets.US_ASCII);
        assertThat(h).startsWith("HTTP/1.1 200 OK\r\n");
        int at = h.indexOf("Content-Length: ");
        assertThat(at).as(h).isPositive();
        int length =
                Integer.parseInt(h.substring(at + 16, h.indexOf("\r\n", at)).trim());
        return new String(in.readNBytes(length), StandardCharsets.US_ASCII);
    }
}
