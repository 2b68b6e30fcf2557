package org.retracker.interop;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.retracker.testing.RequiredTools;

/**
 * A private opentracker (Debian's package {@code opentracker}) on {@code 127.0.0.1}, TCP and UDP on
 * one free port, whitelisting only the info hashes it is given: the real external tracker that
 * retracker's forwarding tests announce to.
 *
 * <p>What Debian's build (0.0~git20210823) does, found by running it:
 *
 * <ul>
 *   <li>It is IPv4 only and whitelist only: an announce for a hash off the list gets {@code failure
 *       reason} "Requested download is not authorized for use with this tracker." (HTTP 200), or a
 *       BEP 15 error over UDP. A {@code stopped} announce is answered whatever the hash.
 *   <li>The whitelist is one hex info hash per line (40 hex digits; case and a missing last newline
 *       do not matter). An empty file logs "Can't open accesslist file" (it cannot be mapped) and
 *       refuses every hash. SIGHUP reloads it; the new list answers within milliseconds here, but the
 *       reload runs on its own thread, so {@link #whitelist} polls until it is in effect.
 *   <li>Root is not needed. Started as root it chroots into {@code tracker.rootdir}, then takes the
 *       uid of {@code tracker.user} ({@code nobody}): the root dir and the list must then be
 *       readable by nobody. Started as anyone else it only chdirs there and keeps its uid. Either
 *       way a <em>relative</em> {@code access.whitelist} names the same file, so the config is one
 *       for both cases.
 *   <li>It binds with SO_REUSEPORT: a second opentracker (or any socket with that option, same uid)
 *       on the same port starts without an error and the kernel splits the traffic between them. A
 *       port is therefore checked in {@code /proc/net} to be held by this process alone once it
 *       answers; a port taken by a socket without the option makes it exit with status 111
 *       ("Address already in use"). Either way another port is tried.
 *   <li>{@code /stats} answers 403 outside its allowed addresses; GET {@code /announce} without a
 *       query answers 400, which is how readiness is probed. It answers {@code compact=0} with 400,
 *       lists the requester among the peers it returns, and keys peers by ip:port (from the source
 *       address of the request and the announced port).
 *   <li>SIGTERM ends it at once.
 * </ul>
 *
 * <p>It runs under coreutils' {@code timeout} ({@link ClientProcess}), so it ends by itself after
 * {@link #LIFETIME} even if the test JVM dies. {@link #close} stops that process tree by process
 * handle, never by name. SIGHUP goes to opentracker's own pid, not through {@code timeout} (which
 * would arm its kill timer).
 */
final class Opentracker implements AutoCloseable {
    /** Longest the tracker may live, whatever happens to the test JVM. */
    static final Duration LIFETIME = Duration.ofMinutes(5);
    /** How long it may take to answer after being started, or to apply a new whitelist. */
    static final Duration READY_TIMEOUT = Duration.ofSeconds(10);
    /** Ports tried before giving up (a port may be taken between probing it and opentracker binding). */
    static final int PORT_ATTEMPTS = 5;
    /** Where whitelist probes announce from: an address no test peer uses. */
    static final String PROBE_ADDRESS = "127.0.0.254";
    /** The port whitelist probes announce (each probe is withdrawn with {@code stopped} at once). */
    static final int PROBE_PORT = 1;

    private static final String HOST = "127.0.0.1";
    private static final String WHITELIST = "whitelist.txt";
    private static final HexFormat HEX = HexFormat.of();

    private final Path dir;
    private final Path root;
    private final int port;
    private final ClientProcess process;
    private final ProcessHandle tracker;
    private final AnnounceClient probe = AnnounceClient.from(PROBE_ADDRESS);
    private Set<String> whitelisted;

    private Opentracker(
            Path dir, Path root, int port, ClientProcess process, ProcessHandle tracker, Set<String> whitelisted) {
        this.dir = dir;
        this.root = root;
        this.port = port;
        this.process = process;
        this.tracker = tracker;
        this.whitelisted = whitelisted;
    }

