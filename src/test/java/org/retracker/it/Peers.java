package org.retracker.it;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Decodes compact peer strings: 6 bytes per IPv4 peer (BEP 23), 18 per IPv6 peer (BEP 7). */
final class Peers {
    private Peers() {}

    static List<InetSocketAddress> compact(byte[] raw, int peerBytes) {
        if (raw.length % peerBytes != 0) {
            throw new AssertionError(raw.length + " bytes is not a whole number of " + peerBytes + "-byte peers");
        }
        int addressBytes = peerBytes - 2;
        List<InetSocketAddress> peers = new ArrayList<>();
        for (int off = 0; off < raw.length; off += peerBytes) {
            byte[] address = Arrays.copyOfRange(raw, off, off + addressBytes);
            int port = (raw[off + addressBytes] & 0xff) << 8 | (raw[off + addressBytes + 1] & 0xff);
            try {
                peers.add(new InetSocketAddress(InetAddress.getByAddress(address), port));
            } catch (UnknownHostException e) {
                throw new AssertionError(e);
            }
        }
        return peers;
    }

    static List<InetSocketAddress> compact4(byte[] raw) {
        return compact(raw, 6);
    }

    static List<InetSocketAddress> compact6(byte[] raw) {
        return compact(raw, 18);
    }
}
