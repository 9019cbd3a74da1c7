package io.meridian.sql;

import io.meridian.common.error.ErrorCode;
import io.meridian.common.error.InvalidInputException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The empty buckets of a {@code time_bucket_gapfill} plan: for every group the distributed query found, one row per
 * bucket of the statement's range, the missing ones added with their aggregates empty (null, or 0 for a count) or
 * filled per column ({@link OutputColumn.Fill}: last value carried forward, or linear interpolation in time between
 * the group's neighbours). Rows come out by group (in the order found), then time.
 */
final class GapFill {
    /** Bound on the rows a gap-filled statement answers (groups x buckets). */
    static final long MAX_ROWS = 1_000_000;

    private GapFill() {}

    static List<Object[]> fill(PushedPlan plan, List<Object[]> rows, long startMs, long endMs, long bucketMs) {
        List<OutputColumn> columns = plan.columns();
        int time = -1;
        List<Integer> tags = new ArrayList<>();
        for (int i = 0; i < columns.size(); i++) {
            if (columns.get(i) instanceof OutputColumn.Time) {
                time = i;
            } else if (columns.get(i) instanceof OutputColumn.Tag) {
                tags.add(i);
            }
        }
        if (time < 0 || bucketMs <= 0) {
            throw new IllegalStateException("BUG: a gap-filled plan without a time bucket: " + plan.describe());
        }
        Map<List<Object>, TreeMap<Long, Object[]>> groups = new LinkedHashMap<>();
        for (Object[] row : rows) {
            List<Object> key = new ArrayList<>(tags.size());
            tags.forEach(t -> key.add(row[t]));
            groups.computeIfAbsent(key, k -> new TreeMap<>()).put(((Number) row[time]).longValue(), row);
        }
        long first = Math.floorDiv(startMs, bucketMs) * bucketMs;
        long buckets = Math.max(0, Math.floorDiv(endMs - first + bucketMs - 1, bucketMs));
        if (buckets * Math.max(1, groups.size()) > MAX_ROWS) {
            throw new InvalidInputException(
                    ErrorCode.LIMIT_EXCEEDED,
                    "too many gap-filled rows [function="
                            + TimeBucketFunction.GAPFILL_NAME + ", metric=" + plan.metric() + "]: " + groups.size()
                            + " groups x "
                            + buckets + " buckets > " + MAX_ROWS + "; narrow the time range or widen the bucket");
        }
        List<Object[]> out = new ArrayList<>();
        for (TreeMap<Long, Object[]> found : groups.values()) {
            Object[] sample = found.firstEntry().getValue();
            List<Object[]> series = new ArrayList<>((int) buckets);
            for (long t = first; t < endMs; t += bucketMs) {
                Object[] row = found.get(t);
                if (row == null) {
                    row = empty(plan, sample, tags, time, t);
                }
                series.add(row);
            }
            for (int c = 0; c < columns.size(); c++) {
                if (columns.get(c) instanceof OutputColumn.Aggregate a && a.fill() != OutputColumn.Fill.NONE) {
                    fillColumn(series, c, time, a.fill());
                }
            }
            out.addAll(series);
        }
        return out;
    }

    /** A row for an empty bucket: the group's tags, the bucket start, empty aggregates. */
    private static Object[] empty(PushedPlan plan, Object[] sample, List<Integer> tags, int time, long t) {
        Object[] row = new Object[sample.length];
        tags.forEach(i -> row[i] = sample[i]);
        row[time] = t;
        for (int i = 0; i < row.length; i++) {
            if (plan.columns().get(i) instanceof OutputColumn.Aggregate a && a.fill() == OutputColumn.Fill.NONE) {
                row[i] = plan.emptyValue(a);
            }
        }
        return row;
    }

    /** Fills the nulls of column {@code c} of one group's rows (in time order). */
    private static void fillColumn(List<Object[]> series, int c, int time, OutputColumn.Fill fill) {
        int n = series.size();
        Object[] values = new Object[n];
        for (int i = 0; i < n; i++) {
            values[i] = series.get(i)[c];
        }
        int previous = -1;
        for (int i = 0; i < n; i++) {
            if (values[i] != null) {
                previous = i;
                continue;
            }
            if (previous < 0) {
                continue; // nothing before the group's first value: it stays null
            }
            if (fill == OutputColumn.Fill.LOCF) {
                series.get(i)[c] = values[previous];
                continue;
            }
            int next = i + 1;
            while (next < n && values[next] == null) {
                next++;
            }
            if (next < n) {
                double x0 = ((Number) series.get(previous)[time]).doubleValue();
                double x1 = ((Number) series.get(next)[time]).doubleValue();
                double y0 = ((Number) values[previous]).doubleValue();
                double y1 = ((Number) values[next]).doubleValue();
                double y = y0 + (y1 - y0) * (((Number) series.get(i)[time]).doubleValue() - x0) / (x1 - x0);
                series.get(i)[c] = values[previous] instanceof Long ? (Object) Math.round(y) : (Object) y;
            }
        }
    }
}
