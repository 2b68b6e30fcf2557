package org.retracker.transport;

import java.net.InetSocketAddress;
import java.time.InstantSource;
import org.jspecify.annotations.Nullable;
import org.retracker.core.AnnounceService;
import org.retracker.core.TrackerPolicy;
import org.retracker.swarm.SwarmStore;
import org.retracker.testing.FakeClock;

/** A {@link TrackerServer} on one event loop with default policy and limits, for this package's tests. */
final class TestServers {
    private TestServers() {}

    static TrackerServer start(
            @Nullable InetSocketAddress http, @Nullable InetSocketAddress udp, LocalAddresses addresses)
            throws InterruptedException {
        ServerOptions options = new ServerOptions(
                http,
                udp,
                false,
                ServerOptions.DEFAULT_TRUSTED_PROXIES,
                0,
                1,
                ServerOptions.DEFAULT_HTTP_IDLE_TIMEOUT,
                ServerOptions.DEFAULT_HTTP_REQUEST_TIMEOUT,
                null,
                null);
        AnnounceService service = new AnnounceService(TrackerPolicy.defaults(), new SwarmStore(new FakeClock()));
        return TrackerServer.start(options, service, new TransportCounters(), null, InstantSource.system(), addresses);
    }
}
