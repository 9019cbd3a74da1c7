package io.meridian.storage.server;

import io.meridian.common.error.ErrorCode;
import io.meridian.common.error.InvalidInputException;
import io.meridian.common.ingest.BatchRules;
import io.meridian.common.model.SeriesKey;
import io.meridian.common.rpc.StorageRpc;
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
 * The wire's columnar {@link PointBatch} to and from the engine's {@link WriteBatch}. Decoding checks
 * {@link BatchRules}' structure rules (names, unique tag keys and fields, at least one field and row, rows x fields
 * values) and names the series by its position; the limit rules (write window, finite values, tags per series)
 * are then checked by the shard before anything changes.
 */
public final class PointBatchCodec {
    private PointBatchCodec() {}

    /**
     * @throws InvalidInputException a {@link BatchRules.Violation} of a structure rule (names, tags, fields, the rows
     *                               x fields shape) naming {@code series[i]} and what is wrong with it
     */
    public static WriteBatch decode(PointBatch batch) {
        BatchRules.checkStructure(batch);
        List<WriteBatch.SeriesRows> rows = new ArrayList<>(batch.getSeriesCount());
        for (SeriesRows s : batch.getSeriesList()) {
            rows.add(decodeSeries(s));
        }
        return WriteBatch.of(rows);
    }

    private static WriteBatch.SeriesRows decodeSeries(SeriesRows s) {
        Map<String, String> tags = new TreeMap<>();
        for (Tag t : s.getTagsList()) {
            tags.put(t.getKey(), t.getValue());
        }
        double[] values = new double[s.getValuesCount()];
        for (int v = 0; v < values.length; v++) {
            values[v] = s.getValues(v);
        }
        return new WriteBatch.SeriesRows(
                SeriesKey.of(s.getMetric(), tags),
                s.getFieldsList(),
                TimestampDeltas.decode(s.getTimestampDeltasList()),
                values);
    }

    /** Encodes an engine batch (writer id and sequence travel in the request, not here). */
    public static PointBatch encode(WriteBatch batch) {
        if (batch.hasPartials()) {
            // never dropped silently: partials need storage.proto revision 6 on the wire
            throw new InvalidInputException(
                    ErrorCode.FORMAT_VERSION,
                    "partial aggregates cannot travel in a PointBatch of storage protocol revision "
                            + StorageRpc.PROTOCOL_REVISION + " [series="
                            + batch.partials().get(0).key()
                            + "]: want revision >= 6");
        }
        PointBatch.Builder b = PointBatch.newBuilder();
        for (WriteBatch.SeriesRows r : batch.series()) {
            SeriesRows.Builder s = b.addSeriesBuilder().setMetric(r.key().metric());
            r.key()
                    .tags()
                    .forEach((k, v) -> s.addTags(Tag.newBuilder().setKey(k).setValue(v)));
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
