package io.meridian.common.ingest;

import io.meridian.common.model.AggState;
import io.meridian.common.model.FieldType;
import io.meridian.common.model.SeriesKey;
import io.meridian.common.rpc.storage.v1.PointBatch;
import io.meridian.common.rpc.storage.v1.SeriesRows;
import io.meridian.common.rpc.storage.v1.Tag;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

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

    /** One field of one series: its type and its cells by slot start. */
    private static final class FieldCells {
        final FieldType type;
        final Map<Long, AggState> slots = new HashMap<>();
        long lastSlot = Long.MIN_VALUE;
        AggState last;

        FieldCells(FieldType type) {
            this.type = type;
        }
    }

    /** A series' fields by name, and its key. */
    private static final class SeriesCells {
        final SeriesKey key;
        final Map<String, FieldCells> fields = new HashMap<>();

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
        StringBuilder wire = new StringBuilder(64).append(s.getMetric());
        for (int i = 0; i < s.getTagsCount(); i++) {
            Tag t = s.getTags(i);
            wire.append('\0').append(t.getKey()).append('\0').append(t.getValue());
        }
        SeriesCells cells = byWire.computeIfAbsent(wire.toString(), w -> {
            Map<String, String> tags = new TreeMap<>();
            for (Tag t : s.getTagsList()) {
                tags.put(t.getKey(), t.getValue());
            }
            return table.computeIfAbsent(SeriesKey.of(s.getMetric(), tags), SeriesCells::new);
        });
        Map<String, FieldCells> series = cells.fields;
        int nf = s.getFieldsCount();
        FieldCells[] columns = new FieldCells[nf];
        for (int f = 0; f < nf; f++) {
            String field = s.getFields(f);
            columns[f] = series.computeIfAbsent(field, k -> new FieldCells(types.of(s.getMetric(), field)));
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
                fold(columns[f], slot, ts, v);
                n++;
            }
        }
        points += n;
        return n;
    }

    /** Folds one row of a series: {@code values} one per field (NaN = none); returns the points folded. */
    public long add(SeriesKey key, List<String> fields, long ts, double[] values, FieldTypes types) {
        Map<String, FieldCells> series = table.computeIfAbsent(key, SeriesCells::new).fields;
        long slot = Math.floorDiv(ts, baseMs) * baseMs;
        long n = 0;
        for (int f = 0; f < values.length; f++) {
            if (Double.isNaN(values[f])) {
                continue;
            }
            String field = fields.get(f);
            fold(
                    series.computeIfAbsent(field, k -> new FieldCells(types.of(key.metric(), field))),
                    slot,
                    ts,
                    values[f]);
            n++;
        }
        points += n;
        return n;
    }

    private void fold(FieldCells c, long slot, long ts, double v) {
        if (c.lastSlot != slot) {
            c.last = c.slots.get(slot);
            if (c.last == null) {
                c.last = AggState.empty();
                c.slots.put(slot, c.last);
                cells++;
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

    /** Emits every cell and empties the table. */
    public Drained drain() {
        PointBatch.Builder rows = PointBatch.newBuilder();
        PointBatch.Builder partials = PointBatch.newBuilder();
        long rowPoints = 0;
        long partialPoints = 0;
        long partialCells = 0;
        for (SeriesCells series : table.values()) {
            SeriesKey key = series.key;
            Map<String, FieldCells> fields = new TreeMap<>(series.fields);
            // cells of one point go out as points, one SeriesRows per field
            List<String> partialFields = new ArrayList<>();
            TreeSet<Long> partialSlots = new TreeSet<>();
            for (Map.Entry<String, FieldCells> f : fields.entrySet()) {
                SeriesRowsBuilder single = null;
                for (Map.Entry<Long, AggState> cell : new TreeMap<>(f.getValue().slots).entrySet()) {
                    AggState s = cell.getValue();
                    if (s.count() == 1) {
                        if (single == null) {
                            single = new SeriesRowsBuilder(key, List.of(f.getKey()));
                        }
                        single.row(s.firstTs());
                        single.value(s.first());
                        rowPoints++;
                    } else {
                        partialSlots.add(cell.getKey());
                        if (partialFields.isEmpty()
                                || !partialFields.get(partialFields.size() - 1).equals(f.getKey())) {
                            partialFields.add(f.getKey());
                        }
                    }
                }
                if (single != null) {
                    rows.addSeries(single.build());
                }
            }
            if (partialSlots.isEmpty()) {
                continue;
            }
            long[] starts = partialSlots.stream().mapToLong(Long::longValue).toArray();
            Map<Long, Integer> row = new LinkedHashMap<>();
            for (int i = 0; i < starts.length; i++) {
                row.put(starts[i], i);
            }
            int nf = partialFields.size();
            AggState[] matrix = new AggState[starts.length * nf];
            List<FieldType> types = new ArrayList<>(nf);
            for (int f = 0; f < nf; f++) {
                FieldCells c = fields.get(partialFields.get(f));
                types.add(c.type);
                for (Map.Entry<Long, AggState> cell : c.slots.entrySet()) {
                    if (cell.getValue().count() > 1) {
                        matrix[row.get(cell.getKey()) * nf + f] = cell.getValue();
                        partialPoints += cell.getValue().count();
                        partialCells++;
                    }
                }
            }
            partials.addPartials(SeriesPartialsCodec.encode(key, partialFields, types, baseMs, starts, matrix));
        }
        table.clear();
        byWire.clear();
        cells = 0;
        points = 0;
        return new Drained(rows.build(), rowPoints, partials.build(), partialPoints, partialCells);
    }
}
