package io.meridian.common.ingest;

import io.meridian.common.error.ErrorCode;
import io.meridian.common.error.InvalidInputException;
import io.meridian.common.model.CanonicalKeyParts;
import io.meridian.common.model.Durations;
import io.meridian.common.model.Names;
import io.meridian.common.rpc.storage.v1.PointBatch;
import io.meridian.common.rpc.storage.v1.SeriesRows;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.IntFunction;
import java.util.function.Predicate;

/**
 * The one rule set a write batch obeys, wherever it is checked: by the broker before a request's batches leave,
 * by the ingest job before a record joins a transaction, by the storage node when it decodes a wire batch and
 * when a shard takes a batch. Each rule is written here once; a caller either throws the {@link Violation} as is
 * (an {@link InvalidInputException} carrying the rule's {@link ErrorCode}) or maps it to its own error (the ingest
 * job's dead-letter reason).
 *
 * <pre>
 *   batch       at least one series                                   EMPTY_BATCH
 *               no partials ({@link PartialRules} checks them)        MIXED_BATCH, EMPTY_BATCH
 *   structure   (needs no clock and no node setting; what decoding a wire batch checks)
 *     metric    a valid name                                          METRIC_NAME
 *     tags      valid keys, storable values, each key once            TAG_NAME, TAG_VALUE, DUPLICATE_TAG
 *     fields    at least one, valid names, each once, none a tag      MISSING_FIELDS, FIELD_NAME, DUPLICATE_FIELD,
 *                                                                     FIELD_IS_TAG
 *     rows      at least one, and rows x fields values                MISSING_ROWS, VALUE_COUNT
 *   limits      (against {@link Limits})
 *     tags      at most maxTagsPerSeries                              TAGS_PER_SERIES
 *     rows      ts in [now - base retention, now + future tolerance]  WINDOW
 *     values    finite; NaN means "no value" and is allowed           INFINITE_VALUE
 *   histograms  (storage only: it knows the declared field types)
 *     values    >= 0                                                  NEGATIVE_HISTOGRAM
 * </pre>
 *
 * <p>A batch of partial aggregates (storage.proto revision 6) obeys {@link PartialRules}, whose rules are entries of
 * the same {@link Rule} table. These checks read rows only, so they refuse a batch that carries partials: a
 * partials-only batch as EMPTY_BATCH (what a revision-5 node answers), one with rows too as MIXED_BATCH.
 *
 * <p>Messages say what failed, then where: {@code series[i]} (the position in the batch) with {@code metric=m}, or
 * once the names are known to be good, the series key {@code series=m,k=v,...}; then the field, row and value, and
 * got/want.
 *
 * <p>Stateless and thread-safe.
 */
public final class BatchRules {
    /**
     * The storage node's default {@code storage.write.future-tolerance}: what a writer that cannot read the nodes'
     * setting (the broker) uses for the newest accepted timestamp.
     */
    public static final Duration DEFAULT_FUTURE_TOLERANCE = Duration.ofHours(1);
    /** {@link Limits#maxTagsPerSeries()} of a writer that does not know the storage nodes' tag limit. */
    public static final int NO_TAG_LIMIT = Integer.MAX_VALUE;

    private BatchRules() {}

    /** The rules, each with the error code it is refused with. */
    public enum Rule {
        EMPTY_BATCH(ErrorCode.INVALID_INPUT),
        METRIC_NAME(ErrorCode.INVALID_NAME),
        TAG_NAME(ErrorCode.INVALID_NAME),
        TAG_VALUE(ErrorCode.INVALID_INPUT),
        DUPLICATE_TAG(ErrorCode.INVALID_INPUT),
        SERIES_KEY(ErrorCode.INVALID_INPUT),
        MISSING_FIELDS(ErrorCode.INVALID_INPUT),
        FIELD_NAME(ErrorCode.INVALID_NAME),
        DUPLICATE_FIELD(ErrorCode.INVALID_INPUT),
        FIELD_IS_TAG(ErrorCode.TYPE_CONFLICT),
        MISSING_ROWS(ErrorCode.INVALID_INPUT),
        VALUE_COUNT(ErrorCode.INVALID_INPUT),
        TAGS_PER_SERIES(ErrorCode.LIMIT_EXCEEDED),
        WINDOW(ErrorCode.OUT_OF_RETENTION),
        INFINITE_VALUE(ErrorCode.INVALID_INPUT),
        NEGATIVE_HISTOGRAM(ErrorCode.INVALID_INPUT),
        // The rules of partial aggregates (storage.proto revision 6): PartialRules, which has the table.
        MIXED_BATCH(ErrorCode.INVALID_INPUT),
        CELL_COUNT(ErrorCode.INVALID_INPUT),
        PARTIAL_SLOT(ErrorCode.INVALID_INPUT),
        PARTIAL_MOMENTS(ErrorCode.INVALID_INPUT),
        PARTIAL_COUNT(ErrorCode.INVALID_INPUT),
        PARTIAL_NOT_FINITE(ErrorCode.INVALID_INPUT),
        PARTIAL_RANGE(ErrorCode.INVALID_INPUT),
        PARTIAL_TIMES(ErrorCode.INVALID_INPUT),
        PARTIAL_SINGLE(ErrorCode.INVALID_INPUT),
        PARTIAL_HISTOGRAM(ErrorCode.INVALID_INPUT),
        PARTIAL_TYPE(ErrorCode.TYPE_CONFLICT);

