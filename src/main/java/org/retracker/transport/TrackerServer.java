package org.retracker.transport;

import java.net.InetSocketAddress;
import org.jspecify.annotations.Nullable;
import org.retracker.core.AnnounceService;

/** The running HTTP and UDP listeners. (Implementation in progress in this commit.) */
public final class TrackerServer implements AutoCloseable {
    private TrackerServer() {}

    /** Binds the listeners of {@code options} and starts serving {@code service}. */
    public static TrackerServer start(ServerOptions options, AnnounceService service) throws InterruptedException {
        throw new UnsupportedOperationException("not yet: " + options + service);
    }

    /** The bound HTTP address (port resolved), or {@code null} when HTTP is off. */
    public @Nullable InetSocketAddress httpAddress() {
        return null;
    }

    /** The bound UDP address (port resolved), or {@code null} when UDP is off. */
    public @Nullable InetSocketAddress udpAddress() {
        return null;
    }

    /** "epoll" or "nio". */
    public String transportName() {
        return "nio";
    }

    @Override
    public void close() {}
}
