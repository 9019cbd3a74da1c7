package io.meridian.common.model;

import io.meridian.common.error.InvalidInputException;
import java.time.Duration;

/** One storage interval of a database (the base, or a rollup) and how long its data is kept. */
public record IntervalSpec(Duration interval, Duration retention) {
    public IntervalSpec {
        if (interval == null || interval.toMillis() <= 0) {
            throw new InvalidInputException("invalid interval [interval=" + interval + "]: must be positive");
        }
        if (retention == null || retention.compareTo(interval) < 0) {
            throw new InvalidInputException("invalid retention [interval=" + Durations.format(interval)
                    + ", retention=" + retention + "]: must be at least the interval");
        }
    }

    public static IntervalSpec parse(String interval, String retention) {
        return new IntervalSpec(Durations.parse("interval", interval), Durations.parse("retention", retention));
    }

    public long intervalMillis() { return interval.toMillis(); }

    @Override
    public String toString() {
        return Durations.format(interval) + ":" + Durations.format(retention);
    }
}