        private final ErrorCode code;

        Rule(ErrorCode code) {
            this.code = code;
        }

        public ErrorCode code() {
            return code;
        }
    }

    /** A broken rule: which one, and the position of the series in its batch ({@code -1} for the whole batch). */
    public static final class Violation extends InvalidInputException {
        private final Rule rule;
        private final int series;

        Violation(Rule rule, int series, String message) {
            super(rule.code(), message);
            this.rule = rule;
            this.series = series;
        }

        public Rule rule() {
            return rule;
        }

        public int series() {
            return series;
        }
    }

    /**
     * What the limit rules check against.
     *
     * @param nowMs             the checker's clock
     * @param baseRetention     the database's base interval retention: older points are refused
     * @param futureTolerance   how far ahead of {@code nowMs} a point may be
     * @param maxTagsPerSeries  {@link #NO_TAG_LIMIT} when the checker does not know the storage nodes' setting
     * @param tagLimitSetting   the setting that {@code maxTagsPerSeries} comes from, named in the message
     */
    public record Limits(
            long nowMs,
            Duration baseRetention,
            Duration futureTolerance,
            int maxTagsPerSeries,
            String tagLimitSetting) {
        public Limits {
            Objects.requireNonNull(baseRetention, "baseRetention");
            Objects.requireNonNull(futureTolerance, "futureTolerance");
            Objects.requireNonNull(tagLimitSetting, "tagLimitSetting");
            if (maxTagsPerSeries < 0) {
                throw new IllegalArgumentException(
                        "invalid tag limit [maxTagsPerSeries=" + maxTagsPerSeries + "]: want >= 0");
            }
        }

        /** The write window at {@code nowMs}, without a tag limit. */
        public static Limits window(long nowMs, Duration baseRetention, Duration futureTolerance) {
            return new Limits(nowMs, baseRetention, futureTolerance, NO_TAG_LIMIT, "none");
        }

        public Limits withTagLimit(int max, String setting) {
            return new Limits(nowMs, baseRetention, futureTolerance, max, setting);
        }

        /** The oldest accepted timestamp (ms), saturated at {@link Long#MIN_VALUE}. */
        public long oldestMs() {
            long r = baseRetention.toMillis();
            return nowMs - r > nowMs ? Long.MIN_VALUE : nowMs - r;
        }

        /** The newest accepted timestamp (ms), saturated at {@link Long#MAX_VALUE}. */
        public long newestMs() {
            long t = futureTolerance.toMillis();
            return nowMs + t < nowMs ? Long.MAX_VALUE : nowMs + t;
        }

        public boolean admits(long ts) {
            return ts >= oldestMs() && ts <= newestMs();
        }
    }

    /** One series of a batch as the rules read it; the wire's {@link SeriesRows} and storage's rows both fit. */
    public interface SeriesView {
        String metric();

        int tagCount();

        String tagKey(int i);

        String tagValue(int i);

        List<String> fields();

        int rows();

        /** The row's timestamp in ms since the epoch. */
        long timestamp(int row);

        int valueCount();

        /** Row-major: {@code value(row * fields().size() + field)}. */
        double value(int i);

        /** Whether {@code name} is one of the tag keys. */
        default boolean hasTagKey(String name) {
            return isTag(name, tagCount(), this::tagKey);
        }
    }

