package io.meridian.storage.server;

import com.google.protobuf.Message;
import io.meridian.common.error.ErrorCode;
import io.meridian.common.error.InvalidInputException;
import io.meridian.common.ingest.BatchRules;
import io.meridian.common.ingest.PartialRules;
import io.meridian.common.ingest.SeriesPartialsCodec;
import io.meridian.common.model.SeriesKey;
import io.meridian.common.rpc.StorageRpc;
import io.meridian.common.rpc.TimestampDeltas;
import io.meridian.common.rpc.storage.v1.PartialAgg;
import io.meridian.common.rpc.storage.v1.PointBatch;
import io.meridian.common.rpc.storage.v1.SeriesPartials;
import io.meridian.common.rpc.storage.v1.SeriesRows;
import io.meridian.common.rpc.storage.v1.Tag;
import io.meridian.storage.index.KnownSeries;
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
        return decode(batch, null);
    }

    /**
     * @param known the series of the shard the batch is for, or null: the names of a key it already holds were
     *              checked when it was defined and are not checked again, and the id it gives travels with the rows
     * @throws InvalidInputException a {@link BatchRules.Violation} of a structure rule (names, tags, fields, the rows
     *                               x fields shape) naming {@code series[i]} and what is wrong with it
     */
    public static WriteBatch decode(PointBatch batch, KnownSeries known) {
        refuseUnknownFields(batch, "PointBatch");
        if (PartialRules.carriesPartials(batch)) {
            return decodePartials(batch);
        }
        BatchRules.checkNotEmpty(batch);
        List<WriteBatch.SeriesRows> rows = new ArrayList<>(batch.getSeriesCount());
        for (int i = 0; i < batch.getSeriesCount(); i++) {
            rows.add(decodeSeries(i, batch.getSeries(i), known));
        }
        return WriteBatch.decoded(rows, known);
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

    /**
     * One series, checked: in full, or, when {@code known} holds its key, its fields and shape only. The key's bytes
     * are trusted for that lookup only when no name or value contains the separator (NUL), so that they stand for
     * exactly one metric and tag set.
     */
    private static WriteBatch.SeriesRows decodeSeries(int index, SeriesRows s, KnownSeries known) {
        refuseUnknownFields(s, "SeriesRows");
        int n = s.getTagsCount();
        String[] keys = new String[n];
        String[] tagValues = new String[n];
        for (int t = 0; t < n; t++) {
            Tag tag = s.getTags(t);
            keys[t] = tag.getKey();
            tagValues[t] = tag.getValue();
        }
        SeriesKey.sortTags(keys, tagValues);
        long[] timestamps = TimestampDeltas.decode(s.getTimestampDeltasList());
        BatchRules.SeriesView view = BatchRules.view(s, keys, tagValues, timestamps);
        byte[] canonical = SeriesKey.canonicalBytes(s.getMetric(), keys, tagValues);
        int id = known != null && separators(canonical) == 2 * n ? known.idOf(canonical) : -1;
        if (id >= 0) {
            BatchRules.checkStructureOfKnownKey(index, view);
        } else {
            BatchRules.checkStructure(index, view);
        }
        double[] values = new double[s.getValuesCount()];
        for (int v = 0; v < values.length; v++) {
            values[v] = s.getValues(v);
        }
        return WriteBatch.SeriesRows.decoded(
                s.getMetric(), keys, tagValues, canonical, id, s.getFieldsList(), timestamps, values);
    }

    private static int separators(byte[] canonical) {
        int count = 0;
        for (byte b : canonical) {
            count += b == SeriesKey.SEPARATOR ? 1 : 0;
        }
        return count;
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
