package org.retracker.interop;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * aria2 ({@code aria2c}), HTTP trackers only: its UDP tracker client needs its DHT socket, which
 * these tests keep off. Stopped with SIGINT, the signal on which it announces {@code stopped}.
 */
final class Aria2Peer implements PeerClient {
    private final String bind;
    private final Path logDir;
    private @Nullable ClientProcess process;

    Aria2Peer(String bind, Path logDir) {
        this.bind = bind;
        this.logDir = logDir;
    }

    @Override
    public String name() {
        return "aria2@" + bind;
    }

    @Override
    public void seed(PrivateTorrent torrent, Path dataDir) throws Exception {
        // check the payload, then seed with no ratio or time limit
        start("seed", torrent, dataDir, List.of("--check-integrity=true", "--seed-ratio=0.0"));
    }

    @Override
    public void leech(PrivateTorrent torrent, Path downloadDir) throws Exception {
        // Seed for 3 s, then exit with status 0. With --seed-time=0 aria2 stops at once and folds
        // "completed" into its "stopped" announce, so the tracker would never count the download.
        start("leech", torrent, downloadDir, List.of("--seed-time=0.05"));
    }

    private void start(String mode, PrivateTorrent torrent, Path dir, List<String> roleOptions) throws Exception {
        List<String> command = new ArrayList<>(List.of(
                "aria2c",
                "--no-conf=true",
                "--enable-rpc=false",
                "--enable-dht=false",
                "--enable-dht6=false",
                "--enable-peer-exchange=false",
                "--bt-enable-lpd=false",
                "--disable-ipv6=" + (bind.indexOf(':') < 0),
                "--interface=" + bind,
                "--listen-port=" + PeerClient.freePort(bind),
                "--dir=" + dir,
                "--file-allocation=none",
                "--auto-file-renaming=false",
                "--allow-overwrite=true",
                "--summary-interval=1",
                "--console-log-level=notice",
                "--log=" + logDir.resolve("aria2-" + mode + ".debug.log").toAbsolutePath(),
                "--log-level=info",
                "--stop-with-process=" + ProcessHandle.current().pid()));
        command.addAll(roleOptions);
        command.add(torrent.file().toString());
        process = ClientProcess.start(name(), command, logDir.resolve("aria2-" + mode + ".log"), LIFETIME);
    }

    @Override
    public boolean awaitDownloaded(Duration timeout) throws InterruptedException {
        return process != null && process.awaitExit(timeout) == 0;
    }

    @Override
    public String diagnostics() {
        return process == null ? "---- " + name() + ": not started\n" : process.tail();
    }

    @Override
    public void close() throws InterruptedException {
        if (process != null) {
            process.stop("INT");
        }
    }
}
