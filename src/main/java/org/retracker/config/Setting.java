package org.retracker.config;

import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.retracker.core.AccessList;
import org.retracker.core.TrackerPolicy;
import org.retracker.forward.ForwardersFile;
import org.retracker.forward.ForwardingOptions;
import org.retracker.swarm.SwarmLimits;
import org.retracker.swarm.SwarmStore;
import org.retracker.transport.Cidr;
import org.retracker.transport.ClientLimits;
import org.retracker.transport.ServerOptions;

/**
 * Every tracker setting with its three names (config file key, environment variable, command-line
 * option), its default and what it means. The command line's {@code --help} and the config
 * template are written from this table, so a setting cannot be documented in one place and
 * missing from another.
 *
 * <p>A value arrives either as text (environment, command line) or as a YAML node (config file);
 * both are converted to the same typed value and checked against the same limits, which live in
 * {@link TrackerConfig}.
 */
public enum Setting {
    LISTEN(
            "listen",
            "RETRACKER_LISTEN",
            "-l",
            "--listen",
            Kind.ADDRESS,
            ":6969",
            "HTTP listen address: host:port, :port for every interface (IPv4 and IPv6 on one socket),"
                    + " [::1]:port for an IPv6 address; port 0 picks a free port; '' turns HTTP off."),
    UDP_LISTEN(
            "udp_listen",
            "RETRACKER_UDP_LISTEN",
            "-u",
            "--udp-listen",
            Kind.ADDRESS,
            ":6969",
            "UDP (BEP 15) listen address, in the same forms as listen; '' turns UDP off. On :port,"
                    + " replies leave from the address each request was sent to (sockets per local address)."),
    AGE(
            "age",
            "RETRACKER_AGE",
            "-a",
            "--age",
            Kind.MINUTES,
            String.valueOf(TrackerPolicy.DEFAULT_PEER_LIFETIME / 60),
            "Peer lifetime in minutes (fractions allowed): a peer that has not announced for this long"
                    + " is dropped. Keep it above the announce interval."),
    DEBUG(
            "debug",
            "RETRACKER_DEBUG",
            "-d",
            "--debug",
            Kind.BOOLEAN,
            "false",
            "Debug logging: one line per announce, scrape, failure and dropped UDP datagram."),
    X_REAL_IP(
            "x_real_ip",
            "RETRACKER_X_REAL_IP",
            "-x",
            "--x-real-ip",
            Kind.BOOLEAN,
            "false",
            "Behind a reverse proxy: take the client address from X-Real-IP or X-Forwarded-For, believed"
                    + " only from trusted_proxies."),
    ANNOUNCE_INTERVAL(
            "announce_response_interval",
            "RETRACKER_ANNOUNCE_INTERVAL",
            "-i",
            "--announce-interval",
            TrackerPolicy.DEFAULT_ANNOUNCE_INTERVAL,
            1,
            TrackerConfig.MAX_INTERVAL_SECONDS,
            "Seconds clients are told to wait between announces (interval)."),
    MIN_ANNOUNCE_INTERVAL(
            "min_announce_interval",
            "RETRACKER_MIN_ANNOUNCE_INTERVAL",
            "-m",
            "--min-announce-interval",
            TrackerPolicy.DEFAULT_MIN_ANNOUNCE_INTERVAL,
            1,
            TrackerConfig.MAX_INTERVAL_SECONDS,
            "Seconds clients must wait at least between announces (min interval); at most"
                    + " announce_response_interval."),
    STATS_INTERVAL(
            "stats_interval",
            "RETRACKER_STATS_INTERVAL",
            "-s",
            "--stats-interval",
            TrackerConfig.DEFAULT_STATS_INTERVAL_SECONDS,
            0,
            TrackerConfig.MAX_INTERVAL_SECONDS,
            "Seconds between stats lines in the log (swarms, peers, seeders, leechers, requests and their"
                    + " rate, the forwarding queue); 0 turns them off."),
    TRACKER_ID(
            "tracker_id",
            "RETRACKER_TRACKER_ID",
            null,
            "--tracker-id",
            Kind.STRING,
            "",
            "Tracker id sent in every HTTP announce reply (BEP 3 'tracker id'); '' sends none."),
    TRUSTED_PROXIES(
            "trusted_proxies",
            "RETRACKER_TRUSTED_PROXIES",
            null,
            "--trusted-proxies",
            Kind.CIDRS,
            "127.0.0.0/8,::1/128",
            "Proxies whose X-Real-IP / X-Forwarded-For, ip= parameter and UDP IP field are believed: a"
                    + " YAML list of CIDR blocks, comma-separated in the environment and on the command"
                    + " line; '' trusts none."),
    NUMWANT_DEFAULT(
            "numwant_default",
            "RETRACKER_NUMWANT_DEFAULT",
            null,
            "--numwant-default",
            TrackerPolicy.DEFAULT_NUMWANT,
            0,
            TrackerPolicy.NUMWANT_HARD_LIMIT,
            "Peers sent when a client does not say how many it wants; at most numwant_max."),
    NUMWANT_MAX(
            "numwant_max",
            "RETRACKER_NUMWANT_MAX",
            null,
            "--numwant-max",
            TrackerPolicy.DEFAULT_NUMWANT_MAX,
            0,
            TrackerPolicy.NUMWANT_HARD_LIMIT,
            "The most peers one reply carries, whatever the client asks."),
    SCRAPE_MAX_HASHES(
            "scrape_max_hashes",
            "RETRACKER_SCRAPE_MAX_HASHES",
            null,
            "--scrape-max-hashes",
            TrackerPolicy.DEFAULT_SCRAPE_MAX_HASHES,
            1,
            TrackerPolicy.SCRAPE_HARD_LIMIT,
            "The most info hashes one scrape may name."),
    MAX_TORRENTS(
            "max_torrents",
            "RETRACKER_MAX_TORRENTS",
            null,
            "--max-torrents",
            SwarmLimits.AUTO_MAX_TORRENTS,
            0,
            SwarmLimits.MAX_TORRENTS_LIMIT,
            "The most torrents (swarms) held; an announce for a new one beyond it gets 'tracker is full: too"
                    + " many torrents'. 0 = the JVM's maximum heap / 1 KiB (4194304 with -Xmx4g)."),
    MAX_PEERS_PER_SWARM(
            "max_peers_per_swarm",
            "RETRACKER_MAX_PEERS_PER_SWARM",
            null,
            "--max-peers-per-swarm",
            SwarmLimits.DEFAULT_MAX_PEERS_PER_SWARM,
            1,
            SwarmLimits.MAX_PEERS_PER_SWARM_LIMIT,
            "The most peers one swarm holds; a new peer beyond it replaces the least recently seen of "
                    + SwarmStore.EVICTION_SAMPLE
                    + " random ones."),
    CONNECTION_ID_GRACE(
            "connection_id_grace",
            "RETRACKER_CONNECTION_ID_GRACE",
            null,
            "--connection-id-grace",
            0,
            0,
            TrackerConfig.MAX_CONNECTION_ID_GRACE_SECONDS,
            "Seconds a UDP connection id stays valid beyond BEP 15's two minutes, for clients that reuse"
                    + " ids too long."),
    IO_THREADS(
            "io_threads",
            "RETRACKER_IO_THREADS",
            null,
            "--io-threads",
            0,
            0,
            TrackerConfig.MAX_IO_THREADS,
            "Network event loops (with epoll, each has its own HTTP and UDP socket on the port); 0 = one per CPU core."),
    HTTP_IDLE_TIMEOUT(
            "http_idle_timeout",
            "RETRACKER_HTTP_IDLE_TIMEOUT",
            null,
            "--http-idle-timeout",
            ServerOptions.DEFAULT_HTTP_IDLE_TIMEOUT,
            1,
            TrackerConfig.MAX_HTTP_TIMEOUT_SECONDS,
            "Seconds a keep-alive HTTP connection may sit idle before it is closed."),
    HTTP_REQUEST_TIMEOUT(
            "http_request_timeout",
            "RETRACKER_HTTP_REQUEST_TIMEOUT",
            null,
            "--http-request-timeout",
            ServerOptions.DEFAULT_HTTP_REQUEST_TIMEOUT,
            1,
            TrackerConfig.MAX_HTTP_TIMEOUT_SECONDS,
            "Seconds a client has to send a complete HTTP request head."),
    RATE_LIMIT_PER_IP_PS(
            "rate_limit_per_ip_per_sec",
            "RETRACKER_RATE_LIMIT_PER_IP_PER_SEC",
            null,
            "--rate-limit-per-ip-ps",
            ClientLimits.DEFAULT_RATE_PER_SECOND,
            0,
            ClientLimits.MAX_RATE_PER_SECOND,
            "Requests a second one client address may make, HTTP and UDP announces and scrapes together"
                    + " (token bucket refill; IPv6 by /64; with -x the proxied client's address); more get"
                    + " 'rate limit exceeded' with retry in 1 minute. 0 turns the limit off."),
    RATE_LIMIT_PER_IP_BURST(
            "rate_limit_per_ip_burst",
            "RETRACKER_RATE_LIMIT_PER_IP_BURST",
            null,
            "--rate-limit-per-ip-burst",
            ClientLimits.DEFAULT_BURST,
            1,
            ClientLimits.MAX_BURST,
            "Requests a quiet client address may make at once before rate_limit_per_ip_per_sec applies"
                    + " (token bucket size)."),
    MAX_CONNECTIONS_PER_IP(
            "max_connections_per_ip",
            "RETRACKER_MAX_CONNECTIONS_PER_IP",
            null,
            "--max-connections-per-ip",
            ClientLimits.DEFAULT_MAX_CONNECTIONS_PER_ADDRESS,
            0,
            ClientLimits.MAX_CONNECTIONS_PER_ADDRESS,
            "HTTP connections one client address (IPv6: /64) may hold open at once; more are closed as"
                    + " soon as they are accepted. Trusted proxies are not counted. 0 for no cap."),
    PROMETHEUS(
            "prometheus_enabled",
            "RETRACKER_PROMETHEUS",
            "-p",
            "--prometheus",
            Kind.BOOLEAN,
            "false",
            "Serve Prometheus metrics at GET /metrics (on admin_listen when that is set)."),
    ADMIN_LISTEN(
            "admin_listen",
            "RETRACKER_ADMIN_LISTEN",
            null,
            "--admin-listen",
            Kind.ADDRESS,
            "",
            "Admin HTTP listen address, in the same forms as listen: when set, /stats and /metrics are"
                    + " served there only (the tracker's HTTP listener answers 404 for them); '' for none."),
    ACCESS_LIST(
            "access_list",
            "RETRACKER_ACCESS_LIST",
            null,
            "--access-list",
            Kind.PATH,
            "",
            "Access list file: info hashes as 40 hex digits, one a line, # for comments; '' for none."
                    + " Torrents it refuses get 'torrent not allowed on this tracker'. SIGHUP reloads it."),
    ACCESS_LIST_MODE(
            "access_list_mode",
            "RETRACKER_ACCESS_LIST_MODE",
            null,
            "--access-list-mode",
            Kind.ACCESS_MODE,
            "allow",
            "allow: only the torrents on access_list are served; deny: every torrent but those."),
    FORWARDS(
            "forwards",
            "RETRACKER_FORWARDS",
            "-f",
            "--forwards",
            Kind.PATH,
            "",
            "forwarders.yml: external trackers to announce local peers to and take peers from; '' for"
                    + " none. SIGHUP reloads it."),
    FORWARD_TIMEOUT(
            "forward_timeout",
            "RETRACKER_FORWARD_TIMEOUT",
            "-t",
            "--forward-timeout",
            ForwardingOptions.DEFAULT_TIMEOUT_SECONDS,
            1,
            TrackerConfig.MAX_FORWARD_TIMEOUT_SECONDS,
            "Seconds one attempt to an external tracker may take, whole (connect, send, reply)."),
    FORWARDER_WORKERS(
            "forwarder_workers",
            "FORWARDER_WORKERS",
            "-w",
            "--forwarder-workers",
            ForwardingOptions.DEFAULT_WORKERS,
            1,
            TrackerConfig.MAX_FORWARDER_WORKERS,
            "Announces to external trackers in flight at the least (a worker is a slot, not a thread)."),
    MAX_FORWARDER_WORKERS(
            "max_forwarder_workers",
            "MAX_FORWARDER_WORKERS",
            "-W",
            "--max-forwarder-workers",
            ForwardingOptions.DEFAULT_MAX_WORKERS,
            1,
            TrackerConfig.MAX_FORWARDER_WORKERS,
            "The most announces in flight when the queue fills up; at least forwarder_workers."),
    FORWARDER_QUEUE_SIZE(
            "forwarder_queue_size",
            "FORWARDER_QUEUE_SIZE",
            "-Q",
            "--forwarder-queue-size",
            ForwardingOptions.DEFAULT_QUEUE_SIZE,
            1,
            TrackerConfig.MAX_FORWARDER_QUEUE_SIZE,
            "Announces waiting for a worker; more are dropped and counted."),
    QUEUE_SCALE_THRESHOLD(
            "queue_scale_threshold_pct",
            "QUEUE_SCALE_THRESHOLD",
            null,
            "--queue-scale-threshold",
            ForwardingOptions.DEFAULT_SCALE_THRESHOLD,
            1,
            100,
            "Queue fill (percent) at which one worker a second is added, up to max_forwarder_workers."),
    QUEUE_RATE_LIMIT_THRESHOLD(
            "queue_rate_limit_threshold",
            "QUEUE_RATE_LIMIT_THRESHOLD",
            null,
            "--queue-rate-limit-threshold",
            ForwardingOptions.DEFAULT_RATE_LIMIT_THRESHOLD,
            0,
            100,
            "Queue fill (percent) at which new swarms are rate limited (clients told to retry in 10 s, BEP 31 retry in 1 minute);"
                    + " 0 disables."),
    QUEUE_THROTTLE_THRESHOLD(
            "queue_throttle_threshold",
            "QUEUE_THROTTLE_THRESHOLD",
            null,
            "--queue-throttle-threshold",
            ForwardingOptions.DEFAULT_THROTTLE_THRESHOLD,
            0,
            100,
            "Queue fill (percent) at which a new swarm is announced only to the fastest"
                    + " queue_throttle_top_n forwarders; 0 disables."),
    QUEUE_THROTTLE_TOP(
            "queue_throttle_top_n",
            "QUEUE_THROTTLE_TOP",
            null,
            "--queue-throttle-top",
            ForwardingOptions.DEFAULT_THROTTLE_TOP,
            1,
            ForwardersFile.MAX_FORWARDERS,
            "How many of the fastest forwarders still get a new swarm while throttled."),
    RATE_LIMIT_INITIAL_PS(
            "rate_limit_initial_per_sec",
            "RATE_LIMIT_INITIAL_PER_SEC",
            null,
            "--rate-limit-initial-ps",
            ForwardingOptions.DEFAULT_RATE_LIMIT_PER_SECOND,
            1,
            TrackerConfig.MAX_RATE,
            "New swarms a second let through while rate limited (token bucket refill)."),
    RATE_LIMIT_INITIAL_BURST(
            "rate_limit_initial_burst",
            "RATE_LIMIT_INITIAL_BURST",
            null,
            "--rate-limit-initial-burst",
            ForwardingOptions.DEFAULT_RATE_LIMIT_BURST,
            1,
            TrackerConfig.MAX_RATE,
            "New swarms let through at once while rate limited (token bucket size)."),
    FORWARDER_SUSPEND(
            "forwarder_suspend_seconds",
            "FORWARDER_SUSPEND_SECONDS",
            null,
            "--forwarder-suspend",
            ForwardingOptions.DEFAULT_SUSPEND_SECONDS,
            1,
            TrackerConfig.MAX_INTERVAL_SECONDS,
            "Seconds a forwarder rests after HTTP 429 without Retry-After (Retry-After wins)."),
    FORWARDER_FAIL_THRESHOLD(
            "forwarder_fail_threshold",
            "RETRACKER_FORWARDER_FAIL_THRESHOLD",
            "-F",
            "--forwarder-fail-threshold",
            ForwardingOptions.DEFAULT_FAIL_THRESHOLD,
            0,
            TrackerConfig.MAX_FORWARDER_FAIL_THRESHOLD,
            "Consecutive failures that take a forwarder out of rotation; it is probed again after 30 s,"
                    + " then ever less often. 0 keeps every forwarder in rotation."),
    FORWARDER_RETRY_ATTEMPTS(
            "forwarder_retry_attempts",
            "RETRACKER_FORWARDER_RETRY_ATTEMPTS",
            "-R",
            "--forwarder-retry-attempts",
            ForwardingOptions.DEFAULT_RETRY_ATTEMPTS,
            1,
            TrackerConfig.MAX_FORWARDER_RETRY_ATTEMPTS,
            "Attempts per announce to an external tracker, the first included."),
    FORWARDER_RETRY_BASE_MS(
            "forwarder_retry_base_ms",
            "RETRACKER_FORWARDER_RETRY_BASE_MS",
            "-B",
            "--forwarder-retry-base-ms",
            ForwardingOptions.DEFAULT_RETRY_BASE_MILLIS,
            1,
            TrackerConfig.MAX_FORWARDER_RETRY_BASE_MS,
            "Backoff before retry k is this many milliseconds times 2^k, plus up to half again of jitter.");

