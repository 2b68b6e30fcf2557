package org.retracker.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.math.BigDecimal;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.retracker.forward.ForwarderSpec;
import org.retracker.forward.ForwarderStatus;
import org.retracker.forward.ForwardingOptions;
import org.retracker.forward.UpstreamAnnounce;
import org.retracker.forward.UpstreamClient;
import org.retracker.forward.UpstreamReply;
import org.retracker.swarm.SwarmLimits;
import org.retracker.testing.JsonParser;
import org.retracker.transport.StatsOptions;

/**
 * {@code /stats} over loopback HTTP: every documented JSON field with its type, with and without
 * forwarders; exact counts after a scripted set of announces; totals that agree with scrape and
 * between the text and JSON forms; and no peer's address or id on the page.
 */
class StatsPageTest extends LoopbackTrackerTest {
    private static final byte[] HASH = Ids.infoHash(42);

    // ---- the schema: every documented field and its JSON type (README, "Stats") --------------------

    private enum Type {
        INT,
        NUMBER,
        BOOL,
        STRING,
        STRING_OR_NULL,
        ARRAY,
        OBJECT
    }

    private static final Map<String, Type> TOP = schema(
            "version", Type.STRING,
            "uptime_seconds", Type.INT,
            "config", Type.OBJECT,
            "swarms", Type.INT,
            "peers", Type.INT,
            "seeders", Type.INT,
            "leechers", Type.INT,
            "downloaded", Type.INT,
            "clients", Type.ARRAY,
            "http", Type.OBJECT,
            "udp", Type.OBJECT,
            "failures", Type.INT);

    private static final Map<String, Type> CONFIG = schema(
            "listen", Type.STRING_OR_NULL,
            "udp_listen", Type.STRING_OR_NULL,
            "admin_listen", Type.STRING_OR_NULL,
            "io_threads", Type.INT,
            "debug", Type.BOOL,
            "x_real_ip", Type.BOOL,
            "trusted_proxies", Type.ARRAY,
            "prometheus_enabled", Type.BOOL,
            "tracker_id", Type.STRING,
            "age", Type.NUMBER,
            "announce_response_interval", Type.INT,
            "min_announce_interval", Type.INT,
            "numwant_default", Type.INT,
            "numwant_max", Type.INT,
            "scrape_max_hashes", Type.INT,
            "max_torrents", Type.INT,
            "max_peers_per_swarm", Type.INT,
            "connection_id_grace", Type.INT,
            "http_idle_timeout", Type.INT,
            "http_request_timeout", Type.INT,
            "stats_interval", Type.INT,
            "rate_limit_per_ip_per_sec", Type.INT,
            "rate_limit_per_ip_burst", Type.INT,
            "max_connections_per_ip", Type.INT,
            "access_list", Type.STRING,
            "forwards", Type.STRING);

    private static final Map<String, Type> CONFIG_FORWARDING = schema(
            "forward_timeout", Type.INT,
            "forwarder_workers", Type.INT,
            "max_forwarder_workers", Type.INT,
            "forwarder_queue_size", Type.INT,
            "queue_scale_threshold_pct", Type.INT,
            "queue_rate_limit_threshold", Type.INT,
            "queue_throttle_threshold", Type.INT,
            "queue_throttle_top_n", Type.INT,
            "rate_limit_initial_per_sec", Type.INT,
            "rate_limit_initial_burst", Type.INT,
            "forwarder_suspend_seconds", Type.INT,
            "forwarder_fail_threshold", Type.INT,
            "forwarder_retry_attempts", Type.INT,
            "forwarder_retry_base_ms", Type.INT);

    private static final Map<String, Type> CLIENT = schema("name", Type.STRING, "peers", Type.INT);

    private static final Map<String, Type> HTTP = schema(
            "announces", Type.INT,
            "scrapes", Type.INT,
            "errors", Type.INT,
            "timeouts", Type.INT,
            "rate_limited", Type.INT,
            "connections_refused", Type.INT);

    private static final Map<String, Type> UDP = schema(
            "connects", Type.INT,
            "announces", Type.INT,
            "scrapes", Type.INT,
            "bad_connection_ids", Type.INT,
            "dropped", Type.INT,
            "rate_limited", Type.INT);

