package io.meridian.sql.influxql;

import java.util.Locale;

/**
 * How the {@code time} column is written, from the {@code epoch} parameter of InfluxDB 1.x's {@code /query}:
 * RFC3339 strings when the parameter is absent ({@code "2026-12-05T10:00:00Z"}, with the {@code tz()} offset when a
 * statement has one), else integers since the epoch in that unit, truncated as InfluxDB truncates them.
 */
public enum Epoch {
    /** RFC3339 strings (no {@code epoch} parameter). */
    RFC3339(0),
    NANOSECONDS(1),
    MICROSECONDS(1_000),
    MILLISECONDS(1_000_000),
    SECONDS(1_000_000_000L),
    MINUTES(60_000_000_000L),
    HOURS(3_600_000_000_000L);

    private final long nanos;

    Epoch(long nanos) {
        this.nanos = nanos;
    }

    /**
     * The epoch of a {@code epoch} parameter: {@code h}, {@code m}, {@code s}, {@code ms}, {@code u} (or {@code µ}),
     * {@code ns}; null or blank for RFC3339. Like InfluxDB, any other value means nanoseconds.
     */
    public static Epoch parse(String epoch) {
        if (epoch == null || epoch.isBlank()) {
            return RFC3339;
        }
        return switch (epoch.trim().toLowerCase(Locale.ROOT)) {
            case "h" -> HOURS;
            case "m" -> MINUTES;
            case "s" -> SECONDS;
            case "ms" -> MILLISECONDS;
            case "u", "µ" -> MICROSECONDS;
            default -> NANOSECONDS;
        };
    }

    /** A time in milliseconds in this unit (not for {@link #RFC3339}). */
    long fromMillis(long ms) {
        if (this == RFC3339) {
            throw new IllegalStateException("BUG: RFC3339 times are strings");
        }
        if (nanos <= 1_000_000) {
            return ms * (1_000_000 / nanos);
        }
        return ms / (nanos / 1_000_000);
    }
}
