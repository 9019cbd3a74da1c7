package io.meridian.sql.influxql;

import io.meridian.sql.SqlTimestamps;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Runs a {@link SelectPlan} through {@link io.meridian.sql.SqlEngine} and turns the answers into series:
 *
 * <pre>
 * aggregate SQL rows -+-> buckets per series -> missing buckets -> fill -> transforms -> outputs -> series
 * raw SQL rows ------+  (median, percentile)                                  ^
 * raw SQL rows --------> points per series (time order) ----------------------+ (raw statements)
 * </pre>
 */
final class SelectRunner {
    private final SqlRunner engine;

    SelectRunner(SqlRunner engine) {
        this.engine = engine;
    }

    /**
     * @param budget buckets this statement may still fill ({@link FillStage#MAX_BUCKETS} at its start)
     */
    List<SeriesResult> run(SelectPlan plan, long[] budget) {
        return plan.aggregate() ? aggregate(plan, budget) : raw(plan);
    }

    private List<SeriesResult> aggregate(SelectPlan p, long[] budget) {
        Map<List<String>, BucketSeries> series = new HashMap<>();
        if (p.aggregateSql() != null) {
            readAggregates(p, engine.execute(p.database(), p.aggregateSql()).rows(), series);
        }
        if (p.rawSql() != null) {
            JavaAggregates.add(p, engine.execute(p.database(), p.rawSql()).rows(), series);
        }
        Map<Expr.Call, Integer> slotOf = new HashMap<>();
        for (int i = 0; i < p.slots().size(); i++) {
            slotOf.put(p.slots().get(i).call(), i);
        }
        Map<String, Integer> auxiliaryOf = new HashMap<>();
        List<String> auxiliary = p.auxiliary();
        for (int i = 0; i < auxiliary.size(); i++) {
            auxiliaryOf.put(auxiliary.get(i), p.slots().size() + i);
        }
        boolean filling = p.bucketing() != null && p.fill().mode() != Statement.FillMode.NONE;
        RowEvaluator evaluator = new RowEvaluator(p.outputs(), filling);
        List<SeriesResult> out = new ArrayList<>();
        for (BucketSeries s : series.values()) {
            if (filling && !p.sqlFilled()) {
                FillStage.addBuckets(p, s, budget);
            }
            long[] times =
                    s.buckets.keySet().stream().mapToLong(Long::longValue).toArray();
            Object[][] rows = s.buckets.values().toArray(new Object[0][]);
            boolean[][] had = FillStage.points(p, rows);
            FillStage.fill(p, times, rows, had);
            Map<Expr.Call, Object[]> transforms = new HashMap<>();
            for (Expr.Call t : p.transforms()) {
                int slot = slotOf.get((Expr.Call) Expr.unwrap(t.args().get(0)));
                Object[] input = new Object[rows.length];
                for (int r = 0; r < rows.length; r++) {
                    input[r] = rows[r][slot];
                }
                transforms.put(
                        t,
                        TransformStage.apply(
                                t.name(),
                                times,
                                input,
                                p.descending(),
                                SelectShape.derivativeUnitNs(t, p.intervalNs())));
            }
            long lo = p.bucketing() == null || p.window().lowerMs() == null
                    ? Long.MIN_VALUE
                    : p.bucketing().floor(p.window().lowerMs());
            long hi = p.bucketing() == null
                    ? Long.MAX_VALUE
                    : p.bucketing().floor(p.window().upperMs());
            List<Long> keptTimes = new ArrayList<>();
            List<List<Object>> kept = new ArrayList<>();
            for (int r = 0; r < rows.length; r++) {
                if (times[r] < lo || times[r] > hi) {
                    continue; // the bucket before the window, read only for the transforms
                }
                List<Object> values =
                        evaluator.evaluate(new BucketRow(rows[r], had[r], slotOf, auxiliaryOf, transforms, r));
                if (values != null) {
                    keptTimes.add(times[r]);
                    kept.add(values);
                }
            }
            if (!kept.isEmpty()) {
                out.add(new SeriesResult(p.measurement(), tags(p, s.key), keptTimes, kept));
            }
        }
        return out;
    }

    private static void readAggregates(SelectPlan p, List<List<Object>> rows, Map<List<String>, BucketSeries> series) {
        int tagsFrom = p.bucketing() != null ? 1 : 0;
        int slotsFrom = tagsFrom + p.sqlGroupTags().size();
        for (List<Object> row : rows) {
            long t = p.bucketing() != null ? time(row.get(0)) + p.bucketing().offsetMs() : p.fixedTimeMs();
            if (p.slots().size() == 1 && p.slots().get(0).readsPointTime()) {
                Object pointTime = row.get(slotsFrom + p.slots().get(0).sqlColumn() + 1);
                t = pointTime == null ? t : time(pointTime); // as InfluxDB: a lone selector reports its point's time
            }
            List<String> key = key(p, row, tagsFrom);
            Object[] slots = series.computeIfAbsent(key, k -> new BucketSeries(p.measurement(), k))
                    .bucket(t, p.slots().size());
            for (int i = 0; i < p.slots().size(); i++) {
                SelectPlan.AggSlot slot = p.slots().get(i);
                if (slot.kind() != SelectPlan.AggSlot.Kind.SQL) {
                    continue;
                }
                Object v = row.get(slotsFrom + slot.sqlColumn());
                if (slot.function().equals("spread")) {
                    Object min = row.get(slotsFrom + slot.sqlColumn() + 1);
                    v = v instanceof Number max && min instanceof Number m ? max.doubleValue() - m.doubleValue() : null;
                }
                slots[i] = v;
            }
        }
    }

