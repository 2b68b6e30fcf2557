package org.retracker.packaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

import com.dampcake.bencode.Bencode;
import com.dampcake.bencode.Type;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.retracker.forward.TestCertificate;

/**
 * The runtime image of {@code make image}, built here from the packaged jar with the same script
 * and the Makefile's JVM flags (about 15 s): its modules, trust store and launcher; the launcher
 * and the container entrypoint start it, it answers an announce, forwards over HTTPS with its own
 * runtime, and stops on SIGTERM. Run by failsafe, after {@code package}.
 */
class ImageIT {
    private static final Path JAR = ScriptRun.ROOT.resolve("target/retracker.jar");
    private static final Pattern STARTED = Pattern.compile("started: HTTP 127\\.0\\.0\\.1:(\\d+),");
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(20);
    /** retracker stops gracefully on SIGTERM and exits 0 (the JVM's own default would be 143). */
    private static final int EXIT_SIGTERM = 0;

    @TempDir
    static Path dir;

    private static @Nullable Path builtImage;
    private static String buildOutput = "";

    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void buildImage() throws Exception {
        assertThat(JAR).as("failsafe runs after package").exists();
        Path image = dir.resolve("image");
        long start = System.nanoTime();
        ScriptRun run = ScriptRun.run(
                List.of("scripts/build-image.sh", JAR.toString(), image.toString()),
                Map.of("JAVA_HOME", System.getProperty("java.home"), "JAVA_FLAGS", makefileJavaFlags()),
                Duration.ofMinutes(3));
        assertThat(run.exit()).as(run.stdout() + run.stderr()).isZero();
        buildOutput = run.stdout();
        System.out.printf(
                "image built in %d ms, %d MB: %s%n",
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start), size(image) >> 20, buildOutput.strip());
        builtImage = image;
    }

    private static Path image() {
        Path image = builtImage;
        if (image == null) {
            throw new IllegalStateException("no image");
        }
        return image;
    }

    /** The Makefile's JAVA_FLAGS: what `make run` passes, and so what the launcher must. */
    private static String makefileJavaFlags() throws IOException {
        Matcher m = Pattern.compile("(?m)^JAVA_FLAGS := (.+)$")
                .matcher(Files.readString(ScriptRun.ROOT.resolve("Makefile")));
        assertThat(m.find()).as("JAVA_FLAGS in the Makefile").isTrue();
        return m.group(1).strip();
    }

    private static long size(Path root) throws IOException {
        try (Stream<Path> files = Files.walk(root)) {
            long total = 0;
            for (Path p : files.filter(Files::isRegularFile).toList()) {
                total += Files.size(p);
            }
            return total;
        }
    }

    @Test
    void holdsTheJarAndALauncherWithTheFlagsOfMakeRun() throws Exception {
        assertThat(Files.mismatch(image().resolve("lib/retracker.jar"), JAR)).isEqualTo(-1);
        assertThat(Files.isExecutable(image().resolve("bin/retracker"))).isTrue();
        assertThat(Files.readString(image().resolve("bin/retracker")))
                .contains(
                        "exec \"$home/bin/java\" " + makefileJavaFlags() + " -jar \"$home/lib/retracker.jar\" \"$@\"");
        assertThat(buildOutput).startsWith("retracker ");
        assertThat(size(image())).isLessThan(100L << 20);
        // -jar reads these: Netty's direct buffers, and IPv6 addresses read in place (Inet6Bytes)
        try (JarFile jar = new JarFile(JAR.toFile())) {
            assertThat(jar.getManifest().getMainAttributes().getValue("Add-Opens"))
                    .contains("java.base/java.nio", "java.base/jdk.internal.misc", "java.base/java.net");
        }
    }

    @Test
    void runtimeHasTheModulesRetrackerNeedsAndNoJdk() throws Exception {
        ScriptRun run = ScriptRun.run(
                List.of(image().resolve("bin/java").toString(), "--list-modules"), Map.of(), Duration.ofSeconds(30));
        List<String> modules =
                run.stdout().lines().map(l -> l.substring(0, l.indexOf('@'))).toList();

        assertThat(modules)
                .contains(
                        "java.base",
                        "java.logging",
                        "java.management",
                        "java.naming",
                        "java.xml",
                        "jdk.jfr",
                        "jdk.unsupported")
                .doesNotContain("jdk.compiler", "java.desktop", "jdk.jlink")
                .hasSizeLessThan(12);
        assertThat(image().resolve("bin/javac")).doesNotExist();
    }

    @Test
    void carriesTheCaCertificatesForHttpsForwarders() throws Exception {
        ScriptRun run = ScriptRun.run(
                List.of(image().resolve("bin/keytool").toString(), "-list", "-cacerts", "-storepass", "changeit"),
                Map.of(),
                Duration.ofSeconds(30));

        assertThat(run.exit()).as(run.stderr()).isZero();
        assertThat(run.stdout().lines().filter(l -> l.contains("trustedCertEntry")))
                .as("CA certificates in lib/security/cacerts")
                .hasSizeGreaterThan(50);
    }

    @Test
    void launcherStartsAnswersAnAnnounceAndStopsOnSigterm() throws Exception {
        try (Tracker tracker = Tracker.start(
                List.of(image().resolve("bin/retracker").toString(), "-l", "127.0.0.1:0", "-u", ""),
                Map.of(),
                dir.resolve("launcher.log"))) {
            // "Unsafe on": the launcher's flags reached the JVM; the leak detector is off by default.
            assertThat(tracker.log())
                    .contains("UDP off")
                    .contains("(Unsafe on, leak detection disabled)")
                    .doesNotContain("WARNING");

            Map<String, Object> reply = announce(tracker.port, hash(1), 6881);

            assertThat(reply).containsEntry("interval", 1800L).containsEntry("incomplete", 1L);
            assertThat(tracker.stop()).isEqualTo(EXIT_SIGTERM);
            assertThat(tracker.log()).contains("shutting down");
        }
    }

    @Test
    void entrypointStartsTheImageFromTheEnvironmentAndPassesArguments() throws Exception {
        Map<String, String> env = Map.of(
                "RETRACKER_LAUNCHER", image().resolve("bin/retracker").toString(),
                "RETRACKER_LISTEN", "127.0.0.1:0",
                "RETRACKER_UDP_LISTEN", "",
                "RETRACKER_DEBUG", "true");
        try (Tracker tracker = Tracker.start(
                List.of("docker/docker-entrypoint.sh", "--tracker-id", "image-it"),
                env,
                dir.resolve("entrypoint.log"))) {
            assertThat(tracker.log()).contains("UDP off").contains("DEBUG");

            Map<String, Object> reply = announce(tracker.port, hash(2), 6882);
            ScriptRun probe = ScriptRun.run(
                    List.of("docker/healthcheck.sh", "/favicon.ico", "127.0.0.1:" + tracker.port),
                    Map.of(),
                    Duration.ofSeconds(15));

            assertThat(text(reply, "tracker id")).isEqualTo("image-it");
            assertThat(probe.exit()).as(probe.stderr()).isZero();
            // The entrypoint exec'd the launcher, which exec'd java: SIGTERM reaches the JVM.
            assertThat(tracker.stop()).isEqualTo(EXIT_SIGTERM);
        }
    }

    @Test
    void forwardsOverHttpsWithTheImagesTlsAndDefaultTrustStore() throws Exception {
        TestCertificate certificate = TestCertificate.forLocalhost(dir);
        Path trustStore = dir.resolve("trust.p12");
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("localhost", certificate.certificate);
        try (OutputStream out = Files.newOutputStream(trustStore)) {
            trust.store(out, "changeit".toCharArray());
        }
        ConcurrentLinkedQueue<String> announces = new ConcurrentLinkedQueue<>();
        HttpsServer upstream = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        upstream.setHttpsConfigurator(new HttpsConfigurator(certificate.serverContext));
        upstream.createContext("/announce", exchange -> {
            announces.add(exchange.getRequestURI().getRawQuery());
            // One peer, 10.1.2.3:4567.
            byte[] body = ("d8:intervali1800e5:peers6:"
                            + new String(new byte[] {10, 1, 2, 3, 0x11, (byte) 0xd7}, StandardCharsets.ISO_8859_1)
                            + "e")
                    .getBytes(StandardCharsets.ISO_8859_1);
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        upstream.start();
        Path forwarders = dir.resolve("forwarders.yml");
        Files.writeString(
                forwarders, "- uri: https://localhost:" + upstream.getAddress().getPort() + "/announce\n");
        List<String> command = List.of(
                image().resolve("bin/retracker").toString(),
                "-l",
                "127.0.0.1:0",
                "-u",
                "",
                "-f",
                forwarders.toString(),
                "-R",
                "1");
        try {
            // Trusting the test certificate: the image's TLS stack announces, the peer comes back.
            Map<String, String> trusting = Map.of(
                    "JDK_JAVA_OPTIONS",
                    "-Djavax.net.ssl.trustStore=" + trustStore + " -Djavax.net.ssl.trustStorePassword=changeit");
            try (Tracker tracker = Tracker.start(command, trusting, dir.resolve("https.log"))) {
                byte[] hash = hash(3);
                announce(tracker.port, hash, 6883);
                await().atMost(Duration.ofSeconds(20))
                        .pollInterval(Duration.ofMillis(200))
                        .untilAsserted(() -> assertThat(peers(announce(tracker.port, hash, 6883)))
                                .contains("10.1.2.3:4567"));
                assertThat(announces).anyMatch(q -> q.contains("info_hash=" + percent(hash)));
            }

            // With the image's own trust store the test certificate is refused, so the handshake
            // is really checked, against lib/security/cacerts.
            try (Tracker tracker = Tracker.start(command, Map.of(), dir.resolve("https-untrusted.log"))) {
                byte[] hash = hash(4);
                announce(tracker.port, hash, 6884);
                await().atMost(Duration.ofSeconds(20))
                        .pollInterval(Duration.ofMillis(200))
                        .untilAsserted(() -> assertThat(stats(tracker.port)).contains("1 failed"));
                String stats = stats(tracker.port);
                System.out.println(stats);
                assertThat(stats).containsPattern("(?i)certif|PKIX|handshake");
                assertThat(announces).noneMatch(q -> q.contains("info_hash=" + percent(hash)));
            }
        } finally {
            upstream.stop(0);
        }
    }

    private static byte[] hash(int n) {
        byte[] hash = new byte[20];
        hash[0] = (byte) n;
        hash[19] = 0x7f;
        return hash;
    }

    private static String percent(byte[] bytes) {
        StringBuilder s = new StringBuilder();
        for (byte b : bytes) {
            s.append('%').append(HexFormat.of().withUpperCase().toHexDigits(b));
        }
        return s.toString();
    }

    private Map<String, Object> announce(int trackerPort, byte[] hash, int peerPort) throws Exception {
        String query = "info_hash=" + percent(hash) + "&peer_id=" + percent(hash(peerPort)) + "&port=" + peerPort
                + "&uploaded=0&downloaded=0&left=100&compact=1";
        HttpResponse<byte[]> response = http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + trackerPort + "/announce?" + query))
                        .timeout(Duration.ofSeconds(10))
                        .build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(response.statusCode()).isEqualTo(200);
        byte[] body = response.body();
        assertThat(body).isNotEmpty().startsWith((byte) 'd');
        Map<String, Object> reply = new Bencode(StandardCharsets.ISO_8859_1, true).decode(body, Type.DICTIONARY);
        assertThat(reply).doesNotContainKey("failure reason").containsKey("interval");
        return reply;
    }

    private String stats(int trackerPort) throws Exception {
        return http.send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + trackerPort + "/stats"))
                                .timeout(Duration.ofSeconds(10))
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .body();
    }

    private static String text(Map<String, Object> reply, String key) {
        assertThat(reply.get(key)).isInstanceOf(ByteBuffer.class);
        ByteBuffer b = ((ByteBuffer) reply.get(key)).duplicate();
        byte[] bytes = new byte[b.remaining()];
        b.get(bytes);
        return new String(bytes, StandardCharsets.ISO_8859_1);
    }

    private static List<String> peers(Map<String, Object> reply) {
        byte[] peers = text(reply, "peers").getBytes(StandardCharsets.ISO_8859_1);
        List<String> result = new ArrayList<>();
        for (int i = 0; i + 6 <= peers.length; i += 6) {
            result.add((peers[i] & 0xff) + "." + (peers[i + 1] & 0xff) + "." + (peers[i + 2] & 0xff) + "."
                    + (peers[i + 3] & 0xff) + ":" + (((peers[i + 4] & 0xff) << 8) | (peers[i + 5] & 0xff)));
        }
        return result;
    }

    /** A tracker process from the image, its output in a log file. */
    private static final class Tracker implements AutoCloseable {
        final Process process;
        final Path log;
        final int port;

        private Tracker(Process process, Path log, int port) {
            this.process = process;
            this.log = log;
            this.port = port;
        }

        /** Starts {@code command} with only PATH and {@code env}; returns once it listens. */
        static Tracker start(List<String> command, Map<String, String> env, Path log) throws Exception {
            ProcessBuilder builder = new ProcessBuilder(command)
                    .directory(ScriptRun.ROOT.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile());
            Map<String, String> environment = builder.environment();
            Map<String, String> kept = new HashMap<>();
            kept.put("PATH", environment.getOrDefault("PATH", "/usr/bin:/bin"));
            environment.clear();
            environment.putAll(kept);
            environment.putAll(env);
            Process process = builder.start();
            process.getOutputStream().close();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (System.nanoTime() < deadline) {
                Matcher m = STARTED.matcher(Files.readString(log));
                if (m.find()) {
                    return new Tracker(process, log, Integer.parseInt(m.group(1)));
                }
                if (!process.isAlive()) {
                    fail("exited with " + process.exitValue() + " before starting: " + Files.readString(log));
                }
                Thread.sleep(50);
            }
            process.destroyForcibly();
            return fail("not started within 30 s: " + Files.readString(log));
        }

        String log() throws IOException {
            return Files.readString(log);
        }

        /** Sends SIGTERM and returns the exit status; kills the process if it outlives the timeout. */
        int stop() throws Exception {
            process.destroy();
            if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                fail("still running " + STOP_TIMEOUT + " after SIGTERM: " + log());
            }
            return process.exitValue();
        }

        @Override
        public void close() throws InterruptedException {
            if (process.isAlive()) {
                process.destroyForcibly();
                process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            }
        }
    }
}
