package io.meridian.storage.encoding;

import io.meridian.common.error.CorruptDataException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * A bounds-checked little-endian reader over a byte range. Every read past the end, and every varint
 * that does not terminate, throws {@link CorruptDataException} naming the source and the offset, so
 * adversarial bytes never crash the process or loop forever.
 */
public final class ByteSource {
    private static final VarHandle LONG_LE =
            MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private final byte[] buf;
    private final int end;
    private final String source;
    private final long baseOffset;
    private int pos;

    public ByteSource(byte[] buf, int off, int len, String source, long baseOffset) {
        if (off < 0 || len < 0 || off + len > buf.length) {
            throw new CorruptDataException(
                    source, baseOffset, "range out of bounds [off=" + off + ", len=" + len + "]");
        }
        this.buf = buf;
        this.pos = off;
        this.end = off + len;
        this.source = source;
        this.baseOffset = baseOffset - off;
    }

    public ByteSource(byte[] buf, String source) {
        this(buf, 0, buf.length, source, 0);
    }

    public int position() {
        return pos;
    }

    public int remaining() {
        return end - pos;
    }

    public boolean hasRemaining() {
        return pos < end;
    }

    public byte[] array() {
        return buf;
    }

    public String source() {
        return source;
    }

    public CorruptDataException corrupt(String reason) {
        return new CorruptDataException(source, baseOffset + pos, reason);
    }

    private void need(int n) {
        if (n < 0 || end - pos < n) {
            throw corrupt("truncated: need " + n + " bytes, have " + (end - pos));
        }
    }

    public byte get() {
        need(1);
        return buf[pos++];
    }

    public int getUnsignedByte() {
        return get() & 0xFF;
    }

    public int getShort() {
        need(2);
        int v = (buf[pos] & 0xFF) | ((buf[pos + 1] & 0xFF) << 8);
        pos += 2;
        return v;
    }

    public int getInt() {
        need(4);
        int v = (buf[pos] & 0xFF)
                | ((buf[pos + 1] & 0xFF) << 8)
                | ((buf[pos + 2] & 0xFF) << 16)
                | ((buf[pos + 3] & 0xFF) << 24);
        pos += 4;
        return v;
    }

    public long getLong() {
        need(8);
        long v = (long) LONG_LE.get(buf, pos);
        pos += 8;
        return v;
    }

    public double getDouble() {
        return Double.longBitsToDouble(getLong());
    }

    public long getVarLong() {
        long v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            need(1);
            byte b = buf[pos++];
            v |= (long) (b & 0x7F) << shift;
            if (b >= 0) {
                return v;
            }
        }
        throw corrupt("varint longer than 10 bytes");
    }

    /** Skips {@code count} varints (each at most 10 bytes, as {@link #getVarLong} reads them). */
    public void skipVarLongs(int count) {
        for (int i = 0; i < count; i++) {
            int length = 1;
            while (true) {
                need(1);
                if (buf[pos++] >= 0) {
                    break;
                }
                if (++length > 10) {
                    throw corrupt("varint longer than 10 bytes");
                }
            }
        }
    }

    /** A varint that must fit a non-negative int no larger than {@code max}. */
    public int getVarInt(int max, String what) {
        long v = getVarLong();
        if (v < 0 || v > max) {
            throw corrupt(what + " out of range: got " + v + "; want 0.." + max);
        }
        return (int) v;
    }

    public long getZigZag() {
        long v = getVarLong();
        return (v >>> 1) ^ -(v & 1);
    }

    public void getBytes(byte[] dst, int off, int len) {
        need(len);
        System.arraycopy(buf, pos, dst, off, len);
        pos += len;
    }

    public void skip(int n) {
        need(n);
        pos += n;
    }
}
