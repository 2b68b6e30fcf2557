package org.retracker.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.InstantSource;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.retracker.transport.TrackerServer;

/**
 * A wildcard UDP listener binds sockets to each of the host's addresses; SIGHUP (and housekeeping
 * every {@link RunningTracker#LOCAL_ADDRESS_RESCAN_SECONDS} s) looks for added and removed ones.
 */
@Timeout(20)
class LocalAddressRescanTest {
    @Test
    void aReloadBindsAnAddressAddedSinceStartAndReleasesOneGone() throws Exception {
        InetAddress first = address("127.0.0.1");
        InetAddress added = address("127.0.0.4");
        List<InetAddress> host = new CopyOnWriteArrayList<>(List.of(first));
        RunningTracker.ServerStarter starter = (options, service, counters, metrics) -> TrackerServer.start(
                options, service, counters, metrics, InstantSource.system(), () -> List.copyOf(host));

        try (RunningTracker tracker =
                RunningTracker.start(TestConfigs.parse("-l", "", "-u", "0.0.0.0:0"), "test", starter)) {
            assertThat(tracker.server().udpLocalAddresses()).containsExactly(first);

            host.add(added);
            tracker.reload();
            assertThat(tracker.server().udpLocalAddresses()).containsExactly(first, added);

            host.remove(first);
            tracker.reload();
            assertThat(tracker.server().udpLocalAddresses()).containsExactly(added);
        }
    }

    private static InetAddress address(String literal) throws UnknownHostException {
        return InetAddress.getByName(literal); // a literal: no lookup
    }
}
