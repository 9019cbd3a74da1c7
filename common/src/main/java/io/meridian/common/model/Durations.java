package io.meridian.common.model;

import io.meridian.common.error.InvalidInputException;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one grammar of the durations users write, in configuration files, in database definitions
 * ({@code POST /api/v1/databases}) and in the engine's API: a whole number and a unit, {@code ms}, {@code s},
 * {@code m}, {@code h}, {@code d} or {@code w} ({@code 500ms}, {@code 10s}, {@code 5m}, {@code 1h}, {@code 30d},
 * {@code 2w}). Printed with the largest unit that divides the value exactly, up to days ({@code 2w} prints as
 * {@code 14d}). InfluxQL's duration literals are a language of their own (sql-calcite's influxql package).
 */
public final class Durations {
    private static final Pattern DURATION = Pattern.compile("([0-9]{1,15})(ms|s|m|h|d|w)");
    private static final String WANT =
            "want a duration with a unit ms, s, m, h, d or w after a whole number, e.g. 10s, 5m, 1h, 30d, 2w";

    private Durations() {}

    /**
     * A positive duration.
     *
     * @param what names the value in the error ({@code interval}, {@code retention}, ...)
     * @throws InvalidInputException naming {@code what} and the text when it is not a positive duration
     */
    public static Duration parse(String what, String text) {
        Duration d = parseOrNull(text);
        if (d == null) {
            throw new InvalidInputException("invalid " + what + " [" + what + "=" + text + "]: " + WANT);
        }
        if (d.isZero()) {
            throw new InvalidInputException("invalid " + what + " [" + what + "=" + text + "]: must be positive");
        }
        return d;
    }

    /**
     * A duration that may be zero (configuration values, whose bounds their keys check).
     *
     * @throws IllegalArgumentException saying what is wrong with {@code text} (the caller names the key)
     */
    public static Duration parseAllowingZero(String text) {
        Duration d = parseOrNull(text);
        if (d == null) {
            throw new IllegalArgumentException(WANT + "; got '" + text + "'");
        }
        return d;
    }

    private static Duration parseOrNull(String text) {
        if (text == null) {
            return null;
        }
        Matcher m = DURATION.matcher(text.trim());
        if (!m.matches()) {
            return null;
        }
        long n = Long.parseLong(m.group(1));
        try {
            return switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                case "d" -> Duration.ofDays(n);
                default -> Duration.ofDays(Math.multiplyExact(7, n));
            };
        } catch (ArithmeticException e) {
            return null;
        }
    }

    /** The largest unit up to days that divides {@code d} exactly: 90 s -> {@code 90s}, 14 d -> {@code 14d}. */
    public static String format(Duration d) {
        long ms = d.toMillis();
        if (ms == 0) {
            return "0s";
        }
        long[] sizes = {86_400_000L, 3_600_000L, 60_000L, 1000L};
        String[] units = {"d", "h", "m", "s"};
        for (int i = 0; i < sizes.length; i++) {
            if (ms % sizes[i] == 0) {
                return ms / sizes[i] + units[i];
            }
        }
        return ms + "ms";
    }
}
