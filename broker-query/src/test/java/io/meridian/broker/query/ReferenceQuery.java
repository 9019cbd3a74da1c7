package io.meridian.broker.query;

import io.meridian.common.model.AggState;
import io.meridian.common.query.OrderKey;
import io.meridian.common.query.QuerySpec;
import io.meridian.common.query.TagCondition;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The answer to a {@link QuerySpec} computed directly from raw points with plain loops, the reference the
 * distributed execution must equal. Supports the filters the tests use (match all, in-set).
 */
final class ReferenceQuery {
    /** One raw point of one field; {@code tags} in the order of {@code tagKeys} given to {@link #answer}. */
    record Point(long ts, List<String> tags, double value) {}

    private ReferenceQuery() {}

    static List<List<Object>> answer(QuerySpec spec, List<Point> points, List<String> tagKeys) {
        // key: group values + bucket
        Map<List<Object>, AggState> cells = new TreeMap<>(ReferenceQuery::compareKeys);
        for (Point p : points) {
            if (p.ts() < spec.startMs() || p.ts() >= spec.endMs() || !matches(spec.filter(), p, tagKeys)) {
                continue;
            }
            List<Object> key = new ArrayList<>();
            spec.groupBy().forEach(t -> key.add(p.tags().get(tagKeys.indexOf(t))));
            key.add(spec.bucketMs() == 0 ? 0L : (p.ts() - spec.startMs()) / spec.bucketMs());
            cells.computeIfAbsent(key, k -> AggState.empty()).add(p.ts(), p.value());
        }
        List<List<Object>> rows = new ArrayList<>();
        cells.forEach((key, state) -> {
            List<Object> row = new ArrayList<>();
            if (spec.bucketMs() > 0) {
                row.add(spec.startMs() + (Long) key.get(key.size() - 1) * spec.bucketMs());
            }
            row.addAll(key.subList(0, key.size() - 1));
            spec.selections().forEach(s -> row.add(s.function().finish(state, s.quantile())));
            rows.add(row);
        });
        if (!spec.orderBy().isEmpty()) {
            List<String> names = spec.columns();
            Comparator<List<Object>> cmp = null;
            for (OrderKey k : spec.orderBy()) {
                int idx = names.indexOf(k.column());
                @SuppressWarnings({"unchecked", "rawtypes"})
                Comparator<List<Object>> one = (a, b) -> ((Comparable) a.get(idx)).compareTo(b.get(idx));
                one = k.descending() ? one.reversed() : one;
                cmp = cmp == null ? one : cmp.thenComparing(one);
            }
            rows.sort(cmp);
        }
        return spec.limit() > 0 && rows.size() > spec.limit() ? rows.subList(0, spec.limit()) : rows;
    }

    private static boolean matches(TagCondition f, Point p, List<String> tagKeys) {
        if (f instanceof TagCondition.All) {
            return true;
        }
        if (f instanceof TagCondition.In in) {
            return in.values().contains(p.tags().get(tagKeys.indexOf(in.key())));
        }
        if (f instanceof TagCondition.Eq eq) {
            return eq.value().equals(p.tags().get(tagKeys.indexOf(eq.key())));
        }
        throw new IllegalArgumentException("reference does not support " + f);
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static int compareKeys(List<Object> a, List<Object> b) {
        for (int i = 0; i < a.size(); i++) {
            int c = ((Comparable) a.get(i)).compareTo(b.get(i));
            if (c != 0) {
                return c;
            }
        }
        return 0;
    }
}
