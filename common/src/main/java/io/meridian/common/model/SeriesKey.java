package io.meridian.common.model;

import io.meridian.common.error.InvalidInputException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.IntFunction;

/**
 * A series: a metric plus one full tag set. The canonical form sorts tags by key; its bytes are
 * {@code metric 0x00 key1 0x00 value1 0x00 key2 0x00 value2 ...} in UTF-8 (no trailing separator).
 * Canonical bytes are what the series dictionary stores and what {@link SeriesHash} hashes; both are
 * stable across versions.
 */
public record SeriesKey(String metric, SortedMap<String, String> tags) {
    public static final byte SEPARATOR = 0;

    public SeriesKey {
        Names.requireValid("metric", metric);
        TreeMap<String, String> copy = new TreeMap<>();
        for (Map.Entry<String, String> e : tags.entrySet()) {
            Names.requireValid("tag", e.getKey());
            Names.requireValidTagValue(e.getKey(), e.getValue());
            copy.put(e.getKey(), e.getValue());
        }
        tags = Collections.unmodifiableSortedMap(copy);
    }

    public static SeriesKey of(String metric, Map<String, String> tags) {
        // the constructor copies into its own sorted map: a sorted one need not be copied first
        return new SeriesKey(metric, tags instanceof SortedMap<String, String> sorted ? sorted : new TreeMap<>(tags));
    }

    /** Convenience: {@code of("cpu", "host", "a", "dc", "x")}. */
    public static SeriesKey of(String metric, String... keyValues) {
        if (keyValues.length % 2 != 0) {
            throw new InvalidInputException("tags must come in key/value pairs [metric=" + metric + "]");
        }
        TreeMap<String, String> t = new TreeMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            t.put(keyValues[i], keyValues[i + 1]);
        }
        return new SeriesKey(metric, t);
    }

    public byte[] canonicalBytes() {
        StringBuilder sb = new StringBuilder(metric);
        tags.forEach((k, v) -> appendTag(sb, k, v));
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    /**
     * The canonical form (before UTF-8) of {@code metric} with {@code count} tags given in key order: for a caller
     * that has the tags in arrays and no {@code SeriesKey} (the remote-write batcher, one per sample).
     */
    public static String canonicalText(String metric, int count, IntFunction<String> key, IntFunction<String> value) {
        StringBuilder sb = new StringBuilder(metric.length() + 16 * count).append(metric);
        for (int t = 0; t < count; t++) {
            appendTag(sb, key.apply(t), value.apply(t));
        }
        return sb.toString();
    }

    /** The canonical bytes of {@code metric} with the tags of two parallel arrays in key order. */
    public static byte[] canonicalBytes(String metric, String[] keys, String[] values) {
        int length = metric.length();
        for (int t = 0; t < keys.length; t++) {
            length += 2 + keys[t].length() + values[t].length();
        }
        byte[] out = new byte[length];
        int at = ascii(metric, out, 0);
        for (int t = 0; t < keys.length && at >= 0; t++) {
            out[at++] = SEPARATOR;
            at = ascii(keys[t], out, at);
            if (at >= 0) {
                out[at++] = SEPARATOR;
                at = ascii(values[t], out, at);
            }
        }
        // names are ASCII; a value that is not is written as UTF-8 by the general path
        return at >= 0
                ? out
                : canonicalText(metric, keys.length, t -> keys[t], t -> values[t])
                        .getBytes(StandardCharsets.UTF_8);
    }

    /** Writes {@code s} at {@code at} when it is ASCII (its UTF-8 bytes are its chars); returns the end, or -1. */
    private static int ascii(String s, byte[] out, int at) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c >= 0x80) {
                return -1;
            }
            out[at++] = (byte) c;
        }
        return at;
    }

    /**
     * Sorts parallel tag arrays by key, in place; a no-op for sorted ones (the usual case: brokers send tags sorted).
     * Keys must be unique.
     */
    public static void sortTags(String[] keys, String[] values) {
        for (int i = 1; i < keys.length; i++) {
            String k = keys[i];
            String v = values[i];
            int j = i - 1;
            while (j >= 0 && keys[j].compareTo(k) > 0) {
                keys[j + 1] = keys[j];
                values[j + 1] = values[j];
                j--;
            }
            keys[j + 1] = k;
            values[j + 1] = v;
        }
    }

    /** The key of {@code metric} and the tags of parallel arrays in key order; names are checked as always. */
    public static SeriesKey ofSorted(String metric, String[] keys, String[] values) {
        TreeMap<String, String> t = new TreeMap<>();
        for (int i = 0; i < keys.length; i++) {
            t.put(keys[i], values[i]);
        }
        return new SeriesKey(metric, t);
    }

    /** {@code ,k1=v1,k2=v2}: how {@link #toString()} prints the tags of parallel arrays. */
    public static String tagsText(String[] keys, String[] values) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < keys.length; i++) {
            sb.append(',').append(keys[i]).append('=').append(values[i]);
        }
        return sb.toString();
    }

    private static void appendTag(StringBuilder sb, String key, String value) {
        sb.append((char) SEPARATOR).append(key).append((char) SEPARATOR).append(value);
    }

    /** Parses canonical bytes back into a key. */
    public static SeriesKey fromCanonical(byte[] bytes) {
        List<String> parts = new ArrayList<>();
        int start = 0;
        for (int i = 0; i <= bytes.length; i++) {
            if (i == bytes.length || bytes[i] == SEPARATOR) {
                parts.add(new String(bytes, start, i - start, StandardCharsets.UTF_8));
                start = i + 1;
            }
        }
        if (parts.size() % 2 != 1) {
            throw new InvalidInputException("malformed canonical series key: " + Arrays.toString(bytes));
        }
        TreeMap<String, String> t = new TreeMap<>();
        for (int i = 1; i < parts.size(); i += 2) {
            t.put(parts.get(i), parts.get(i + 1));
        }
        return new SeriesKey(parts.get(0), t);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(metric);
        tags.forEach((k, v) -> sb.append(',').append(k).append('=').append(v));
        return sb.toString();
    }
}
