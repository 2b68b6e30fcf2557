package org.retracker.forward;

import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.retracker.protocol.AddressParser;
import org.retracker.yaml.BoundedYaml;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;

/**
 * Reads {@code forwarders.yml}: a YAML list of {@code {uri, name?, ip?, host?}} (the Go seed's
 * format). Every problem is reported at once with the file and the entry's position, and nothing
 * of a bad file is used: at start-up it stops the tracker, on SIGHUP the old list stays.
 *
 * <p>Fixes of the seed: an unknown scheme is an error (the seed quietly used HTTP), a URI's query
 * (passkeys) is kept, and default names are unique even for two URIs on one host.
 */
public final class ForwardersFile {
    /** More than any public tracker list; keeps a mistaken file from opening thousands of sockets. */
    public static final int MAX_FORWARDERS = 512;
    /** Longest name kept; names appear in logs, stats and metric labels. */
    public static final int MAX_NAME_LENGTH = 64;

    /** TCP and UDP ports are 16 bits. */
    private static final int MAX_PORT = 65_535;

    private static final Set<String> KEYS = Set.of("uri", "name", "ip", "host");

    private ForwardersFile() {}

    /**
     * A forwarders file that cannot be used, with one message naming the file and the entry; one
     * line, with control characters of quoted values shown as escapes.
     */
    public static final class InvalidForwardersException extends Exception {
        private static final long serialVersionUID = 1L;

        InvalidForwardersException(String message) {
            super(BoundedYaml.printable(message));
        }
    }

    public static List<ForwarderSpec> read(Path file) throws InvalidForwardersException {
        String text;
        try {
            text = BoundedYaml.readText(file);
        } catch (CharacterCodingException e) {
            throw new InvalidForwardersException(file + ": cannot read: not UTF-8 text");
        } catch (IOException | RuntimeException e) {
            throw new InvalidForwardersException(file + ": cannot read: " + e.getMessage());
        }
        return parse(file.toString(), text);
    }

