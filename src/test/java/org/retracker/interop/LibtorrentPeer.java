package org.retracker.interop;

import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.retracker.testing.RequiredTools;

/**
 * libtorrent (rasterbar, python3-libtorrent) driven by {@code interop/lt_client.py}: DHT, LSD,
 * UPnP, NAT-PMP, uTP and PEX off; listens on and dials from {@code bind}.
 */
final class LibtorrentPeer implements PeerClient {
    private final String bind;
    private final Path logDir;
    private @Nullable ClientProcess process;

    LibtorrentPeer(String bind, Path logDir) {
        this.bind = bind;
        this.logDir = logDir;
    }

    @Override
    public String name() {
        return "libtorrent@" + bind;
    }

    @Override
    public void seed(PrivateTorrent torrent, Path dataDir) throws Exception {
        start("seed", torrent, dataDir);
    }

    @Override
    public void leech(PrivateTorrent torrent, Path downloadDir) throws Exception {
        start("leech", torrent, downloadDir);
    }

    private void start(String mode, PrivateTorrent torrent, Path dir) throws Exception {
        List<String> command = List.of(
                RequiredTools.PYTHON,
                "-u",
                script().toString(),
                mode,
                "--torrent",
                torrent.file().toString(),
                "--dir",
                dir.toString(),
                "--bind",
                bind,
                "--timeout",
                Long.toString(LIFETIME.toSeconds() - 10),
                "--watch-pid",
                Long.toString(ProcessHandle.current().pid()));
        process = ClientProcess.start(name(), command, logDir.resolve("libtorrent-" + mode + ".log"), LIFETIME);
    }

    private static Path script() throws URISyntaxException {
        URL url = Objects.requireNonNull(
                LibtorrentPeer.class.getResource("/interop/lt_client.py"), "interop/lt_client.py on the classpath");
        return Path.of(url.toURI());
    }

    /** The script exits 0 once the download is complete and announced. */
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
            process.stop("TERM");
        }
    }
}
