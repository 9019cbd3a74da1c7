package io.meridian.storage.engine;

import io.meridian.common.ingest.BatchRules;
import io.meridian.common.model.AggState;
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

    static void validate(WriteBatch batch, ShardOptions options) {
        BatchRules.Limits limits = BatchRules.Limits.window(
                        options.clock().millis(), options.database().base().retention(), options.futureTolerance())
                .withTagLimit(options.maxTagsPerSeries(), TAG_LIMIT_SETTING);
        List<WriteBatch.SeriesRows> series = batch.series();
        for (int i = 0; i < series.size(); i++) {
            BatchRules.checkSeries(i, new RowsView(series.get(i)), limits);
        }
        List<WriteBatch.SeriesPartials> partials = batch.partials();
        long base = options.database().base().intervalMillis();
        for (int i = 0; i < partials.size(); i++) {
            WriteBatch.SeriesPartials p = partials.get(i);
            // names, tags, the write window (of each slot's start) and finite values, as for rows
            BatchRules.checkSeries(i, new RowsView(p.key(), p.fields(), p.slotStarts(), k -> lastOf(p, k)), limits);
            PartialCellChecks.check(i, p, base);
        }
    }

    private static double lastOf(WriteBatch.SeriesPartials p, int k) {
        AggState c = p.cells()[k];
        return c == null || c.isEmpty() ? Double.NaN : c.last();
    }

    /** Series {@code index} of a batch writes histogram field {@code field}: its values must be observations. */
    static void checkHistogramValues(int index, WriteBatch.SeriesRows r, String field) {
        BatchRules.checkHistogramValues(index, new RowsView(r), r.fields().indexOf(field));
    }

    /** The rules' view of the engine's rows, or of partials' slots (the key's tags in key order). */
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