    /** How a setting's value is written and what Java type it becomes. */
    enum Kind {
        /** {@code host:port}, {@code :port}, {@code [v6]:port} or empty: {@code Optional<InetSocketAddress>}. */
        ADDRESS,
        /** {@code Boolean}. */
        BOOLEAN,
        /** {@code Integer} within the setting's bounds. */
        INT,
        /** A positive decimal number of minutes: {@code Double}. */
        MINUTES,
        /** Free text: {@code String}. */
        STRING,
        /** A list of address blocks: {@code List<Cidr>}. */
        CIDRS,
        /** A file path, or empty for none: {@code String}. */
        PATH,
        /** {@code allow} or {@code deny}: {@link AccessList.Mode}. */
        ACCESS_MODE
    }

    private static final Pattern INTEGER = Pattern.compile("[+-]?[0-9]+");
    /** Plain decimal notation only: no hex floats, no NaN or Infinity, no Java suffixes like {@code 1f}. */
    private static final Pattern DECIMAL = Pattern.compile("[+-]?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)([eE][+-]?[0-9]+)?");

    private static final String ADDRESS_EXPECTED =
            "expected [host]:port such as ':6969', '127.0.0.1:6969' or '[::1]:6969', or '' for off";
    /** TCP and UDP ports are 16 bits; 0 asks the system for a free one. */
    private static final int MAX_PORT = 65_535;

