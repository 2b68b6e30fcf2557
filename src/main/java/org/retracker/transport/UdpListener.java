package org.retracker.transport;

import io.netty.channel.Channel;
import io.netty.util.NetUtil;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sockets of the UDP tracker listener, in groups: a group is one socket per event loop, all
 * bound to one address and port with {@code SO_REUSEPORT} (one socket in all without epoll).
 *
 * <p>A listener on a specific address has one group. A listener on a wildcard address ({@code -u
 * :6969}) with epoll has that wildcard group plus one group per local address ({@link
 * LocalAddresses}): a UDP reply leaves from the address its socket is bound to, and a wildcard
 * socket's replies from whichever address the kernel's route back to the client names, which on a
 * multi-homed host, or for a request sent to a secondary address, is not the one the client sent
 * to; a client that {@code connect()}s its socket (libtorrent does) then never sees the reply.
 * Setting each reply's source instead would take {@code IP_PKTINFO} on {@code sendmmsg}, which
 * Netty's epoll transport does not offer (its {@code IP_RECVORIGDSTADDR} reports the IPv4
 * destination of a datagram, and nothing sets the source of one). Linux hands a datagram to the
 * socket bound most specifically to its destination, so each address group receives exactly the
 * requests sent to its address and answers from it, with the same batched {@code
 * recvmmsg}/{@code sendmmsg} path as any socket. The wildcard group answers the rest: addresses
 * added since the last {@link #rescan()}, link-local ones, and those beyond {@link
 * #MAX_ADDRESS_GROUPS}.
 *
 * <p>Thread safety: {@link #rescan()} and {@link #close()} are synchronized and wait for binds, so
 * they must not run on an event loop; the event loops only use the channels.
 */
final class UdpListener implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(UdpListener.class);

    /**
     * Local addresses with a socket group of their own: with the wildcard group, at most (this + 1)
     * × event loops sockets. Further addresses are answered by the wildcard group, and a warning
     * says so.
     */
    static final int MAX_ADDRESS_GROUPS = 64;

    /** Binds the {@code index}-th socket of a group (the one for the {@code index}-th event loop). */
    @FunctionalInterface
    interface SocketBinder {
        /**
         * @throws TrackerServer.BindException when {@code address} cannot be bound
         */
        Channel bind(InetSocketAddress address, int index) throws InterruptedException;
    }

    private final SocketBinder binder;
    private final int socketsPerGroup;
    private final InetSocketAddress address;
    private final @Nullable LocalAddresses localAddresses;
    private final List<Channel> listenGroup;
    private final Map<InetAddress, List<Channel>> addressGroups = new LinkedHashMap<>();
    /** Addresses whose group could not be bound: warned about once, tried again at each rescan. */
    private final Set<InetAddress> unbound = new HashSet<>();

    private boolean scanned;
    private boolean listingFailed;
    private boolean overCap;
    private boolean closed;

    private UdpListener(
            SocketBinder binder,
            int socketsPerGroup,
            InetSocketAddress address,
            @Nullable LocalAddresses localAddresses,
            List<Channel> listenGroup) {
        this.binder = binder;
        this.socketsPerGroup = socketsPerGroup;
        this.address = address;
        this.localAddresses = localAddresses;
        this.listenGroup = listenGroup;
    }

    /**
     * Binds the group for {@code address} (port 0 picks a free port, which every later group
     * shares) and, when {@code localAddresses} is given, a group per local address.
     *
     * @param localAddresses the host's addresses for a wildcard {@code address}, or {@code null}
     *     for the one group
     * @throws TrackerServer.BindException when {@code address} cannot be bound; nothing is left
     *     bound then. A local address that cannot be bound is logged and left to the wildcard group.
     */
    static UdpListener bind(
            InetSocketAddress address,
            int socketsPerGroup,
            @Nullable LocalAddresses localAddresses,
            SocketBinder binder)
            throws InterruptedException {
        List<Channel> group = bindGroup(binder, address, socketsPerGroup);
        int port = ((InetSocketAddress) group.get(0).localAddress()).getPort();
        UdpListener listener = new UdpListener(
                binder, socketsPerGroup, new InetSocketAddress(address.getAddress(), port), localAddresses, group);
        try {
            listener.rescan();
        } catch (InterruptedException | RuntimeException e) {
            listener.close();
            throw e;
        }
        return listener;
    }

    /** The listen address, port resolved. */
    InetSocketAddress address() {
        return address;
    }

    /** The local addresses with a socket group of their own, in the order they were bound. */
    synchronized List<InetAddress> addressGroups() {
        return List.copyOf(addressGroups.keySet());
    }

    /**
     * Brings the address groups in line with the host's addresses now: binds a group for each new
     * one, closes the group of each one gone. Does nothing for a listener on a specific address. When
     * the addresses cannot be read, the groups stay as they are.
     */
    synchronized void rescan() throws InterruptedException {
        LocalAddresses source = localAddresses;
        if (source == null || closed) {
            return;
        }
        List<InetAddress> current;
        try {
            current = source.current();
        } catch (SocketException | RuntimeException e) {
            if (!listingFailed) {
                log.warn("UDP: cannot list the host's addresses, keeping the sockets bound so far: {}", e.toString());
                listingFailed = true;
            }
            return;
        }
        listingFailed = false;
        Set<InetAddress> wanted = wanted(current);
        for (Iterator<Map.Entry<InetAddress, List<Channel>>> it =
                        addressGroups.entrySet().iterator();
                it.hasNext(); ) {
            Map.Entry<InetAddress, List<Channel>> group = it.next();
            if (!wanted.contains(group.getKey())) {
                closeAll(group.getValue(), closeDeadline());
                it.remove();
                log.info("UDP: {} is no longer an address of this host; its sockets are closed", show(group.getKey()));
            }
        }
        for (InetAddress a : wanted) {
            if (addressGroups.containsKey(a)) {
                continue;
            }
            try {
                addressGroups.put(a, bindGroup(binder, new InetSocketAddress(a, address.getPort()), socketsPerGroup));
                unbound.remove(a);
                if (scanned) {
                    log.info("UDP: new address {}: requests to it are answered from it", show(a));
                }
            } catch (TrackerServer.BindException e) {
                if (unbound.add(a)) {
                    log.warn("UDP: replies to {} may leave from another address: {}", show(a), e.getMessage());
                }
            }
        }
        unbound.retainAll(wanted);
        scanned = true;
    }

    /**
     * The addresses to have groups for: unicast, not link-local (the wildcard group answers those;
     * a host may have one per virtual interface), of a family the listen address serves, without an
     * IPv6 scope; those already bound first, so reaching the cap never swaps one for another.
     */
    private Set<InetAddress> wanted(List<InetAddress> current) {
        boolean ipv6 = address.getAddress() instanceof Inet6Address;
        Set<InetAddress> eligible = new LinkedHashSet<>();
        for (InetAddress a : current) {
            if (!a.isAnyLocalAddress()
                    && !a.isMulticastAddress()
                    && !a.isLinkLocalAddress()
                    && (ipv6 || a instanceof Inet4Address)) {
                eligible.add(withoutScope(a));
            }
        }
        Set<InetAddress> wanted = new LinkedHashSet<>();
        for (InetAddress a : addressGroups.keySet()) {
            if (eligible.contains(a)) {
                wanted.add(a);
            }
        }
        for (InetAddress a : eligible) {
            if (wanted.size() == MAX_ADDRESS_GROUPS) {
                break;
            }
            wanted.add(a);
        }
        boolean over = eligible.size() > wanted.size();
        if (over && !overCap) {
            log.warn(
                    "UDP: this host has {} addresses; requests to those beyond the first {} are answered "
                            + "from the address the route back to the client names, not necessarily the one "
                            + "they were sent to (listen on specific addresses to avoid this)",
                    eligible.size(),
                    MAX_ADDRESS_GROUPS);
        }
        overCap = over;
        return wanted;
    }

    private static InetAddress withoutScope(InetAddress a) {
        if (!(a instanceof Inet6Address)) {
            return a;
        }
        try {
            return InetAddress.getByAddress(a.getAddress());
        } catch (UnknownHostException e) {
            throw new AssertionError("16 bytes are an IPv6 address", e);
        }
    }

    private static List<Channel> bindGroup(SocketBinder binder, InetSocketAddress address, int sockets)
            throws InterruptedException {
        List<Channel> group = new ArrayList<>(sockets);
        try {
            InetSocketAddress next = address;
            for (int i = 0; i < sockets; i++) {
                Channel ch = binder.bind(next, i);
                group.add(ch);
                if (i == 0) {
                    next = new InetSocketAddress(
                            address.getAddress(), ((InetSocketAddress) ch.localAddress()).getPort());
                }
            }
            return group;
        } catch (InterruptedException | RuntimeException e) {
            closeAll(group, closeDeadline());
            throw e;
        }
    }

    /** Closes the sockets of {@code group}; false when one had not closed by {@code deadline}. */
    private static boolean closeAll(List<Channel> group, long deadline) {
        boolean done = true;
        for (Channel ch : group) {
            done &= ch.close().awaitUninterruptibly(TrackerServer.millisUntil(deadline));
        }
        return done;
    }

    private static long closeDeadline() {
        return System.nanoTime() + TrackerServer.CLOSE_TIMEOUT.toNanos();
    }

    private static String show(InetAddress a) {
        return NetUtil.toAddressString(a);
    }

    /** Closes every socket of every group; a later {@link #rescan()} does nothing. */
    @Override
    public void close() {
        close(closeDeadline());
    }

    /** As {@link #close()}, waiting until {@code deadline}; false when a socket had not closed by then. */
    synchronized boolean close(long deadline) {
        closed = true;
        boolean done = closeAll(listenGroup, deadline);
        for (List<Channel> group : addressGroups.values()) {
            done &= closeAll(group, deadline);
        }
        addressGroups.clear();
        return done;
    }
}
