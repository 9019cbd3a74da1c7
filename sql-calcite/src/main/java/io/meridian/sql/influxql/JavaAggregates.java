package io.meridian.sql.influxql;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The aggregates Meridian SQL has no exact form for over a gauge: {@code median(x)} and {@code percentile(x, N)},
 * computed from the slot values the raw SQL returns, per group and bucket, exactly as InfluxDB's reducers do:
 * median is the middle value (the mean of the two middle ones for an even count); percentile is the value of
 * nearest rank {@code floor(n * N / 100 + 0.5)} (null when that rank is 0 or past the end).
 */
final class JavaAggregates {
    private JavaAggregates() {}

    /**
     * Adds the JAVA slots of {@code plan} to {@code series} from the raw answer rows ({@code ts}, the SQL group tags,
     * then {@link SelectPlan#rawColumns}).
     */
    static void add(SelectPlan plan, List<List<Object>> rows, Map<List<String>, BucketSeries> series) {
        Map<List<String>, Map<Long, List<List<Double>>>> values = new HashMap<>();
        int fieldsFrom = 1 + plan.sqlGroupTags().size();
        int fields = plan.rawColumns().size();
        for (List<Object> row : rows) {
            long ts = SelectRunner.time(row.get(0));
            long bucket = plan.bucketing() != null ? plan.bucketing().floor(ts) : plan.fixedTimeMs();
            List<List<Double>> cell = values.computeIfAbsent(SelectRunner.key(plan, row, 1), k -> new HashMap<>())
                    .computeIfAbsent(bucket, b -> {
                        List<List<Double>> c = new ArrayList<>();
                        for (int i = 0; i < fields; i++) {
                            c.add(new ArrayList<>());
                        }
                        return c;
                    });
            for (int i = 0; i < fields; i++) {
                if (row.get(fieldsFrom + i) instanceof Number n) {
                    cell.get(i).add(n.doubleValue());
                }
            }
        }
        values.forEach((key, buckets) -> buckets.forEach((time, cell) -> {
            Object[] slots = series.computeIfAbsent(key, k -> new BucketSeries(plan.measurement(), k))
                    .bucket(time, plan.slots().size());
            for (int i = 0; i < plan.slots().size(); i++) {
                SelectPlan.AggSlot slot = plan.slots().get(i);
                if (slot.kind() == SelectPlan.AggSlot.Kind.JAVA) {
                    List<Double> v = cell.get(slot.sqlColumn());
                    slots[i] = slot.function().equals("median") ? median(v) : percentile(v, slot.percentile());
                }
            }
        }));
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
        int n = values.size();
        int i = (int) Math.floor(n * percentile / 100.0 + 0.5) - 1;
        if (i < 0 || i >= n) {
            return null;
        }
        List<Double> a = new ArrayList<>(values);
        a.sort(null);
        return a.get(i);
    }
}
