package io.meridian.common.model;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * The in-memory hash of a byte range for the maps that find a series by its bytes (label sets on the broker,
 * canonical keys on a storage node): a multiplicative hash read eight bytes at a time. A key is some 50-150 bytes,
 * which {@code Arrays.hashCode}'s byte-at-a-time polynomial walks in one long chain of multiplications on every
 * sample.
 *
 * <p>Only for hash tables of one process: it is not stable across versions and never written anywhere. Data
 * placement uses {@link SeriesHash}.
 */
public final class ByteRangeHash {
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long MIX = 0x9E3779B97F4A7C15L;

    private ByteRangeHash() {}

    /** The hash of {@code bytes[off, off + len)}: every byte counts, and only those. */
    public static int of(byte[] bytes, int off, int len) {
        long h = len;
        int i = off;
        int end = off + len;
        for (; i + Long.BYTES <= end; i += Long.BYTES) {
            h = (h ^ (long) LONGS.get(bytes, i)) * MIX;
            h ^= h >>> 29;
        }
        for (; i < end; i++) {
            h = (h ^ bytes[i]) * MIX;
        }
        h ^= h >>> 32;
        return (int) h;
    }

    /** The hash of all of {@code bytes}. */
    public static int of(byte[] bytes) {
        return of(bytes, 0, bytes.length);
    }
}