    /**
     * The rules' view of wire series {@code index} (timestamps decoded from their deltas; a {@code key} read into
     * its metric and tags).
     *
     * @throws Violation of {@link Rule#SERIES_KEY} when the series carries a key that is malformed, or a key and a
     *                   metric or tags
     */
    public static SeriesView view(int index, SeriesRows wire) {
        long[] timestamps = WireSeries.timestamps(wire);
        if (wire.getKey().isEmpty()) {
            return new WireSeries(wire, null, null, null, timestamps);
        }
        CanonicalKeyParts parts = keyParts(index, wire);
        return new WireSeries(wire, parts.metric(), parts.keys(), parts.values(), timestamps);
    }

    /**
     * The metric and tags of wire series {@code index} that carries a {@code key} (storage.proto revision 10).
     *
     * @throws Violation of {@link Rule#SERIES_KEY} when the key is malformed, or the series also carries a metric or
     *                   tags
     */
    public static CanonicalKeyParts keyParts(int index, SeriesRows wire) {
        if (!wire.getMetric().isEmpty() || wire.getTagsCount() > 0) {
            throw new Violation(
                    Rule.SERIES_KEY,
                    index,
                    "series key and metric both set [series[" + index + "], metric=" + wire.getMetric()
                            + "]: a series carries its key, or its metric and tags, not both");
        }
        try {
            return CanonicalKeyParts.of(wire.getKey().toByteArray());
        } catch (InvalidInputException e) {
            throw new Violation(Rule.SERIES_KEY, index, e.getMessage() + " at [series[" + index + "]]");
        }
    }

    /**
     * The rules' view of a wire series whose decoder already read its tags (in any order, e.g. sorted by key) and its
     * timestamps.
     */
    public static SeriesView view(SeriesRows wire, String[] tagKeys, String[] tagValues, long[] timestamps) {
        return new WireSeries(wire, null, tagKeys, tagValues, timestamps);
    }

    /**
     * The rules' view of a wire series that carries the {@code key} of a series a store already holds: its metric as
     * the decoder read it from {@code key} (the wire's key bytes), its tags read from them only if asked for (the
     * known-key check asks only
     * {@link SeriesView#hasTagKey}, which reads the bytes as they are).
     */
    public static SeriesView viewOfKnownKey(SeriesRows wire, String metric, byte[] key, long[] timestamps) {
        return new KnownKeySeries(wire, metric, key, timestamps);
    }

    /**
     * The rules' view of a wire series that carries a {@code key}, whose decoder read its metric and tags from it
     * ({@link #keyParts}).
     */
    public static SeriesView view(SeriesRows wire, CanonicalKeyParts parts, long[] timestamps) {
        return new WireSeries(wire, parts.metric(), parts.keys(), parts.values(), timestamps);
    }

    /**
     * Checks every rule but the histogram one, the whole batch before anything is built from it.
     *
     * @return the number of values that are not NaN (the batch's points)
     * @throws Violation naming the first broken rule and where
     */
    public static long check(PointBatch batch, Limits limits) {
        checkNotEmpty(batch);
        long points = 0;
        for (int i = 0; i < batch.getSeriesCount(); i++) {
            points += checkSeries(i, view(i, batch.getSeries(i)), limits);
        }
        return points;
    }

    /** The structure rules of every series, and that there is one: what decoding a wire batch needs. */
    public static void checkStructure(PointBatch batch) {
        checkNotEmpty(batch);
        for (int i = 0; i < batch.getSeriesCount(); i++) {
            checkStructure(i, view(i, batch.getSeries(i)));
        }
    }

    /**
     * Checks the structure and limit rules of series {@code index} of a batch.
     *
     * @return the number of values that are not NaN
     */
    public static long checkSeries(int index, SeriesView s, Limits limits) {
        checkStructure(index, s);
        return checkLimits(index, s, limits);
    }

