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
 * nearest rank {@code floor(n * N / 100 + 0.5)} (null when that rank is 0 or past the end). A lone
 * {@code percentile} without {@code GROUP BY time} is a selector: its row's time is that of the slot it selects.
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
                    cell.get(i).add(new Point(ts, n.doubleValue()));
                }
            }
        }
        boolean loneSelector = plan.bucketing() == null
                && plan.slots().size() == 1
                && plan.transforms().isEmpty()
                && plan.slots().get(0).function().equals("percentile");
        values.forEach((key, buckets) -> buckets.forEach((time, cell) -> {
            BucketSeries s = series.computeIfAbsent(key, k -> new BucketSeries(plan.measurement(), k));
            if (loneSelector && plan.slots().get(0).kind() == SelectPlan.AggSlot.Kind.JAVA) {
                // as InfluxDB: a lone selector reports the time of the point it selects
                SelectPlan.AggSlot slot = plan.slots().get(0);
                Point p = percentilePoint(cell.get(slot.sqlColumn()), slot.percentile());
                s.bucket(p == null ? time : p.ts(), 1)[0] = p == null ? null : p.value();
                return;
            }
            Object[] slots = s.bucket(time, plan.slots().size());
            for (int i = 0; i < plan.slots().size(); i++) {
                SelectPlan.AggSlot slot = plan.slots().get(i);
                if (slot.kind() == SelectPlan.AggSlot.Kind.JAVA) {
                    List<Double> v = cell.get(slot.sqlColumn()).stream()
                            .map(Point::value)
                            .toList();
                    slots[i] = slot.function().equals("median") ? median(v) : percentile(v, slot.percentile());
                }
            }
        }));
    }

    /** A slot value and its time. */
    record Point(long ts, double value) {}

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

    static Double percentile(List<Double> values, double percentile) {
        int i = nearestRank(values.size(), percentile);
        if (i < 0) {
            return null;
        }
        List<Double> a = new ArrayList<>(values);
        a.sort(null);
        return a.get(i);
    }
}
