package io.meridian.storage.server;

import com.google.protobuf.Message;
import io.meridian.common.error.ErrorCode;
import io.meridian.common.error.InvalidInputException;
import io.meridian.common.ingest.BatchRules;
import io.meridian.common.ingest.PartialRules;
import io.meridian.common.ingest.SeriesPartialsCodec;
import io.meridian.common.rpc.StorageRpc;
import io.meridian.common.rpc.TimestampDeltas;
import io.meridian.common.rpc.storage.v1.PartialAgg;
import io.meridian.common.rpc.storage.v1.PointBatch;
import io.meridian.common.rpc.storage.v1.SeriesPartials;
import io.meridian.common.rpc.storage.v1.SeriesRows;
import io.meridian.common.rpc.storage.v1.Tag;
import io.meridian.storage.shard.WriteBatch;
import java.util.ArrayList;
import java.util.List;

/**
 * The wire's columnar {@link PointBatch} (rows, or since revision 6 partial aggregates) to and from the engine's
 * {@link WriteBatch}. Decoding checks
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
        refuseUnknownFields(batch, "PointBatch");
        if (PartialRules.carriesPartials(batch)) {
            return decodePartials(batch);
        }
        BatchRules.checkStructure(batch);
        List<WriteBatch.SeriesRows> rows = new ArrayList<>(batch.getSeriesCount());
        for (SeriesRows s : batch.getSeriesList()) {
            rows.add(decodeSeries(s));
        }
        return WriteBatch.decoded(rows);
    }

    /**
     * A batch of partial aggregates (storage.proto revision 6). Each series is checked against {@link PartialRules}
     * on its own slot width here; the shard checks them again against its base interval and write window.
     */
    private static WriteBatch decodePartials(PointBatch batch) {
        List<WriteBatch.SeriesPartials> out = new ArrayList<>(batch.getPartialsCount());
        for (int i = 0; i < batch.getPartialsCount(); i++) {
            SeriesPartials s = batch.getPartials(i);
            refuseUnknownFields(s, "SeriesPartials");
            for (PartialAgg cell : s.getCellsList()) {
                refuseUnknownFields(cell, "PartialAgg");
            }
            PartialRules.checkSeries(i, s, s.getIntervalMs() > 0 ? s.getIntervalMs() : 1, null);
            out.add(new WriteBatch.SeriesPartials(
                    SeriesPartialsCodec.key(s),
                    s.getFieldsList(),
                    SeriesPartialsCodec.types(s),
                    s.getIntervalMs(),
                    SeriesPartialsCodec.slotStarts(s),
                    SeriesPartialsCodec.cells(s)));
        }
        return WriteBatch.ofPartials(out);
    }

    /**
     * A field this revision does not know comes from a newer writer; proto3 would skip it, which for a write means
     * losing what it carries. Refused instead, naming the message.
     */
    private static void refuseUnknownFields(Message m, String what) {
        if (!m.getUnknownFields().asMap().isEmpty()) {
            throw new InvalidInputException(
                    ErrorCode.FORMAT_VERSION,
                    "unknown fields in a " + what + " "
                            + m.getUnknownFields().asMap().keySet()
                            + ": written for a newer storage protocol than revision " + StorageRpc.PROTOCOL_REVISION
                            + "; upgrade the storage nodes first");
        }
    }

    /** One series whose structure {@link BatchRules#checkStructure(PointBatch)} checked: no map, no second check. */
    private static WriteBatch.SeriesRows decodeSeries(SeriesRows s) {
        refuseUnknownFields(s, "SeriesRows");
        int n = s.getTagsCount();
        String[] keys = new String[n];
        String[] tagValues = new String[n];
        for (int t = 0; t < n; t++) {
            Tag tag = s.getTags(t);
            keys[t] = tag.getKey();
            tagValues[t] = tag.getValue();
        }
        double[] values = new double[s.getValuesCount()];
        for (int v = 0; v < values.length; v++) {
            values[v] = s.getValues(v);
        }
        return WriteBatch.SeriesRows.checked(
                s.getMetric(),
                keys,
                tagValues,
                s.getFieldsList(),
                TimestampDeltas.decode(s.getTimestampDeltasList()),
                values);
    }

    /** Encodes an engine batch (writer id and sequence travel in the request, not here). */
    public static PointBatch encode(WriteBatch batch) {
        if (batch.hasPartials()) {
            PointBatch.Builder b = PointBatch.newBuilder();
            for (WriteBatch.SeriesPartials p : batch.partials()) {
                b.addPartials(SeriesPartialsCodec.encode(
                        p.key(), p.fields(), p.types(), p.intervalMs(), p.slotStarts(), p.cells()));
            }
            return b.build();
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
