package io.meridian.common.ingest;

import io.meridian.common.model.AggState;
import io.meridian.common.model.FieldType;
import io.meridian.common.model.SeriesKey;
import io.meridian.common.rpc.storage.v1.PointBatch;
import io.meridian.common.rpc.storage.v1.SeriesRows;
import io.meridian.common.rpc.storage.v1.Tag;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Folds points into exact partial aggregates, one cell per (series, field, base slot): the local step of stream
 * down-sampling. Each cell is what {@link AggState#add} (or, for a histogram field, {@link AggState#observe}) makes
 * of the slot's points, so storage merging the cells gives exactly what it gives for the raw points, in any order
 * and whatever was folded where (docs/design/stream-downsampling.md).
 *
 * <p>{@link #drain} empties the table into two batches: the cells of two or more points as partials
 * ({@code PointBatch.partials}, storage.proto revision 6) and the cells of one point as that point (smaller, and
 * exactly the same to storage). Points that arrive for a slot after a drain start a new cell there; storage merges it.
 *
 * <p>Not thread-safe: one per operator subtask (or per request).
 */
public final class SlotAggregator {
    /** The type each field is folded as: histogram fields keep their buckets. Must match the field's declaration. */
    @FunctionalInterface
    public interface FieldTypes {
        FieldType of(String metric, String field);
    }

    /**
     * What a drain emits.
     *
     * @param rows          the cells of one point, as points (empty batch when none)
     * @param rowPoints     points in {@code rows}
     * @param partials      the cells of two or more points (empty batch when none)
     * @param partialPoints points folded into {@code partials}
     * @param cells         cells in {@code partials}
     */
    public record Drained(PointBatch rows, long rowPoints, PointBatch partials, long partialPoints, long cells) {}

    /**
     * One field of one series: its type and its cells by slot start. Kept across drains while the series keeps
     * sending (its type is looked up again after each drain).
     */
    private static final class FieldCells {
        final String name;
        FieldType type;
        final Map<Long, AggState> slots = new HashMap<>(4);
        long lastSlot = Long.MIN_VALUE;
        AggState last;

        FieldCells(String name) {
            this.name = name;
        }

        void clear() {
            slots.clear();
            lastSlot = Long.MIN_VALUE;
            last = null;
            type = null;
        }
    }

    /** A series' fields in arrival order, and its key. */
    private static final class SeriesCells {
        final SeriesKey key;
        /** Its wire identities in {@code byWire} (tags in another order make another one). */
        final List<String> wires = new ArrayList<>(1);

        final Map<String, FieldCells> fields = new LinkedHashMap<>();
        /** Cells held: a series without any at a drain is forgotten. */
        int cells;

        SeriesCells(SeriesKey key) {
            this.key = key;
        }
    }

    private final long baseMs;
    /** Series by their wire identity (metric and tags as they came), so that a known series costs no key building. */
    private final Map<String, SeriesCells> byWire = new HashMap<>();

    private final Map<SeriesKey, SeriesCells> table = new HashMap<>();
    private long cells;
    private long points;

    /** @param baseIntervalMs the database's base interval: the width of every cell's slot */
    public SlotAggregator(long baseIntervalMs) {
        if (baseIntervalMs <= 0) {
            throw new IllegalArgumentException("base interval must be > 0 ms: got " + baseIntervalMs);
        }
        this.baseMs = baseIntervalMs;
    }

    public long baseIntervalMs() {
        return baseMs;
    }

    /** Folds every value of a batch of points (checked by {@link BatchRules} before); returns the points folded. */
    public long add(PointBatch batch, FieldTypes types) {
        long n = 0;
        for (SeriesRows s : batch.getSeriesList()) {
            n += add(s, types);
        }
        return n;
    }

    /** Folds every value (NaN = none) of one series' rows; returns the points folded. */
    public long add(SeriesRows s, FieldTypes types) {
        // a series' key as it came: the canonical key's text when it carries one (revision 10), which is also the
        // text of the same series sent with its tags in key order
        String wireKey;
        if (s.getKey().isEmpty()) {
            StringBuilder wire = new StringBuilder(64).append(s.getMetric());
            for (int i = 0; i < s.getTagsCount(); i++) {
                Tag t = s.getTags(i);
                wire.append('\0').append(t.getKey()).append('\0').append(t.getValue());
            }
            wireKey = wire.toString();
        } else {
            wireKey = s.getKey().toStringUtf8();
        }
        SeriesCells cells = byWire.get(wireKey);
        if (cells == null) {
            SeriesKey key;
            if (s.getKey().isEmpty()) {
                Map<String, String> tags = new TreeMap<>();
                for (Tag t : s.getTagsList()) {
                    tags.put(t.getKey(), t.getValue());
                }
                key = SeriesKey.of(s.getMetric(), tags);
            } else {
                key = SeriesKey.fromCanonical(s.getKey().toByteArray());
            }
            cells = table.computeIfAbsent(key, SeriesCells::new);
            cells.wires.add(wireKey);
            byWire.put(wireKey, cells);
        }
        int nf = s.getFieldsCount();
        FieldCells[] columns = new FieldCells[nf];
        for (int f = 0; f < nf; f++) {
            columns[f] = column(cells, s.getFields(f), types);
        }
        long n = 0;
        long ts = 0;
        for (int r = 0; r < s.getTimestampDeltasCount(); r++) {
            ts += s.getTimestampDeltas(r); // delta coded, the first from 0 (storage.proto)
            long slot = Math.floorDiv(ts, baseMs) * baseMs;
            for (int f = 0; f < nf; f++) {
                double v = s.getValues(r * nf + f);
                if (Double.isNaN(v)) {
                    continue;
                }
                fold(cells, columns[f], slot, ts, v);
                n++;
            }
        }
        points += n;
        return n;
    }

    /** Folds one row of a series: {@code values} one per field (NaN = none); returns the points folded. */
    public long add(SeriesKey key, List<String> fields, long ts, double[] values, FieldTypes types) {
        SeriesCells series = table.computeIfAbsent(key, SeriesCells::new);
        long slot = Math.floorDiv(ts, baseMs) * baseMs;
        long n = 0;
        for (int f = 0; f < values.length; f++) {
            if (Double.isNaN(values[f])) {
                continue;
            }
            fold(series, column(series, fields.get(f), types), slot, ts, values[f]);
            n++;
        }
        points += n;
        return n;
    }

    private static FieldCells column(SeriesCells series, String field, FieldTypes types) {
        FieldCells c = series.fields.get(field);
        if (c == null) {
            c = new FieldCells(field);
            series.fields.put(field, c);
        }
        if (c.type == null) {
            c.type = types.of(series.key.metric(), field);
        }
        return c;
    }

    private void fold(SeriesCells series, FieldCells c, long slot, long ts, double v) {
        if (c.lastSlot != slot) {
            c.last = c.slots.get(slot);
            if (c.last == null) {
                c.last = AggState.empty();
                c.slots.put(slot, c.last);
                cells++;
                series.cells++;
            }
            c.lastSlot = slot;
        }
        if (c.type == FieldType.HISTOGRAM) {
            c.last.observe(ts, v);
        } else {
            c.last.add(ts, v);
        }
    }

    /** Cells held. */
    public long cells() {
        return cells;
    }

    /** Points folded into the cells held. */
    public long points() {
        return points;
    }

    public boolean isEmpty() {
        return cells == 0;
    }

    /**
     * Emits every cell and empties the table. Series that had cells stay known (their keys are not built again
     * for the next points); those that had none since the previous drain are forgotten, so the table never holds
     * more series than one drain period's.
     */
    public Drained drain() {
        PointBatch.Builder rows = PointBatch.newBuilder();
        PointBatch.Builder partials = PointBatch.newBuilder();
        long rowPoints = 0;
        long partialPoints = 0;
        long partialCells = 0;
        List<FieldCells> partialFields = new ArrayList<>();
        for (Iterator<SeriesCells> it = table.values().iterator(); it.hasNext(); ) {
            SeriesCells series = it.next();
            if (series.cells == 0) {
                it.remove();
                series.wires.forEach(byWire::remove);
                continue;
            }
            series.cells = 0;
            SeriesKey key = series.key;
            // cells of one point go out as points, one SeriesRows per field; slots of the others, in order
            partialFields.clear();
            long[] starts = new long[4];
            int slotCount = 0;
            for (FieldCells f : series.fields.values()) {
                if (f.slots.isEmpty()) {
                    continue;
                }
                SeriesRowsBuilder single = null;
                boolean partial = false;
                for (Map.Entry<Long, AggState> cell : sortedBySlot(f.slots)) {
                    AggState s = cell.getValue();
                    if (s.count() == 1) {
                        if (single == null) {
                            single = new SeriesRowsBuilder(key, List.of(f.name));
                        }
                        single.row(s.firstTs());
                        single.value(s.first());
                        rowPoints++;
                    } else {
                        partial = true;
                        long slot = cell.getKey();
                        int at = Arrays.binarySearch(starts, 0, slotCount, slot);
                        if (at < 0) {
                            at = -at - 1;
                            if (slotCount == starts.length) {
                                starts = Arrays.copyOf(starts, slotCount * 2);
                            }
                            System.arraycopy(starts, at, starts, at + 1, slotCount - at);
                            starts[at] = slot;
                            slotCount++;
                        }
                    }
                }
                if (single != null) {
                    rows.addSeries(single.build());
                }
                if (partial) {
                    partialFields.add(f);
                }
            }
            if (slotCount > 0) {
                int nf = partialFields.size();
                AggState[] matrix = new AggState[slotCount * nf];
                List<String> names = new ArrayList<>(nf);
                List<FieldType> types = new ArrayList<>(nf);
                for (int f = 0; f < nf; f++) {
                    FieldCells c = partialFields.get(f);
                    names.add(c.name);
                    types.add(c.type);
                    for (Map.Entry<Long, AggState> cell : c.slots.entrySet()) {
                        if (cell.getValue().count() > 1) {
                            int row = Arrays.binarySearch(starts, 0, slotCount, cell.getKey());
                            matrix[row * nf + f] = cell.getValue();
                            partialPoints += cell.getValue().count();
                            partialCells++;
                        }
                    }
                }
                partials.addPartials(SeriesPartialsCodec.encode(
                        key, names, types, baseMs, Arrays.copyOf(starts, slotCount), matrix));
            }
            for (FieldCells f : series.fields.values()) {
                f.clear();
            }
        }
        cells = 0;
        points = 0;
        return new Drained(rows.build(), rowPoints, partials.build(), partialPoints, partialCells);
    }

    /** A field's cells in slot order (usually one). */
    private static Iterable<Map.Entry<Long, AggState>> sortedBySlot(Map<Long, AggState> slots) {
        if (slots.size() == 1) {
            return slots.entrySet();
        }
        List<Map.Entry<Long, AggState>> sorted = new ArrayList<>(slots.entrySet());
        sorted.sort(Map.Entry.comparingByKey());
        return sorted;
    }
}
