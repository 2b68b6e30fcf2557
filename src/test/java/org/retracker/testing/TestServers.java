package org.retracker.testing;

import java.net.InetSocketAddress;
import java.time.InstantSource;
import org.jspecify.annotations.Nullable;
import org.retracker.core.AnnounceService;
import org.retracker.core.TrackerPolicy;
import org.retracker.swarm.SwarmStore;
import org.retracker.transport.LocalAddresses;
import org.retracker.transport.ServerOptions;
import org.retracker.transport.TrackerServer;
import org.retracker.transport.TransportCounters;

/** A {@link TrackerServer} with default policy, limits and timeouts, for tests of its listeners. */
public final class TestServers {
    private TestServers() {}

    /**
     * Binds {@code http} and {@code udp} (either may be null) on {@code loops} event loops; a UDP
     * wildcard address gets sockets for each of {@code addresses}.
     */
    public static TrackerServer start(
            @Nullable InetSocketAddress http, @Nullable InetSocketAddress udp, int loops, LocalAddresses addresses)
            throws InterruptedException {
        ServerOptions options = new ServerOptions(
                http,
                udp,
                false,
                ServerOptions.DEFAULT_TRUSTED_PROXIES,
                0,
                loops,
                ServerOptions.DEFAULT_HTTP_IDLE_TIMEOUT,
                ServerOptions.DEFAULT_HTTP_REQUEST_TIMEOUT,
                null,
                null);
        AnnounceService service = new AnnounceService(TrackerPolicy.defaults(), new SwarmStore(new FakeClock()));
        return TrackerServer.start(options, service, new TransportCounters(), null, InstantSource.system(), addresses);
    }
}
