package org.retracker.interop;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;

/**
 * One real BitTorrent client playing one role (seeder or leecher) for one torrent. Implementations
 * start their processes lazily and stop them, tree and all, in {@link #close}.
 *
 * <p>A client announces only to the tracker named by the torrent's {@code announce} ({@link
 * PrivateTorrent} writes no announce-list) and has DHT, PEX and LSD off: write the torrent with
 * retracker's URI or with {@link Opentracker#httpAnnounceUri()} / {@link
 * Opentracker#udpAnnounceUri()} to make that the only way the client finds peers.
 */
interface PeerClient extends AutoCloseable {
    /** Longest a client process may live, whatever happens to the test JVM. */
    Duration LIFETIME = Duration.ofSeconds(170);

    String name();

    /**
     * Whether the client ignores loopback peers handed out by a tracker (Transmission), so that the
     * other side must learn its address and dial it: it has to announce first.
     */
    default boolean mustBeDialled() {
        return false;
    }

    /** Starts seeding {@code torrent} from the complete payload in {@code dataDir}. */
    void seed(PrivateTorrent torrent, Path dataDir) throws Exception;

    /** Starts downloading {@code torrent} into {@code downloadDir}. */
    void leech(PrivateTorrent torrent, Path downloadDir) throws Exception;

    /** Waits up to {@code timeout} for the download to complete; whether it did. */
    boolean awaitDownloaded(Duration timeout) throws Exception;

    /** The tail of the client's logs, for assertion messages. */
    String diagnostics();

    @Override
    void close() throws InterruptedException;

    /** A TCP port free on {@code host} right now (the client binds it a moment later). */
    static int freePort(String host) throws IOException {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress(InetAddress.getByName(host), 0));
            return s.getLocalPort();
        }
    }
}
