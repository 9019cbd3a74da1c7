package io.meridian.sql;

import io.meridian.common.error.InvalidInputException;

/**
 * {@code FIRST(field)}, {@code LAST(field)} (the value of the earliest / latest point, ties by value),
 * {@code FIRST_TIME}, {@code LAST_TIME}, {@code MIN_TIME} and {@code MAX_TIME} (the time of that point, or of the
 * point holding the minimum / maximum),
 * {@code PERCENTILE(field, q)} (from a histogram field's buckets), and {@code RATE}, {@code INCREASE} and
 * {@code DELTA} (per bucket, by the field's type: see docs/queries.md). They need what only the storage knows (point
 * times, histogram buckets), so they run only pushed into the distributed plan: directly on a metric's field,
 * grouped by tags and a time bucket. Anywhere else the statement fails with an error that says so.
 */
public final class TimeOrderedAggregates {
    private TimeOrderedAggregates() {}

    private static InvalidInputException notPushed(String function) {
        return new InvalidInputException("cannot compute " + function + " here [function=" + function + "]: it needs "
                + "point times or histogram buckets, which only the storage has; use it directly on a metric's field, "
                + "grouped by tags and a time bucket, with filters on tags and ts only");
    }

    /** LAST(x). */
    public static final class Last {
        public double[] init() {
            throw notPushed("LAST");
        }

        public double[] add(double[] acc, Double value) {
            throw notPushed("LAST");
        }

        public Double result(double[] acc) {
            throw notPushed("LAST");
        }
    }

    /** FIRST(x). */
    public static final class First {
        public double[] init() {
            throw notPushed("FIRST");
        }

        public double[] add(double[] acc, Double value) {
            throw notPushed("FIRST");
        }

        public Double result(double[] acc) {
            throw notPushed("FIRST");
        }
    }

    /** FIRST_TIME(x): the time of x's first point. */
    public static final class FirstTime {
        public double[] init() {
            throw notPushed("FIRST_TIME");
        }

        public double[] add(double[] acc, Double value) {
            throw notPushed("FIRST_TIME");
        }

        public java.sql.Timestamp result(double[] acc) {
            throw notPushed("FIRST_TIME");
        }
    }

    /** LAST_TIME(x): the time of x's last point. */
    public static final class LastTime {
        public double[] init() {
            throw notPushed("LAST_TIME");
        }

        public double[] add(double[] acc, Double value) {
            throw notPushed("LAST_TIME");
        }

        public java.sql.Timestamp result(double[] acc) {
            throw notPushed("LAST_TIME");
        }
    }

    /** MIN_TIME(x): the time of the point holding x's minimum, the earliest of them. */
    public static final class MinTime {
        public double[] init() {
            throw notPushed("MIN_TIME");
        }

        public double[] add(double[] acc, Double value) {
            throw notPushed("MIN_TIME");
        }

        public java.sql.Timestamp result(double[] acc) {
            throw notPushed("MIN_TIME");
        }
    }

    /** MAX_TIME(x): the time of the point holding x's maximum, the earliest of them. */
    public static final class MaxTime {
        public double[] init() {
            throw notPushed("MAX_TIME");
        }

        public double[] add(double[] acc, Double value) {
            throw notPushed("MAX_TIME");
        }

        public java.sql.Timestamp result(double[] acc) {
            throw notPushed("MAX_TIME");
        }
    }

    /** PERCENTILE(x, q). */
    public static final class Percentile {
        public double[] init() {
            throw notPushed("PERCENTILE");
        }

        public double[] add(double[] acc, Double value, Double quantile) {
            throw notPushed("PERCENTILE");
        }

        public Double result(double[] acc) {
            throw notPushed("PERCENTILE");
        }
    }

    /** RATE(x): per-second increase of a sum field per bucket. */
    public static final class Rate {
        public double[] init() {
            throw notPushed("RATE");
        }

        public double[] add(double[] acc, Double value) {
            throw notPushed("RATE");
        }

        public Double result(double[] acc) {
            throw notPushed("RATE");
        }
    }

    /** INCREASE(x): the increase of a sum field per bucket. */
    public static final class Increase {
        public double[] init() {
            throw notPushed("INCREASE");
        }

        public double[] add(double[] acc, Double value) {
            throw notPushed("INCREASE");
        }

        public Double result(double[] acc) {
            throw notPushed("INCREASE");
        }
    }

    /** DELTA(x): last minus first value of a gauge per bucket (the increase of a sum field). */
    public static final class Delta {
        public double[] init() {
            throw notPushed("DELTA");
        }

        public double[] add(double[] acc, Double value) {
            throw notPushed("DELTA");
        }

        public Double result(double[] acc) {
            throw notPushed("DELTA");
        }
    }
}
