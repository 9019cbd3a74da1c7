package io.meridian.common.lineprotocol;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A mutable view of UTF-8 bytes (already unescaped) inside someone else's array: the request body, or the
 * parser's scratch buffer when the token had escapes. Reused from line to line, so it is only valid during
 * {@link LineVisitor#line}; {@link #toString()} and {@link #toByteArray()} copy it out. Not thread-safe.
 */
public final class Utf8Slice {
    private byte[] array;
    private int offset;
    private int length;

    public Utf8Slice() {
        this.array = new byte[0];
    }

    void set(byte[] array, int offset, int length) {
        this.array = array;
        this.offset = offset;
        this.length = length;
    }

    /** The backing array; the slice is {@code array()[offset() .. offset() + length())}. */
    public byte[] array() {
        return array;
    }

    public int offset() {
        return offset;
    }

    public int length() {
        return length;
    }

    public byte byteAt(int index) {
        if (index < 0 || index >= length) {
            throw new IndexOutOfBoundsException("index " + index + " out of [0, " + length + ")");
        }
        return array[offset + index];
    }

    /** Whether the bytes equal those of {@code other}. */
    public boolean contentEquals(Utf8Slice other) {
        if (length != other.length) {
            return false;
        }
        if (length == 0) {
            return true;
        }
        // cheap rejects first: names in a line often share a prefix (usage_user, usage_idle, ...)
        int last = length - 1;
        if (array[offset + last] != other.array[other.offset + last] || array[offset] != other.array[other.offset]) {
            return false;
        }
        return Arrays.equals(array, offset, offset + length, other.array, other.offset, other.offset + other.length);
    }

    /** Whether the bytes are the UTF-8 encoding of {@code s}; no allocation when both are ASCII. */
    public boolean contentEquals(String s) {
        if (s.length() == length) {
            for (int i = 0; i < length; i++) {
                char c = s.charAt(i);
                byte b = array[offset + i];
                if (c >= 0x80 || b < 0) {
                    return toString().equals(s);
                }
                if (c != b) {
                    return false;
                }
            }
            return true;
        }
        return toString().equals(s);
    }

    /** A copy of the bytes. */
    public byte[] toByteArray() {
        return Arrays.copyOfRange(array, offset, offset + length);
    }

    /** A slice over a private copy, safe to keep after the visit. */
    public Utf8Slice copy() {
        Utf8Slice c = new Utf8Slice();
        c.set(toByteArray(), 0, length);
        return c;
    }

    /** Decodes the bytes (this allocates). */
    @Override
    public String toString() {
        return new String(array, offset, length, StandardCharsets.UTF_8);
    }
}
