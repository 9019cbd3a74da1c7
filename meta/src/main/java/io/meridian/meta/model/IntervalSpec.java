package io.meridian.meta.model;

import com.fasterxml.jackson.annotation.JsonIgnore;
import io.meridian.common.error.InvalidInputException;
import io.meridian.common.model.Durations;
import java.time.Duration;

/**
 * One interval of a database: the slot width and how long its data is kept. Written as strings such as
 * {@code 10s}, {@code 5m}, {@code 1h}, {@code 30d}, {@code 2w} ({@link Durations}).
 *
 * @param interval the slot width
 * @param retention how long data of this interval is kept; at least one interval
 */
public record IntervalSpec(String interval, String retention) {
    public IntervalSpec {
        Duration i = parse("interval", interval);
        Duration r = parse("retention", retention);
        if (i.toMillis() % 1000 != 0) {
            throw new InvalidInputException("invalid interval [interval=" + interval
                    + "]: want whole seconds (1s or more); sub-second intervals are not supported");
        }
        if (r.compareTo(i) < 0) {
            throw new InvalidInputException("invalid retention [interval=" + interval + ", retention=" + retention
                    + "]: retention is shorter than the interval");
        }
    }

    @JsonIgnore
    public Duration intervalDuration() {
        return parse("interval", interval);
    }

    @JsonIgnore
    public Duration retentionDuration() {
        return parse("retention", retention);
    }

    /** Parses a positive duration in the one grammar of {@link Durations} ({@code 10s}, {@code 30d}, {@code 2w}). */
    public static Duration parse(String what, String text) {
        return Durations.parse(what, text);
    }
}
