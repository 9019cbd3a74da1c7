package io.meridian.common.lineprotocol;

import java.util.Arrays;
import java.util.List;

/**
 * One good line as the visitor sees it: measurement, tags in line order, numeric fields in line order and
 * the timestamp in ms. Every slice and array is reused for the next line (no allocation per line or field
 * once the arrays have grown to the widest line), so copy out what must be kept. Not thread-safe.
 */
public final class LineView {
    private static final int INITIAL_CAPACITY = 16;

    private final Utf8Slice measurement = new Utf8Slice();
    private Utf8Slice[] tagKeys = slices(INITIAL_CAPACITY);
    private Utf8Slice[] tagValues = slices(INITIAL_CAPACITY);
    private Utf8Slice[] fieldKeys = slices(INITIAL_CAPACITY);
    private FieldKind[] fieldKinds = new FieldKind[INITIAL_CAPACITY];
    private double[] fieldValues = new double[INITIAL_CAPACITY];
    private long[] fieldLongs = new long[INITIAL_CAPACITY];
    private int tagCount;
    private int fieldCount;
    private int lineNumber;
    private long timestampMs;
    private boolean hasTimestamp;

    /** 1-based line number in the body. */
    public int lineNumber() {
        return lineNumber;
    }

    public Utf8Slice measurement() {
        return measurement;
    }

    public int tagCount() {
        return tagCount;
    }

    public Utf8Slice tagKey(int i) {
        return tagKeys[checkTag(i)];
    }

    public Utf8Slice tagValue(int i) {
        return tagValues[checkTag(i)];
    }

    public int fieldCount() {
        return fieldCount;
    }

    public Utf8Slice fieldKey(int i) {
        return fieldKeys[checkField(i)];
    }

    public FieldKind fieldKind(int i) {
        return fieldKinds[checkField(i)];
    }

    /** The value as Meridian stores it: floats as is, integers and unsigned converted, booleans 1 or 0. */
    public double fieldValue(int i) {
        return fieldValues[checkField(i)];
    }

    /**
     * The exact integer for {@link FieldKind#INTEGER}, the raw 64 bits for {@link FieldKind#UNSIGNED}
     * ({@link Long#toUnsignedString}), 1 or 0 for {@link FieldKind#BOOLEAN}, 0 for floats.
     */
    public long fieldLong(int i) {
        return fieldLongs[checkField(i)];
    }

    /** The line's timestamp in ms, or the caller's default time when the line had none. */
    public long timestampMs() {
        return timestampMs;
    }

    /** Whether the line carried its own timestamp. */
    public boolean hasTimestamp() {
        return hasTimestamp;
    }

    private static final byte[] NO_BYTES = new byte[0];

    /**
     * Drops the references to the last parsed body: the slices point into it, and a parser kept per thread would
     * otherwise hold every worker's last body (megabytes each) for as long as the thread lives.
     */
    void release() {
        measurement.set(NO_BYTES, 0, 0);
        for (Utf8Slice[] slots : List.of(tagKeys, tagValues, fieldKeys)) {
            for (Utf8Slice slot : slots) {
                if (slot != null) {
                    slot.set(NO_BYTES, 0, 0);
                }
            }
        }
    }

    void reset(int line) {
        lineNumber = line;
        tagCount = 0;
        fieldCount = 0;
        hasTimestamp = false;
    }

    Utf8Slice measurementSlot() {
        return measurement;
    }

    /** Grows if needed and returns the index of a new tag, whose slices the parser fills. */
    int addTag() {
        if (tagCount == tagKeys.length) {
            tagKeys = grow(tagKeys);
            tagValues = grow(tagValues);
        }
        return tagCount++;
    }

    Utf8Slice tagKeySlot(int i) {
        return tagKeys[i];
    }

    Utf8Slice tagValueSlot(int i) {
        return tagValues[i];
    }

    /** The key slot of the next field, growing the arrays if needed; {@link #commitField} adds it. */
    Utf8Slice nextFieldKeySlot() {
        if (fieldCount == fieldKeys.length) {
            fieldKeys = grow(fieldKeys);
            fieldKinds = Arrays.copyOf(fieldKinds, fieldKinds.length * 2);
            fieldValues = Arrays.copyOf(fieldValues, fieldValues.length * 2);
            fieldLongs = Arrays.copyOf(fieldLongs, fieldLongs.length * 2);
        }
        return fieldKeys[fieldCount];
    }

    void commitField(FieldKind kind, double value, long longValue) {
        fieldKinds[fieldCount] = kind;
        fieldValues[fieldCount] = value;
        fieldLongs[fieldCount] = longValue;
        fieldCount++;
    }

    Utf8Slice fieldKeySlot(int i) {
        return fieldKeys[i];
    }

    void timestamp(long ms, boolean own) {
        timestampMs = ms;
        hasTimestamp = own;
    }

    private int checkTag(int i) {
        if (i < 0 || i >= tagCount) {
            throw new IndexOutOfBoundsException("tag " + i + " out of [0, " + tagCount + ")");
        }
        return i;
    }

    private int checkField(int i) {
        if (i < 0 || i >= fieldCount) {
            throw new IndexOutOfBoundsException("field " + i + " out of [0, " + fieldCount + ")");
        }
        return i;
    }

    private static Utf8Slice[] grow(Utf8Slice[] a) {
        Utf8Slice[] g = Arrays.copyOf(a, a.length * 2);
        for (int i = a.length; i < g.length; i++) {
            g[i] = new Utf8Slice();
        }
        return g;
    }

    private static Utf8Slice[] slices(int n) {
        Utf8Slice[] a = new Utf8Slice[n];
        for (int i = 0; i < n; i++) {
            a[i] = new Utf8Slice();
        }
        return a;
    }
}
