package org.retracker.interop;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * Transmission 3.00: {@code transmission-daemon} in the foreground with its own config dir, driven
 * by {@code transmission-remote} over RPC on a free loopback port. DHT, LPD, PEX, uTP and port
 * mapping are off.
 *
 * <p>Transmission drops loopback peers that a tracker hands out but accepts incoming connections
 * from them, so it must be the side that is dialled ({@link #mustBeDialled}).
 */
final class TransmissionPeer implements PeerClient {
    /** Longest one {@code transmission-remote} call may take. */
    private static final Duration REMOTE_TIMEOUT = Duration.ofSeconds(15);
    /** Longest the daemon may take to open its RPC port, or to check a payload it is to seed. */
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(30);

    private final String bind;
    private final Path logDir;
    private @Nullable ClientProcess daemon;
    private @Nullable String rpc;
    private @Nullable PrivateTorrent torrent;

    TransmissionPeer(String bind, Path logDir) {
        this.bind = bind;
        this.logDir = logDir;
    }

    @Override
    public String name() {
        return "transmission@" + bind;
    }

    @Override
    public boolean mustBeDialled() {
        return true;
    }

    /** Adds the torrent and returns once the daemon has checked the payload and holds all of it. */
    @Override
    public void seed(PrivateTorrent torrent, Path dataDir) throws Exception {
        add(torrent, dataDir);
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        while (!percentDone100()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(
                        "Transmission did not verify the payload within " + READY_TIMEOUT + "\n" + diagnostics());
            }
            Thread.sleep(200);
        }
    }

    @Override
    public void leech(PrivateTorrent torrent, Path downloadDir) throws Exception {
        add(torrent, downloadDir);
    }

    private void add(PrivateTorrent torrent, Path dir) throws Exception {
        this.torrent = torrent;
        startDaemon(dir);
        String out = remote("-a", torrent.file().toString(), "-w", dir.toString());
        if (!out.contains("success")) {
            throw new AssertionError("transmission-remote -a failed: " + out + "\n" + diagnostics());
        }
    }

    private void startDaemon(Path dir) throws Exception {
        Path config = logDir.resolve("transmission-config");
        Files.createDirectories(config);
        int peerPort = PeerClient.freePort(bind);
        int rpcPort = PeerClient.freePort("127.0.0.1");
        Files.writeString(config.resolve("settings.json"), settings(dir, peerPort, rpcPort), StandardCharsets.UTF_8);
        rpc = "127.0.0.1:" + rpcPort;
        daemon = ClientProcess.start(
                name(),
                List.of("transmission-daemon", "--foreground", "--config-dir", config.toString(), "--log-info"),
                logDir.resolve("transmission-daemon.log"),
                LIFETIME);
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        while (true) {
            if (remoteStatus("-si") == 0) {
                return;
            }
            if (!daemon.isAlive() || System.nanoTime() > deadline) {
                throw new AssertionError("transmission-daemon RPC did not come up on " + rpc + "\n" + diagnostics());
            }
            Thread.sleep(200);
        }
    }

    private String settings(Path dir, int peerPort, int rpcPort) {
        return """
                {
                  "bind-address-ipv4": "%s",
                  "bind-address-ipv6": "::1",
                  "peer-port": %d,
                  "peer-port-random-on-start": false,
                  "port-forwarding-enabled": false,
                  "dht-enabled": false,
                  "lpd-enabled": false,
                  "pex-enabled": false,
                  "utp-enabled": false,
                  "blocklist-enabled": false,
                  "rpc-enabled": true,
                  "rpc-bind-address": "127.0.0.1",
                  "rpc-port": %d,
                  "rpc-authentication-required": false,
                  "rpc-whitelist-enabled": false,
                  "rpc-host-whitelist-enabled": false,
                  "download-dir": "%s",
                  "incomplete-dir-enabled": false,
                  "rename-partial-files": false,
                  "start-added-torrents": true,
                  "watch-dir-enabled": false,
                  "download-queue-enabled": false,
                  "seed-queue-enabled": false,
                  "queue-stalled-enabled": false,
                  "ratio-limit-enabled": false,
                  "idle-seeding-limit-enabled": false,
                  "speed-limit-down-enabled": false,
                  "speed-limit-up-enabled": false,
                  "alt-speed-enabled": false,
                  "alt-speed-time-enabled": false,
                  "message-level": 2
                }
                """.formatted(bind, peerPort, rpcPort, json(dir.toString()));
    }

    private static String json(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"");
    }

    private boolean percentDone100() throws Exception {
        PrivateTorrent t = torrent;
        return t != null && remote("-t", t.infoHashHex(), "-i").contains("Percent Done: 100%");
    }

    @Override
    public boolean awaitDownloaded(Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (daemon != null && daemon.isAlive()) {
            if (percentDone100()) {
                return true;
            }
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(250);
        }
        return false;
    }

    /** Runs transmission-remote against this daemon; its output (also appended to the log). */
    private String remote(String... args) throws IOException, InterruptedException {
        return runRemote(args).output;
    }

    private int remoteStatus(String... args) throws IOException, InterruptedException {
        return runRemote(args).status;
    }

    private record Result(int status, String output) {}

    private Result runRemote(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add("transmission-remote");
        command.add(String.valueOf(rpc));
        command.addAll(List.of(args));
        Path out = logDir.resolve("transmission-remote.out");
        Process p = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(out.toFile())
                .start();
        if (!p.waitFor(REMOTE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
            p.destroyForcibly();
            p.waitFor(REMOTE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        }
        String output = Files.readString(out, StandardCharsets.UTF_8);
        Files.writeString(
                logDir.resolve("transmission-remote.log"),
                "$ " + String.join(" ", command) + "\n" + output,
                StandardCharsets.UTF_8,
                StandardOpenOption.CREATE,
                StandardOpenOption.APPEND);
        return new Result(p.isAlive() ? -1 : p.exitValue(), output);
    }

    @Override
    public String diagnostics() {
        return daemon == null ? "---- " + name() + ": not started\n" : daemon.tail();
    }

    /** Stops the torrents first (so that Transmission announces {@code stopped}), then the daemon. */
    @Override
    public void close() throws InterruptedException {
        ClientProcess d = daemon;
        if (d == null) {
            return;
        }
        try {
            if (d.isAlive()) {
                remote("-t", "all", "-S");
            }
        } catch (IOException e) {
            // the daemon is stopped below either way
        }
        d.stop("TERM");
    }
}
