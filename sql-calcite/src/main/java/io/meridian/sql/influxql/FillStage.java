package io.meridian.sql.influxql;

import io.meridian.common.error.ErrorCode;
import io.meridian.common.error.InvalidInputException;

/**
 * {@code fill()} over the buckets of one series, as InfluxDB's fill iterator: every bucket from the window's first
 * (or, with no lower time bound, the series' first) to the window's last is answered, and where an aggregate has no
 * point it is {@code null} ({@code count} then reads 0), the {@code <number>}, the {@code previous} value, or
 * {@code linear}ly interpolated between its neighbours in time (null at the ends). A {@code count} of 0 is a bucket
 * without a point. {@code fill(none)} leaves the buckets that had points.
 *
 * <p>Buckets {@code time_bucket_gapfill} already answered ({@link SelectPlan#sqlFilled}) only get their numbers,
 * and the previous or linear values of counts.
 */
final class FillStage {
    /** Bound on the buckets a statement fills (series x buckets), as GapFill bounds the SQL ones. */
    static final long MAX_BUCKETS = 1_000_000;

    private FillStage() {}

    /**
     * Adds the missing buckets of {@code s}, counting them against {@code budget[0]}.
     *
     * @throws InvalidInputException (LIMIT_EXCEEDED) past {@link #MAX_BUCKETS}
     */
    static void addBuckets(SelectPlan plan, BucketSeries s, long[] budget) {
        if (s.buckets.isEmpty()) {
            return;
        }
        Bucketing b = plan.bucketing();
        TimeWindow w = plan.queryWindow();
        long t = w.lowerMs() != null ? b.floor(w.lowerMs()) : s.buckets.firstKey();
        long last = b.floor(w.upperMs());
        for (; t <= last; t = b.next(t)) {
            if (--budget[0] < 0) {
                throw new InvalidInputException(
                        ErrorCode.LIMIT_EXCEEDED,
                        "too many buckets [measurement="
                                + plan.measurement() + "]: more than " + MAX_BUCKETS
                                + " to fill; narrow the time range or "
                                + "widen GROUP BY time()");
            }
            s.bucket(t, plan.slots().size());
        }
    }

    /** Whether each slot of each row had a point: a value, and for a count one above 0. */
    static boolean[][] points(SelectPlan plan, Object[][] rows) {
        boolean[][] had = new boolean[rows.length][plan.slots().size()];
        for (int r = 0; r < rows.length; r++) {
            for (int i = 0; i < had[r].length; i++) {
                Object v = rows[r][i];
                had[r][i] =
                        v != null && !(plan.slots().get(i).isCount() && v instanceof Number n && n.longValue() == 0);
            }
        }
        return had;
    }

    /** Fills the slot values of one series' rows (in time order) where they had no point. */
    static void fill(SelectPlan plan, long[] times, Object[][] rows, boolean[][] had) {
        Statement.Fill fill = plan.fill();
        if (plan.bucketing() == null) {
            for (int i = 0; i < plan.slots().size(); i++) {
                constant(rows, had, i, null); // without buckets nothing is filled: a count without points is absent
            }
            return;
        }
        for (int i = 0; i < plan.slots().size(); i++) {
            boolean count = plan.slots().get(i).isCount();
            if (plan.sqlFilled() && fill.mode() != Statement.FillMode.NUMBER && !count) {
                continue; // locf() / interpolate() filled it (counts are not wrapped: see PlanBuilder)
            }
            switch (fill.mode()) {
                case NULL -> constant(rows, had, i, count ? 0L : null);
                case NONE -> constant(rows, had, i, null);
                case NUMBER -> constant(rows, had, i, count ? (Object) (long) fill.value() : (Object) fill.value());
                case PREVIOUS -> previous(rows, had, i);
                case LINEAR -> linear(times, rows, had, i, plan.bucketing().widthMs());
                default -> throw new IllegalStateException("BUG: fill " + fill.mode());
            }
        }
    }

    private static void constant(Object[][] rows, boolean[][] had, int i, Object value) {
        for (int r = 0; r < rows.length; r++) {
            if (!had[r][i]) {
                rows[r][i] = value;
            }
        }
    }

    private static void previous(Object[][] rows, boolean[][] had, int i) {
        Object last = null;
        for (int r = 0; r < rows.length; r++) {
            if (had[r][i]) {
                last = rows[r][i];
            } else {
                rows[r][i] = last;
            }
        }
    }

    /** InfluxDB's linear fill: float slope for floats; for integers the slope in whole units per bucket. */
    private static void linear(long[] times, Object[][] rows, boolean[][] had, int i, long widthMs) {
        int prev = -1;
        for (int r = 0; r < rows.length; r++) {
            if (had[r][i]) {
                prev = r;
                continue;
            }
            int next = r + 1;
            while (next < rows.length && !had[next][i]) {
                next++;
            }
            if (prev < 0 || next >= rows.length) {
                rows[r][i] = null;
                continue;
            }
            Number y0 = (Number) rows[prev][i];
            Number y1 = (Number) rows[next][i];
            if (y0 instanceof Long a && y1 instanceof Long b) {
                long x0 = times[prev] / widthMs;
                long slope = (b - a) / (times[next] / widthMs - x0);
                rows[r][i] = slope * (times[r] / widthMs - x0) + a;
            } else {
                double slope = (y1.doubleValue() - y0.doubleValue()) / (times[next] - times[prev]);
                rows[r][i] = slope * (times[r] - times[prev]) + y0.doubleValue();
            }
        }
    }
}