    private final String key;
    private final String envVar;
    private final @Nullable String shortFlag;
    private final String longFlag;
    private final Kind kind;
    private final String defaultText;
    private final int min;
    private final int max;
    private final String description;

    Setting(
            String key,
            String envVar,
            @Nullable String shortFlag,
            String longFlag,
            Kind kind,
            String defaultText,
            String description) {
        this(key, envVar, shortFlag, longFlag, kind, defaultText, 0, 0, description);
    }

    Setting(
            String key,
            String envVar,
            @Nullable String shortFlag,
            String longFlag,
            int defaultValue,
            int min,
            int max,
            String description) {
        this(key, envVar, shortFlag, longFlag, Kind.INT, String.valueOf(defaultValue), min, max, description);
    }

    Setting(
            String key,
            String envVar,
            @Nullable String shortFlag,
            String longFlag,
            Kind kind,
            String defaultText,
            int min,
            int max,
            String description) {
        this.key = key;
        this.envVar = envVar;
        this.shortFlag = shortFlag;
        this.longFlag = longFlag;
        this.kind = kind;
        this.defaultText = defaultText;
        this.min = min;
        this.max = max;
        this.description = description;
    }

    /** The key in the YAML config file, e.g. {@code udp_listen}. */
    public String key() {
        return key;
    }

