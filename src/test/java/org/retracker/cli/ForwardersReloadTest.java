package org.retracker.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.retracker.config.TrackerConfig;
import org.retracker.core.AccessList;
import org.retracker.forward.ForwarderSpec;
import org.retracker.forward.ForwarderStatus;
import org.retracker.forward.ForwardersFile;
import org.retracker.forward.ForwardingService;
import org.retracker.forward.UpstreamAnnounce;
import org.retracker.forward.UpstreamClient;
import org.retracker.forward.UpstreamReply;
import org.retracker.transport.TrackerServer;

/** {@code -f} at start-up, and SIGHUP re-reading the file into the running tracker. */
class ForwardersReloadTest {
    @Test
    void sighupReloadsTheForwardersAndABadFileKeepsTheRunningList(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("forwarders.yml");
        Files.writeString(file, "- uri: http://a.invalid/announce\n- uri: udp://b.invalid:6969/announce\n");
        TrackerConfig config = config("-l", "127.0.0.1:0", "-u", "", "-f", file.toString());
        List<ForwarderSpec> specs = Main.forwarders(config);

        try (RunningTracker tracker =
                RunningTracker.start(config, specs, AccessList.NONE, "test", TrackerServer::start, Quiet::new)) {
            ForwardingService f = Objects.requireNonNull(tracker.forwarding());
            assertThat(names(f)).containsExactly("a.invalid:80", "b.invalid:6969");

            Files.writeString(file, "- uri: http://a.invalid/announce\n- uri: https://c.invalid/announce\n");
            Signals.onHangup(tracker::reloadForwarders);
            long pid = ProcessHandle.current().pid();
            Process kill = new ProcessBuilder("kill", "-HUP", Long.toString(pid)).start();
            assertThat(kill.waitFor()).isZero();
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> names(f).equals(List.of("a.invalid:80", "c.invalid:443")));

            Files.writeString(file, "- uri: gopher://d.invalid/announce\n");
            assertThat(tracker.reloadForwarders()).isFalse();
            assertThat(names(f)).containsExactly("a.invalid:80", "c.invalid:443");

            Files.writeString(file, "");
            assertThat(tracker.reloadForwarders()).isTrue();
            assertThat(names(f)).isEmpty();
        }
    }

    @Test
    void aBadForwardersFileStopsStartUpNamingTheEntry(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("forwarders.yml");
        Files.writeString(file, "- uri: http://a.invalid/announce\n- uri: wss://x.invalid/announce\n");
        TrackerConfig config = config("-f", file.toString());

        try {
            Main.forwarders(config);
            throw new AssertionError("accepted a bad file");
        } catch (ForwardersFile.InvalidForwardersException e) {
            assertThat(e.getMessage())
                    .isEqualTo(file + ": forwarder 2 (wss://x.invalid/announce): scheme must be http, https or udp,"
                            + " got 'wss'");
        }
    }

    private static List<String> names(ForwardingService f) {
        return f.status().stream().map(ForwarderStatus::name).toList();
    }

    private static TrackerConfig config(String... args) {
        return TestConfigs.parse(args);
    }

    /** An external tracker that never answers. */
    private record Quiet(ForwarderSpec spec) implements UpstreamClient {
        @Override
        public CompletableFuture<UpstreamReply> announce(UpstreamAnnounce announce) {
            return new CompletableFuture<>();
        }

        @Override
        public void close() {}
    }
}
