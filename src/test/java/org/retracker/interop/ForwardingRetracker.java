package org.retracker.interop;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import org.retracker.core.AnnounceService;
import org.retracker.core.TrackerPolicy;
import org.retracker.forward.ForwarderSpec;
import org.retracker.forward.ForwardingOptions;
import org.retracker.forward.ForwardingService;
import org.retracker.forward.UpstreamClients;
import org.retracker.swarm.SwarmStore;
import org.retracker.transport.ServerOptions;
import org.retracker.transport.TrackerServer;

/**
 * A retracker on 127.0.0.1 (HTTP and UDP, free ports) that forwards to the given external trackers
 * with the real HTTP and UDP clients, on the system clock: what {@code retracker -f} runs.
 */
final class ForwardingRetracker implements AutoCloseable {
    /** Short enough for a test to see failures, long enough for a loaded CI machine. */
    static final Duration TIMEOUT = Duration.ofSeconds(5);

    private final UpstreamClients clients;
    private final ForwardingService forwarding;
    private final TrackerServer server;

    ForwardingRetracker(URI... forwarders) throws InterruptedException {
        clients = new UpstreamClients((int) TIMEOUT.toSeconds());
        ForwardingOptions options =
                new ForwardingOptions(TIMEOUT, 4, 8, 1000, 60, 0, 0, 20, 100, 200, 300, 10, 3, 100, 3600);
        forwarding = new ForwardingService(options, InstantSource.system(), clients);
        List<ForwarderSpec> specs = new ArrayList<>();
        for (URI uri : forwarders) {
            ForwarderSpec.Scheme scheme =
                    uri.getScheme().equals("udp") ? ForwarderSpec.Scheme.UDP : ForwarderSpec.Scheme.HTTP;
            specs.add(new ForwarderSpec(uri.getScheme() + "-" + uri.getPort(), uri, scheme, null, null));
        }
        forwarding.setForwarders(specs);
        AnnounceService service = new AnnounceService(TrackerPolicy.defaults(), new SwarmStore(InstantSource.system()));
        service.forwarding(forwarding);
        InetSocketAddress any = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        server = TrackerServer.start(new ServerOptions(any, any, false, List.of(), 0, 1, 60, 10, null, null), service);
    }

    URI httpAnnounceUri() {
        InetSocketAddress a = java.util.Objects.requireNonNull(server.httpAddress());
        return URI.create("http://127.0.0.1:" + a.getPort() + "/announce");
    }

    URI udpAnnounceUri() {
        InetSocketAddress a = java.util.Objects.requireNonNull(server.udpAddress());
        return URI.create("udp://127.0.0.1:" + a.getPort() + "/announce");
    }

    ForwardingService forwarding() {
        return forwarding;
    }

    @Override
    public void close() {
        server.close();
        forwarding.close();
        clients.close();
    }
}