    /** The environment variable, e.g. {@code RETRACKER_UDP_LISTEN}. */
    public String envVar() {
        return envVar;
    }

    /** The one-letter option, e.g. {@code -u}, or {@code null} when there is none. */
    public @Nullable String shortFlag() {
        return shortFlag;
    }

    /** The long option, e.g. {@code --udp-listen}. */
    public String longFlag() {
        return longFlag;
    }

    /** The option names as help shows them: {@code -u/--udp-listen} or {@code --io-threads}. */
    public String flagNames() {
        return shortFlag == null ? longFlag : shortFlag + "/" + longFlag;
    }

    /** The default, written the way the environment or the command line would give it. */
    public String defaultText() {
        return defaultText;
    }

    /** One or two sentences for {@code --help} and the config template. */
    public String description() {
        return description;
    }

    /** Whether the option is a switch ({@code -d} alone means true). */
    public boolean isBoolean() {
        return kind == Kind.BOOLEAN;
    }

    /** Whether the value is text that should be shown quoted (an address, an id), so '' is visible. */
    public boolean isQuoted() {
        return kind == Kind.ADDRESS || kind == Kind.STRING || kind == Kind.PATH;
    }

    /** The placeholder for the option's value in {@code --help}. */
    public String paramLabel() {
        return switch (kind) {
            case ADDRESS -> "ADDR";
            case BOOLEAN -> "BOOL";
            case INT ->
                key.endsWith("_ms")
                        ? "MILLIS"
                        : key.contains("threshold") && !key.contains("fail")
                                ? "PERCENT"
                                : key.contains("interval")
                                                || key.contains("timeout")
                                                || key.contains("grace")
                                                || key.contains("seconds")
                                        ? "SECONDS"
                                        : "N";
            case MINUTES -> "MINUTES";
            case STRING -> "TEXT";
            case CIDRS -> "CIDRS";
            case PATH -> "FILE";
            case ACCESS_MODE -> "MODE";
        };
    }

