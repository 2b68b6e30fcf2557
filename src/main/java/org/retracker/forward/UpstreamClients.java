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

    @Override
    public synchronized void close() {
        EventLoopGroup g = group;
        if (g != null) {
            g.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
        }
    }
}
