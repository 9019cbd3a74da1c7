package io.meridian.common.config;

import java.util.Arrays;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Byte sizes as users write them: {@code 512KiB}, {@code 64MiB}, {@code 1GiB}, {@code 2TiB}, {@code 100B} or a
 * plain number of bytes. Only binary (IEC) units: {@code MB} is rejected rather than guessed at.
 */
public final class DataSize {
    private static final Pattern SIZE = Pattern.compile("([0-9]{1,19})\\s*(B|KiB|MiB|GiB|TiB)?");
    private static final String[] UNITS = {"B", "KiB", "MiB", "GiB", "TiB"};

    private DataSize() {}

    /**
     * @throws IllegalArgumentException naming what is wrong with {@code text}
     */
    public static long parseBytes(String text) {
        Matcher m = SIZE.matcher(text.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException(
                    "want a size like 512KiB, 64MiB, 1GiB or a number of bytes; got '" + text + "'");
        }
        long n;
        try {
            n = Long.parseLong(m.group(1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("size too large; got '" + text + "'");
        }
        String unit = m.group(2) == null ? "B" : m.group(2);
        int shift = 10 * Arrays.asList(UNITS).indexOf(unit);
        if (shift > 0 && n > (Long.MAX_VALUE >> shift)) {
            throw new IllegalArgumentException("size too large; got '" + text + "'");
        }
        return n << shift;
    }

    /** The largest unit that divides {@code bytes} exactly: {@code 268435456} -> {@code 256MiB}. */
    public static String format(long bytes) {
        int unit = 0;
        long v = bytes;
        while (unit < UNITS.length - 1 && v != 0 && v % 1024 == 0) {
            v /= 1024;
            unit++;
        }
        return String.format(Locale.ROOT, "%d%s", v, UNITS[unit]);
    }
}
