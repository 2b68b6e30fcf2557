package org.retracker.protocol;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.Inet6Address;
import org.jspecify.annotations.Nullable;

/**
 * The 16 bytes of an {@link Inet6Address} without the copy {@link Inet6Address#getAddress()} makes
 * of them: 32 bytes of garbage per IPv6 request otherwise, which C2 does not scalar-replace (an
 * array {@code clone()} is not eliminated even when it never escapes; see {@code UdpBenchmark}).
 *
 * <p>Reads the JDK's private {@code holder6.ipaddress} array through two {@link VarHandle}s when
 * {@code java.base} opens {@code java.net} to us: the jar's manifest does ({@code Add-Opens}), as do
 * the test and JMH JVM flags. Anywhere else, or should a JDK rename the fields, it falls back to
 * {@code getAddress()}: same bytes, one allocation. {@link #DIRECT} says which.
 *
 * <p>The array returned by {@link #of} may be the address's own: read it, never write it.
 */
final class Inet6Bytes {
    private static final @Nullable VarHandle HOLDER;
    private static final @Nullable VarHandle ADDRESS;
    /** True when {@link #of} reads the address's own array rather than a copy. */
    static final boolean DIRECT;

    static {
        VarHandle holder = null;
        VarHandle address = null;
        try {
            MethodHandles.Lookup inet6 = MethodHandles.privateLookupIn(Inet6Address.class, MethodHandles.lookup());
            Class<?> holderClass = inet6.findClass("java.net.Inet6Address$Inet6AddressHolder");
            holder = inet6.findVarHandle(Inet6Address.class, "holder6", holderClass);
            address = MethodHandles.privateLookupIn(holderClass, MethodHandles.lookup())
                    .findVarHandle(holderClass, "ipaddress", byte[].class);
        } catch (ReflectiveOperationException | RuntimeException notOpen) {
            // IllegalAccessException / InaccessibleObjectException without the Add-Opens,
            // NoSuchFieldException on a JDK that lays Inet6Address out differently
            holder = null;
            address = null;
        }
        HOLDER = holder;
        ADDRESS = address;
        DIRECT = holder != null && address != null;
    }

    private Inet6Bytes() {}

    /** The address's 16 bytes; do not modify the array. */
    static byte[] of(Inet6Address inet) {
        VarHandle holder = HOLDER; // static finals: C2 folds these checks away
        VarHandle address = ADDRESS;
        if (holder != null && address != null) {
            byte[] raw = (byte[]) address.get(holder.get(inet));
            if (raw != null && raw.length == 16) {
                return raw;
            }
        }
        return inet.getAddress();
    }
}
