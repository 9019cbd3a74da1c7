package io.meridian.storage.engine;

import io.meridian.common.error.ErrorCode;
import io.meridian.common.error.InvalidInputException;
import io.meridian.common.model.FieldType;
import io.meridian.common.model.SeriesKey;
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
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

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
     * Fills {@code seriesIds} (one per series of the batch, or per series of its partials) and returns the field
     * ids of each series. A new field is defined as a gauge, or as the type a partial was folded as.
     *
     * @throws InvalidInputException when a limit is exceeded, a histogram field gets invalid values, or a partial's
     *                               type is not its field's (TYPE_CONFLICT)
     */
    int[][] resolve(WriteBatch batch, int[] seriesIds) {
        boolean partials = batch.hasPartials();
        int n = partials ? batch.partials().size() : batch.series().size();
        Map<String, Integer> newSeriesPerMetric = new HashMap<>();
        Map<String, Map<String, FieldType>> newFields = new HashMap<>();
        Set<ByteKey> seen = new HashSet<>();
        int[][] fieldIds = new int[n][];
        boolean undefined = false;
        for (int i = 0; i < n; i++) {
            String metric = metric(batch, i);
            // the id the decoder found in this shard's own dictionary (ids never change once defined)
            int decodedId = !partials && batch.knownSeries() == dictionary
                    ? batch.series().get(i).knownId()
                    : -1;
            Integer id = decodedId >= 0 ? Integer.valueOf(decodedId) : dictionary.getOrNull(canonicalKey(batch, i));
            seriesIds[i] = id == null ? -1 : id;
            if (id == null && seen.add(new ByteKey(canonicalKey(batch, i)))) {
                newSeriesPerMetric.merge(metric, 1, Integer::sum);
            }
            List<String> fields = partials
                    ? batch.partials().get(i).fields()
                    : batch.series().get(i).fields();
            int[] f = new int[fields.size()];
            for (int j = 0; j < fields.size(); j++) {
                String name = fields.get(j);
                FieldType claimed = partials ? batch.partials().get(i).types().get(j) : null;
                FieldSchema.Field known = schema.get(metric, name);
                if (known == null) {
                    f[j] = -1;
                    undefined = true;
                    FieldType before = newFields
                            .computeIfAbsent(metric, k -> new HashMap<>())
                            .putIfAbsent(name, claimed == null ? FieldType.GAUGE : claimed);
                    if (before != null && claimed != null && before != claimed) {
                        throw typeConflict(key(batch, i), name, claimed, before, "another series of this write");
                    }
                    continue;
                }
                f[j] = known.id();
                if (claimed != null && claimed != known.type()) {
                    throw typeConflict(key(batch, i), name, claimed, known.type(), "its declaration");
                } else if (!partials && known.type() == FieldType.HISTOGRAM) {
                    WriteValidator.checkHistogramValues(i, batch.series().get(i), name);
                }
            }
            fieldIds[i] = f;
        }
        if (seen.isEmpty() && !undefined) {
            return fieldIds; // every series and field is known: nothing to check or define
        }
        newSeriesPerMetric.forEach((metric, count) -> {
            int existing = postings.metricCardinality(metric);
            if ((long) existing + count > options.maxSeriesPerMetric()) {
                throw new InvalidInputException(
                        ErrorCode.LIMIT_EXCEEDED,
                        "too many series [metric=" + metric
                                + "]: " + existing + " exist and the write adds " + count
                                + "; limit storage.limits.series-per-metric="
                                + options.maxSeriesPerMetric());
            }
        });
        newFields.forEach((metric, names) -> checkFieldLimit(metric, names.size()));
        // validation passed: define
        newFields.forEach((metric, names) ->
                new TreeMap<>(names).forEach((name, type) -> opLog.defineField(metric, name, type, 0, 0)));
        for (int i = 0; i < n; i++) {
            if (seriesIds[i] < 0) {
                byte[] canonical = canonicalKey(batch, i);
                Integer id = dictionary.getOrNull(canonical); // an earlier entry of this batch may have defined it
                if (id == null) {
                    id = dictionary.define(canonical);
                    postings.add(id, key(batch, i));
                    opLog.defineSeries(id, canonical);
                }
                seriesIds[i] = id;
            }
            int[] f = fieldIds[i];
            for (int j = 0; j < f.length; j++) {
                if (f[j] < 0) {
                    List<String> fields = partials
                            ? batch.partials().get(i).fields()
                            : batch.series().get(i).fields();
                    f[j] = schema.get(metric(batch, i), fields.get(j)).id();
                }
            }
        }
        dictionary.write();
        return fieldIds;
    }

    private static String metric(WriteBatch batch, int i) {
        return batch.hasPartials()
                ? batch.partials().get(i).key().metric()
                : batch.series().get(i).metric();
    }

    /** The series key of entry {@code i}: built only for new series and errors (rows decoded from the wire have none). */
    private static SeriesKey key(WriteBatch batch, int i) {
        return batch.hasPartials()
                ? batch.partials().get(i).key()
                : batch.series().get(i).key();
    }

    private static byte[] canonicalKey(WriteBatch batch, int i) {
        return batch.hasPartials() ? batch.partialKey(i) : batch.canonicalKey(i);
    }

    private static InvalidInputException typeConflict(
            SeriesKey key, String field, FieldType claimed, FieldType known, String whose) {
        return new InvalidInputException(
                ErrorCode.TYPE_CONFLICT,
                "partial of the wrong type [series=" + key + ", field=" + field + "]: folded as "
                        + claimed.name().toLowerCase(Locale.ROOT) + ", but " + whose + " makes it "
                        + known.name().toLowerCase(Locale.ROOT)
                        + "; fold it as that type, or declare the field first");
    }

    /** {@link #resolve Resolves} a batch into what a transaction stages, one entry per series. */
    List<StagedTransactions.Staged> resolveStaged(WriteBatch batch) {
        int[] seriesIds = new int
                [batch.hasPartials() ? batch.partials().size() : batch.series().size()];
        int[][] fieldIds = resolve(batch, seriesIds);
        List<StagedTransactions.Staged> staged = new ArrayList<>();
        for (int i = 0; i < seriesIds.length; i++) {
            if (batch.hasPartials()) {
                WriteBatch.SeriesPartials p = batch.partials().get(i);
                staged.add(new StagedTransactions.Partials(
                        seriesIds[i], fieldIds[i], p.intervalMs(), p.slotStarts(), p.cells()));
            } else {
                WriteBatch.SeriesRows r = batch.series().get(i);
                staged.add(new StagedTransactions.Points(seriesIds[i], fieldIds[i], r.timestamps(), r.values()));
            }
        }
        return staged;
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
