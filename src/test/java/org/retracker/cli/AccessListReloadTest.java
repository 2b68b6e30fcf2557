package org.retracker.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.retracker.config.TrackerConfig;
import org.retracker.core.AccessList;
import org.retracker.core.AccessListFile;
import org.retracker.forward.ForwarderSpec;
import org.retracker.forward.ForwarderStatus;
import org.retracker.forward.ForwardingService;
import org.retracker.forward.UpstreamAnnounce;
import org.retracker.forward.UpstreamClient;
import org.retracker.forward.UpstreamReply;
import org.retracker.transport.TrackerServer;

/** {@code --access-list} at start-up, and SIGHUP re-reading it (with the forwarders) into the running tracker. */
class AccessListReloadTest {
    private static final String A = "0123456789abcdef0123456789abcdef01234567";
    private static final String B = "fedcba9876543210fedcba9876543210fedcba98";

    @Test
    void sighupReloadsTheAccessListAndTheForwardersAndABadListKeepsTheRunningOne(@TempDir Path dir) throws Exception {
        Path list = dir.resolve("allow.txt");
        Files.writeString(list, A + "\n");
        Path forwarders = dir.resolve("forwarders.yml");
        Files.writeString(forwarders, "- uri: http://a.invalid/announce\n");
        TrackerConfig config =
                config("-l", "127.0.0.1:0", "-u", "", "-f", forwarders.toString(), "--access-list", list.toString());
        AccessList started = Main.accessList(config);

        try (RunningTracker tracker = RunningTracker.start(
                config, Main.forwarders(config), started, "test", TrackerServer::start, Quiet::new)) {
            ForwardingService f = Objects.requireNonNull(tracker.forwarding());
            assertThat(tracker.service().accessList()).isSameAs(started);
            assertThat(permits(tracker, A)).isTrue();
            assertThat(permits(tracker, B)).isFalse();

            Files.writeString(list, "# now B only\n" + B.toUpperCase(java.util.Locale.ROOT) + "\n");
            Files.writeString(forwarders, "- uri: https://c.invalid/announce\n");
            Signals.onHangup(tracker::reload);
            Process kill = new ProcessBuilder(
                            "kill",
                            "-HUP",
                            Long.toString(ProcessHandle.current().pid()))
                    .start();
            assertThat(kill.waitFor()).isZero();
            await().atMost(Duration.ofSeconds(5)).until(() -> permits(tracker, B) && !permits(tracker, A));
            await().atMost(Duration.ofSeconds(5)).until(() -> names(f).equals(List.of("c.invalid:443")));
            AccessList reloaded = tracker.service().accessList();
            assertThat(reloaded.mode()).isEqualTo(AccessList.Mode.ALLOW);
            assertThat(reloaded.size()).isEqualTo(1);

            Files.writeString(list, A + "\n" + "not a hash\n");
            assertThat(tracker.reloadAccessList()).isFalse();
            assertThat(tracker.service().accessList()).isSameAs(reloaded);

            Files.delete(list);
            assertThat(tracker.reloadAccessList()).isFalse();
            assertThat(tracker.service().accessList()).isSameAs(reloaded);

            Files.writeString(list, "");
            assertThat(tracker.reloadAccessList()).isTrue();
            assertThat(tracker.service().accessList().size()).isZero();
            assertThat(permits(tracker, B))
                    .as("an empty allow list allows nothing")
                    .isFalse();
        }
    }

    @Test
    void aBadAccessListStopsStartUpNamingFileAndLine(@TempDir Path dir) throws Exception {
        Path list = dir.resolve("deny.txt");
        Files.writeString(list, A + "\n" + A.substring(1) + "\n");
        TrackerConfig config = config("--access-list", list.toString(), "--access-list-mode", "deny");

        assertThatThrownBy(() -> Main.accessList(config))
                .isInstanceOf(AccessListFile.InvalidAccessListException.class)
                .hasMessage(list + ":2: expected an info hash of 40 hex digits (and at most a # comment), got '"
                        + A.substring(1) + "'");
    }

    @Test
    void noAccessListFileMeansNoList() throws Exception {
        assertThat(Main.accessList(config())).isSameAs(AccessList.NONE);
        assertThat(Main.accessList(config("--access-list-mode", "deny"))).isSameAs(AccessList.NONE);
    }

    @Test
    void withNothingToReloadAReloadDoesNothing() throws Exception {
        try (RunningTracker tracker =
                RunningTracker.start(config("-l", "127.0.0.1:0", "-u", ""), "test", TrackerServer::start)) {
            tracker.reload();

            assertThat(tracker.service().accessList()).isSameAs(AccessList.NONE);
            assertThat(tracker.reloadAccessList()).isFalse();
        }
    }

    private static boolean permits(RunningTracker tracker, String hex) {
        return tracker.service().accessList().permits(HexFormat.of().parseHex(hex), 0);
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
