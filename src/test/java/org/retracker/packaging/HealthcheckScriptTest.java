package org.retracker.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code docker/healthcheck.sh} against a small HTTP server: {@code /health} answers 200
 * {@code ok} (as the tracker's will), {@code /broken} 500, anything else 404.
 */
class HealthcheckScriptTest {
    private static final String SCRIPT =
            ScriptRun.ROOT.resolve("docker/healthcheck.sh").toString();

    private @org.jspecify.annotations.Nullable HttpServer server;
    private int port;

    @BeforeEach
    void startServer() throws IOException {
        HttpServer s = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        s.createContext("/", exchange -> {
            String path = exchange.getRequestURI().getPath();
            int status = path.equals("/health") ? 200 : path.equals("/broken") ? 500 : 404;
            byte[] body = (status == 200 ? "ok" : "no").getBytes(StandardCharsets.US_ASCII);
            exchange.sendResponseHeaders(status, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        s.start();
        server = s;
        port = s.getAddress().getPort();
    }

    @AfterEach
    void stopServer() {
        if (server != null) {
            server.stop(0);
        }
    }

    private static ScriptRun probe(Map<String, String> env, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(SCRIPT));
        command.addAll(List.of(args));
        return ScriptRun.run(command, env, Duration.ofSeconds(15));
    }

    @Test
    void healthyWhenTheHealthPathAnswers200() throws Exception {
        ScriptRun run = probe(Map.of(), "/health", "127.0.0.1:" + port);

        assertThat(run.exit()).as(run.stderr()).isZero();
        assertThat(run.stderr()).isEmpty();
    }

    @Test
    void probesHealthOnThePortOfRetrackerListenByDefault() throws Exception {
        for (String listen : List.of(":" + port, "0.0.0.0:" + port, "127.0.0.1:" + port)) {
            ScriptRun run = probe(Map.of("RETRACKER_LISTEN", listen));
            assertThat(run.exit()).as(listen + ": " + run.stderr()).isZero();
        }
    }

    @Test
    void unhealthyOnAnyOtherStatus() throws Exception {
        ScriptRun missing = probe(Map.of("RETRACKER_LISTEN", ":" + port), "/missing");
        ScriptRun broken = probe(Map.of(), "/broken", "127.0.0.1:" + port);

        assertThat(missing.exit()).isEqualTo(1);
        assertThat(missing.stderr()).contains("GET /missing").contains("404");
        assertThat(broken.exit()).isEqualTo(1);
        assertThat(broken.stderr()).contains("500");
    }

    @Test
    void unhealthyWhenNothingListens() throws Exception {
        int closed;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = socket.getLocalPort();
        }
        ScriptRun run = probe(Map.of("RETRACKER_LISTEN", ":" + closed));

        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.stderr()).contains("cannot connect to 127.0.0.1 port " + closed);
    }

    @Test
    void unhealthyWhenHttpIsOff() throws Exception {
        ScriptRun run = probe(Map.of("RETRACKER_LISTEN", ""));

        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.stderr()).contains("HTTP is off");
    }
}