    /**
     * The setting this one must not exceed ({@code min_announce_interval} ≤ {@code
     * announce_response_interval}, {@code numwant_default} ≤ {@code numwant_max}), or {@code null}.
     */
    @Nullable
    Setting upperBound() {
        return switch (this) {
            case MIN_ANNOUNCE_INTERVAL -> ANNOUNCE_INTERVAL;
            case NUMWANT_DEFAULT -> NUMWANT_MAX;
            case FORWARDER_WORKERS -> MAX_FORWARDER_WORKERS;
            default -> null;
        };
    }

    /** The setting whose YAML key is {@code key}, or {@code null}. */
    static @Nullable Setting forKey(String key) {
        for (Setting s : values()) {
            if (s.key.equals(key)) {
                return s;
            }
        }
        return null;
    }

    /**
     * Reads a boolean the way the environment and the command line write it: {@code true}, {@code
     * false}, {@code 1} or {@code 0}, in any case.
     *
     * @throws IllegalArgumentException saying what was expected and what came
     */
    public static boolean parseBoolean(String text) {
        Boolean b = booleanOrNull(text);
        if (b == null) {
            throw new IllegalArgumentException(booleanExpected(true) + ", got " + quote(text));
        }
        return b;
    }

    private static @Nullable Boolean booleanOrNull(String text) {
        return switch (text.strip().toLowerCase(Locale.ROOT)) {
            case "true", "1" -> Boolean.TRUE;
            case "false", "0" -> Boolean.FALSE;
            default -> null;
        };
    }

