package io.meridian.common.model;

import io.meridian.common.error.InvalidInputException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The parts of a series key's canonical bytes ({@link SeriesKey}: {@code metric 0x00 k1 0x00 v1 ...}, tags in key
 * order): what a reader of {@code SeriesRows.key} (storage.proto revision 10) gets back. Only the layout is checked
 * here; the names and values are checked by whoever checks a key's names ({@code BatchRules}).
 */
public record CanonicalKeyParts(String metric, String[] keys, String[] values) {
    private static final String[] NONE = new String[0];

    /**
     * @throws InvalidInputException when the bytes are not a canonical key: empty, an odd number of parts (a key
     *                               without its value), or tag keys that are not strictly ascending (one series,
     *                               one key)
     */
    public static CanonicalKeyParts of(byte[] canonical) {
        if (canonical.length == 0) {
            throw new InvalidInputException("malformed series key: empty");
        }
        int separators = separators(canonical);
        if (separators % 2 != 0) {
            throw new InvalidInputException("malformed series key [key=" + printable(canonical) + "]: "
                    + (separators + 1) + " parts; want the metric, then a key and a value per tag");
        }
        int tags = separators / 2;
        String[] keys = tags == 0 ? NONE : new String[tags];
        String[] values = tags == 0 ? NONE : new String[tags];
        int end = next(canonical, 0);
        String metric = text(canonical, 0, end);
        for (int t = 0; t < tags; t++) {
            int keyEnd = next(canonical, end + 1);
            keys[t] = text(canonical, end + 1, keyEnd);
            end = next(canonical, keyEnd + 1);
            values[t] = text(canonical, keyEnd + 1, end);
            if (t > 0 && keys[t - 1].compareTo(keys[t]) >= 0) {
                throw new InvalidInputException("malformed series key [key=" + printable(canonical) + "]: tag keys "
                        + keys[t - 1] + " and " + keys[t] + " are not in strictly ascending order");
            }
        }
        return new CanonicalKeyParts(metric, keys, values);
    }

    /** The number of tags of a canonical key: half its separators. */
    public static int tagCount(byte[] canonical) {
        return separators(canonical) / 2;
    }

    /** The length of the metric, the bytes before the first separator (looked for eight bytes at a time). */
    public static int metricLength(byte[] canonical) {
        int i = 0;
        for (; i + Long.BYTES <= canonical.length; i += Long.BYTES) {
            long zeros = zeroBytes((long) LONGS.get(canonical, i));
            if (zeros != 0) {
                return i + Long.numberOfTrailingZeros(zeros) / Byte.SIZE; // little-endian: the first byte is lowest
            }
        }
        return next(canonical, i);
    }

    /** Whether {@code name} is one of the key's tag keys, read from the bytes without building the parts. */
    public static boolean hasTagKey(byte[] canonical, String name) {
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        int at = next(canonical, 0);
        while (at < canonical.length) {
            int keyEnd = next(canonical, at + 1);
            if (keyEnd - at - 1 == n.length && Arrays.equals(canonical, at + 1, keyEnd, n, 0, n.length)) {
                return true;
            }
            at = next(canonical, keyEnd + 1);
        }
        return false;
    }

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long LOW_SEVEN_BITS = 0x7f7f7f7f7f7f7f7fL;

    /**
     * The high bit of each byte of {@code w} that is 0, and no other bit: a byte is 0 exactly when neither its own high
     * bit nor the carry of adding 0x7f to its low seven bits is set (no carry crosses into the next byte).
     */
    private static long zeroBytes(long w) {
        return ~(((w & LOW_SEVEN_BITS) + LOW_SEVEN_BITS) | w) & ~LOW_SEVEN_BITS;
    }

    /** The separators (NUL bytes) of a key, counted eight at a time. */
    public static int separators(byte[] canonical) {
        int count = 0;
        int i = 0;
        for (; i + Long.BYTES <= canonical.length; i += Long.BYTES) {
            count += Long.bitCount(zeroBytes((long) LONGS.get(canonical, i)));
        }
        for (; i < canonical.length; i++) {
            count += canonical[i] == SeriesKey.SEPARATOR ? 1 : 0;
        }
        return count;
    }

    /** The position of the next separator at or after {@code from}, or the length. */
    private static int next(byte[] canonical, int from) {
        int i = from;
        while (i < canonical.length && canonical[i] != SeriesKey.SEPARATOR) {
            i++;
        }
        return i;
    }

    private static String text(byte[] canonical, int from, int to) {
        return new String(canonical, from, to - from, StandardCharsets.UTF_8);
    }

    /** The key as {@code SeriesKey} prints one, for messages (separators shown as commas and equals signs). */
    private static String printable(byte[] canonical) {
        StringBuilder sb = new StringBuilder();
        int part = 0;
        int from = 0;
        for (int i = 0; i <= canonical.length; i++) {
            if (i == canonical.length || canonical[i] == SeriesKey.SEPARATOR) {
                sb.append(part == 0 ? "" : part % 2 == 1 ? "," : "=").append(text(canonical, from, i));
                part++;
                from = i + 1;
            }
        }
        String s = sb.toString();
        return s.length() <= 200 ? s : s.substring(0, 197) + "...";
    }
}
