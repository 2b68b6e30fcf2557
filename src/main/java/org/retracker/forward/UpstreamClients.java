package org.retracker.forward;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * Makes the real clients of external trackers, all on one small event loop group of their own, so
 * slow or hostile trackers never share a thread with local clients.
 */
public final class UpstreamClients implements ForwardingService.ClientFactory, AutoCloseable {
    /** Upstream traffic is a trickle next to local traffic: two loops carry thousands of requests. */
    static final int EVENT_LOOPS = 2;
    /** Longest {@link #close()} waits for the loops to stop; they are daemon threads, so a stuck one is left behind. */
    static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);

    private final Duration timeout;
    /** Made with the first client, so a tracker without forwarders starts no threads for them. */
    private @Nullable EventLoopGroup group;

    /** @param timeoutSeconds one whole attempt ({@code -t}) */
    public UpstreamClients(int timeoutSeconds) {
        this.timeout = Duration.ofSeconds(timeoutSeconds);
    }

    @Override
    public synchronized UpstreamClient create(ForwarderSpec spec) {
        EventLoopGroup g = group;
        if (g == null) {
            IoHandlerFactory factory = Epoll.isAvailable() ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
            g = new MultiThreadIoEventLoopGroup(
                    EVENT_LOOPS, new DefaultThreadFactory("retracker-upstream", true), factory);
            group = g;
        }
        return switch (spec.scheme()) {
            case HTTP, HTTPS -> new HttpUpstreamClient(spec, g, timeout);
            case UDP -> new UdpUpstreamClient(spec, g, timeout);
        };
    }

    /** Stops the loops, waiting for them at most {@link #CLOSE_TIMEOUT}. */
    @Override
    public void close() {
        close(CLOSE_TIMEOUT);
    }

    /** As {@link #close()}, waiting at most {@code bound}; false when a loop had not stopped by then. */
    synchronized boolean close(Duration bound) {
        EventLoopGroup g = group;
        return g == null || g.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(bound.toMillis());
    }

    /** The loops, once a client has been made (tests stall one to check {@link #close(Duration)}). */
    synchronized @Nullable EventLoopGroup eventLoops() {
        return group;
    }
}
