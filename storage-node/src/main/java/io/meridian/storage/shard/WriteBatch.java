package io.meridian.storage.shard;

import io.meridian.common.error.InvalidInputException;
import io.meridian.common.model.AggState;
import io.meridian.common.model.CanonicalKeyParts;
import io.meridian.common.model.FieldType;
import io.meridian.common.model.SeriesKey;
import io.meridian.storage.index.KnownSeries;
import io.meridian.storage.txn.WriterSequences;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Points to write, columnar per series (the shape the broker's binary batch and the sink produce): per series, a
 * list of field names and rows of (timestamp, one value per field). Or, instead of points, per-slot partial
 * aggregates ({@link SeriesPartials}: what a pre-aggregating writer folded from many points); a batch holds one
 * or the other, never both.
 *
 * <p>NaN rule: a NaN value means "this field has no value in this row" and is skipped; NaN can therefore
 * not be stored. Infinite values are rejected. (Line protocol parsers reject NaN and Inf literals with the
 * line number.)
 */
public final class WriteBatch {
    /**
     * Rows of one series: its key, field names (one per column), row timestamps in ms since the epoch and the values,
     * row-major ({@code values[row * fields.size() + column]}).
     *
     * <p>Rows decoded from the wire ({@link #decoded}) keep the key as its sorted tag arrays and canonical bytes and
     * build the {@link SeriesKey} only when asked: a series the shard already knows never needs it, and a typical
     * Prometheus write carries one sample per series.
     */
    public static final class SeriesRows {
        private static final String[] NO_TAGS = new String[0];

        private final String metric;
        private final byte[] canonicalKey;
        private final String[] tagKeys; // null for rows decoded by their key alone: see parts()
        private final String[] tagValues;
        private final int tagCount;
        private CanonicalKeyParts parts; // read from the key on first use; immutable, so a race reads two equal ones
        private final List<String> fields;
        private final long[] timestamps;
        private final double[] values;
        private final int knownId;
        private SeriesKey key; // built on first use for decoded rows; immutable, so a race builds two equal ones

        public SeriesRows(SeriesKey key, List<String> fields, long[] timestamps, double[] values) {
            this(
                    key.metric(),
                    key.tags().keySet().toArray(NO_TAGS),
                    key.tags().values().toArray(NO_TAGS),
                    key.tags().size(),
                    key.canonicalBytes(),
                    -1,
                    fields,
                    timestamps,
                    values);
            this.key = key;
        }

        private SeriesRows(
                String metric,
                String[] tagKeys,
                String[] tagValues,
                int tagCount,
                byte[] canonicalKey,
                int knownId,
                List<String> fields,
                long[] timestamps,
                double[] values) {
            this.knownId = knownId;
            this.metric = metric;
            this.tagKeys = tagKeys;
            this.tagValues = tagValues;
            this.tagCount = tagCount;
            this.canonicalKey = canonicalKey;
            this.fields = List.copyOf(fields);
            this.timestamps = timestamps;
            this.values = values;
            if (values.length != (long) timestamps.length * this.fields.size()) {
                throw new InvalidInputException("malformed rows [series=" + metric
                        + (tagKeys == null ? "" : SeriesKey.tagsText(tagKeys, tagValues))
                        + "]: values must hold rows x fields = " + timestamps.length + " x " + this.fields.size()
                        + "; got " + values.length);
            }
        }

        /**
         * Rows decoded from the wire, checked against {@link io.meridian.common.ingest.BatchRules} by the decoder:
         * tags sorted by key, {@code canonicalKey} their key's bytes, and {@code knownId} the id the batch's
         * {@link WriteBatch#knownSeries() known series} gave that key (-1: not known then).
         */
        public static SeriesRows decoded(
                String metric,
                String[] sortedKeys,
                String[] sortedValues,
                byte[] canonicalKey,
                int knownId,
                List<String> fields,
                long[] timestamps,
                double[] values) {
            return new SeriesRows(
                    metric,
                    sortedKeys,
                    sortedValues,
                    sortedKeys.length,
                    canonicalKey,
                    knownId,
                    fields,
                    timestamps,
                    values);
        }

        /**
         * Rows decoded from the wire by their series' canonical key alone (storage.proto revision 10), a key the
         * batch's {@link WriteBatch#knownSeries() known series} holds as {@code knownId}: checked when it was
         * defined, so its tags are read from the bytes only if asked for.
         *
         * @param metric   the key's metric (the decoder reads it, and reuses one string for the series of one metric)
         * @param tagCount the key's number of tags
         */
        public static SeriesRows decodedKnownKey(
                String metric,
                byte[] canonicalKey,
                int tagCount,
                int knownId,
                List<String> fields,
                long[] timestamps,
                double[] values) {
            return new SeriesRows(metric, null, null, tagCount, canonicalKey, knownId, fields, timestamps, values);
        }

        /** The id the batch's known series gave this series when it was decoded; -1 when none. */
        public int knownId() {
            return knownId;
        }

        /** The series; built from the sorted tags on first use for {@link #decoded} rows. */
        public SeriesKey key() {
            SeriesKey k = key;
            if (k == null) {
                k = tagKeys != null
                        ? SeriesKey.ofSorted(metric, tagKeys, tagValues)
                        : SeriesKey.ofSorted(metric, parts().keys(), parts().values());
                key = k;
            }
            return k;
        }

        public String metric() {
            return metric;
        }

        public int tagCount() {
            return tagCount;
        }

        /** The key of tag {@code i}, in key order. */
        public String tagKey(int i) {
            return tagKeys != null ? tagKeys[i] : parts().keys()[i];
        }

        public String tagValue(int i) {
            return tagValues != null ? tagValues[i] : parts().values()[i];
        }

        private CanonicalKeyParts parts() {
            CanonicalKeyParts p = parts;
            if (p == null) {
                p = CanonicalKeyParts.of(canonicalKey);
                parts = p;
            }
            return p;
        }

        /** The key's canonical bytes ({@link SeriesKey#canonicalBytes()}). */
        public byte[] canonicalKey() {
            return canonicalKey;
        }

        public List<String> fields() {
            return fields;
        }

        public long[] timestamps() {
            return timestamps;
        }

        public double[] values() {
            return values;
        }

        public int rows() {
            return timestamps.length;
        }

        @Override
        public String toString() {
            String tags = tagKeys != null
                    ? SeriesKey.tagsText(tagKeys, tagValues)
                    : SeriesKey.tagsText(parts().keys(), parts().values());
            return metric + tags + " " + fields + " x " + timestamps.length + " rows";
        }
    }

    /**
     * Partial aggregates of one series: one cell per (base slot, field), each the exact merge ({@link AggState})
     * of the points a writer folded into that slot, so that storage merges it like those points.
     *
     * @param key        the series
     * @param fields     field names, one per column
     * @param types      the type each field was folded as, one per field; it must be the field's declared type
     * @param intervalMs the slots' width in ms; it divides the database's base interval (normally equals it)
     * @param slotStarts start of each slot in ms, a multiple of {@code intervalMs}
     * @param cells      row-major: {@code cells[slot * fields.size() + column]}; null or empty = no value
     */
    public record SeriesPartials(
            SeriesKey key,
            List<String> fields,
            List<FieldType> types,
            long intervalMs,
            long[] slotStarts,
            AggState[] cells) {
        public SeriesPartials {
            fields = List.copyOf(fields);
            types = List.copyOf(types);
            if (types.size() != fields.size() || cells.length != (long) slotStarts.length * fields.size()) {
                throw new InvalidInputException("malformed partials [series=" + key
                        + "]: want one type per field and slots x fields = " + slotStarts.length + " x "
                        + fields.size() + " cells; got " + types.size() + " types and " + cells.length + " cells");
            }
        }

        public int slots() {
            return slotStarts.length;
        }

        /** The same cells on the slots of {@code baseMs} (a multiple of this interval); this when already on them. */
        public SeriesPartials onBase(long baseMs) {
            if (intervalMs == baseMs) {
                return this;
            }
            long[] starts = new long[slotStarts.length];
            for (int i = 0; i < starts.length; i++) {
                starts[i] = Math.floorDiv(slotStarts[i], baseMs) * baseMs;
            }
            return new SeriesPartials(key, fields, types, baseMs, starts, cells);
        }

        /** The cell of (slot, column); null when it holds no value. */
        public AggState cell(int slot, int column) {
            AggState c = cells[slot * fields.size() + column];
            return c == null || c.isEmpty() ? null : c;
        }
    }

    private final List<SeriesRows> series;
    private final byte[][] canonicalKeys;
    private final List<SeriesPartials> partials;
    private final byte[][] partialKeys;
    private final String writerId;
    private final long sequence;
    private final boolean structureChecked;
    private final KnownSeries knownSeries;
    // the rows' values that are not NaN, counted while the rows are fresh: asked for again after the write
    private final long rowPoints;

    private WriteBatch(
            List<SeriesRows> series,
            byte[][] canonicalKeys,
            long rowPoints,
            List<SeriesPartials> partials,
            byte[][] partialKeys,
            String writerId,
            long sequence,
            boolean structureChecked,
            KnownSeries knownSeries) {
        this.rowPoints = rowPoints;
        this.structureChecked = structureChecked;
        this.knownSeries = knownSeries;
        this.series = series;
        this.canonicalKeys = canonicalKeys;
        this.partials = partials;
        this.partialKeys = partialKeys;
        this.writerId = writerId;
        this.sequence = sequence;
    }

    private WriteBatch(
            List<SeriesRows> series, List<SeriesPartials> partials, boolean structureChecked, KnownSeries knownSeries) {
        this.structureChecked = structureChecked;
        this.knownSeries = knownSeries;
        this.series = List.copyOf(series);
        this.canonicalKeys = new byte[this.series.size()][];
        long present = 0;
        for (int i = 0; i < canonicalKeys.length; i++) {
            SeriesRows r = this.series.get(i);
            canonicalKeys[i] = r.canonicalKey();
            for (double v : r.values()) {
                present += Double.isNaN(v) ? 0 : 1;
            }
        }
        this.rowPoints = present;
        this.partials = List.copyOf(partials);
        if (!this.series.isEmpty() && !this.partials.isEmpty()) {
            throw new InvalidInputException(
                    "malformed batch: it holds both points and partials; send them as two batches");
        }
        this.partialKeys = new byte[this.partials.size()][];
        for (int i = 0; i < partialKeys.length; i++) {
            partialKeys[i] = this.partials.get(i).key().canonicalBytes();
        }
        this.writerId = null;
        this.sequence = 0;
    }

    /**
     * The same points, identified as batch {@code sequence} of {@code writerId}: the shard applies each
     * (writer, sequence) at most once, across retries, restarts and flushes. Sequences of one writer must
     * increase; a batch whose sequence is not above the last applied one is acknowledged as a duplicate.
     */
    public WriteBatch withWriter(String writerId, long sequence) {
        if (writerId == null
                || writerId.isEmpty()
                || writerId.getBytes(StandardCharsets.UTF_8).length > WriterSequences.MAX_WRITER_ID_BYTES) {
            throw new InvalidInputException("invalid writer id [writer=" + writerId + "]: want 1.."
                    + WriterSequences.MAX_WRITER_ID_BYTES + " bytes");
        }
        if (sequence < 1) {
            throw new InvalidInputException(
                    "invalid writer sequence [writer=" + writerId + ", sequence=" + sequence + "]: want >= 1");
        }
        return new WriteBatch(
                series,
                canonicalKeys,
                rowPoints,
                partials,
                partialKeys,
                writerId,
                sequence,
                structureChecked,
                knownSeries);
    }

    /** The writer id, or null for an anonymous (not de-duplicated) batch. */
    public String writerId() {
        return writerId;
    }

    public long sequence() {
        return sequence;
    }

    public static WriteBatch of(List<SeriesRows> series) {
        return new WriteBatch(series, List.of(), false, null);
    }

    /**
     * Rows decoded from the wire whose structure (names, unique tags and fields, rows x fields) the decoder checked
     * against {@link io.meridian.common.ingest.BatchRules} (the names of a key {@code knownSeries} knew were checked
     * when it was defined): the shard then checks only the limit rules.
     */
    public static WriteBatch decoded(List<SeriesRows> series, KnownSeries knownSeries) {
        return new WriteBatch(series, List.of(), true, knownSeries);
    }

    /**
     * The series ids its rows were decoded against ({@link SeriesRows#knownId()}); null when none. A shard uses those
     * ids only when this is its own.
     */
    public KnownSeries knownSeries() {
        return knownSeries;
    }

    /** Whether the structure rules were checked when this batch was decoded ({@link #decoded}). */
    public boolean structureChecked() {
        return structureChecked;
    }

    /** A batch of partial aggregates. */
    public static WriteBatch ofPartials(List<SeriesPartials> partials) {
        return new WriteBatch(List.of(), partials, false, null);
    }

    /** A batch of single points: one row per entry. */
    public static WriteBatch ofPoint(SeriesKey key, long ts, Map<String, Double> fields) {
        List<String> names = new ArrayList<>(fields.keySet());
        double[] v = new double[names.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = fields.get(names.get(i));
        }
        return of(List.of(new SeriesRows(key, names, new long[] {ts}, v)));
    }

    public List<SeriesRows> series() {
        return series;
    }

    public byte[] canonicalKey(int i) {
        return canonicalKeys[i];
    }

    /**
     * This batch with every partial on the slots of the base interval {@code baseMs} (what the engine keeps); this
     * batch when they already are.
     */
    public WriteBatch withPartialsOnBase(long baseMs) {
        boolean onBase = true;
        for (SeriesPartials p : partials) {
            onBase &= p.intervalMs() == baseMs;
        }
        if (onBase) {
            return this;
        }
        List<SeriesPartials> mapped = new ArrayList<>(partials.size());
        for (SeriesPartials p : partials) {
            mapped.add(p.onBase(baseMs));
        }
        return new WriteBatch(
                series,
                canonicalKeys,
                rowPoints,
                List.copyOf(mapped),
                partialKeys,
                writerId,
                sequence,
                structureChecked,
                knownSeries);
    }

    /** The partials of a partials batch; empty for a batch of points. */
    public List<SeriesPartials> partials() {
        return partials;
    }

    public boolean hasPartials() {
        return !partials.isEmpty();
    }

    /** The canonical key of {@code partials().get(i)}. */
    public byte[] partialKey(int i) {
        return partialKeys[i];
    }

    /** Number of points: (non-NaN) values, plus the points the partial cells folded. */
    public long pointCount() {
        long n = rowPoints;
        for (SeriesPartials p : partials) {
            for (AggState c : p.cells()) {
                n += c == null ? 0 : c.count();
            }
        }
        return n;
    }

    /** Number of cells: one per value, and one per non-empty partial cell. */
    public long cellCount() {
        long n = rowPoints;
        for (SeriesPartials p : partials) {
            for (AggState c : p.cells()) {
                n += c == null || c.isEmpty() ? 0 : 1;
            }
        }
        return n;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Collects single points; convenient for tests and small writes. */
    public static final class Builder {
        private final List<SeriesRows> rows = new ArrayList<>();

        public Builder point(SeriesKey key, long ts, String field, double value) {
            rows.add(new SeriesRows(key, List.of(field), new long[] {ts}, new double[] {value}));
            return this;
        }

        public Builder rows(SeriesRows r) {
            rows.add(r);
            return this;
        }

        public WriteBatch build() {
            return new WriteBatch(rows, List.of(), false, null);
        }
    }
}
