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

/**
 * Makes the real clients of external trackers, all on one small event loop group of their own, so
 * slow or hostile trackers never share a thread with local clients.
 */
public final class UpstreamClients implements ForwardingService.ClientFactory, AutoCloseable {
    /** Upstream traffic is a trickle next to local traffic: two loops carry thousands of requests. */
    static final int EVENT_LOOPS = 2;

    private final EventLoopGroup group;
    private final Duration timeout;

    /** @param timeoutSeconds one whole attempt ({@code -t}) */
    public UpstreamClients(int timeoutSeconds) {
        this.timeout = Duration.ofSeconds(timeoutSeconds);
        IoHandlerFactory factory = Epoll.isAvailable() ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        this.group = new MultiThreadIoEventLoopGroup(
                EVENT_LOOPS, new DefaultThreadFactory("retracker-upstream", true), factory);
    }

    @Override
    public UpstreamClient create(ForwarderSpec spec) {
        return switch (spec.scheme()) {
            case HTTP, HTTPS -> new HttpUpstreamClient(spec, group, timeout);
            case UDP -> new UdpUpstreamClient(spec, group, timeout);
        };
    }

    @Override
    public void close() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
    }
}
