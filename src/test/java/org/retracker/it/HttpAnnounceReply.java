package org.retracker.it;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/** A successful HTTP announce body, decoded. */
record HttpAnnounceReply(Map<String, Object> dict) {
    long interval() {
        return Bdecode.number(dict, "interval");
    }

    long minInterval() {
        return Bdecode.number(dict, "min interval");
    }

    long complete() {
        return Bdecode.number(dict, "complete");
    }

    long incomplete() {
        return Bdecode.number(dict, "incomplete");
    }

    boolean has(String key) {
        return dict.containsKey(key);
    }

    /** BEP 23 {@code peers}: must be a compact string. */
    List<InetSocketAddress> peers4() {
        return Peers.compact4(Bdecode.bytes(dict, "peers"));
    }

    /** BEP 7 {@code peers6}, or none when the key is absent. */
    List<InetSocketAddress> peers6() {
        return has("peers6") ? Peers.compact6(Bdecode.bytes(dict, "peers6")) : List.of();
    }

    /** Every peer of a compact reply, IPv4 then IPv6. */
    List<InetSocketAddress> compactPeers() {
        List<InetSocketAddress> all = new ArrayList<>(peers4());
        all.addAll(peers6());
        return all;
    }

    /** BEP 3 non-compact {@code peers}: a list of dictionaries. */
    List<PeerDict> peerDicts() {
        List<PeerDict> out = new ArrayList<>();
        for (Object o : Bdecode.list(dict, "peers")) {
            if (!(o instanceof Map<?, ?> m)) {
                throw new AssertionError("peer is not a dictionary: " + o);
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> peer = (Map<String, Object>) m;
            byte[] id = peer.containsKey("peer id") ? Bdecode.bytes(peer, "peer id") : null;
            out.add(new PeerDict(
                    Loopback.address(Bdecode.string(peer, "ip")),
                    (int) Bdecode.number(peer, "port"),
                    id,
                    peer.keySet()));
        }
        return out;
    }

    /** One non-compact peer; {@code peerId} is null when the dictionary had none. */
    @SuppressWarnings("ArrayRecordComponent") // a value to read, never compared or hashed as a whole
    record PeerDict(InetAddress ip, int port, byte @Nullable [] peerId, Set<String> keys) {
        InetSocketAddress socketAddress() {
            return new InetSocketAddress(ip, port);
        }
    }
}
