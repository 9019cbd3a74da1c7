package io.meridian.common.ingest;

import com.google.protobuf.ByteString;
import io.meridian.common.model.SeriesKey;
import io.meridian.common.rpc.storage.v1.SeriesRows;
import io.meridian.common.rpc.storage.v1.Tag;
import java.util.List;

/**
 * Builds the {@code SeriesRows} of one (series, field list): a row is a timestamp (stored as the delta to the
 * previous row, storage.proto's layout) followed by one value per field, NaN for "no value". Not thread-safe.
 */
public final class SeriesRowsBuilder {
    private final SeriesRows.Builder rows;
    private long lastTs;

    /** @param key the series (tags in the key's order); @param fields the value columns of every row */
    public SeriesRowsBuilder(SeriesKey key, List<String> fields) {
        rows = SeriesRows.newBuilder().setMetric(key.metric()).addAllFields(fields);
        key.tags().forEach((k, v) -> rows.addTags(Tag.newBuilder().setKey(k).setValue(v)));
    }

    private SeriesRowsBuilder(SeriesRows.Builder rows) {
        this.rows = rows;
    }

    /**
     * Rows of the series with these canonical key bytes ({@link SeriesKey#canonicalBytes()}), which stand for its
     * metric and tags on the wire (storage.proto revision 10, {@code SeriesRows.key}).
     */
    public static SeriesRowsBuilder byKey(byte[] canonicalKey, List<String> fields) {
        return byKey(ByteString.copyFrom(canonicalKey), fields);
    }

    /** As {@link #byKey(byte[], List)}, with the key's bytes already a {@code ByteString} (shared, not copied). */
    public static SeriesRowsBuilder byKey(ByteString canonicalKey, List<String> fields) {
        return new SeriesRowsBuilder(
                SeriesRows.newBuilder().setKey(canonicalKey).addAllFields(fields));
    }

    /**
     * @param keys   tag keys, the first {@code count} in order; @param values their values
     * @param fields the value columns of every row
     */
    public SeriesRowsBuilder(String metric, String[] keys, String[] values, int count, List<String> fields) {
        rows = SeriesRows.newBuilder().setMetric(metric).addAllFields(fields);
        for (int t = 0; t < count; t++) {
            rows.addTags(Tag.newBuilder().setKey(keys[t]).setValue(values[t]));
        }
    }

    /** Starts a row at {@code ts} (ms); its values follow with {@link #value}. */
    public void row(long ts) {
        rows.addTimestampDeltas(rows.getTimestampDeltasCount() == 0 ? ts : ts - lastTs);
        lastTs = ts;
    }

    /** The next value of the current row. */
    public void value(double v) {
        rows.addValues(v);
    }

    public SeriesRows build() {
        return rows.build();
    }
}
