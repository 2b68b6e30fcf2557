package org.retracker.protocol;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;

/**
 * One announce, as the HTTP and UDP decoders hand it to the core: a mutable scratch object owned by
 * one event loop and reused for every request it decodes, so that decoding allocates nothing.
 *
 * <p>{@code info_hash} and {@code peer_id} stay raw 20-byte arrays (BEP 3): they are never turned into
 * strings on the hot path. The client address is the one the transport resolved (the socket's source,
 * or a trusted proxy's header); the address a client <em>claims</em> ({@code ip=} or the BEP 15 IP
 * field) is kept apart in {@link #claimedAddress} and used only when the transport trusts the source.
 *
 * <p>Not thread-safe: confined to the event loop that owns it.
 */
public final class AnnounceRequest {
    /** Bytes in an info hash and a peer id (BEP 3: 20-byte SHA-1 / 20-byte id). */
    public static final int ID_LENGTH = 20;
    /** numwant when the client sends none: the core substitutes its configured default. */
    public static final int NUMWANT_DEFAULT = -1;
    /** {@code left} when the client sent none: counted as a leecher, never as a seeder. */
    public static final long LEFT_UNKNOWN = -1;

    public final byte[] infoHash = new byte[ID_LENGTH];
    public final byte[] peerId = new byte[ID_LENGTH];
    /** The client address: 4 bytes (IPv4) or 16 bytes (IPv6) of {@link #address}. */
    public final byte[] address = new byte[16];

    public int addressLength;
    public int port;
    public long uploaded;
    public long downloaded;
    /** Bytes left to download, or {@link #LEFT_UNKNOWN} when the client did not say. */
    public long left;

    public AnnounceEvent event = AnnounceEvent.NONE;
    /** Requested number of peers, or {@link #NUMWANT_DEFAULT}. */
    public int numWant = NUMWANT_DEFAULT;
    /** BEP 23: the client wants the compact peer string. */
    public boolean compact;
    /** BEP 23 {@code no_peer_id} (non-compact only): parsed; replies never carry peer ids anyway. */
    public boolean noPeerId;

    /** An address the client claims for itself (HTTP {@code ip=}, UDP IP field); 0 = none. */
    public final byte[] claimedAddress = new byte[16];

    public int claimedAddressLength;

    /** Clears every field so that a missing parameter never carries over from the last request. */
    public void reset() {
        addressLength = 0;
        port = 0;
        uploaded = 0;
        downloaded = 0;
        left = LEFT_UNKNOWN;
        event = AnnounceEvent.NONE;
        numWant = NUMWANT_DEFAULT;
        compact = false;
        noPeerId = false;
        claimedAddressLength = 0;
    }

    /** True when the client announces as a seeder: nothing left to download. */
    public boolean isSeeder() {
        return left == 0;
    }

    /** Copies a resolved socket address into {@link #address}; IPv4-mapped IPv6 becomes IPv4. */
    public void setAddress(InetAddress inet) {
        addressLength = copyAddress(inet, address);
    }

    /**
     * Copies {@code inet} into {@code dst} as 4 or 16 bytes and returns the length. IPv4-mapped
     * IPv6 addresses ({@code ::ffff:a.b.c.d}, what a dual-stack socket reports for IPv4 clients) are
     * stored as plain IPv4 so that one client is one peer whichever socket it used.
     */
    public static int copyAddress(InetAddress inet, byte[] dst) {
        if (inet instanceof Inet4Address) {
            byte[] raw = inet.getAddress();
            System.arraycopy(raw, 0, dst, 0, 4);
            return 4;
        }
        byte[] raw = Inet6Bytes.of((Inet6Address) inet); // read only: it may be the address's own
        if (isIpv4Mapped(raw)) {
            System.arraycopy(raw, 12, dst, 0, 4);
            return 4;
        }
        System.arraycopy(raw, 0, dst, 0, 16);
        return 16;
    }

    /** True for {@code ::ffff:0:0/96}. */
    public static boolean isIpv4Mapped(byte[] v6) {
        for (int i = 0; i < 10; i++) {
            if (v6[i] != 0) {
                return false;
            }
        }
        return v6[10] == (byte) 0xff && v6[11] == (byte) 0xff;
    }

    /** Moves the claimed address into the client address (only for trusted sources). */
    public void useClaimedAddress() {
        if (claimedAddressLength != 0) {
            System.arraycopy(claimedAddress, 0, address, 0, claimedAddressLength);
            addressLength = claimedAddressLength;
        }
    }
}
