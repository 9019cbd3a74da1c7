package io.meridian.sql.influxql;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The aggregates Meridian SQL has no exact form for over a gauge: {@code median(x)} and {@code percentile(x, N)},
 * computed from the slot values the raw SQL returns, per group and bucket, exactly as InfluxDB's reducers do:
 * median is the middle value (the mean of the two middle ones for an even count); percentile is the value of
 * nearest rank {@code floor(n * N / 100 + 0.5)} (null when that rank is 0 or past the end). Under a field filter also
 * {@code first} and {@code last}, and a lone {@code min} or {@code max}: the plan reads their point times only
 * pushed, and a field filter keeps the aggregation above the leaves. A lone selector without {@code GROUP BY time}
 * reports the time of the slot it selects, and a selector with auxiliary fields and tags
 * ({@code SELECT max(x), host}) the values of the selected slot's row.
 */
final class JavaAggregates {
    private JavaAggregates() {}

    /**
     * Adds the JAVA slots of {@code plan} to {@code series} from the raw answer rows ({@code ts}, the SQL group tags,
     * then {@link SelectPlan#rawColumns}).
     */
    static void add(SelectPlan plan, List<List<Object>> rows, Map<List<String>, BucketSeries> series) {
        Map<List<String>, Map<Long, List<List<Point>>>> values = new HashMap<>();
        int fieldsFrom = 1 + plan.sqlGroupTags().size();
        int fields = plan.rawColumns().size();
        for (List<Object> row : rows) {
            long ts = SelectRunner.time(row.get(0));
            long bucket = plan.bucketing() != null ? plan.bucketing().floor(ts) : plan.fixedTimeMs();
            List<List<Point>> cell = values.computeIfAbsent(SelectRunner.key(plan, row, 1), k -> new HashMap<>())
                    .computeIfAbsent(bucket, b -> {
                        List<List<Point>> c = new ArrayList<>();
                        for (int i = 0; i < fields; i++) {
                            c.add(new ArrayList<>());
                        }
                        return c;
                    });
            for (int i = 0; i < fields; i++) {
                if (row.get(fieldsFrom + i) instanceof Number n) {
                    cell.get(i).add(new Point(ts, n.doubleValue(), row));
                }
            }
        }
        boolean loneSelector = plan.bucketing() == null
                && plan.slots().size() == 1
                && plan.transforms().isEmpty()
                && plan.slots().get(0).kind() == SelectPlan.AggSlot.Kind.JAVA
                && !plan.slots().get(0).function().equals("median");
        List<String> auxiliary = plan.auxiliary();
        int[] auxiliaryColumns =
                auxiliary.stream().mapToInt(a -> plan.rawColumns().indexOf(a)).toArray();
        values.forEach((key, buckets) -> buckets.forEach((time, cell) -> {
            BucketSeries s = series.computeIfAbsent(key, k -> new BucketSeries(plan.measurement(), k));
            if (loneSelector || !auxiliary.isEmpty()) {
                // as InfluxDB: a lone selector reports the time of the point it selects, and auxiliary fields and
                // tags are read from that point's row
                SelectPlan.AggSlot slot = plan.slots().get(0);
                Point p = select(slot, cell.get(slot.sqlColumn()));
                Object[] slots = s.bucket(p == null || !loneSelector ? time : p.ts(), 1 + auxiliary.size());
                slots[0] = p == null ? null : p.value();
                for (int j = 0; j < auxiliaryColumns.length; j++) {
                    int column = auxiliaryColumns[j];
                    slots[1 + j] = p == null || column < 0 ? null : p.row().get(fieldsFrom + column);
                }
                return;
            }
            Object[] slots = s.bucket(time, plan.slots().size());
            for (int i = 0; i < plan.slots().size(); i++) {
                SelectPlan.AggSlot slot = plan.slots().get(i);
                if (slot.kind() == SelectPlan.AggSlot.Kind.JAVA) {
                    List<Point> points = cell.get(slot.sqlColumn());
                    if (slot.function().equals("median")) {
                        slots[i] = median(points.stream().map(Point::value).toList());
                    } else {
                        Point p = select(slot, points);
                        slots[i] = p == null ? null : p.value();
                    }
                }
            }
        }));
    }

    /**
     * The point a selector picks, or null: {@code first} / {@code last} by time (on equal times the smaller /
     * larger value, as the storage orders them), {@code min} / {@code max} the earliest of the extreme values,
     * {@code percentile} by nearest rank.
     */
    static Point select(SelectPlan.AggSlot slot, List<Point> points) {
        if (points.isEmpty()) {
            return null;
        }
        Comparator<Point> byTime = Comparator.comparingLong(Point::ts).thenComparingDouble(Point::value);
        return switch (slot.function()) {
            case "first" -> points.stream().min(byTime).orElseThrow();
            case "last" -> points.stream().max(byTime).orElseThrow();
            case "min" ->
                points.stream()
                        .min(Comparator.comparingDouble(Point::value).thenComparingLong(Point::ts))
                        .orElseThrow();
            case "max" ->
                points.stream()
                        .min(Comparator.comparingDouble(Point::value).reversed().thenComparingLong(Point::ts))
                        .orElseThrow();
            default -> percentilePoint(points, slot.percentile());
        };
    }

    /** A slot value, its time and the raw answer row it came from. */
    record Point(long ts, double value, List<Object> row) {}

    /** The point of nearest rank by value (the earliest of equal values, as InfluxDB's selector), or null. */
    static Point percentilePoint(List<Point> points, double percentile) {
        int i = nearestRank(points.size(), percentile);
        if (i < 0) {
            return null;
        }
        List<Point> a = new ArrayList<>(points);
        a.sort(Comparator.comparingDouble(Point::value).thenComparingLong(Point::ts));
        return a.get(i);
    }

    /** The 0-based index of nearest rank {@code floor(n * N / 100 + 0.5)}, or -1 when it is 0 or past the end. */
    private static int nearestRank(int n, double percentile) {
        int i = (int) Math.floor(n * percentile / 100.0 + 0.5) - 1;
        return i < 0 || i >= n ? -1 : i;
    }

    static Double median(List<Double> values) {
        if (values.isEmpty()) {
            return null;
        }
        List<Double> a = new ArrayList<>(values);
        a.sort(null);
        int n = a.size();
        if (n % 2 == 1) {
            return a.get(n / 2);
        }
        double lo = a.get(n / 2 - 1);
        double hi = a.get(n / 2);
        return lo + (hi - lo) / 2;
    }
}