    private static String booleanExpected(boolean text) {
        return text ? "expected true, false, 1 or 0" : "expected true or false";
    }

    /** What a value of this setting looks like, for messages: "expected an integer from 0 to 1000". */
    String expected(boolean fromText) {
        return switch (kind) {
            case ADDRESS -> ADDRESS_EXPECTED;
            case BOOLEAN -> booleanExpected(fromText);
            case INT -> "expected an integer from " + min + " to " + max;
            case MINUTES ->
                "expected a positive number of minutes (at least 1 second, at most " + TrackerConfig.MAX_AGE_MINUTES
                        + ")";
            case STRING -> "expected text of at most " + TrackerConfig.MAX_TRACKER_ID_BYTES + " bytes";
            case PATH -> "expected a file path of at most " + TrackerConfig.MAX_PATH_BYTES + " bytes, or '' for none";
            case ACCESS_MODE -> "expected allow or deny";
            case CIDRS ->
                fromText
                        ? "expected at most " + TrackerConfig.MAX_TRUSTED_PROXIES
                                + " comma-separated CIDR blocks such as 10.0.0.0/8,::1/128, or '' for none"
                        : "expected a list of at most " + TrackerConfig.MAX_TRUSTED_PROXIES
                                + " CIDR blocks such as [10.0.0.0/8, '::1/128']";
        };
    }

