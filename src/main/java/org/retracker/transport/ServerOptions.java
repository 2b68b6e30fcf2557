package org.retracker.transport;

import java.net.InetSocketAddress;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * How the network side of the tracker runs. Built by the configuration layer; validated here.
 *
 * @param httpListen HTTP tracker address, or {@code null} for no HTTP listener
 * @param udpListen UDP tracker address, or {@code null} for no UDP listener; a wildcard address
 *     serves IPv4 and IPv6 on one dual-stack socket per event loop, and (with epoll) each local
 *     address on sockets of its own, so replies leave from the address asked ({@link UdpListener})
 * @param realIpHeader take the client address from {@code X-Real-IP} / {@code X-Forwarded-For}
 *     when the connection comes from a {@code trustedProxies} address ({@code -x})
 * @param trustedProxies sources whose forwarded-address headers, {@code ip=} parameter and UDP IP
 *     field are believed
 * @param connectionIdGraceSeconds accepted beyond BEP 15's two minutes
 * @param ioThreads event loops (and, with epoll, the HTTP and UDP sockets sharing each port); 0 = one per core
 * @param httpIdleTimeoutSeconds a keep-alive connection with no request for this long is closed
 * @param httpRequestTimeoutSeconds a request head must arrive completely within this time
 * @param trackerId BEP 3 {@code tracker id} to send, or {@code null}
 * @param adminListen admin HTTP address, serving {@code /stats} and {@code /metrics} instead of
 *     the tracker's HTTP listener, or {@code null} for none
 * @param stats the rest of the configuration, for {@code /stats} to show
 * @param limits what one client address may cost: its request rate
 */
public record ServerOptions(
        @Nullable InetSocketAddress httpListen,
        @Nullable InetSocketAddress udpListen,
        boolean realIpHeader,
        List<Cidr> trustedProxies,
        int connectionIdGraceSeconds,
        int ioThreads,
        int httpIdleTimeoutSeconds,
        int httpRequestTimeoutSeconds,
        @Nullable String trackerId,
        @Nullable InetSocketAddress adminListen,
        StatsOptions stats,
        ClientLimits limits) {
    public static final int DEFAULT_HTTP_IDLE_TIMEOUT = 60;
    public static final int DEFAULT_HTTP_REQUEST_TIMEOUT = 10;
    /** Loopback only: a proxy on the same host, as in the nginx example. */
    public static final List<Cidr> DEFAULT_TRUSTED_PROXIES = List.of(Cidr.parse("127.0.0.0/8"), Cidr.parse("::1/128"));

    /** Options with nothing more for {@code /stats} to show ({@link StatsOptions#NONE}) and no per-client limits. */
    public ServerOptions(
            @Nullable InetSocketAddress httpListen,
            @Nullable InetSocketAddress udpListen,
            boolean realIpHeader,
            List<Cidr> trustedProxies,
            int connectionIdGraceSeconds,
            int ioThreads,
            int httpIdleTimeoutSeconds,
            int httpRequestTimeoutSeconds,
            @Nullable String trackerId,
            @Nullable InetSocketAddress adminListen) {
        this(
                httpListen,
                udpListen,
                realIpHeader,
                trustedProxies,
                connectionIdGraceSeconds,
                ioThreads,
                httpIdleTimeoutSeconds,
                httpRequestTimeoutSeconds,
                trackerId,
                adminListen,
                StatsOptions.NONE,
                ClientLimits.NONE);
    }

    public ServerOptions {
        trustedProxies = List.copyOf(trustedProxies);
        if (connectionIdGraceSeconds < 0) {
            throw new IllegalArgumentException("connection id grace must not be negative");
        }
        if (ioThreads < 0) {
            throw new IllegalArgumentException("io threads must not be negative");
        }
        if (httpIdleTimeoutSeconds < 1 || httpRequestTimeoutSeconds < 1) {
            throw new IllegalArgumentException("HTTP timeouts must be at least 1 second");
        }
    }

    /** Options for tests and embedding: both listeners on {@code host}, ephemeral ports. */
    public static ServerOptions loopback(String host) {
        return new ServerOptions(
                new InetSocketAddress(host, 0),
                new InetSocketAddress(host, 0),
                false,
                DEFAULT_TRUSTED_PROXIES,
                0,
                1,
                DEFAULT_HTTP_IDLE_TIMEOUT,
                DEFAULT_HTTP_REQUEST_TIMEOUT,
                null,
                null);
    }
}