    /**
     * Starts an opentracker whose files (config, log, and the chroot {@code root/} with the
     * whitelist) live in {@code dir}, serving {@code infoHashes}; returns once it answers over TCP
     * and UDP and the list is in effect. Skips the test when opentracker is not installed (see
     * {@link RequiredTools}).
     */
    static Opentracker start(Path dir, byte[]... infoHashes) throws IOException, InterruptedException {
        RequiredTools.require(RequiredTools.OPENTRACKER, RequiredTools.TIMEOUT);
        Path root = Files.createDirectories(dir.resolve("root"));
        // nobody must be able to enter the chroot and read the list once opentracker drops root
        Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxr-xr-x"));
        Set<String> hashes = hexes(infoHashes);
        writeWhitelist(root, hashes);
        Path config = dir.resolve("opentracker.conf");
        List<String> failures = new ArrayList<>();
        for (int attempt = 1; attempt <= PORT_ATTEMPTS; attempt++) {
            int port = freePort();
            Files.writeString(
                    config, """
                    # retracker interop test: see Opentracker.java
                    listen.tcp_udp %s:%d
                    access.whitelist %s
                    tracker.rootdir %s
                    tracker.user nobody
                    """.formatted(HOST, port, WHITELIST, root.toAbsolutePath()), StandardCharsets.UTF_8);
            ClientProcess process = ClientProcess.start(
                    "opentracker:" + port,
                    List.of("opentracker", "-f", config.toAbsolutePath().toString()),
                    dir.resolve("opentracker-" + attempt + ".log"),
                    LIFETIME);
            boolean started = false;
            try {
                ProcessHandle tracker = awaitAnswering(process, port);
                if (tracker == null) {
                    failures.add("port " + port + ": exited before answering\n" + process.tail());
                    continue;
                }
                String shared = sharedPort(port);
                if (shared != null) {
                    failures.add("port " + port + " shared with another socket: " + shared);
                    continue;
                }
                Opentracker ot = new Opentracker(dir, root, port, process, tracker, hashes);
                ot.awaitWhitelist(hashes, Set.of());
                started = true;
                return ot;
            } finally {
                if (!started) {
                    process.stop("TERM");
                }
            }
        }
        throw new AssertionError(
                "opentracker did not start in " + PORT_ATTEMPTS + " attempts:\n" + String.join("\n", failures));
    }

    int port() {
        return port;
    }

    URI httpAnnounceUri() {
        return URI.create("http://" + HOST + ":" + port + "/announce");
    }

    URI udpAnnounceUri() {
        return URI.create("udp://" + HOST + ":" + port + "/announce");
    }

    /** The opentracker process itself (not the {@code timeout} wrapper). */
    long pid() {
        return tracker.pid();
    }

    /** The {@code timeout} process opentracker runs under. */
    long wrapperPid() {
        return process.wrapperPid();
    }

    /**
     * Replaces the whitelist with {@code infoHashes}, makes opentracker reload it (SIGHUP) and
     * returns once every added hash is accepted and every removed one refused.
     *
     * <p>Each added hash is probed with a real announce from {@link #PROBE_ADDRESS}:{@link
     * #PROBE_PORT}, withdrawn at once with {@code stopped}: a scrape in between would see it.
     */
    void whitelist(byte[]... infoHashes) throws IOException, InterruptedException {
        Set<String> wanted = hexes(infoHashes);
        Set<String> added = new LinkedHashSet<>(wanted);
        added.removeAll(whitelisted);
        Set<String> removed = new LinkedHashSet<>(whitelisted);
        removed.removeAll(wanted);
        writeWhitelist(root, wanted);
        hangUp();
        whitelisted = wanted;
        awaitWhitelist(added, removed);
    }

    /** The tail of opentracker's log, for assertion messages. */
    String diagnostics() {
        return process.tail();
    }

    /** Stops opentracker (SIGTERM, then SIGKILL after a grace period) and waits until it is gone. */
    @Override
    public void close() throws InterruptedException {
        try {
            process.stop("TERM");
        } finally {
            tracker.destroyForcibly();
            tracker.onExit()
                    .completeOnTimeout(tracker, ClientProcess.STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS)
                    .join();
        }
    }

    @Override
    public String toString() {
        return "opentracker on " + HOST + ":" + port + " (pid " + tracker.pid() + ", files in " + dir + ")";
    }

