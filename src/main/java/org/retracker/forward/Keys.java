package org.retracker.forward;

import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/**
 * Map keys over raw bytes. Event loops look up with a reusable probe per thread and copy a key only
 * when they insert, so a lookup allocates nothing.
 */
final class Keys {
    private Keys() {}

    /** A 20-byte {@code info_hash}. */
    static final class InfoHash {
        final byte[] bytes = new byte[20];
        private int hash;

        InfoHash set(byte[] src) {
            return set(src, 0);
        }

        InfoHash set(byte[] src, int offset) {
            System.arraycopy(src, offset, bytes, 0, 20);
            hash = Arrays.hashCode(bytes);
            return this;
        }

        InfoHash copy() {
            return new InfoHash().set(bytes);
        }

        @Override
        public boolean equals(@Nullable Object o) {
            return o instanceof InfoHash other && Arrays.equals(bytes, other.bytes);
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }

    /** A local peer: address (4 or 16 bytes) and port, the swarm store's identity of a peer. */
    static final class Peer {
        final byte[] address = new byte[16];
        int addressLength;
        int port;
        private int hash;

        Peer set(byte[] src, int length, int p) {
            System.arraycopy(src, 0, address, 0, length);
            Arrays.fill(address, length, 16, (byte) 0);
            addressLength = length;
            port = p;
            hash = Arrays.hashCode(address) * 31 + p * 3 + length;
            return this;
        }

        Peer copy() {
            return new Peer().set(address, addressLength, port);
        }

        @Override
        public boolean equals(@Nullable Object o) {
            return o instanceof Peer other
                    && port == other.port
                    && addressLength == other.addressLength
                    && Arrays.equals(address, other.address);
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }
}
