package io.meridian.common.ingest;

import io.meridian.common.model.AggState;
import io.meridian.common.model.FieldType;
import io.meridian.common.model.SeriesKey;
import io.meridian.common.rpc.AggStateCodec;
import io.meridian.common.rpc.TimestampDeltas;
import io.meridian.common.rpc.WireEnums;
import io.meridian.common.rpc.storage.v1.SeriesPartials;
import io.meridian.common.rpc.storage.v1.Tag;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * One series' per-slot partial aggregates ({@link AggState}s) to and from the wire's {@link SeriesPartials}
 * (storage.proto revision 6): slot starts delta-coded like {@code SeriesRows.timestamp_deltas}, cells row-major
 * ({@code cells[slot * fields + field]}) through {@link AggStateCodec}, a null or empty state as the default cell
 * (a hole). Decoding assumes a series that passed {@link PartialRules}: {@code AggStateCodec.decode} turns every
 * count-0 cell into an empty state, so a bad cell would be read without complaint.
 */
public final class SeriesPartialsCodec {
    private SeriesPartialsCodec() {}

    /**
     * Encodes the cells of one series (tags in the key's order).
     *
     * @param types      one per field: the type the cells were folded as
     * @param intervalMs the slot width
     * @param slotStarts slot starts in ms, any order, each a multiple of {@code intervalMs}
     * @param cells      {@code slotStarts.length x fields.size()} states, row-major; null for a hole
     * @throws IllegalArgumentException when the lengths do not fit together
     */
    public static SeriesPartials encode(
            SeriesKey key,
            List<String> fields,
            List<FieldType> types,
            long intervalMs,
            long[] slotStarts,
            AggState[] cells) {
        return encode(key.metric(), key.tags(), fields, types, intervalMs, slotStarts, cells);
    }

    /**
     * As {@link #encode(SeriesKey, List, List, long, long[], AggState[])}, for names not checked yet (the tags go out
     * in the map's iteration order); {@link PartialRules} checks them.
     */
    public static SeriesPartials encode(
            String metric,
            Map<String, String> tags,
            List<String> fields,
            List<FieldType> types,
            long intervalMs,
            long[] slotStarts,
            AggState[] cells) {
        Objects.requireNonNull(metric, "metric");
        if (types.size() != fields.size()) {
            throw new IllegalArgumentException("type count mismatch [metric=" + metric + "]: got " + types.size()
                    + " types; want one per field = " + fields.size());
        }
        if (cells.length != (long) slotStarts.length * fields.size()) {
            throw new IllegalArgumentException("cell count mismatch [metric=" + metric + "]: got " + cells.length
                    + " cells; want slots x fields = " + slotStarts.length + " x " + fields.size());
        }
        SeriesPartials.Builder b = SeriesPartials.newBuilder()
                .setMetric(metric)
                .addAllFields(fields)
                .setIntervalMs(intervalMs);
        tags.forEach((k, v) -> b.addTags(Tag.newBuilder().setKey(k).setValue(v)));
        for (FieldType t : types) {
            b.addTypes(WireEnums.toWire(t));
        }
        for (long d : TimestampDeltas.encode(slotStarts)) {
            b.addSlotDeltas(d);
        }
        for (AggState c : cells) {
            b.addCells(AggStateCodec.encodeStored(c == null ? AggState.empty() : c));
        }
        return b.build();
    }

    /** The series key of a series whose names passed {@link PartialRules}. */
    public static SeriesKey key(SeriesPartials s) {
        Map<String, String> tags = new TreeMap<>();
        for (Tag t : s.getTagsList()) {
            tags.put(t.getKey(), t.getValue());
        }
        return SeriesKey.of(s.getMetric(), tags);
    }

    /** The claimed type of each field. */
    public static List<FieldType> types(SeriesPartials s) {
        List<FieldType> types = new ArrayList<>(s.getTypesCount());
        for (int f = 0; f < s.getTypesCount(); f++) {
            types.add(WireEnums.fromWire(s.getTypes(f), "partials field=" + s.getFields(f)));
        }
        return types;
    }

    /** The slot starts in ms, decoded from their deltas. */
    public static long[] slotStarts(SeriesPartials s) {
        return TimestampDeltas.decode(s.getSlotDeltasList());
    }

    /** The cells, row-major; a hole is an empty state (never null). */
    public static AggState[] cells(SeriesPartials s) {
        AggState[] cells = new AggState[s.getCellsCount()];
        for (int i = 0; i < cells.length; i++) {
            // the rules checked the buckets already, so the place is not worth a string per cell
            cells[i] = AggStateCodec.decode(s.getCells(i), "partials of " + s.getMetric());
        }
        return cells;
    }
}
