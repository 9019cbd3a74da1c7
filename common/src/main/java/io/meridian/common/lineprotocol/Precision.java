package io.meridian.common.lineprotocol;

import io.meridian.common.error.InvalidInputException;
import java.util.Locale;

/**
 * The unit of line-protocol timestamps (the {@code precision} query parameter of {@code /write}).
 * Meridian keeps time in milliseconds: finer units are converted with {@link Math#floorDiv}, so sub-ms
 * digits are dropped (rounded toward negative infinity, which keeps slot arithmetic consistent for
 * timestamps before 1970); coarser units are multiplied and a product that does not fit a {@code long}
 * is a line error.
 */
public enum Precision {
    NANOSECONDS("ns", 1_000_000L, 1),
    MICROSECONDS("us", 1_000L, 1),
    MILLISECONDS("ms", 1, 1),
    SECONDS("s", 1, 1_000L),
    MINUTES("m", 1, 60_000L),
    HOURS("h", 1, 3_600_000L);

    private final String symbol;
    private final long divisor;
    private final long multiplier;

    Precision(String symbol, long divisor, long multiplier) {
        this.symbol = symbol;
        this.divisor = divisor;
        this.multiplier = multiplier;
    }

    /** The canonical query-parameter value: ns, us, ms, s, m or h. */
    public String symbol() {
        return symbol;
    }

    /**
     * Parses a query-parameter value as InfluxDB 1.x accepts it: {@code ns n us u ms s m h}
     * (case-sensitive); null or empty means nanoseconds, InfluxDB's default.
     *
     * @throws InvalidInputException for any other value
     */
    public static Precision parse(String value) {
        if (value == null || value.isEmpty()) {
            return NANOSECONDS;
        }
        return switch (value) {
            case "ns", "n" -> NANOSECONDS;
            case "us", "u" -> MICROSECONDS;
            case "ms" -> MILLISECONDS;
            case "s" -> SECONDS;
            case "m" -> MINUTES;
            case "h" -> HOURS;
            default ->
                throw new InvalidInputException("unknown precision [precision=" + value.toLowerCase(Locale.ROOT)
                        + "]: want one of ns, n, us, u, ms, s, m, h");
        };
    }

    /** Whether {@link #toMillis} of this timestamp fits a {@code long}. */
    public boolean fitsMillis(long timestamp) {
        return multiplier == 1
                || (timestamp <= Long.MAX_VALUE / multiplier && timestamp >= Long.MIN_VALUE / multiplier);
    }

    /** Milliseconds since the epoch; sub-ms digits are floored. Check {@link #fitsMillis} first. */
    public long toMillis(long timestamp) {
        return multiplier == 1 ? Math.floorDiv(timestamp, divisor) : timestamp * multiplier;
    }

    /**
     * The timestamp in this unit for a time in ms.
     *
     * @throws ArithmeticException if it overflows a {@code long} or, for s/m/h, if {@code ms} is not a whole
     *     number of units (it would not parse back to the same ms)
     */
    public long fromMillis(long ms) {
        if (multiplier == 1) {
            return Math.multiplyExact(ms, divisor);
        }
        if (ms % multiplier != 0) {
            throw new ArithmeticException("time " + ms + " ms is not a whole number of " + symbol);
        }
        return ms / multiplier;
    }
}
