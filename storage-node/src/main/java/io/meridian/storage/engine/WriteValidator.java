package io.meridian.storage.engine;

import io.meridian.common.ingest.BatchRules;
import io.meridian.storage.shard.ShardOptions;
import io.meridian.storage.shard.WriteBatch;
import java.util.List;

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
    }

    /** Series {@code index} of a batch writes histogram field {@code field}: its values must be observations. */
    static void checkHistogramValues(int index, WriteBatch.SeriesRows r, String field) {
        BatchRules.checkHistogramValues(index, new RowsView(r), r.fields().indexOf(field));
    }

    /** The rules' view of the engine's rows (the key's tags in key order). */
    private static final class RowsView implements BatchRules.SeriesView {
        private final WriteBatch.SeriesRows rows;
        private final String[] tagKeys;
        private final String[] tagValues;

        RowsView(WriteBatch.SeriesRows rows) {
            this.rows = rows;
            this.tagKeys = rows.key().tags().keySet().toArray(String[]::new);
            this.tagValues = rows.key().tags().values().toArray(String[]::new);
        }

        @Override
        public String metric() {
            return rows.key().metric();
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
            return rows.fields();
        }

        @Override
        public int rows() {
            return rows.rows();
        }

        @Override
        public long timestamp(int row) {
            return rows.timestamps()[row];
        }

        @Override
        public int valueCount() {
            return rows.values().length;
        }

        @Override
        public double value(int i) {
            return rows.values()[i];
        }
    }
}
