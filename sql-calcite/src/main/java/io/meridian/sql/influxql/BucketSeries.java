package io.meridian.sql.influxql;

import java.util.List;
import java.util.TreeMap;

/**
 * One series of an aggregate statement while it is computed: its group-tag values and, per bucket start, the
 * values of the statement's aggregate slots ({@link SelectPlan#slots} order). Confined to the thread running the
 * statement.
 */
final class BucketSeries {
    final String measurement;
    final List<String> key;
    final TreeMap<Long, Object[]> buckets = new TreeMap<>();

    BucketSeries(String measurement, List<String> key) {
        this.measurement = measurement;
        this.key = List.copyOf(key);
    }

    /** The slot values of bucket {@code time}, created empty when new. */
    Object[] bucket(long time, int slots) {
        return buckets.computeIfAbsent(time, t -> new Object[slots]);
    }
}