    private static final Map<String, Type> FORWARDING = schema(
            "swarms", Type.INT,
            "forwarders_active", Type.INT,
            "forwarders_suspended", Type.INT,
            "forwarders_down", Type.INT,
            "queue_depth", Type.INT,
            "queue_capacity", Type.INT,
            "queue_fill_pct", Type.INT,
            "in_flight", Type.INT,
            "workers", Type.INT,
            "workers_min", Type.INT,
            "workers_max", Type.INT,
            "jobs_queued", Type.INT,
            "dropped_queue_full", Type.INT,
            "rate_limited", Type.INT,
            "throttled", Type.INT,
            "retries", Type.INT,
            "stopped_sent", Type.INT,
            "expired_peers", Type.INT,
            "forwarders", Type.ARRAY);

    private static final Map<String, Type> FORWARDER = schema(
            "name", Type.STRING,
            "uri", Type.STRING,
            "status", Type.STRING,
            "reason", Type.STRING,
            "retry_at_ms", Type.INT,
            "consecutive_failures", Type.INT,
            "announces", Type.INT,
            "ok", Type.INT,
            "failed", Type.INT,
            "peers_received", Type.INT,
            "avg_response_time_ms", Type.INT,
            "response_samples", Type.INT,
            "avg_interval_seconds", Type.INT,
            "interval_samples", Type.INT);

    @Test
    void statsJsonWithoutForwardingHasEveryDocumentedFieldAndNoForwardingSection() {
        TestTracker t = start(TestTracker.on(Loopback.V4).metrics());
        t.http().announce(Announce.peer(HASH, 6881).peerId(id("-qB4650-", 1)));

        HttpReply reply = t.http().get("/stats?format=json");
        assertThat(reply.headers()).containsEntry("content-type", "application/json");
        Map<String, Object> stats = JsonParser.parseObject(utf8(reply));

        assertSchema(stats, TOP);
        Map<String, Object> config = object(stats, "config");
        assertSchema(config, CONFIG);
        assertThat(list(config, "trusted_proxies")).containsExactly("127.0.0.0/8", "::1/128");
        assertThat(config)
                .containsEntry("listen", "127.0.0.1:0")
                .containsEntry("admin_listen", JsonParser.NULL)
                .containsEntry("prometheus_enabled", true)
                .containsEntry("access_list", "")
                .containsEntry("forwards", "");
        assertThat(integer(config, "age")).as("minutes").isEqualTo(60);
        assertThat(integer(config, "io_threads")).isEqualTo(1);
        assertThat(integer(config, "max_torrents"))
                .as("resolved, never 0")
                .isEqualTo(SwarmLimits.defaults().maxTorrents());
        assertThat(integer(config, "max_peers_per_swarm")).isEqualTo(SwarmLimits.DEFAULT_MAX_PEERS_PER_SWARM);
        assertSchema(object(stats, "http"), HTTP);
        assertSchema(object(stats, "udp"), UDP);
        for (Object c : list(stats, "clients")) {
            assertSchema(asObject(c), CLIENT);
        }
        assertThat(integer(object(stats, "http"), "announces")).isEqualTo(1);

        String text = utf8(t.http().get("/stats"));
        assertThat(text).contains("swarms: 1\n", "peers: 1\n").doesNotContain("forwarding", "forward_timeout");
    }

    @Test
    void statsShowsTheAccessListItsModeAndItsSize() {
        TestTracker t = start(TestTracker.on(Loopback.V4)
                .accessList(AccessListTest.list(
                        org.retracker.core.AccessList.Mode.DENY, Ids.infoHash(1), Ids.infoHash(2))));

        Map<String, Object> config = object(JsonParser.parseObject(utf8(t.http().get("/stats?format=json"))), "config");
        String text = utf8(t.http().get("/stats"));

        Map<String, Type> schema = new LinkedHashMap<>();
        CONFIG.forEach((key, type) -> {
            schema.put(key, type);
            if (key.equals("access_list")) {
                schema.put("access_list_mode", Type.STRING);
                schema.put("access_list_entries", Type.INT);
            }
        });
        assertSchema(config, schema);
        assertThat(config).containsEntry("access_list", "test.txt").containsEntry("access_list_mode", "deny");
        assertThat(integer(config, "access_list_entries")).isEqualTo(2);
        assertThat(text).contains("  access_list: test.txt\n  access_list_mode: deny\n  access_list_entries: 2\n");
    }

