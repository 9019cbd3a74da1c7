package io.meridian.common.query;

import io.meridian.common.error.InvalidInputException;
import io.meridian.common.model.AggState;
import io.meridian.common.model.Aggregate;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * An aggregate function a query selects, computed at the root from merged partial states. Every one is exact
 * against the raw points: AVG travels as (sum, count), FIRST/LAST carry their timestamps, PERCENTILE reads the
 * merged histogram buckets of a histogram field (so its error is the bucket width, documented in
 * {@link io.meridian.common.model.Histogram}).
 */
public enum QueryFunction {
    SUM(Aggregate.SUM),
    COUNT(Aggregate.COUNT),
    MIN(Aggregate.MIN),
    MAX(Aggregate.MAX),
    AVG(Aggregate.AVG),
    FIRST(Aggregate.FIRST),
    LAST(Aggregate.LAST),
    PERCENTILE(null),
    /** The time of the first point (ms since the epoch): SQL's {@code MIN(ts)} reads it. */
    FIRST_TIME(Aggregate.FIRST),
    /** The time of the last point (ms since the epoch): SQL's {@code MAX(ts)} reads it. */
    LAST_TIME(Aggregate.LAST),
    /** The time of the point holding the minimum, the earliest of them ({@link AggState#minTs()}). */
    MIN_TIME(Aggregate.MIN),
    /** The time of the point holding the maximum, the earliest of them ({@link AggState#maxTs()}). */
    MAX_TIME(Aggregate.MAX),
    /** The last point's value minus the first one's (by time): how much a gauge moved. Needs complete states. */
    DELTA(null),
    /** The sample standard deviation of the slot values (SQL's STDDEV and STDDEV_SAMP). */
    STDDEV_SAMP(null, SlotTransform.MOMENTS),
    /** The population standard deviation of the slot values. */
    STDDEV_POP(null, SlotTransform.MOMENTS),
    /** The sample variance of the slot values (SQL's VARIANCE and VAR_SAMP). */
    VAR_SAMP(null, SlotTransform.MOMENTS),
    /** The population variance of the slot values. */
    VAR_POP(null, SlotTransform.MOMENTS),
    /** The reset-aware increase of a cumulative counter field ({@link SlotTransform#COUNTER_INCREASE}). */
    COUNTER_INCREASE(Aggregate.SUM, SlotTransform.COUNTER_INCREASE);

    private final Aggregate leafAggregate;
    private final SlotTransform transform;

    QueryFunction(Aggregate leafAggregate) {
        this(leafAggregate, SlotTransform.NONE);
    }

    QueryFunction(Aggregate leafAggregate, SlotTransform transform) {
        this.leafAggregate = leafAggregate;
        this.transform = transform;
    }

    /** How the leaves read the field's slots for this function. */
    public SlotTransform transform() {
        return transform;
    }

    /** The aggregate the leaves must keep exact for this function; null when it needs complete states. */
    public Aggregate leafAggregate() {
        return leafAggregate;
    }

    /** The final value from a merged state: COUNT is never null (0 when empty); the others are null when empty. */
    public Object finish(AggState state, double quantile) {
        if (this == COUNT) {
            return state.count();
        }
        if (state.isEmpty()) {
            return null;
        }
        if (this == FIRST_TIME) {
            return state.firstTs();
        }
        if (this == LAST_TIME) {
            return state.lastTs();
        }
        if (this == MIN_TIME) {
            return state.minTs();
        }
        if (this == MAX_TIME) {
            return state.maxTs();
        }
        if (this == DELTA) {
            return state.last() - state.first();
        }
        if (transform == SlotTransform.MOMENTS) {
            double v = state.variance(this == STDDEV_SAMP || this == VAR_SAMP);
            if (Double.isNaN(v)) {
                return null; // a sample of one value has no spread (SQL answers null)
            }
            return this == STDDEV_SAMP || this == STDDEV_POP ? Math.sqrt(v) : v;
        }
        if (this == PERCENTILE) {
            return state.histogram() == null ? null : state.histogram().quantile(quantile, state.min(), state.max());
        }
        return state.aggregate(leafAggregate);
    }

    /** Parses a case-insensitive name; the error lists the valid ones. */
    public static QueryFunction parse(String name, String where) {
        try {
            return valueOf(name.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new InvalidInputException(
                    "unknown aggregate function [" + where + ", function=" + name + "]: want one of "
                            + Arrays.stream(values())
                                    .map(f -> f.name().toLowerCase(Locale.ROOT))
                                    .collect(Collectors.joining(", ")));
        }
    }
}