    /**
     * Checks the limit rules of series {@code index} (tags per series, the write window, finite values) of a series
     * whose {@link #checkStructure(int, SeriesView) structure} was checked before.
     *
     * @return the number of values that are not NaN
     */
    public static long checkLimits(int index, SeriesView s, Limits limits) {
        if (s.tagCount() > limits.maxTagsPerSeries()) {
            throw new Violation(
                    Rule.TAGS_PER_SERIES,
                    index,
                    "too many tags [" + at(index, s) + "]: got " + s.tagCount() + "; limit " + limits.tagLimitSetting()
                            + "=" + limits.maxTagsPerSeries());
        }
        long oldest = limits.oldestMs();
        long newest = limits.newestMs();
        int nf = s.fields().size();
        long points = 0;
        for (int row = 0; row < s.rows(); row++) {
            long ts = s.timestamp(row);
            if (ts < oldest || ts > newest) {
                throw new Violation(
                        Rule.WINDOW,
                        index,
                        "timestamp outside the write window [" + key(index, s)
                                + ", row=" + row + ", ts=" + ts + "]: want " + oldest + ".." + newest
                                + " (now - base retention "
                                + Durations.format(limits.baseRetention()) + " .. now + future tolerance "
                                + Durations.format(limits.futureTolerance())
                                + ")");
            }
            for (int f = 0; f < nf; f++) {
                double v = s.value(row * nf + f);
                if (Double.isInfinite(v)) {
                    throw new Violation(
                            Rule.INFINITE_VALUE,
                            index,
                            "infinite value [" + key(index, s) + ", field="
                                    + s.fields().get(f) + ", row=" + row + ", value=" + v
                                    + "]: want a finite number (NaN means no value)");
                }
                if (!Double.isNaN(v)) {
                    points++;
                }
            }
        }
        return points;
    }

    /** The structure rules of series {@code index}: names, tags, fields and the rows x fields shape. */
    public static void checkStructure(int index, SeriesView s) {
        checkKey("series", index, s.metric(), s.tagCount(), s::tagKey, s::tagValue, s.fields());
        checkShape(index, s);
    }

    /**
     * The structure rules of series {@code index} of a series whose key (metric and tags) is known to be good, because
     * a store already holds it: its fields (at least one, valid, unique, none named like one of its tags) and the
     * rows x fields shape.
     */
    public static void checkStructureOfKnownKey(int index, SeriesView s) {
        if (!fieldsKeepTheRules(s)) {
            checkFields("series", index, s.metric(), s.tagCount(), s::tagKey, s::hasTagKey, s.fields());
        }
        checkShape(index, s);
    }

    /**
     * Whether the fields of a series keep {@link #checkFields}' rules, without building what names a broken one (the
     * write path's check of every known series); {@code checkFields} says which rule when they do not.
     */
    private static boolean fieldsKeepTheRules(SeriesView s) {
        List<String> fields = s.fields();
        if (fields.size() > PAIRWISE) {
            return false; // checkFields compares them by a set
        }
        for (int f = 0; f < fields.size(); f++) {
            String name = fields.get(f);
            if (Names.invalidReason(name) != null || s.hasTagKey(name)) {
                return false;
            }
            for (int g = 0; g < f; g++) {
                if (name.equals(fields.get(g))) {
                    return false;
                }
            }
        }
        return !fields.isEmpty();
    }

    /** There is a row, and rows x fields values. */
    private static void checkShape(int index, SeriesView s) {
        if (s.rows() == 0) {
            throw new Violation(
                    Rule.MISSING_ROWS, index, "missing rows [" + at(index, s) + "]: want at least one timestamp");
        }
        long expected = (long) s.rows() * s.fields().size();
        if (s.valueCount() != expected) {
            throw new Violation(
                    Rule.VALUE_COUNT,
                    index,
                    "value count mismatch [" + at(index, s) + "]: got "
                            + s.valueCount() + " values; want rows x fields = " + s.rows() + " x "
                            + s.fields().size() + " = "
                            + expected);
        }
    }

    /** Values of a histogram field are observations: never negative (NaN is "no value"). */
    public static void checkHistogramValues(int index, SeriesView s, int field) {
        int nf = s.fields().size();
        for (int row = 0; row < s.rows(); row++) {
            double v = s.value(row * nf + field);
            if (v < 0) {
                throw new Violation(
                        Rule.NEGATIVE_HISTOGRAM,
                        index,
                        "negative histogram observation [" + key(index, s) + ", field="
                                + s.fields().get(field) + ", row=" + row + ", value=" + v + "]: want >= 0");
            }
        }
    }