    @Test
    void statsJsonWithForwardersHasEveryDocumentedFieldAndEachForwardersState() {
        ForwarderSpec good = spec("good");
        ForwarderSpec broken = spec("broken");
        ForwardingOptions options =
                new ForwardingOptions(Duration.ofSeconds(5), 2, 4, 100, 60, 0, 0, 20, 100, 200, 300, 1, 1, 1, 3600);
        TestTracker t = start(TestTracker.on(Loopback.V4)
                .stats(new StatsOptions(true, 30, "/etc/retracker/forwarders.yml"))
                .forwarding(
                        options,
                        s -> s.name().equals("good") ? new Answering(s, 1200) : new Failing(s),
                        List.of(good, broken)));

        t.http().announce(Announce.peer(HASH, 6881));
        await().atMost(Duration.ofSeconds(5)).until(() -> {
            List<ForwarderStatus> s = t.forwarding().status();
            return s.get(0).successes() == 1 && s.get(1).state().equals("down");
        });

        Map<String, Object> stats = JsonParser.parseObject(utf8(t.http().get("/stats?format=json")));
        Map<String, Type> top = new LinkedHashMap<>(TOP);
        top.put("forwarding", Type.OBJECT);
        assertSchema(stats, top);
        Map<String, Type> config = new LinkedHashMap<>(CONFIG);
        config.putAll(CONFIG_FORWARDING);
        Map<String, Object> c = object(stats, "config");
        assertSchema(c, config);
        assertThat(c)
                .containsEntry("debug", true)
                .containsEntry("forwards", "/etc/retracker/forwarders.yml")
                .containsEntry("prometheus_enabled", false);
        assertThat(integer(c, "stats_interval")).isEqualTo(30);
        assertThat(integer(c, "forward_timeout")).isEqualTo(5);
        assertThat(integer(c, "forwarder_workers")).isEqualTo(2);
        assertThat(integer(c, "max_forwarder_workers")).isEqualTo(4);

        Map<String, Object> f = object(stats, "forwarding");
        assertSchema(f, FORWARDING);
        assertThat(integer(f, "forwarders_active")).isEqualTo(1);
        assertThat(integer(f, "forwarders_down")).isEqualTo(1);
        assertThat(integer(f, "queue_capacity")).isEqualTo(100);
        assertThat(integer(f, "workers_min")).isEqualTo(2);
        assertThat(integer(f, "workers_max")).isEqualTo(4);
        assertThat(integer(f, "swarms")).isEqualTo(1);
        List<Object> forwarders = list(f, "forwarders");
        assertThat(forwarders).hasSize(2);
        for (Object o : forwarders) {
            assertSchema(asObject(o), FORWARDER);
        }
        Map<String, Object> g = asObject(forwarders.get(0));
        assertThat(g)
                .containsEntry("name", "good")
                .containsEntry("uri", "http://good.invalid/announce")
                .containsEntry("status", "active")
                .containsEntry("reason", "");
        assertThat(integer(g, "ok")).isEqualTo(1);
        assertThat(integer(g, "peers_received")).isEqualTo(2);
        assertThat(integer(g, "avg_interval_seconds"))
                .as("the interval the tracker asked for")
                .isEqualTo(1200);
        assertThat(integer(g, "interval_samples")).isEqualTo(1);
        assertThat(integer(g, "response_samples")).isEqualTo(1);
        assertThat(integer(g, "avg_response_time_ms")).isNotNegative();
        Map<String, Object> b = asObject(forwarders.get(1));
        assertThat(b)
                .containsEntry("name", "broken")
                .containsEntry("status", "down")
                .containsEntry("reason", "connection \"refused\"");
        assertThat(integer(b, "failed")).isEqualTo(1);
        assertThat(integer(b, "avg_interval_seconds")).as("no answer yet").isEqualTo(-1);
        assertThat(integer(b, "interval_samples")).isZero();
        assertThat(integer(b, "retry_at_ms")).isPositive();

        String text = utf8(t.http().get("/stats"));
        assertThat(text)
                .contains("  debug: true\n", "  forwards: /etc/retracker/forwarders.yml\n", "  forward_timeout: 5 s\n")
                .contains("forwarding: 1 swarms; forwarders 1 active, 0 suspended, 1 down\n")
                .contains("queue: 0 / 100 (0%), 0 in flight\n")
                .contains("forwarder good http://good.invalid/announce: active, 1 announces, 1 ok, 0 failed, 2 peers")
                .contains("avg interval 1200 s (1 sample)")
                .contains("forwarder broken http://broken.invalid/announce: down (connection \"refused\"),")
                .contains("0 ok, 1 failed, 0 peers");
        assertThat(text).containsPattern("workers: \\d+ \\(min 2, max 4\\)\n");
    }

