package io.meridian.common.model;

import io.meridian.common.error.InvalidInputException;
import java.time.Duration;

/** Parses and prints the compact durations users write: {@code 10s}, {@code 5m}, {@code 1h}, {@code 30d}, {@code 2w}, {@code 500ms}. */
public final class Durations {
    private Durations() {}

    public static Duration parse(String what, String text) {
        if (text == null || text.isBlank()) {
            throw new InvalidInputException("invalid duration [" + what + "=" + text + "]: must not be empty");
        }
        String t = text.trim();
        int i = 0;
        while (i < t.length() && Character.isDigit(t.charAt(i))) {
            i++;
        }
        if (i == 0 || i == t.length()) {
            throw new InvalidInputException("invalid duration [" + what + "=" + text
                    + "]: want a number and a unit (ms, s, m, h, d, w), e.g. 10s");
        }
        long n;
        try {
            n = Long.parseLong(t.substring(0, i));
        } catch (NumberFormatException e) {
            throw new InvalidInputException("invalid duration [" + what + "=" + text + "]: number too large");
        }
        Duration d = switch (t.substring(i)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            case "d" -> Duration.ofDays(n);
            case "w" -> Duration.ofDays(7 * n);
            default -> throw new InvalidInputException("invalid duration [" + what + "=" + text
                    + "]: unknown unit '" + t.substring(i) + "'; want ms, s, m, h, d or w");
        };
        if (d.isZero()) {
            throw new InvalidInputException("invalid duration [" + what + "=" + text + "]: must be positive");
        }
        return d;
    }

    public static String format(Duration d) {
        long ms = d.toMillis();
        if (ms % 604_800_000L == 0) {
            return ms / 604_800_000L + "w";
        }
        if (ms % 86_400_000L == 0) {
            return ms / 86_400_000L + "d";
        }
        if (ms % 3_600_000L == 0) {
            return ms / 3_600_000L + "h";
        }
        if (ms % 60_000L == 0) {
            return ms / 60_000L + "m";
        }
        if (ms % 1000L == 0) {
            return ms / 1000L + "s";
        }
        return ms + "ms";
    }
}
