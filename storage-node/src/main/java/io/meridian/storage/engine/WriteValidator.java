package io.meridian.storage.engine;

import io.meridian.common.ingest.BatchRules;
import io.meridian.common.ingest.PartialRules;
import io.meridian.common.ingest.SeriesPartialsCodec;
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
            if (batch.structureChecked()) {
                BatchRules.checkLimits(i, new RowsView(series.get(i)), limits); // the decoder checked the rest
            } else {
                BatchRules.checkSeries(i, new RowsView(series.get(i)), limits);
            }
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

    /** The rules' view of the engine's rows (the tags in key order). */
    private static final class RowsView implements BatchRules.SeriesView {
        private final WriteBatch.SeriesRows rows;

        RowsView(WriteBatch.SeriesRows rows) {
            this.rows = rows;
        }

        @Override
        public String metric() {
            return rows.metric();
        }

        @Override
        public int tagCount() {
            return rows.tagCount();
        }

        @Override
        public String tagKey(int i) {
            return rows.tagKey(i);
        }

        @Override
        public String tagValue(int i) {
            return rows.tagValue(i);
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
