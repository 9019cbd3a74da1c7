package io.meridian.storage.server;

import com.google.protobuf.Message;
import io.meridian.common.error.ErrorCode;
import io.meridian.common.error.InvalidInputException;
import io.meridian.common.ingest.BatchRules;
import io.meridian.common.ingest.PartialRules;
import io.meridian.common.ingest.SeriesPartialsCodec;
import io.meridian.common.model.CanonicalKeyParts;
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
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
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
        SeriesDecoder decoder = new SeriesDecoder(known);
        for (int i = 0; i < batch.getSeriesCount(); i++) {
            rows.add(decoder.series(i, batch.getSeries(i)));
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
        if (m.getUnknownFields().getSerializedSize() > 0) { // asMap() copies the set
            throw new InvalidInputException(
                    ErrorCode.FORMAT_VERSION,
                    "unknown fields in a " + what + " "
                            + m.getUnknownFields().asMap().keySet()
                            + ": written for a newer storage protocol than revision " + StorageRpc.PROTOCOL_REVISION
                            + "; upgrade the storage nodes first");
        }
    }

    /**
     * Decodes the series of one batch. It reuses what consecutive series share: the field list, and the metric's
     * string for series that carry their key (a remote-write batch is mostly series of a few metrics, one field each).
     */
    private static final class SeriesDecoder {
        private final KnownSeries known;
        private List<String> lastFields = List.of();
        private byte[] lastMetricBytes = new byte[0];
        private String lastMetric = "";

        SeriesDecoder(KnownSeries known) {
            this.known = known;
        }

        /**
         * One series, checked: in full, or, when {@code known} holds its key, its fields and shape only. A series
         * with its tags: their key's bytes are trusted for that lookup only when no name or value contains the
         * separator (NUL), so that they stand for exactly one metric and tag set. A series with its key (revision
         * 10): those bytes are the series.
         */
        WriteBatch.SeriesRows series(int index, SeriesRows s) {
            refuseUnknownFields(s, "SeriesRows");
            if (!s.getKey().isEmpty()) {
                return keyed(index, s);
            }
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
            int id = known != null && CanonicalKeyParts.separators(canonical) == 2 * n ? known.idOf(canonical) : -1;
            if (id >= 0) {
                BatchRules.checkStructureOfKnownKey(index, view);
            } else {
                BatchRules.checkStructure(index, view);
            }
            return WriteBatch.SeriesRows.decoded(
                    s.getMetric(), keys, tagValues, canonical, id, fields(s), timestamps, values(s));
        }

        private WriteBatch.SeriesRows keyed(int index, SeriesRows s) {
            byte[] canonical = s.getKey().toByteArray();
            long[] timestamps = TimestampDeltas.decode(s.getTimestampDeltasList());
            int id = known != null && s.getMetric().isEmpty() && s.getTagsCount() == 0 ? known.idOf(canonical) : -1;
            if (id < 0) { // a new series, or a malformed one: read and check it in full
                CanonicalKeyParts parts = BatchRules.keyParts(index, s);
                BatchRules.checkStructure(index, BatchRules.view(s, parts, timestamps));
                return WriteBatch.SeriesRows.decoded(
                        parts.metric(), parts.keys(), parts.values(), canonical, -1, fields(s), timestamps, values(s));
            }
            String metric = metric(canonical);
            List<String> fields = fields(s);
            double[] values = values(s);
            BatchRules.SeriesView view = BatchRules.viewOfKnownKey(s, metric, canonical, timestamps);
            BatchRules.checkStructureOfKnownKey(index, view);
            return WriteBatch.SeriesRows.decodedKnownKey(
                    metric, canonical, view.tagCount(), id, fields, timestamps, values);
        }

        /** The metric of a canonical key: the previous series' string when it has the same metric. */
        private String metric(byte[] canonical) {
            int length = CanonicalKeyParts.metricLength(canonical);
            if (length != lastMetricBytes.length || !Arrays.equals(canonical, 0, length, lastMetricBytes, 0, length)) {
                lastMetricBytes = Arrays.copyOf(canonical, length);
                lastMetric = new String(lastMetricBytes, StandardCharsets.UTF_8);
            }
            return lastMetric;
        }

        /** The series' fields: the previous series' list when they are the same. */
        private List<String> fields(SeriesRows s) {
            int n = s.getFieldsCount();
            boolean same = n == lastFields.size();
            for (int f = 0; same && f < n; f++) {
                same = s.getFields(f).equals(lastFields.get(f));
            }
            if (!same) {
                lastFields = List.copyOf(s.getFieldsList());
            }
            return lastFields;
        }

        private static double[] values(SeriesRows s) {
            double[] values = new double[s.getValuesCount()];
            for (int v = 0; v < values.length; v++) {
                values[v] = s.getValues(v);
            }
            return values;
        }
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
