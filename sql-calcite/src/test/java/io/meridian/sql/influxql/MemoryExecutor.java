package io.meridian.sql.influxql;

import io.meridian.common.model.Names;
import io.meridian.common.query.AggCall;
import io.meridian.common.query.OrderKey;
import io.meridian.common.query.QueryExecutor;
import io.meridian.common.query.QueryFunction;
import io.meridian.common.query.QueryResult;
import io.meridian.common.query.QuerySpec;
import io.meridian.common.query.TagCondition;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * A {@link QueryExecutor} over points held in memory that answers a {@link QuerySpec} as the cluster does (tag
 * filter, range, buckets from the start, group by, aggregates of the raw points, default order, order by, limit),
 * so the SQL the InfluxQL front-end generates runs end to end. Records every spec it answers.
 */
final class MemoryExecutor implements QueryExecutor {
    /** One point of a field of a series of a metric. */
    record Point(String metric, Map<String, String> tags, String field, long timeMs, double value) {}

    final List<Point> points = new ArrayList<>();
    final List<QuerySpec> specs = new ArrayList<>();

    MemoryExecutor add(String metric, Map<String, String> tags, String field, long timeMs, double value) {
        points.add(new Point(metric, Map.copyOf(tags), field, timeMs, value));
        return this;
    }

    @Override
    public QueryResult execute(QuerySpec spec) {
        specs.add(spec);
        TreeMap<List<Object>, List<List<Point>>> groups = new TreeMap<>(MemoryExecutor::compareKeys);
        int n = spec.selections().size();
        for (Point p : points) {
            if (!p.metric().equals(spec.metric())
                    || p.timeMs() < spec.startMs()
                    || p.timeMs() >= spec.endMs()
                    || !matches(spec.filter(), p.tags())) {
                continue;
            }
            List<Object> key = new ArrayList<>();
            key.add(
                    spec.bucketMs() > 0
                            ? spec.startMs()
                                    + Math.floorDiv(p.timeMs() - spec.startMs(), spec.bucketMs()) * spec.bucketMs()
                            : 0L);
            spec.groupBy().forEach(g -> key.add(p.tags().getOrDefault(g, "")));
            for (int i = 0; i < n; i++) {
                String field = spec.selections().get(i).field();
                if (field.equals(p.field()) || field.equals(Names.ROWS)) {
                    List<List<Point>> cells = groups.computeIfAbsent(key, k -> {
                        List<List<Point>> c = new ArrayList<>();
                        for (int j = 0; j < n; j++) {
                            c.add(new ArrayList<>());
                        }
                        return c;
                    });
                    cells.get(i).add(p);
                }
            }
        }
        List<QueryResult.Column> columns = new ArrayList<>();
        if (spec.bucketMs() > 0) {
            columns.add(new QueryResult.Column("ts", QueryResult.Type.TIMESTAMP));
        }
        spec.groupBy().forEach(g -> columns.add(new QueryResult.Column(g, QueryResult.Type.VARCHAR)));
        for (AggCall a : spec.selections()) {
            columns.add(new QueryResult.Column(
                    a.alias(),
                    a.function() == QueryFunction.COUNT ? QueryResult.Type.BIGINT : QueryResult.Type.DOUBLE));
        }
        List<List<Object>> rows = new ArrayList<>();
        groups.forEach((key, cells) -> {
            List<Object> row = new ArrayList<>();
            if (spec.bucketMs() > 0) {
                row.add(key.get(0));
            }
            row.addAll(key.subList(1, key.size()));
            for (int i = 0; i < n; i++) {
                row.add(aggregate(spec.selections().get(i), cells.get(i)));
            }
            rows.add(row);
        });
        sort(spec, columns, rows);
        return new QueryResult(
                columns,
                spec.limit() > 0 && rows.size() > spec.limit() ? rows.subList(0, spec.limit()) : rows,
                List.of());
    }

