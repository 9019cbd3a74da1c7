package io.meridian.storage.engine;

import io.meridian.common.ingest.BatchRules;
import io.meridian.common.ingest.PartialRules;
import io.meridian.common.ingest.SeriesPartialsCodec;
import io.meridian.common.model.SeriesKey;
import io.meridian.storage.shard.ShardOptions;
import io.meridian.storage.shard.WriteBatch;
import java.util.List;
import java.util.function.IntToDoubleFunction;

/**
 * The shard's call of {@link BatchRules}, the rule set every writer checks a batch against: a {@link WriteBatch}
 * is checked before anything changes, with the write window {@code [now - base retention, now + future tolerance]}
 * and {@code storage.limits.tags-per-series} of the shard's options. A broken rule is thrown as is (a
 * {@link BatchRules.Violation}, an {@code InvalidInputException} with the rule's code) naming the series, field and row.
 */
final class WriteValidator {
    static final String TAG_LIMIT_SETTING = "storage.limits.tags-per-series";

    private WriteValidator() {}

    /**
     * Checks a batch; returns it with its partials on the base interval's slots (itself when they already are).
     *
     * @throws BatchRules.Violation naming the broken rule, the series and where
     */
    static WriteBatch validate(WriteBatch batch, ShardOptions options) {
        BatchRules.Limits limits = BatchRules.Limits.window(
                        options.clock().millis(), options.database().base().retention(), options.futureTolerance())
                .withTagLimit(options.maxTagsPerSeries(), TAG_LIMIT_SETTING);
        List<WriteBatch.SeriesRows> series = batch.series();
        for (int i = 0; i < series.size(); i++) {
            BatchRules.checkSeries(i, new RowsView(series.get(i)), limits);
        }
        if (!batch.hasPartials()) {
            return batch;
        }
        long base = options.database().base().intervalMillis();
        List<WriteBatch.SeriesPartials> partials = batch.partials();
        for (int i = 0; i < partials.size(); i++) {
            WriteBatch.SeriesPartials p = partials.get(i);
            // the wire's rules (PartialRules) on the wire form: one rule set for every writer
            PartialRules.checkSeries(
                    i,
                    SeriesPartialsCodec.encode(
                            p.key(), p.fields(), p.types(), p.intervalMs(), p.slotStarts(), p.cells()),
                    base,
                    limits);
        }
        return batch.withPartialsOnBase(base);
    }

    /** Series {@code index} of a batch writes histogram field {@code field}: its values must be observations. */
    static void checkHistogramValues(int index, WriteBatch.SeriesRows r, String field) {
        BatchRules.checkHistogramValues(index, new RowsView(r), r.fields().indexOf(field));
    }

    /** The rules' view of the engine's rows (the key's tags in key order). */
    private static final class RowsView implements BatchRules.SeriesView {
        private final SeriesKey key;
        private final List<String> fields;
        private final long[] timestamps;
        private final IntToDoubleFunction values;
        private final String[] tagKeys;
        private final String[] tagValues;

        RowsView(WriteBatch.SeriesRows rows) {
            this(rows.key(), rows.fields(), rows.timestamps(), i -> rows.values()[i]);
        }

        RowsView(SeriesKey key, List<String> fields, long[] timestamps, IntToDoubleFunction values) {
            this.key = key;
            this.fields = fields;
            this.timestamps = timestamps;
            this.values = values;
            this.tagKeys = key.tags().keySet().toArray(String[]::new);
            this.tagValues = key.tags().values().toArray(String[]::new);
        }

        @Override
        public String metric() {
            return key.metric();
        }

        @Override
        public int tagCount() {
            return tagKeys.length;
        }

        @Override
        public String tagKey(int i) {
            return tagKeys[i];
        }

        @Override
        public String tagValue(int i) {
            return tagValues[i];
        }

        @Override
        public List<String> fields() {
            return fields;
        }

        @Override
        public int rows() {
            return timestamps.length;
        }

        @Override
        public long timestamp(int row) {
            return timestamps[row];
        }

        @Override
        public int valueCount() {
            return timestamps.length * fields.size();
        }

        @Override
        public double value(int i) {
            return values.applyAsDouble(i);
        }
    }
}
