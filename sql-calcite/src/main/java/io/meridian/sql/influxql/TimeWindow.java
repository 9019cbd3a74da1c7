package io.meridian.sql.influxql;

import java.util.ArrayList;
import java.util.List;

/**
 * The time bounds of a statement in milliseconds, both inclusive; null for an open end.
 *
 * <p>InfluxQL bounds are nanoseconds ({@code time > 1733400000000000000}); Meridian's {@code ts} is milliseconds,
 * so a lower bound rounds up and an upper bound rounds down to the nearest millisecond that satisfies it.
 */
record TimeWindow(Long lowerMs, Long upperMs) {
    static final TimeWindow ALL = new TimeWindow(null, null);

    /** The window of nanosecond bounds (inclusive; null for open). */
    static TimeWindow ofNanos(Long lowerNs, Long upperNs) {
        return new TimeWindow(
                lowerNs == null ? null : Math.floorDiv(lowerNs + Durations.NANOS_PER_MS - 1, Durations.NANOS_PER_MS),
                upperNs == null ? null : Math.floorDiv(upperNs, Durations.NANOS_PER_MS));
    }

    /** Whether no instant satisfies both bounds. */
    boolean isEmpty() {
        return lowerMs != null && upperMs != null && lowerMs > upperMs;
    }

    TimeWindow withUpper(Long upper) {
        return new TimeWindow(lowerMs, upper);
    }

    /** The window widened by {@code ms} at its start ({@code atStart}) or its end. */
    TimeWindow widen(long ms, boolean atStart) {
        if (atStart) {
            return new TimeWindow(lowerMs == null ? null : lowerMs - ms, upperMs);
        }
        return new TimeWindow(lowerMs, upperMs == null ? null : upperMs + ms);
    }

    /** The SQL conjuncts over {@code "ts"}: {@code "ts" >= TIMESTAMP '...'} and {@code "ts" <= TIMESTAMP '...'}. */
    List<String> sql() {
        List<String> out = new ArrayList<>(2);
        if (lowerMs != null) {
            out.add(SqlText.ident("ts") + " >= " + SqlText.timestamp(lowerMs));
        }
        if (upperMs != null) {
            out.add(SqlText.ident("ts") + " <= " + SqlText.timestamp(upperMs));
        }
        return out;
    }
}