    /**
     * Converts and checks a value given as text (environment or command line).
     *
     * @return the typed value (see {@link Kind})
     */
    Object fromText(String raw, HostResolver resolver) throws InvalidValueException {
        String text = kind == Kind.STRING ? raw : raw.strip();
        Object value = switch (kind) {
            case ADDRESS -> parseAddress(text, resolver);
            case BOOLEAN -> {
                Boolean b = booleanOrNull(text);
                if (b == null) {
                    throw invalid(true, quote(raw));
                }
                yield b;
            }
            case INT -> {
                if (!INTEGER.matcher(text).matches()) {
                    throw invalid(true, quote(raw));
                }
                yield toInt(new BigInteger(text), quote(raw));
            }
            case MINUTES -> {
                if (!DECIMAL.matcher(text).matches()) {
                    throw invalid(true, quote(raw));
                }
                yield Double.parseDouble(text);
            }
            case STRING, PATH -> text;
            case CIDRS -> parseCidrs(text.isEmpty() ? List.of() : List.of(text.split(",", -1)));
            case ACCESS_MODE -> {
                AccessList.Mode mode = AccessList.Mode.parse(text);
                if (mode == null) {
                    throw invalid(true, quote(raw));
                }
                yield mode;
            }
        };
        if (!withinLimits(value)) {
            throw invalid(true, quote(raw));
        }
        return value;
    }

    /**
     * Converts and checks a value read from the YAML file (YAML 1.2 core schema types).
     *
     * @return the typed value (see {@link Kind})
     */
    Object fromYaml(@Nullable Object yaml, HostResolver resolver) throws InvalidValueException {
        Object value = switch (kind) {
            case ADDRESS -> {
                if (yaml == null) {
                    yield Optional.empty();
                }
                if (!(yaml instanceof String s)) {
                    throw invalid(false, describe(yaml));
                }
                yield parseAddress(s.strip(), resolver);
            }
            case BOOLEAN -> {
                if (!(yaml instanceof Boolean b)) {
                    throw invalid(false, describe(yaml));
                }
                yield b;
            }
            case INT -> {
                if (!(yaml instanceof Integer || yaml instanceof Long || yaml instanceof BigInteger)) {
                    throw invalid(false, describe(yaml));
                }
                yield toInt(new BigInteger(yaml.toString()), describe(yaml));
            }
            case MINUTES -> {
                if (!(yaml instanceof Number n)) {
                    throw invalid(false, describe(yaml));
                }
                yield n.doubleValue();
            }
            case STRING, PATH -> {
                if (yaml == null) {
                    yield "";
                }
                if (!(yaml instanceof String s)) {
                    throw invalid(false, describe(yaml) + " (quote it to make it text)");
                }
                yield s;
            }
            case CIDRS -> {
                if (!(yaml instanceof List<?> list)) {
                    throw invalid(false, describe(yaml));
                }
                List<String> items = new ArrayList<>();
                for (Object item : list) {
                    if (!(item instanceof String s)) {
                        throw invalid(false, "an item " + describe(item));
                    }
                    items.add(s);
                }
                yield parseCidrs(items);
            }
            case ACCESS_MODE -> {
                AccessList.Mode mode = yaml instanceof String s ? AccessList.Mode.parse(s) : null;
                if (mode == null) {
                    throw invalid(false, describe(yaml));
                }
                yield mode;
            }
        };
        if (!withinLimits(value)) {
            throw invalid(false, describe(yaml));
        }
        return value;
    }

    /**
     * Checks a typed value against this setting's limits; {@link TrackerConfig} calls this for
     * every component.
     *
     * @throws IllegalArgumentException naming the key, what was expected and what came
     */
    void require(Object value) {
        if (!withinLimits(value)) {
            throw new IllegalArgumentException("key '" + key + "': " + expected(false) + ", got " + describe(value));
        }
    }

