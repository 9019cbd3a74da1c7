package io.meridian.connector.flink;

import io.meridian.common.model.Names;
import io.meridian.common.model.SeriesHash;
import io.meridian.common.model.SeriesKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Batches user records: converts each to a {@link MeridianPoint}, checks it (names, tag values, finite values),
 * and adds it to the buffer of its shard, found by the documented series hash over the database's shard count.
 * A bad record fails with {@link IllegalArgumentException} naming the record's metric and the problem, as Flink's
 * own sinks fail on records they cannot write.
 */
final class PointBatcher<T> implements ElementBatcher<T> {
    private final String database;
    private final PointConverter<T> converter;
    private transient int shards;

    PointBatcher(String database, PointConverter<T> converter) {
        this.database = Names.requireValid("database", database);
        this.converter = Objects.requireNonNull(converter, "converter");
    }

    @Override
    public ShardBuffers.Buffer add(T element, ShardBuffers buffers, ShardRpc rpc) {
        if (shards == 0) {
            shards = rpc.database(database).shards();
        }
        MeridianPoint p = converter.toPoint(element);
        if (p == null) {
            throw new IllegalArgumentException("the point converter returned null [element=" + element + "]");
        }
        check(p);
        SeriesKey key = SeriesKey.of(p.metric(), p.tags());
        List<String> names = new ArrayList<>(p.fields().keySet());
        names.sort(null);
        double[] values = new double[names.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = p.fields().get(names.get(i));
        }
        int shard = SeriesHash.shardOf(key.canonicalBytes(), shards);
        return buffers.addRow(database, shard, key, names, p.timestampMs(), values);
    }

    static void check(MeridianPoint p) {
        String where = "[metric=" + p.metric() + ", ts=" + p.timestampMs() + "]";
        String reason = Names.invalidReason(p.metric());
        if (reason != null) {
            throw new IllegalArgumentException("invalid metric name " + where + ": " + reason);
        }
        if (p.fields().isEmpty()) {
            throw new IllegalArgumentException("a point without fields " + where + ": give at least one");
        }
        for (Map.Entry<String, String> t : p.tags().entrySet()) {
            String r = Names.invalidReason(t.getKey());
            if (r != null) {
                throw new IllegalArgumentException("invalid tag key " + where + " [tag=" + t.getKey() + "]: " + r);
            }
            try {
                Names.requireValidTagValue(t.getKey(), t.getValue());
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("invalid tag value " + where + ": " + e.getMessage(), e);
            }
        }
        for (Map.Entry<String, Double> f : p.fields().entrySet()) {
            String r = Names.invalidReason(f.getKey());
            if (r != null) {
                throw new IllegalArgumentException("invalid field name " + where + " [field=" + f.getKey() + "]: " + r);
            }
            if (f.getValue() == null || !Double.isFinite(f.getValue())) {
                throw new IllegalArgumentException("field value is not a finite number " + where + " [field="
                        + f.getKey() + ", value=" + f.getValue() + "]");
            }
            if (p.tags().containsKey(f.getKey())) {
                throw new IllegalArgumentException(
                        "a field has the name of a tag " + where + " [name=" + f.getKey() + "]");
            }
        }
    }
}
