package io.meridian.storage.engine;

import io.meridian.common.error.ErrorCode;
import io.meridian.common.error.InvalidInputException;
import io.meridian.common.model.FieldType;
import io.meridian.storage.index.FieldSchema;
import io.meridian.storage.index.PostingsIndex;
import io.meridian.storage.index.SeriesDictionary;
import io.meridian.storage.shard.ShardOptions;
import io.meridian.storage.shard.WriteBatch;
import io.meridian.storage.txn.StagedTransactions;
import io.meridian.storage.wal.OpLog;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Resolves the series and fields of a write to ids, defining the new ones (in the dictionary, the postings,
 * the schema and the WAL). The series-per-metric and fields-per-metric limits and the histogram values are
 * checked for the whole batch before anything is defined, so a refused batch changes nothing.
 *
 * <p>Not thread-safe: called under the shard's write lock.
 */
final class SeriesResolver {
    private final SeriesDictionary dictionary;
    private final PostingsIndex postings;
    private final FieldSchema schema;
    private final OpLog opLog;
    private final ShardOptions options;

    SeriesResolver(ShardState s) {
        this.dictionary = s.dictionary;
        this.postings = s.postings;
        this.schema = s.schema;
        this.opLog = s.opLog;
        this.options = s.options;
    }

    /**
     * Resolves (defining when new) series and field ids; checks limits and types before any change.
     * Fills {@code seriesIds} (one per series of the batch) and returns the field ids of each series.
     *
     * @throws InvalidInputException when a limit is exceeded or a histogram field gets invalid values
     */
    int[][] resolve(WriteBatch batch, int[] seriesIds) {
        List<WriteBatch.SeriesRows> rows = batch.series();
        Map<String, Integer> newSeriesPerMetric = new HashMap<>();
        Map<String, Set<String>> newFields = new HashMap<>();
        Set<ByteKey> seen = new HashSet<>();
        for (int i = 0; i < rows.size(); i++) {
            WriteBatch.SeriesRows r = rows.get(i);
            Integer id = dictionary.getOrNull(batch.canonicalKey(i));
            if (id == null && seen.add(new ByteKey(batch.canonicalKey(i)))) {
                newSeriesPerMetric.merge(r.key().metric(), 1, Integer::sum);
            }
            for (String f : r.fields()) {
                FieldSchema.Field known = schema.get(r.key().metric(), f);
                if (known == null) {
                    newFields
                            .computeIfAbsent(r.key().metric(), k -> new HashSet<>())
                            .add(f);
                } else if (known.type() == FieldType.HISTOGRAM) {
                    WriteValidator.checkHistogramValues(i, r, f);
                }
            }
        }
        newSeriesPerMetric.forEach((metric, n) -> {
            int existing = postings.metricCardinality(metric);
            if ((long) existing + n > options.maxSeriesPerMetric()) {
                throw new InvalidInputException(
                        ErrorCode.LIMIT_EXCEEDED,
                        "too many series [metric=" + metric
                                + "]: " + existing + " exist and the write adds " + n
                                + "; limit storage.limits.series-per-metric="
                                + options.maxSeriesPerMetric());
            }
        });
        newFields.forEach((metric, names) -> checkFieldLimit(metric, names.size()));
        // validation passed: define
        newFields.forEach((metric, names) ->
                names.stream().sorted().forEach(n -> opLog.defineField(metric, n, FieldType.GAUGE, 0, 0)));
        int[][] fieldIds = new int[rows.size()][];
        for (int i = 0; i < rows.size(); i++) {
            WriteBatch.SeriesRows r = rows.get(i);
            Integer id = dictionary.getOrNull(batch.canonicalKey(i));
            if (id == null) {
                id = dictionary.define(batch.canonicalKey(i));
                postings.add(id, r.key());
                opLog.defineSeries(id, batch.canonicalKey(i));
            }
            seriesIds[i] = id;
            int[] f = new int[r.fields().size()];
            for (int j = 0; j < f.length; j++) {
                f[j] = schema.get(r.key().metric(), r.fields().get(j)).id();
            }
            fieldIds[i] = f;
        }
        dictionary.write();
        return fieldIds;
    }

    /** {@link #resolve Resolves} a batch into the points a transaction stages, one entry per series. */
    List<StagedTransactions.Points> resolveStaged(WriteBatch batch) {
        int[] seriesIds = new int[batch.series().size()];
        int[][] fieldIds = resolve(batch, seriesIds);
        List<StagedTransactions.Points> points = new ArrayList<>();
        for (int i = 0; i < seriesIds.length; i++) {
            WriteBatch.SeriesRows r = batch.series().get(i);
            points.add(new StagedTransactions.Points(seriesIds[i], fieldIds[i], r.timestamps(), r.values()));
        }
        return points;
    }

    /**
     * Checks that a metric may get {@code adding} more fields.
     *
     * @throws InvalidInputException past storage.limits.fields-per-metric
     */
    void checkFieldLimit(String metric, int adding) {
        int existing = schema.fieldCount(metric);
        if (existing + adding > options.maxFieldsPerMetric()) {
            throw new InvalidInputException(
                    ErrorCode.LIMIT_EXCEEDED,
                    "too many fields [metric=" + metric + "]: "
                            + existing + " exist and the write adds " + adding
                            + "; limit storage.limits.fields-per-metric="
                            + options.maxFieldsPerMetric());
        }
    }

    /** A canonical series key with value equality, to count the distinct new series of a batch. */
    private record ByteKey(byte[] b) {
        @Override
        public boolean equals(Object o) {
            return o instanceof ByteKey k && Arrays.equals(b, k.b);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(b);
        }
    }
}