    private boolean withinLimits(Object value) {
        return switch (kind) {
            case ADDRESS, BOOLEAN -> true;
            case INT -> value instanceof Integer i && i >= min && i <= max;
            case MINUTES ->
                value instanceof Double d && Double.isFinite(d) && d * 60 >= 1 && d <= TrackerConfig.MAX_AGE_MINUTES;
            case STRING ->
                value instanceof String s
                        && s.getBytes(StandardCharsets.UTF_8).length <= TrackerConfig.MAX_TRACKER_ID_BYTES;
            case CIDRS -> value instanceof List<?> l && l.size() <= TrackerConfig.MAX_TRUSTED_PROXIES;
            case PATH ->
                value instanceof String s
                        && s.getBytes(StandardCharsets.UTF_8).length <= TrackerConfig.MAX_PATH_BYTES
                        && s.indexOf(0) < 0;
            case ACCESS_MODE -> value instanceof AccessList.Mode;
        };
    }

    private InvalidValueException invalid(boolean fromText, String got) {
        return new InvalidValueException(expected(fromText) + ", got " + got);
    }

    private Integer toInt(BigInteger value, String got) throws InvalidValueException {
        if (value.bitLength() >= Integer.SIZE) {
            throw new InvalidValueException(expected(false) + ", got " + got);
        }
        return value.intValue();
    }

    private static List<Cidr> parseCidrs(List<String> items) throws InvalidValueException {
        List<Cidr> out = new ArrayList<>(items.size());
        for (String item : items) {
            try {
                out.add(Cidr.parse(item.strip()));
            } catch (IllegalArgumentException e) {
                throw new InvalidValueException(
                        e.getMessage() == null ? "not a CIDR block: " + quote(item) : e.getMessage());
            }
        }
        return List.copyOf(out);
    }

    /**
     * Parses a listen address. An empty host is the wildcard address (the transport makes that one
     * dual-stack socket); a host name is resolved once, here, at start-up.
     */
    private static Optional<InetSocketAddress> parseAddress(String text, HostResolver resolver)
            throws InvalidValueException {
        if (text.isEmpty()) {
            return Optional.empty();
        }
        int colon = text.lastIndexOf(':');
        if (colon < 0) {
            throw new InvalidValueException(ADDRESS_EXPECTED + ", got " + quote(text));
        }
        String host = text.substring(0, colon);
        String portText = text.substring(colon + 1);
        if (host.startsWith("[")) {
            if (!host.endsWith("]") || host.indexOf(':') < 0) {
                throw new InvalidValueException(ADDRESS_EXPECTED + ", got " + quote(text));
            }
            host = host.substring(1, host.length() - 1);
        } else if (host.indexOf(':') >= 0 || host.indexOf(']') >= 0) {
            throw new InvalidValueException(
                    ADDRESS_EXPECTED + " (an IPv6 address goes in brackets), got " + quote(text));
        }
        if (portText.isEmpty() || portText.length() > 5 || !portText.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new InvalidValueException(ADDRESS_EXPECTED + ", got " + quote(text));
        }
        int port = Integer.parseInt(portText);
        if (port > MAX_PORT) {
            throw new InvalidValueException("port must be from 0 to " + MAX_PORT + ", got " + quote(text));
        }
        if (host.isEmpty()) {
            return Optional.of(new InetSocketAddress(port));
        }
        try {
            return Optional.of(new InetSocketAddress(resolver.resolve(host), port));
        } catch (UnknownHostException e) {
            throw new InvalidValueException("cannot resolve host '" + host + "' in " + quote(text));
        }
    }

    static String quote(String text) {
        return "'" + text + "'";
    }

    /** A value as a message shows it: text quoted, numbers bare, collections by kind. */
    static String describe(@Nullable Object value) {
        if (value == null) {
            return "nothing";
        }
        if (value instanceof String s) {
            return quote(s);
        }
        if (value instanceof Map<?, ?>) {
            return "a mapping";
        }
        if (value instanceof List<?> l) {
            return "a list of " + l.size() + (l.size() == 1 ? " item" : " items");
        }
        return value.toString();
    }
}