    /**
     * The name rules of a series' key and fields, shared with {@link PartialRules}: a valid metric, valid and unique
     * tag keys with storable values, at least one valid and unique field, none named like a tag. Messages place the
     * series as {@code list[index], metric=m}. Allocates nothing for a good series (it runs for every series of every
     * batch, on the broker and again on the storage node); duplicates are found by comparing names pairwise, since a
     * series has few tags and fields.
     */
    static void checkKey(
            String list,
            int index,
            String metric,
            int tagCount,
            IntFunction<String> tagKey,
            IntFunction<String> tagValue,
            List<String> fields) {
        if (Names.invalidReason(metric) != null) {
            name(Rule.METRIC_NAME, "metric", metric, list + "[" + index + "]", index);
        }
        int duplicateTag = firstRepeated(tagCount, tagKey);
        for (int t = 0; t < tagCount; t++) {
            String k = tagKey.apply(t);
            if (t == duplicateTag) {
                throw new Violation(
                        Rule.DUPLICATE_TAG,
                        index,
                        "duplicate tag key [" + at(list, index, metric) + ", tag=" + k + "]");
            }
            if (Names.invalidReason(k) != null) {
                name(Rule.TAG_NAME, "tag", k, at(list, index, metric), index);
            }
            String reason = Names.invalidTagValueReason(tagValue.apply(t));
            if (reason != null) {
                throw new Violation(
                        Rule.TAG_VALUE,
                        index,
                        "invalid tag value [tag=" + k + "] at [" + at(list, index, metric) + "]: " + reason);
            }
        }
        checkFields(list, index, metric, tagCount, tagKey, null, fields);
    }

    /** The field rules of {@link #checkKey}: at least one field, valid and unique names, none named like a tag. */
    /** @param isTagKey whether a name is a tag key, or null: compared with {@code tagKey}'s names */
    private static void checkFields(
            String list,
            int index,
            String metric,
            int tagCount,
            IntFunction<String> tagKey,
            Predicate<String> isTagKey,
            List<String> fields) {
        if (fields.isEmpty()) {
            throw new Violation(
                    Rule.MISSING_FIELDS,
                    index,
                    "missing fields [" + at(list, index, metric) + "]: want at least one field name");
        }
        int duplicateField = firstRepeated(fields.size(), fields::get);
        Set<String> manyTags = isTagKey == null && tagCount > PAIRWISE ? new HashSet<>() : null;
        for (int t = 0; manyTags != null && t < tagCount; t++) {
            manyTags.add(tagKey.apply(t));
        }
        for (int f = 0; f < fields.size(); f++) {
            String name = fields.get(f);
            if (Names.invalidReason(name) != null) {
                name(Rule.FIELD_NAME, "field", name, at(list, index, metric), index);
            }
            if (f == duplicateField) {
                throw new Violation(
                        Rule.DUPLICATE_FIELD,
                        index,
                        "duplicate field [" + at(list, index, metric) + ", field=" + name + "]");
            }
            boolean tag = isTagKey != null
                    ? isTagKey.test(name)
                    : manyTags != null ? manyTags.contains(name) : isTag(name, tagCount, tagKey);
            if (tag) {
                throw new Violation(
                        Rule.FIELD_IS_TAG,
                        index,
                        "name used as both tag and field [" + at(list, index, metric) + ", field=" + name + "]");
            }
        }
    }

    /** Names compared pairwise up to this many; a set beyond (a series over the tag limit is refused after this). */
    private static final int PAIRWISE = 16;

    /** The first position whose name appeared before it, or -1. */
    private static int firstRepeated(int count, IntFunction<String> names) {
        if (count > PAIRWISE) {
            Set<String> seen = new HashSet<>();
            for (int i = 0; i < count; i++) {
                if (!seen.add(names.apply(i))) {
                    return i;
                }
            }
            return -1;
        }
        for (int i = 1; i < count; i++) {
            String n = names.apply(i);
            for (int j = 0; j < i; j++) {
                if (n.equals(names.apply(j))) {
                    return i;
                }
            }
        }
        return -1;
    }

    private static boolean isTag(String name, int tagCount, IntFunction<String> tagKey) {
        for (int t = 0; t < tagCount; t++) {
            if (name.equals(tagKey.apply(t))) {
                return true;
            }
        }
        return false;
    }

    private static String at(String list, int index, String metric) {
        return list + "[" + index + "], metric=" + metric;
    }

