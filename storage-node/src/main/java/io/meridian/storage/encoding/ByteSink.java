package io.meridian.storage.encoding;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * A growable little-endian byte buffer with varint helpers. Single-threaded; reused by its owner
 * (a flush, a WAL batch) to avoid per-block allocation.
 */
public final class ByteSink {
    private static final VarHandle LONG_LE =
            MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle INT_LE = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);

    private byte[] buf;
    private int size;

    public ByteSink(int initialCapacity) {
        buf = new byte[Math.max(16, initialCapacity)];
    }

    public ByteSink() {
        this(256);
    }

    public void clear() {
        size = 0;
    }

    /** Clears, and drops the backing array if it grew beyond {@code maxRetainedBytes} (after a rare huge batch). */
    public void clearAndTrim(int maxRetainedBytes) {
        size = 0;
        if (buf.length > maxRetainedBytes) {
            buf = new byte[maxRetainedBytes];
        }
    }

    public int size() {
        return size;
    }

    /** Drops everything after the first {@code newSize} bytes. */
    public void truncate(int newSize) {
        if (newSize < 0 || newSize > size) {
            throw new IllegalArgumentException("cannot truncate to " + newSize + " bytes; size is " + size);
        }
        size = newSize;
    }

    public byte[] array() {
        return buf;
    }

    public byte[] toArray() {
        return Arrays.copyOf(buf, size);
    }

    private void ensure(int extra) {
        if (size + extra > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, size + extra));
        }
    }

    public ByteSink put(byte b) {
        ensure(1);
        buf[size++] = b;
        return this;
    }

    public ByteSink put(byte[] b) {
        return put(b, 0, b.length);
    }

    public ByteSink put(byte[] b, int off, int len) {
        ensure(len);
        System.arraycopy(b, off, buf, size, len);
        size += len;
        return this;
    }

    public ByteSink putShort(int v) {
        ensure(2);
        buf[size++] = (byte) v;
        buf[size++] = (byte) (v >>> 8);
        return this;
    }

    public ByteSink putInt(int v) {
        ensure(4);
        setInt(size, v);
        size += 4;
        return this;
    }

    public ByteSink putLong(long v) {
        ensure(8);
        LONG_LE.set(buf, size, v);
        size += 8;
        return this;
    }

    /** Appends {@code n} doubles as little-endian IEEE 754 bits (one bulk ensure; the WAL's hot loop). */
    public ByteSink putDoubles(double[] values, int n) {
        ensure(8 * n);
        for (int i = 0; i < n; i++) {
            LONG_LE.set(buf, size, Double.doubleToRawLongBits(values[i]));
            size += 8;
        }
        return this;
    }

    public ByteSink putDouble(double v) {
        return putLong(Double.doubleToRawLongBits(v));
    }

    /** Unsigned LEB128 varint. */
    public ByteSink putVarLong(long v) {
        ensure(10);
        while ((v & ~0x7FL) != 0) {
            buf[size++] = (byte) ((v & 0x7F) | 0x80);
            v >>>= 7;
        }
        buf[size++] = (byte) v;
        return this;
    }

    public ByteSink putVarInt(int v) {
        return putVarLong(v & 0xFFFFFFFFL);
    }

    /** ZigZag then varint: small magnitudes of either sign take few bytes. */
    public ByteSink putZigZag(long v) {
        return putVarLong((v << 1) ^ (v >> 63));
    }

    /** Overwrites 4 bytes at {@code pos} (for length or checksum fields written after their content). */
    public void setInt(int pos, int v) {
        INT_LE.set(buf, pos, v);
    }
}