    private void hangUp() throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-HUP", Long.toString(tracker.pid()))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        if (!kill.waitFor(5, TimeUnit.SECONDS)) {
            kill.destroyForcibly();
            throw new AssertionError("kill -HUP " + tracker.pid() + " did not return");
        }
        if (kill.exitValue() != 0) {
            throw new AssertionError("kill -HUP " + tracker.pid() + " failed\n" + diagnostics());
        }
    }

    /** Polls until every hash in {@code accepted} is accepted and every one in {@code refused} refused. */
    private void awaitWhitelist(Set<String> accepted, Set<String> refused) throws InterruptedException {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        Set<String> pending = new LinkedHashSet<>();
        while (true) {
            pending.clear();
            for (String hex : accepted) {
                if (!probeAccepts(hex)) {
                    pending.add(hex + " (still refused)");
                }
            }
            for (String hex : refused) {
                if (probeAccepts(hex)) {
                    pending.add(hex + " (still accepted)");
                }
            }
            if (pending.isEmpty()) {
                return;
            }
            if (System.nanoTime() > deadline || !tracker.isAlive()) {
                throw new AssertionError(
                        "whitelist not in effect within " + READY_TIMEOUT + ": " + pending + "\n" + diagnostics());
            }
            Thread.sleep(20);
        }
    }

    private boolean probeAccepts(String hex) {
        byte[] hash = HEX.parseHex(hex);
        AnnounceClient.Request join = AnnounceClient.Request.leecher(hash, PROBE_PORT);
        AnnounceClient.Reply reply = probe.http(httpAnnounceUri(), join);
        if (reply.failure() != null) {
            return false;
        }
        probe.http(httpAnnounceUri(), join.event(AnnounceClient.Event.STOPPED));
        return true;
    }

    /** Waits until opentracker answers HTTP and UDP on {@code port}; its process, or null if it exited. */
    private static @Nullable ProcessHandle awaitAnswering(ClientProcess process, int port) throws InterruptedException {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        AnnounceClient udp = AnnounceClient.from(HOST);
        InetSocketAddress address = new InetSocketAddress(AnnounceClient.ipv4(HOST), port);
        while (process.isAlive()) {
            var tracker = process.client();
            if (tracker.isPresent() && httpAnswers(address) && udp.udpAnswers(address)) {
                return tracker.get();
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("opentracker did not answer on " + address + " within " + READY_TIMEOUT + "\n"
                        + process.tail());
            }
            Thread.sleep(20);
        }
        return null;
    }

    /** Whether a GET /announce (no query: opentracker answers 400) gets any HTTP reply. */
    private static boolean httpAnswers(InetSocketAddress address) {
        try (Socket s = new Socket()) {
            s.connect(address, 500);
            s.setSoTimeout(1000);
            s.getOutputStream().write("GET /announce HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            byte[] head = s.getInputStream().readNBytes(5);
            return new String(head, StandardCharsets.US_ASCII).equals("HTTP/");
        } catch (IOException e) {
            return false;
        }
    }

    /** A port free on 127.0.0.1 for both TCP and UDP right now. */
    private static int freePort() throws IOException {
        for (int i = 0; i < 50; i++) {
            try (ServerSocket tcp = new ServerSocket()) {
                tcp.bind(new InetSocketAddress(AnnounceClient.ipv4(HOST), 0));
                int port = tcp.getLocalPort();
                try (DatagramSocket udp = new DatagramSocket(new InetSocketAddress(AnnounceClient.ipv4(HOST), port))) {
                    return port;
                } catch (IOException taken) {
                    // UDP side taken: another port
                }
            }
        }
        throw new IOException("no port free for both TCP and UDP on " + HOST);
    }

    /**
     * A description of the sockets besides opentracker's two that hold {@code port} (TCP listeners,
     * UDP sockets, IPv4 and IPv6), or null when there are none. Linux only: elsewhere, null.
     */
    static @Nullable String sharedPort(int port) {
        String suffix = String.format(Locale.ROOT, ":%04X", port);
        List<String> holders = new ArrayList<>();
        for (String table : List.of("tcp", "tcp6", "udp", "udp6")) {
            Path file = Path.of("/proc/net", table);
            List<String> lines;
            try {
                lines = Files.readAllLines(file, StandardCharsets.US_ASCII);
            } catch (IOException e) {
                return null;
            }
            for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
                String[] f = line.trim().split("\\s+", -1);
                if (f.length < 4 || !f[1].endsWith(suffix)) {
                    continue;
                }
                boolean listening = table.startsWith("udp") || f[3].equals("0A");
                if (listening) {
                    holders.add(table + " " + f[1]);
                }
            }
        }
        long tcp = holders.stream().filter(h -> h.startsWith("tcp")).count();
        long udp = holders.stream().filter(h -> h.startsWith("udp")).count();
        return tcp == 1 && udp == 1 ? null : holders.toString();
    }

    private static Set<String> hexes(byte[]... infoHashes) {
        Set<String> out = new LinkedHashSet<>();
        for (byte[] h : infoHashes) {
            if (h.length != 20) {
                throw new IllegalArgumentException("an info hash is 20 bytes, not " + h.length);
            }
            out.add(HEX.formatHex(h));
        }
        return out;
    }

    /** One lowercase hex hash a line, replaced atomically, readable by nobody. */
    private static void writeWhitelist(Path root, Set<String> hexes) throws IOException {
        StringBuilder text = new StringBuilder();
        for (String hex : hexes) {
            text.append(hex).append('\n');
        }
        Path tmp = root.resolve(WHITELIST + ".new");
        Files.writeString(tmp, text, StandardCharsets.US_ASCII);
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-r--r--"));
        Files.move(tmp, root.resolve(WHITELIST), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