    /**
     * The batch holds series of rows: at least one, and no partials. Rows only: a batch of partials is
     * {@link PartialRules}' to check (see the class comment).
     */
    public static void checkNotEmpty(PointBatch batch) {
        if (batch.getSeriesCount() > 0 && batch.getPartialsCount() > 0) {
            throw PartialRules.mixed(batch);
        }
        if (batch.getPartialsCount() > 0) {
            throw new Violation(
                    Rule.EMPTY_BATCH,
                    -1,
                    "empty batch [field=batch.series]: got 0 series and " + batch.getPartialsCount()
                            + " partial series, which this check does not read; want at least one series");
        }
        if (batch.getSeriesCount() == 0) {
            throw new Violation(Rule.EMPTY_BATCH, -1, "empty batch [field=batch.series]: want at least one series");
        }
    }

    private static void name(Rule rule, String what, String name, String where, int index) {
        String reason = Names.invalidReason(name);
        if (reason != null) {
            throw new Violation(
                    rule, index, "invalid " + what + " name [" + what + "=" + name + "] at [" + where + "]: " + reason);
        }
    }

    /** Where a series is while its names are not known to be good: its position and metric. */
    private static String at(int index, SeriesView s) {
        return "series[" + index + "], metric=" + s.metric();
    }

    /** Where a series with good names is: its position and key, printed as {@code SeriesKey} prints it. */
    private static String key(int index, SeriesView s) {
        Map<String, String> tags = new TreeMap<>();
        for (int t = 0; t < s.tagCount(); t++) {
            tags.put(s.tagKey(t), s.tagValue(t));
        }
        StringBuilder sb =
                new StringBuilder("series[").append(index).append("], series=").append(s.metric());
        tags.forEach((k, v) -> sb.append(',').append(k).append('=').append(v));
        return sb.toString();
    }

    /** A wire series by the key of a known series: tags read from the key's bytes only if asked for. */
    private static final class KnownKeySeries extends WireSeries {
        private final byte[] key;
        private final int tagCount;
        private CanonicalKeyParts parts;

        KnownKeySeries(SeriesRows rows, String metric, byte[] key, long[] timestamps) {
            super(rows, metric, null, null, timestamps);
            this.key = key;
            this.tagCount = CanonicalKeyParts.tagCount(key);
        }

        private CanonicalKeyParts parts() {
            if (parts == null) {
                parts = CanonicalKeyParts.of(key);
            }
            return parts;
        }

        @Override
        public int tagCount() {
            return tagCount;
        }

        @Override
        public String tagKey(int i) {
            return parts().keys()[i];
        }

        @Override
        public String tagValue(int i) {
            return parts().values()[i];
        }

        @Override
        public boolean hasTagKey(String name) {
            return CanonicalKeyParts.hasTagKey(key, name);
        }
    }

    /** A wire series; its tags as written, or as parallel arrays a decoder sorted. */
    private static class WireSeries implements SeriesView {
        private final SeriesRows rows;
        private final String metric; // null: the wire's
        private final String[] tagKeys; // null: the wire's tags
        private final String[] tagValues;
        private final long[] timestamps;

        WireSeries(SeriesRows rows, String metric, String[] tagKeys, String[] tagValues, long[] timestamps) {
            this.rows = rows;
            this.metric = metric;
            this.tagKeys = tagKeys;
            this.tagValues = tagValues;
            this.timestamps = timestamps;
        }

        static long[] timestamps(SeriesRows rows) {
            long[] timestamps = new long[rows.getTimestampDeltasCount()];
            long ts = 0;
            for (int i = 0; i < timestamps.length; i++) {
                ts += rows.getTimestampDeltas(i);
                timestamps[i] = ts;
            }
            return timestamps;
        }

        @Override
        public String metric() {
            return metric != null ? metric : rows.getMetric();
        }

        @Override
        public int tagCount() {
            return tagKeys != null ? tagKeys.length : rows.getTagsCount();
        }

        @Override
        public String tagKey(int i) {
            return tagKeys != null ? tagKeys[i] : rows.getTags(i).getKey();
        }

        @Override
        public String tagValue(int i) {
            return tagValues != null ? tagValues[i] : rows.getTags(i).getValue();
        }

        @Override
        public List<String> fields() {
            return rows.getFieldsList();
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
            return rows.getValuesCount();
        }

        @Override
        public double value(int i) {
            return rows.getValues(i);
        }
    }
}