    private static void sort(QuerySpec spec, List<QueryResult.Column> columns, List<List<Object>> rows) {
        if (spec.orderBy().isEmpty()) {
            return; // groups are kept in (bucket, tags) order; the tags-then-ts default is applied by the planner's
            // users
        }
        Comparator<List<Object>> order = (a, b) -> 0;
        for (OrderKey k : spec.orderBy()) {
            int c = columns.stream().map(QueryResult.Column::name).toList().indexOf(k.column());
            Comparator<List<Object>> byColumn = (a, b) -> compareValues(a.get(c), b.get(c));
            order = order.thenComparing(k.descending() ? byColumn.reversed() : byColumn);
        }
        rows.sort(order);
    }

    private static Object aggregate(AggCall call, List<Point> cell) {
        QueryFunction f = call.function();
        if (f == QueryFunction.COUNT) {
            return (long) cell.size();
        }
        if (cell.isEmpty()) {
            return null;
        }
        List<Point> byTime = new ArrayList<>(cell);
        byTime.sort(Comparator.comparingLong(Point::timeMs));
        double sum = 0;
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (Point p : cell) {
            sum += p.value();
            lo = Math.min(lo, p.value());
            hi = Math.max(hi, p.value());
        }
        double min = lo;
        double max = hi;
        return switch (f) {
            case SUM -> sum;
            case MIN -> min;
            case MAX -> max;
            case AVG -> sum / cell.size();
            case FIRST -> byTime.get(0).value();
            case LAST -> byTime.get(byTime.size() - 1).value();
            case FIRST_TIME -> byTime.get(0).timeMs();
            case LAST_TIME -> byTime.get(byTime.size() - 1).timeMs();
            // the earliest point holding the minimum / maximum, as AggState keeps it
            case MIN_TIME ->
                byTime.stream()
                        .filter(p -> p.value() == min)
                        .findFirst()
                        .orElseThrow()
                        .timeMs();
            case MAX_TIME ->
                byTime.stream()
                        .filter(p -> p.value() == max)
                        .findFirst()
                        .orElseThrow()
                        .timeMs();
            case PERCENTILE ->
                cell.stream()
                        .mapToDouble(Point::value)
                        .sorted()
                        .toArray()[(int) Math.min(cell.size() - 1, Math.floor(call.quantile() * cell.size()))];
            default -> throw new UnsupportedOperationException("not in the test executor: " + f);
        };
    }

    static boolean matches(TagCondition f, Map<String, String> tags) {
        if (f instanceof TagCondition.Eq eq) {
            return tags.getOrDefault(eq.key(), "").equals(eq.value());
        }
        if (f instanceof TagCondition.In in) {
            return in.values().contains(tags.getOrDefault(in.key(), ""));
        }
        if (f instanceof TagCondition.Prefix p) {
            return tags.getOrDefault(p.key(), "").startsWith(p.prefix());
        }
        if (f instanceof TagCondition.Regex r) {
            return Pattern.compile(r.pattern())
                    .matcher(tags.getOrDefault(r.key(), ""))
                    .matches();
        }
        if (f instanceof TagCondition.Not n) {
            return !matches(n.inner(), tags);
        }
        if (f instanceof TagCondition.And and) {
            return and.parts().stream().allMatch(p -> matches(p, tags));
        }
        if (f instanceof TagCondition.Or or) {
            return or.parts().stream().anyMatch(p -> matches(p, tags));
        }
        return true; // All
    }

    private static int compareKeys(List<Object> a, List<Object> b) {
        for (int i = 0; i < a.size(); i++) {
            int c = compareValues(a.get(i), b.get(i));
            if (c != 0) {
                return c;
            }
        }
        return 0;
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static int compareValues(Object a, Object b) {
        if (a == null || b == null) {
            return a == null ? (b == null ? 0 : 1) : -1;
        }
        return ((Comparable) a).compareTo(b);
    }
}