    private List<SeriesResult> raw(SelectPlan p) {
        List<List<Object>> rows = engine.execute(p.database(), p.rawSql()).rows();
        Map<List<String>, List<List<Object>>> bySeries = new LinkedHashMap<>();
        rows.forEach(r ->
                bySeries.computeIfAbsent(key(p, r, 1), k -> new ArrayList<>()).add(r));
        int from = 1 + p.sqlGroupTags().size();
        RowEvaluator evaluator = new RowEvaluator(p.outputs(), false);
        List<SeriesResult> out = new ArrayList<>();
        bySeries.forEach((key, points) -> {
            points.sort(Comparator.comparingLong(r -> time(r.get(0))));
            long[] times = points.stream().mapToLong(r -> time(r.get(0))).toArray();
            Map<Expr.Call, Object[]> transforms = new HashMap<>();
            for (Expr.Call t : p.transforms()) {
                int column = p.rawColumns()
                        .indexOf(((Expr.VarRef) Expr.unwrap(t.args().get(0))).name());
                Object[] input = points.stream()
                        .map(r -> column < 0 ? null : r.get(from + column))
                        .toArray();
                transforms.put(
                        t,
                        TransformStage.apply(
                                t.name(), times, input, p.descending(), SelectShape.derivativeUnitNs(t, 0)));
            }
            List<Long> keptTimes = new ArrayList<>();
            List<List<Object>> kept = new ArrayList<>();
            for (int r = 0; r < points.size(); r++) {
                List<Object> values = evaluator.evaluate(new PointRow(p, points.get(r), from, transforms, r));
                if (values != null) {
                    keptTimes.add(times[r]);
                    kept.add(values);
                }
            }
            if (!kept.isEmpty()) {
                out.add(new SeriesResult(p.measurement(), tags(p, key), keptTimes, kept));
            }
        });
        return out;
    }

    /**
     * A bucket of an aggregate statement: slot values after fill (then a selector's auxiliary values), whether they
     * had points, transforms.
     */
    private record BucketRow(
            Object[] slots,
            boolean[] had,
            Map<Expr.Call, Integer> slotOf,
            Map<String, Integer> auxiliaryOf,
            Map<Expr.Call, Object[]> transforms,
            int index)
            implements RowEvaluator.Row {
        @Override
        public Object aggregate(Expr.Call call) {
            return slots[slotOf.get(call)];
        }

        @Override
        public boolean hadPoint(Expr.Call call) {
            return had[slotOf.get(call)];
        }

        @Override
        public Object transform(Expr.Call call) {
            return transforms.get(call)[index];
        }

        @Override
        public Object reference(Expr.VarRef ref) {
            Integer i = auxiliaryOf.get(ref.name()); // a selector's auxiliary field or tag; filled buckets have none
            return i == null || i >= slots.length ? null : slots[i];
        }

        @Override
        public boolean isField(Expr.VarRef ref) {
            return false;
        }
    }

    /** A point of a raw statement: a raw SQL row whose raw columns start at {@code from}. */
    private record PointRow(
            SelectPlan plan, List<Object> point, int from, Map<Expr.Call, Object[]> transforms, int index)
            implements RowEvaluator.Row {
        @Override
        public Object aggregate(Expr.Call call) {
            return null;
        }

        @Override
        public boolean hadPoint(Expr.Call call) {
            return false;
        }

        @Override
        public Object transform(Expr.Call call) {
            return transforms.get(call)[index];
        }

        @Override
        public Object reference(Expr.VarRef ref) {
            int c = plan.rawColumns().indexOf(ref.name());
            Object v = c < 0 ? null : point.get(from + c);
            return "".equals(v) ? null : v; // a series without the tag
        }

        @Override
        public boolean isField(Expr.VarRef ref) {
            return plan.rawFields().contains(ref.name());
        }
    }

    /** The values of the plan's group tags in a SQL row whose group tags start at {@code from} ("" where absent). */
    static List<String> key(SelectPlan p, List<Object> row, int from) {
        List<String> key = new ArrayList<>(p.groupTags().size());
        for (String tag : p.groupTags()) {
            int i = p.sqlGroupTags().indexOf(tag);
            Object v = i < 0 ? null : row.get(from + i);
            key.add(v == null ? "" : v.toString());
        }
        return key;
    }

    private static Map<String, String> tags(SelectPlan p, List<String> key) {
        Map<String, String> tags = new TreeMap<>();
        for (int i = 0; i < key.size(); i++) {
            tags.put(p.groupTags().get(i), key.get(i));
        }
        return tags;
    }

    /** A TIMESTAMP value of {@link io.meridian.sql.SqlAnswer} (ISO-8601 UTC) in ms since the epoch. */
    static long time(Object v) {
        if (v instanceof Number n) {
            return n.longValue();
        }
        String s = v.toString();
        long fast = isoUtcMillis(s);
        return fast != Long.MIN_VALUE ? fast : Instant.parse(s).toEpochMilli();
    }

    /** {@link SqlTimestamps#parseIso}: a panel's answer has a time per bucket, and {@link Instant#parse} is slow. */
    static long isoUtcMillis(String s) {
        return SqlTimestamps.parseIso(s);
    }
}