    // ---- values after a scripted set of announces ---------------------------------------------------

    private static final byte[] A = Ids.infoHash(101);
    private static final byte[] B = Ids.infoHash(102);
    private static final byte[] C = Ids.infoHash(103);
    private static final byte[] D = Ids.infoHash(104);

    /**
     * A: a qBittorrent seeder, a Transmission and a libtorrent leecher. B: a qBittorrent leecher, a
     * Transmission seeder over UDP, a leecher with an id no client style matches. C: a libtorrent
     * leecher that stops again, so C is gone. D: a qBittorrent leecher that completes.
     */
    private static void script(TestTracker t) {
        HttpTrackerClient http = t.http();
        http.announce(Announce.peer(A, 6881).peerId(id("-qB4650-", 1)).seeder());
        http.announce(Announce.peer(A, 6882).peerId(id("-TR4050-", 2)));
        http.announce(Announce.peer(A, 6883).peerId(id("-lt0D80-", 3)));
        http.announce(Announce.peer(B, 6884).peerId(id("-qB4650-", 4)));
        try (UdpTrackerClient udp = t.udpClient()) {
            udp.announce(
                    udp.connect(),
                    Announce.peer(B, 7001).peerId(id("-TR4050-", 5)).seeder());
        }
        http.announce(Announce.peer(B, 6887).peerId("abcdefghijklmnopqrst".getBytes(StandardCharsets.US_ASCII)));
        http.announce(Announce.peer(C, 6885).peerId(id("-lt0D80-", 6)));
        http.announce(Announce.peer(C, 6885).peerId(id("-lt0D80-", 6)).event("stopped"));
        http.announce(Announce.peer(D, 6886).peerId(id("-qB4650-", 7)));
        http.announce(Announce.peer(D, 6886).peerId(id("-qB4650-", 7)).seeder().event("completed"));
    }

    @Test
    void afterScriptedAnnouncesStatsCountSwarmsPeersAndClientsExactly() {
        TestTracker t = start(Loopback.V4);
        script(t);

        Map<String, Object> stats = JsonParser.parseObject(utf8(t.http().get("/stats?format=json")));
        assertThat(integer(stats, "swarms")).isEqualTo(3);
        assertThat(integer(stats, "peers")).isEqualTo(7);
        assertThat(integer(stats, "seeders")).isEqualTo(3);
        assertThat(integer(stats, "leechers")).isEqualTo(4);
        assertThat(integer(stats, "downloaded")).isEqualTo(1);
        Map<String, Long> clients = new LinkedHashMap<>();
        for (Object o : list(stats, "clients")) {
            Map<String, Object> c = asObject(o);
            clients.put((String) c.get("name"), integer(c, "peers"));
        }
        assertThat(clients)
                .as("most peers first, then by name")
                .containsExactly(
                        Map.entry("qBittorrent 4.6.5.0", 3L),
                        Map.entry("Transmission 4.0.5.0", 2L),
                        Map.entry("libtorrent 0.13.8.0", 1L),
                        Map.entry("unknown", 1L));
        assertThat(integer(object(stats, "http"), "announces")).isEqualTo(9);
        assertThat(integer(object(stats, "udp"), "announces")).isEqualTo(1);
        assertThat(integer(object(stats, "udp"), "connects")).isEqualTo(1);

        String text = utf8(t.http().get("/stats"));
        assertThat(text)
                .contains("swarms: 3\npeers: 7\nseeders: 3\nleechers: 4\ndownloaded: 1\n")
                .contains("clients (peers by peer_id):\n"
                        + "  qBittorrent 4.6.5.0: 3\n"
                        + "  Transmission 4.0.5.0: 2\n"
                        + "  libtorrent 0.13.8.0: 1\n"
                        + "  unknown: 1\n");
    }

