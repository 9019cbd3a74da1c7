package io.meridian.storage.server;

import io.meridian.common.error.InvalidInputException;
import io.meridian.common.model.SeriesKey;
import io.meridian.common.rpc.TimestampDeltas;
import io.meridian.common.rpc.storage.v1.PointBatch;
import io.meridian.common.rpc.storage.v1.SeriesRows;
import io.meridian.common.rpc.storage.v1.Tag;
import io.meridian.storage.shard.WriteBatch;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The wire's columnar {@link PointBatch} to and from the engine's {@link WriteBatch}. Decoding checks the
 * shape (a metric, unique tag keys, at least one field, rows x fields values) and names the series by its
 * position; names, values and the write window are then checked by the engine before anything changes.
 */
public final class PointBatchCodec {
    private PointBatchCodec() {}

    /** @throws InvalidInputException naming {@code series[i]} and what is wrong with it */
    public static WriteBatch decode(PointBatch batch) {
        if (batch.getSeriesCount() == 0) {
            throw new InvalidInputException("empty batch [field=batch.series]: want at least one series");
        }
        List<WriteBatch.SeriesRows> rows = new ArrayList<>(batch.getSeriesCount());
        for (int i = 0; i < batch.getSeriesCount(); i++) {
            rows.add(decodeSeries(batch.getSeries(i), i));
        }
        return WriteBatch.of(rows);
    }

    private static WriteBatch.SeriesRows decodeSeries(SeriesRows s, int index) {
        String where = "series[" + index + "], metric=" + s.getMetric();
        if (s.getMetric().isEmpty()) {
            throw new InvalidInputException("missing metric [series[" + index + "]]");
        }
        Map<String, String> tags = new TreeMap<>();
        for (Tag t : s.getTagsList()) {
            if (tags.put(t.getKey(), t.getValue()) != null) {
                throw new InvalidInputException("duplicate tag key [" + where + ", tag=" + t.getKey() + "]");
            }
        }
        if (s.getFieldsCount() == 0) {
            throw new InvalidInputException("missing fields [" + where + "]: want at least one field name");
        }
        int rows = s.getTimestampDeltasCount();
        if (rows == 0) {
            throw new InvalidInputException("missing rows [" + where + "]: want at least one timestamp");
        }
        long expected = (long) rows * s.getFieldsCount();
        if (s.getValuesCount() != expected) {
            throw new InvalidInputException("value count mismatch [" + where + "]: got " + s.getValuesCount()
                    + " values; want rows x fields = " + rows + " x " + s.getFieldsCount() + " = " + expected);
        }
        SeriesKey key;
        try {
            key = SeriesKey.of(s.getMetric(), tags);
        } catch (InvalidInputException e) {
            throw new InvalidInputException(e.code(), e.getMessage() + " [" + where + "]");
        }
        double[] values = new double[s.getValuesCount()];
        for (int v = 0; v < values.length; v++) {
            values[v] = s.getValues(v);
        }
        return new WriteBatch.SeriesRows(key, s.getFieldsList(), TimestampDeltas.decode(s.getTimestampDeltasList()),
                values);
    }

    /** Encodes an engine batch (writer id and sequence travel in the request, not here). */
    public static PointBatch encode(WriteBatch batch) {
        PointBatch.Builder b = PointBatch.newBuilder();
        for (WriteBatch.SeriesRows r : batch.series()) {
            SeriesRows.Builder s = b.addSeriesBuilder().setMetric(r.key().metric());
            r.key().tags().forEach((k, v) -> s.addTags(Tag.newBuilder().setKey(k).setValue(v)));
            s.addAllFields(r.fields());
            for (long d : TimestampDeltas.encode(r.timestamps())) {
                s.addTimestampDeltas(d);
            }
            for (double v : r.values()) {
                s.addValues(v);
            }
        }
        return b.build();
    }
}
