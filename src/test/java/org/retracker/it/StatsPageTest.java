package org.retracker.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.retracker.forward.ForwarderSpec;
import org.retracker.forward.ForwardingOptions;
import org.retracker.forward.UpstreamAnnounce;
import org.retracker.forward.UpstreamClient;
import org.retracker.forward.UpstreamReply;

/** {@code /stats}: counts as text and JSON, forwarders with their state and why. */
class StatsPageTest extends LoopbackTrackerTest {
    private static final byte[] HASH = Ids.infoHash(42);

    @Test
    void statsShowSwarmsPeersAndAForwarderThatIsDownWithItsReason() {
        ForwarderSpec spec = new ForwarderSpec(
                "broken", URI.create("http://broken.invalid/announce"), ForwarderSpec.Scheme.HTTP, null, null);
        ForwardingOptions options =
                new ForwardingOptions(Duration.ofSeconds(5), 1, 1, 100, 60, 0, 0, 20, 100, 200, 300, 1, 1, 1, 3600);
        TestTracker t = start(TestTracker.on(Loopback.V4).forwarding(options, s -> new Failing(s), List.of(spec)));

        t.http().announce(Announce.peer(HASH, 6881));
        await().atMost(Duration.ofSeconds(5))
                .until(() -> t.forwarding().status().get(0).state().equals("down"));

        String text = new String(t.http().get("/stats").body(), StandardCharsets.UTF_8);
        assertThat(text).contains("swarms: 1\n", "peers: 1\n", "http: 1 announces");
        assertThat(text).contains("forwarder broken http://broken.invalid/announce: down (connection \"refused\")");

        HttpReply json = t.http().get("/stats?format=json");
        assertThat(json.headers()).containsEntry("content-type", "application/json");
        String body = new String(json.body(), StandardCharsets.UTF_8);
        assertThat(body)
                .startsWith("{\"swarms\":1,\"peers\":1,")
                .contains("\"name\":\"broken\"", "\"state\":\"down\"", "\"reason\":\"connection \\\"refused\\\"\"")
                .endsWith("}\n");
        assertThat(body.chars().filter(c -> c == '{').count())
                .isEqualTo(body.chars().filter(c -> c == '}').count());
    }

    @Test
    void statsWithoutForwardingHaveNoForwardingSection() {
        TestTracker t = start(Loopback.V4);
        String text = new String(t.http().get("/stats").body(), StandardCharsets.UTF_8);
        assertThat(text).contains("swarms: 0\n").doesNotContain("forwarding");
    }

    /** An external tracker that always fails. */
    private record Failing(ForwarderSpec spec) implements UpstreamClient {
        @Override
        public CompletableFuture<UpstreamReply> announce(UpstreamAnnounce announce) {
            return CompletableFuture.completedFuture(UpstreamReply.error("connection \"refused\""));
        }

        @Override
        public void close() {}
    }
}