    @Test
    void seedersAndLeechersAreTheSumsOfScrapeOverEverySwarmInTextAndJson() {
        TestTracker t = start(Loopback.V4);
        HttpTrackerClient http = t.http();
        List<byte[]> hashes = new ArrayList<>();
        int port = 10_000;
        for (int i = 0; i < 12; i++) {
            byte[] hash = Ids.infoHash(200 + i);
            hashes.add(hash);
            for (int s = 0; s < i % 3; s++) {
                http.announce(Announce.peer(hash, port++).seeder());
            }
            for (int l = 0; l < i % 4; l++) {
                http.announce(Announce.peer(hash, port++));
            }
            if (i % 5 == 1) { // a leecher that finishes, one that leaves
                http.announce(Announce.peer(hash, port).event("started"));
                http.announce(Announce.peer(hash, port++).seeder().event("completed"));
                http.announce(Announce.peer(hash, port).event("started"));
                http.announce(Announce.peer(hash, port++).event("stopped"));
            }
        }
        hashes.add(Ids.infoHash(999)); // never announced: scrapes as zeros

        long complete = 0;
        long incomplete = 0;
        long downloaded = 0;
        int withPeers = 0;
        for (ScrapeCounts c : http.scrape(hashes.toArray(new byte[0][])).values()) {
            complete += c.seeders();
            incomplete += c.leechers();
            downloaded += c.downloaded();
            withPeers += c.seeders() + c.leechers() > 0 ? 1 : 0;
        }
        assertThat(complete).as("the script announced some seeders").isPositive();
        assertThat(incomplete).isPositive();

        Map<String, Object> stats = JsonParser.parseObject(utf8(http.get("/stats?format=json")));
        assertThat(integer(stats, "seeders")).isEqualTo(complete);
        assertThat(integer(stats, "leechers")).isEqualTo(incomplete);
        assertThat(integer(stats, "peers")).isEqualTo(complete + incomplete);
        assertThat(integer(stats, "downloaded")).isEqualTo(downloaded);
        assertThat(integer(stats, "swarms")).isEqualTo(withPeers);
        long byClient = 0;
        for (Object o : list(stats, "clients")) {
            byClient += integer(asObject(o), "peers");
        }
        assertThat(byClient).as("every peer has a client name").isEqualTo(complete + incomplete);

        String text = utf8(http.get("/stats"));
        assertThat(textNumber(text, "swarms")).isEqualTo(withPeers);
        assertThat(textNumber(text, "peers")).isEqualTo(complete + incomplete);
        assertThat(textNumber(text, "seeders")).isEqualTo(complete);
        assertThat(textNumber(text, "leechers")).isEqualTo(incomplete);
        assertThat(textNumber(text, "downloaded")).isEqualTo(downloaded);
    }

    // ---- privacy ------------------------------------------------------------------------------------

    @Test
    void noPeerAddressPeerIdOrInfoHashAppearsOnTheStatsPage() {
        TestTracker t = start(Loopback.V4);
        // From loopback (a trusted proxy by default), ip= sets the address the swarm stores.
        t.http().announce(Announce.peer(HASH, 6881).ip("198.51.100.77").peerId(id("-qB4650-", 424242)));
        t.http().announce(Announce.peer(HASH, 6882).ip("2001:db8::77").peerId(id("-TR4050-", 434343)));
        HttpAnnounceReply seen = t.httpFrom(Loopback.V4_OTHER).announce(Announce.peer(HASH, 9999));
        assertThat(seen.peers4())
                .as("the store holds the claimed address")
                .contains(Loopback.socket("198.51.100.77", 6881));
        assertThat(seen.peers6()).contains(Loopback.socket("2001:db8::77", 6882));

        String json = utf8(t.http().get("/stats?format=json"));
        String text = utf8(t.http().get("/stats"));
        for (String page : List.of(json, text)) {
            assertThat(page)
                    .doesNotContain("198.51.100.77", "2001:db8", "127.0.0.2", "424242", "434343")
                    .doesNotContain(HexFormat.of().formatHex(HASH).substring(16));
        }
        Map<String, Object> stats = JsonParser.parseObject(json);
        assertThat(integer(stats, "peers")).isEqualTo(3);
        assertThat(names(stats)).doesNotContain("ip", "address", "addresses", "peer_id", "info_hash", "port");
    }

