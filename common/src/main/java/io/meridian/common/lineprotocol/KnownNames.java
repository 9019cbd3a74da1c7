package io.meridian.common.lineprotocol;

import java.util.Arrays;

/**
 * The names of the last good line of the body being parsed (measurement, tag keys, field keys, by position), so
 * that a line written like the one before it has its names compared rather than checked: a tag key byte-equal to
 * the key at the same position of that line, with every key before it equal too, is a valid name unlike the keys
 * before it, because that line's were. Writers repeat the same names in the same order on every line (Telegraf,
 * TSBS, client libraries), which turns the checks and the pairwise duplicate search into one comparison a name.
 *
 * <p>Names are remembered as offsets into the body, and only those that are plain slices of it (an escaped name
 * is unescaped elsewhere and is checked every time). {@link #forget()} at the start of every body. Not
 * thread-safe: one per parser.
 */
final class KnownNames {
    private int measurementOff = -1;
    private int measurementLen;
    private int[] tagOff = new int[16];
    private int[] tagLen = new int[16];
    private int tagCount = -1;
    private int[] fieldOff = new int[16];
    private int[] fieldLen = new int[16];
    private int fieldCount = -1;
    /** Every tag key (field key) of the current line so far equals the last good line's at its position. */
    private boolean tagsSame;

    private boolean fieldsSame;

    /** A new body: nothing is known. */
    void forget() {
        measurementOff = -1;
        tagCount = -1;
        fieldCount = -1;
    }

    void newLine() {
        tagsSame = true;
        fieldsSame = true;
    }

    /** Whether the measurement is the last good line's. */
    boolean measurement(byte[] body, Utf8Slice name) {
        return measurementOff >= 0 && same(body, measurementOff, measurementLen, name);
    }

    /** Whether tag key {@code t} is known valid and unlike the keys before it (see the class comment). */
    boolean tagKey(byte[] body, int t, Utf8Slice key) {
        tagsSame = tagsSame && t < tagCount && tagOff[t] >= 0 && same(body, tagOff[t], tagLen[t], key);
        return tagsSame;
    }

    /** Whether field key {@code f} (in the order of the line's numeric fields) is known valid and unlike those before. */
    boolean fieldKey(byte[] body, int f, Utf8Slice key) {
        fieldsSame = fieldsSame && f < fieldCount && fieldOff[f] >= 0 && same(body, fieldOff[f], fieldLen[f], key);
        return fieldsSame;
    }

    /** Remembers the names of a good line of {@code body}. */
    void remember(byte[] body, LineView line) {
        Utf8Slice m = line.measurement();
        measurementOff = m.array() == body ? m.offset() : -1;
        measurementLen = m.length();
        tagCount = line.tagCount();
        tagOff = grown(tagOff, tagCount);
        tagLen = grown(tagLen, tagCount);
        for (int t = 0; t < tagCount; t++) {
            remember(body, line.tagKeySlot(t), tagOff, tagLen, t);
        }
        fieldCount = line.fieldCount();
        fieldOff = grown(fieldOff, fieldCount);
        fieldLen = grown(fieldLen, fieldCount);
        for (int f = 0; f < fieldCount; f++) {
            remember(body, line.fieldKeySlot(f), fieldOff, fieldLen, f);
        }
    }

    /** Name {@code i} as an offset into {@code body} and a length; offset -1 when it is not a plain slice of it. */
    private static void remember(byte[] body, Utf8Slice name, int[] off, int[] len, int i) {
        off[i] = name.array() == body ? name.offset() : -1;
        len[i] = name.length();
    }

    private static int[] grown(int[] a, int n) {
        return a.length < n ? Arrays.copyOf(a, n) : a;
    }

    /** Whether {@code name} is a plain slice of {@code body} equal to {@code body[off, off + len)}. */
    private static boolean same(byte[] body, int off, int len, Utf8Slice name) {
        return name.array() == body
                && name.length() == len
                && Arrays.equals(body, off, off + len, body, name.offset(), name.offset() + len);
    }
}
