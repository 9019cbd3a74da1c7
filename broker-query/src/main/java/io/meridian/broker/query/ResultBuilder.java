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
    private ResultBuilder() {}

    static QueryResult build(QuerySpec spec, PartialTable table, List<String> missingIdcs) {
        List<QueryResult.Column> columns = columns(spec);
        List<FieldRead> reads = spec.reads();
        int fieldCount = reads.size();
        int[] fieldOf = spec.selections().stream()
                .mapToInt(s -> reads.indexOf(FieldRead.of(s)))
                .toArray();
        int buckets = table.buckets(); // the merged window: where the shards had data
        List<List<Object>> rows = new ArrayList<>();
        for (Map.Entry<List<String>, AggState[]> g : table.sortedGroups()) {
            AggState[] cells = g.getValue();
            for (int b = 0; b < buckets; b++) {
                if (!hasPoint(cells, b * fieldCount, fieldCount)) {
                    continue;
                }
                List<Object> row = new ArrayList<>(columns.size());
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
        }
        if (!spec.orderBy().isEmpty()) {
            rows.sort(OrderKey.comparator(spec.columns(), spec.orderBy(), List::get));
        }
        if (spec.limit() > 0 && rows.size() > spec.limit()) {
            rows = new ArrayList<>(rows.subList(0, spec.limit()));
        }
        return new QueryResult(columns, rows, missingIdcs);
    }

    static List<QueryResult.Column> columns(QuerySpec spec) {
        List<QueryResult.Column> c = new ArrayList<>();
        if (spec.bucketMs() > 0) {
            c.add(new QueryResult.Column("ts", QueryResult.Type.TIMESTAMP));
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