    /**
     * Parses the text of a forwarders file.
     *
     * @param source names the file in messages
     */
    public static List<ForwarderSpec> parse(String source, String text) throws InvalidForwardersException {
        Object root;
        try {
            root = BoundedYaml.load(source, text);
        } catch (YamlEngineException e) {
            throw new InvalidForwardersException(source + ": not valid YAML: " + oneLine(e.getMessage()));
        }
        if (root == null) {
            return List.of();
        }
        if (!(root instanceof List<?> list)) {
            throw new InvalidForwardersException(
                    source + ": expected a list of forwarders (- uri: ...), got " + describe(root));
        }
        if (list.size() > MAX_FORWARDERS) {
            throw new InvalidForwardersException(
                    source + ": " + list.size() + " forwarders, at most " + MAX_FORWARDERS + " are allowed");
        }
        List<Entry> entries = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            entries.add(entry(source + ": forwarder " + (i + 1), list.get(i)));
        }
        return name(entries);
    }

    private record Entry(
            String where,
            URI uri,
            ForwarderSpec.Scheme scheme,
            @Nullable String name,
            @Nullable InetAddress ip,
            @Nullable String host) {}

    private static Entry entry(String where, @Nullable Object item) throws InvalidForwardersException {
        if (!(item instanceof Map<?, ?> map)) {
            throw new InvalidForwardersException(where + ": expected a mapping with uri, got " + describe(item));
        }
        for (Object key : map.keySet()) {
            if (!(key instanceof String k) || !KEYS.contains(k)) {
                throw new InvalidForwardersException(
                        where + ": unknown key '" + key + "' (known: uri, name, ip, host)");
            }
        }
        String uriText = text(where, map, "uri");
        if (uriText == null || uriText.isBlank()) {
            throw new InvalidForwardersException(where + ": missing uri");
        }
        String at = where + " (" + uriText + ")";
        URI uri;
        try {
            uri = new URI(uriText.strip());
        } catch (URISyntaxException e) {
            throw new InvalidForwardersException(at + ": not a URI: " + e.getReason());
        }
        String schemeText = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        ForwarderSpec.Scheme scheme = switch (schemeText) {
            case "http" -> ForwarderSpec.Scheme.HTTP;
            case "https" -> ForwarderSpec.Scheme.HTTPS;
            case "udp" -> ForwarderSpec.Scheme.UDP;
            default ->
                throw new InvalidForwardersException(
                        at + ": scheme must be http, https or udp, got '" + schemeText + "'");
        };
        if (uri.getHost() == null || uri.getHost().isEmpty()) {
            throw new InvalidForwardersException(at + ": no host");
        }
        if (uri.getUserInfo() != null) {
            throw new InvalidForwardersException(at + ": user info in the URI is not supported");
        }
        if (scheme == ForwarderSpec.Scheme.UDP && uri.getPort() < 1) {
            throw new InvalidForwardersException(at + ": a udp URI needs a port");
        }
        if (uri.getPort() == 0 || uri.getPort() > MAX_PORT) {
            // java.net.URI takes any int as the port; a socket address would refuse it only later
            throw new InvalidForwardersException(
                    at + ": port must be from 1 to " + MAX_PORT + ", got " + uri.getPort());
        }
        if (uri.getFragment() != null) {
            throw new InvalidForwardersException(at + ": a fragment (#...) is not allowed");
        }
        String name = text(at, map, "name");
        if (name != null) {
            name = name.strip();
            if (name.isEmpty() || name.length() > MAX_NAME_LENGTH || !printable(name)) {
                throw new InvalidForwardersException(
                        at + ": name must be 1 to " + MAX_NAME_LENGTH + " printable characters, got '" + name + "'");
            }
        }
        InetAddress ip = null;
        String ipText = text(at, map, "ip");
        if (ipText != null) {
            byte[] raw = new byte[16];
            byte[] bytes = ipText.strip().getBytes(StandardCharsets.US_ASCII);
            int length = AddressParser.parse(bytes, 0, bytes.length, raw);
            if (length == 0) {
                throw new InvalidForwardersException(at + ": ip must be an IPv4 or IPv6 address, got '" + ipText + "'");
            }
            try {
                ip = InetAddress.getByAddress(Arrays.copyOf(raw, length));
            } catch (IOException e) {
                throw new InvalidForwardersException(at + ": bad ip '" + ipText + "'");
            }
        }
        String host = text(at, map, "host");
        if (host != null) {
            host = host.strip();
            if (host.isEmpty() || !printable(host) || host.indexOf(' ') >= 0) {
                throw new InvalidForwardersException(at + ": host must be a host name, got '" + host + "'");
            }
            if (scheme == ForwarderSpec.Scheme.UDP) {
                throw new InvalidForwardersException(at + ": host applies to http and https only");
            }
        }
        return new Entry(at, uri, scheme, name, ip, host);
    }

    private static List<ForwarderSpec> name(List<Entry> entries) throws InvalidForwardersException {
        Set<String> taken = new HashSet<>();
        for (Entry e : entries) {
            if (e.name() != null && !taken.add(e.name())) {
                throw new InvalidForwardersException(e.where() + ": name '" + e.name() + "' is used twice");
            }
        }
        // Default names: host:port when that is unique, else with the scheme, else numbered.
        Map<String, Integer> hostPorts = new HashMap<>();
        for (Entry e : entries) {
            if (e.name() == null) {
                hostPorts.merge(hostPort(e), 1, Integer::sum);
            }
        }
        List<ForwarderSpec> specs = new ArrayList<>();
        Set<String> uris = new HashSet<>();
        for (Entry e : entries) {
            String key = e.uri().toString() + "|" + e.ip() + "|" + e.host();
            if (!uris.add(key)) {
                throw new InvalidForwardersException(e.where() + ": the same forwarder is listed twice");
            }
            String name = e.name();
            if (name == null) {
                String base = hostPort(e);
                if (hostPorts.getOrDefault(base, 0) > 1) {
                    base = e.scheme().name().toLowerCase(Locale.ROOT) + "://" + base;
                }
                name = base.length() > MAX_NAME_LENGTH ? base.substring(0, MAX_NAME_LENGTH) : base;
                for (int n = 2; taken.contains(name); n++) {
                    String suffix = "#" + n;
                    name = base.substring(0, Math.min(base.length(), MAX_NAME_LENGTH - suffix.length())) + suffix;
                }
                taken.add(name);
            }
            specs.add(new ForwarderSpec(name, e.uri(), e.scheme(), e.ip(), e.host()));
        }
        return List.copyOf(specs);
    }

    private static String hostPort(Entry e) {
        int port = e.uri().getPort() >= 0 ? e.uri().getPort() : e.scheme().defaultPort;
        return e.uri().getHost().toLowerCase(Locale.ROOT) + ":" + port;
    }

    private static @Nullable String text(String where, Map<?, ?> map, String key) throws InvalidForwardersException {
        Object value = map.get(key);
        if (value == null) {
            return null;
        }
        if (!(value instanceof String s)) {
            throw new InvalidForwardersException(where + ": " + key + " must be text, got " + describe(value));
        }
        return s;
    }

    private static boolean printable(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                return false;
            }
        }
        return true;
    }

    private static String describe(@Nullable Object value) {
        if (value == null) {
            return "nothing";
        }
        if (value instanceof Map) {
            return "a mapping";
        }
        if (value instanceof List) {
            return "a list";
        }
        return "'" + value + "'";
    }

    private static String oneLine(@Nullable String message) {
        return message == null ? "" : message.replaceAll("\\s+", " ").strip();
    }
}
