package org.retracker.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGTERM stops the real process in order: it sends {@code stopped} upstream for its local peers,
 * and exits 0. The tracker runs as its own JVM (the test's class path), forwarding to an HTTP
 * tracker in this JVM that records what it is sent.
 */
class GracefulShutdownTest {
    private static final Pattern STARTED = Pattern.compile("started: HTTP 127\\.0\\.0\\.1:(\\d+)");

    @Test
    @Timeout(60)
    void sigtermSendsStoppedUpstreamAndExitsZero(@TempDir Path dir) throws Exception {
        try (RecordingTracker upstream = new RecordingTracker()) {
            Path forwarders = dir.resolve("forwarders.yml");
            Files.writeString(forwarders, "- uri: http://127.0.0.1:" + upstream.port() + "/announce\n");
            String java = ProcessHandle.current().info().command().orElse("java");
            Process p = new ProcessBuilder(
                            java,
                            "-cp",
                            System.getProperty("java.class.path"),
                            "org.retracker.cli.Main",
                            "-l",
                            "127.0.0.1:0",
                            "-u",
                            "",
                            "-s",
                            "0",
                            "-f",
                            forwarders.toString())
                    .redirectErrorStream(true)
                    .redirectOutput(dir.resolve("out.log").toFile())
                    .start();
            Path log = dir.resolve("out.log");
            int port = awaitPort(log);
            try {
                String reply = get(
                        port,
                        "/announce?info_hash=aaaaaaaaaaaaaaaaaaaa&peer_id=bbbbbbbbbbbbbbbbbbbb"
                                + "&port=6881&left=10&event=started");
                assertThat(reply).contains("8:intervali");
                await().atMost(Duration.ofSeconds(10)).until(() -> upstream.saw("event=started"));

                p.destroy(); // SIGTERM

                assertThat(p.waitFor(20, TimeUnit.SECONDS)).as(() -> read(log)).isTrue();
                assertThat(p.exitValue()).as(() -> read(log)).isZero();
                assertThat(upstream.saw("event=stopped")).as(() -> read(log)).isTrue();
                assertThat(read(log)).contains("sent stopped for 1 local peers");
            } finally {
                p.destroyForcibly();
            }
        }
    }

    /** Waits for the start-up line in the process's log; the HTTP port it names. */
    private static int awaitPort(Path log) {
        int[] port = {0};
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            Matcher m = STARTED.matcher(read(log));
            if (m.find()) {
                port[0] = Integer.parseInt(m.group(1));
                return true;
            }
            return false;
        });
        return port[0];
    }

    private static String read(Path log) {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "cannot read " + log + ": " + e;
        }
    }

    private static String get(int port, String target) throws IOException {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            s.setSoTimeout(5000);
            OutputStream out = s.getOutputStream();
            out.write(("GET " + target + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }

    /** An HTTP tracker that answers every announce with no peers and records the request lines. */
    private static final class RecordingTracker implements AutoCloseable {
        private final ServerSocket server = new ServerSocket();
        private final List<String> requests = new CopyOnWriteArrayList<>();
        private final List<Socket> open = new ArrayList<>();

        RecordingTracker() throws IOException {
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            Thread t = new Thread(this::serve, "recording-tracker");
            t.setDaemon(true);
            t.start();
        }

        int port() {
            return server.getLocalPort();
        }

        boolean saw(String text) {
            return requests.stream().anyMatch(r -> r.contains(text));
        }

        private void serve() {
            while (!server.isClosed()) {
                try (Socket s = server.accept()) {
                    synchronized (open) {
                        open.add(s);
                    }
                    s.setSoTimeout(5000);
                    BufferedReader r =
                            new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.ISO_8859_1));
                    String requestLine = r.readLine();
                    for (String line = requestLine; line != null && !line.isEmpty(); line = r.readLine()) {
                        // skip the header fields
                    }
                    if (requestLine != null) {
                        requests.add(requestLine);
                    }
                    byte[] body = "d8:intervali1800e5:peers0:e".getBytes(StandardCharsets.ISO_8859_1);
                    s.getOutputStream()
                            .write(("HTTP/1.1 200 OK\r\nContent-Length: " + body.length
                                            + "\r\nConnection: close\r\n\r\n")
                                    .getBytes(StandardCharsets.ISO_8859_1));
                    s.getOutputStream().write(body);
                } catch (IOException e) {
                    // the next connection
                }
            }
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }
}