    // ---- helpers ------------------------------------------------------------------------------------

    private static ForwarderSpec spec(String name) {
        return new ForwarderSpec(
                name, URI.create("http://" + name + ".invalid/announce"), ForwarderSpec.Scheme.HTTP, null, null);
    }

    /** A 20-byte peer id: {@code prefix} (8 bytes) and twelve digits of {@code n}. */
    private static byte[] id(String prefix, long n) {
        return String.format("%s%012d", prefix, n).getBytes(StandardCharsets.US_ASCII);
    }

    private static String utf8(HttpReply reply) {
        assertThat(reply.status()).isEqualTo(200);
        return new String(reply.body(), StandardCharsets.UTF_8);
    }

    private static Map<String, Type> schema(Object... keysAndTypes) {
        Map<String, Type> m = new LinkedHashMap<>();
        for (int i = 0; i < keysAndTypes.length; i += 2) {
            m.put((String) keysAndTypes[i], (Type) keysAndTypes[i + 1]);
        }
        return m;
    }

    /** {@code object} has exactly the fields of {@code schema}, in its order, each of its type. */
    private static void assertSchema(Map<String, Object> object, Map<String, Type> schema) {
        assertThat(object.keySet()).containsExactlyElementsOf(schema.keySet());
        schema.forEach((key, type) -> {
            Object v = object.get(key);
            boolean ok = switch (type) {
                case INT -> v instanceof BigDecimal d && d.stripTrailingZeros().scale() <= 0;
                case NUMBER -> v instanceof BigDecimal;
                case BOOL -> v instanceof Boolean;
                case STRING -> v instanceof String;
                case STRING_OR_NULL -> v instanceof String || v == JsonParser.NULL;
                case ARRAY -> v instanceof List;
                case OBJECT -> v instanceof Map;
            };
            assertThat(ok).as("%s is %s, got %s", key, type, v).isTrue();
        });
    }

    /** Every member name anywhere in {@code value}. */
    private static List<String> names(Object value) {
        List<String> out = new ArrayList<>();
        if (value instanceof Map<?, ?> m) {
            m.forEach((k, v) -> {
                out.add((String) k);
                out.addAll(names(v));
            });
        } else if (value instanceof List<?> l) {
            for (Object o : l) {
                out.addAll(names(o));
            }
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> asObject(@Nullable Object o) {
        assertThat(o).isInstanceOf(Map.class);
        return (Map<String, Object>) o;
    }

    private static Map<String, Object> object(Map<String, Object> m, String key) {
        return asObject(m.get(key));
    }

    @SuppressWarnings("unchecked")
    private static List<Object> list(Map<String, Object> m, String key) {
        Object v = m.get(key);
        assertThat(v).as(key).isInstanceOf(List.class);
        return (List<Object>) v;
    }

    private static long integer(Map<String, Object> m, String key) {
        Object v = m.get(key);
        assertThat(v).as(key).isInstanceOf(BigDecimal.class);
        return ((BigDecimal) v).longValueExact();
    }

    /** The number of the text page's line {@code key: N}. */
    private static long textNumber(String text, String key) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(key) + ": (\\d+)$").matcher(text);
        assertThat(m.find()).as("line '%s: N' in%n%s", key, text).isTrue();
        return Long.parseLong(m.group(1));
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

    /** An external tracker that answers with two peers and asks for {@code interval}. */
    private record Answering(ForwarderSpec spec, int interval) implements UpstreamClient {
        @Override
        public CompletableFuture<UpstreamReply> announce(UpstreamAnnounce announce) {
            byte[] peers = {(byte) 192, 0, 2, 1, 0x1a, (byte) 0xe1, (byte) 192, 0, 2, 2, 0x1a, (byte) 0xe2};
            return CompletableFuture.completedFuture(new UpstreamReply(
                    UpstreamReply.Outcome.OK,
                    interval,
                    UpstreamReply.ABSENT,
                    5,
                    7,
                    peers,
                    new byte[0],
                    "",
                    UpstreamReply.ABSENT,
                    UpstreamReply.ABSENT));
        }

        @Override
        public void close() {}
    }
}
