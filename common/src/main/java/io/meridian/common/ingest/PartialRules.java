package io.meridian.common.ingest;

import io.meridian.common.ingest.BatchRules.Limits;
import io.meridian.common.ingest.BatchRules.Rule;
import io.meridian.common.ingest.BatchRules.Violation;
import io.meridian.common.model.Durations;
import io.meridian.common.model.FieldType;
import io.meridian.common.rpc.storage.v1.PartialAgg;
import io.meridian.common.rpc.storage.v1.PointBatch;
import io.meridian.common.rpc.storage.v1.SeriesPartials;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Set;

/**
 * The rules a batch of partial aggregates obeys (storage.proto revision 6, {@code PointBatch.partials}), wherever it
 * is checked: by a writer before it sends, by the ingest job before a {@code pa1} record joins a transaction, by the
 * storage node when it decodes a wire batch. The rules read the raw {@link PartialAgg} cells, before
 * {@code AggStateCodec.decode}, which maps every count-0 cell to an empty state and would hide a bad one. They are
 * entries of {@link BatchRules}' {@link Rule} table and are refused as its {@link Violation}, whose
 * {@link Violation#series()} is then the position in {@code batch.partials}.
 *
 * <pre>
 *   batch       rows or partials, at least one of them                EMPTY_BATCH
 *               never both                                            MIXED_BATCH
 *   series      metric, tags and fields as for rows                   METRIC_NAME, TAG_NAME, TAG_VALUE, DUPLICATE_TAG,
 *                                                                     MISSING_FIELDS, FIELD_NAME, DUPLICATE_FIELD,
 *                                                                     FIELD_IS_TAG
 *               one known type per field; slots x fields cells        CELL_COUNT
 *               at least one slot                                     MISSING_ROWS
 *               interval_ms > 0 divides the base interval; slot
 *               starts are multiples of interval_ms                   PARTIAL_SLOT
 *               every slot has a non-empty cell                       PARTIAL_COUNT
 *   cells       (per cell, {@link PartialCellRules})
 *               no m2 (a query-only component)                        PARTIAL_MOMENTS
 *               count 0 with nothing else set (a hole); count < 2^63  PARTIAL_COUNT
 *               sum, min, max, first, last finite                     PARTIAL_NOT_FINITE
 *               min <= max, first and last in [min, max]              PARTIAL_RANGE
 *               first_ts <= last_ts; on a tie first <= last           PARTIAL_TIMES
 *               slot start <= first_ts, last_ts < slot end            PARTIAL_SLOT
 *               count 1: every component the one point                PARTIAL_SINGLE
 *               buckets exactly on histogram fields, valid, summing
 *               to count, min >= 0, first/last bucket of min/max      PARTIAL_HISTOGRAM
 *   limits      (against {@link Limits})
 *               tags at most maxTagsPerSeries                         TAGS_PER_SERIES
 *               first_ts and last_ts in the write window              WINDOW
 *   schema      (storage only: it knows the declared types)
 *               claimed type = declared type (gauge if undeclared)    PARTIAL_TYPE (TYPE_CONFLICT)
 * </pre>
 *
 * <p>Messages say what, where, got and want, e.g. {@code invalid partial [series=http,host=a, field=latency,
 * slot=1767225600000]: got min=5.0 max=3.0; want min <= max}; while the names are not known to be good a series is
 * placed as {@code partials[i], metric=m}.
 *
 * <p>Stateless and thread-safe.
 */
public final class PartialRules {
    /** The rules that only partials have (the shared name, window and tag rules are not in it). */
    public static final Set<Rule> RULES = Collections.unmodifiableSet(EnumSet.of(
            Rule.MIXED_BATCH,
            Rule.CELL_COUNT,
            Rule.PARTIAL_SLOT,
            Rule.PARTIAL_MOMENTS,
            Rule.PARTIAL_COUNT,
            Rule.PARTIAL_NOT_FINITE,
            Rule.PARTIAL_RANGE,
            Rule.PARTIAL_TIMES,
            Rule.PARTIAL_SINGLE,
            Rule.PARTIAL_HISTOGRAM,
            Rule.PARTIAL_TYPE));

    private PartialRules() {}

    /**
     * What a batch of partials holds.
     *
     * @param points the points its cells fold (the sum of their counts): {@code WriteResponse.points}
     * @param cells  its non-empty cells: {@code WriteResponse.cells}
     */
    public record Totals(long points, long cells) {}

    /**
     * The batch rules: rows or partials, at least one of them and never both.
     *
     * @return true when the batch carries partials (check it with {@link #check}), false when it carries rows
     *     ({@link BatchRules#check})
     * @throws Violation EMPTY_BATCH or MIXED_BATCH
     */
    public static boolean carriesPartials(PointBatch batch) {
        if (batch.getSeriesCount() > 0 && batch.getPartialsCount() > 0) {
            throw mixed(batch);
        }
        if (batch.getSeriesCount() == 0 && batch.getPartialsCount() == 0) {
            throw new Violation(
                    Rule.EMPTY_BATCH,
                    -1,
                    "empty batch [field=batch.series, batch.partials]: want at least one series or partial series");
        }
        return batch.getPartialsCount() > 0;
    }

    /**
     * Checks every rule but the limit and schema ones: what decoding a wire batch of partials needs.
     *
     * @param baseIntervalMs the database's base interval; every slot width must divide it
     * @throws Violation naming the first broken rule and where; EMPTY_BATCH for a batch without partials
     * @throws IllegalArgumentException when {@code baseIntervalMs <= 0}
     */
    public static Totals check(PointBatch batch, long baseIntervalMs) {
        return check(batch, baseIntervalMs, null);
    }

    /**
     * Checks every rule but the schema one, the whole batch before anything is built from it.
     *
     * @param baseIntervalMs the database's base interval; every slot width must divide it
     * @param limits         the write window and tag limit, or null to skip them
     * @throws Violation naming the first broken rule and where; EMPTY_BATCH for a batch without partials
     * @throws IllegalArgumentException when {@code baseIntervalMs <= 0}
     */
    public static Totals check(PointBatch batch, long baseIntervalMs, Limits limits) {
        if (!carriesPartials(batch)) {
            throw new Violation(
                    Rule.EMPTY_BATCH,
                    -1,
                    "empty batch [field=batch.partials]: got " + batch.getSeriesCount()
                            + " series of rows; want at least one partial series");
        }
        long points = 0;
        long cells = 0;
        for (int i = 0; i < batch.getPartialsCount(); i++) {
            Totals t = checkSeries(i, batch.getPartials(i), baseIntervalMs, limits);
            points = addPoints(points, t.points(), i, batch.getPartials(i));
            cells += t.cells();
        }
        return new Totals(points, cells);
    }

    /**
     * Checks the structure, cell and (unless {@code limits} is null) limit rules of partial series {@code index}.
     *
     * @throws IllegalArgumentException when {@code baseIntervalMs <= 0}
     */
    public static Totals checkSeries(int index, SeriesPartials s, long baseIntervalMs, Limits limits) {
        if (baseIntervalMs <= 0) {
            throw new IllegalArgumentException(
                    "invalid base interval [baseIntervalMs=" + baseIntervalMs + "]: want > 0");
        }
        BatchRules.checkKey(
                "partials",
                index,
                s.getMetric(),
                s.getTagsCount(),
                t -> s.getTags(t).getKey(),
                t -> s.getTags(t).getValue(),
                s.getFieldsList());
        String at = "partials[" + index + "], metric=" + s.getMetric();
        checkShape(index, s, at);
        checkInterval(index, s, baseIntervalMs);
        if (limits != null && s.getTagsCount() > limits.maxTagsPerSeries()) {
            throw new Violation(
                    Rule.TAGS_PER_SERIES,
                    index,
                    "too many tags [" + at + "]: got " + s.getTagsCount() + "; limit " + limits.tagLimitSetting() + "="
                            + limits.maxTagsPerSeries());
        }
        int nf = s.getFieldsCount();
        long points = 0;
        long cells = 0;
        long slot = 0;
        for (int row = 0; row < s.getSlotDeltasCount(); row++) {
            slot += s.getSlotDeltas(row);
            if (Math.floorMod(slot, s.getIntervalMs()) != 0) {
                throw new Violation(
                        Rule.PARTIAL_SLOT,
                        index,
                        "invalid partial slot [" + PartialCellRules.key(s) + ", slot=" + slot + "]: got a slot start "
                                + Math.floorMod(slot, s.getIntervalMs()) + " ms past a multiple of interval_ms="
                                + s.getIntervalMs() + "; want a multiple");
            }
            long slotPoints = 0;
            for (int f = 0; f < nf; f++) {
                PartialAgg c = s.getCells(row * nf + f);
                long n = PartialCellRules.check(index, s, f, slot, c);
                if (n > 0) {
                    cells++;
                    slotPoints = addPoints(slotPoints, n, index, s);
                    if (limits != null) {
                        window(index, s, f, slot, c.getFirstTs(), limits);
                        window(index, s, f, slot, c.getLastTs(), limits);
                    }
                }
            }
            if (slotPoints == 0) {
                throw new Violation(
                        Rule.PARTIAL_COUNT,
                        index,
                        "empty partial slot [" + PartialCellRules.key(s) + ", slot=" + slot + "]: got " + nf
                                + " cells with count 0; want at least one non-empty cell (leave the slot out)");
            }
            points = addPoints(points, slotPoints, index, s);
        }
        return new Totals(points, cells);
    }

    /**
     * The schema rule, which storage checks for each field against its declared type before it defines anything.
     *
     * @param declared the field's declared type ({@link FieldType#GAUGE} when the field is not declared)
     * @throws Violation PARTIAL_TYPE (TYPE_CONFLICT) when the type the cells were folded as is another one
     */
    public static void checkType(int index, SeriesPartials s, int field, FieldType declared) {
        FieldType claimed = knownType(s.getTypesValue(field));
        if (claimed != declared) {
            String got = claimed == null ? "type number " + s.getTypesValue(field) : claimed.displayName();
            throw new Violation(
                    Rule.PARTIAL_TYPE,
                    index,
                    "partial of another field type [" + PartialCellRules.key(s) + ", field=" + s.getFields(field)
                            + "]: got " + got + " (the type the cells were folded as); want " + declared.displayName()
                            + " (the declared type; an undeclared field is a gauge: declare it first)");
        }
    }

    /** A batch with rows and partials. */
    static Violation mixed(PointBatch batch) {
        return new Violation(
                Rule.MIXED_BATCH,
                -1,
                "mixed batch [field=batch.partials]: got " + batch.getSeriesCount() + " series of rows and "
                        + batch.getPartialsCount() + " partial series; want rows or partials, never both");
    }

    /** One known type per field, at least one slot, slots x fields cells. */
    private static void checkShape(int index, SeriesPartials s, String at) {
        int nf = s.getFieldsCount();
        if (s.getTypesCount() != nf) {
            throw new Violation(
                    Rule.CELL_COUNT,
                    index,
                    "type count mismatch [" + at + "]: got " + s.getTypesCount() + " types; want one per field = "
                            + nf);
        }
        for (int f = 0; f < nf; f++) {
            int t = s.getTypesValue(f);
            if (knownType(t) == null) {
                throw new Violation(
                        Rule.CELL_COUNT,
                        index,
                        "missing or unknown field type [" + at + ", field=" + s.getFields(f) + "]: got " + t
                                + "; want one of gauge, sum, min, max, first, last, histogram, counter");
            }
        }
        if (s.getSlotDeltasCount() == 0) {
            throw new Violation(Rule.MISSING_ROWS, index, "missing slots [" + at + "]: want at least one slot start");
        }
        long expected = (long) s.getSlotDeltasCount() * nf;
        if (s.getCellsCount() != expected) {
            throw new Violation(
                    Rule.CELL_COUNT,
                    index,
                    "cell count mismatch [" + at + "]: got " + s.getCellsCount() + " cells; want slots x fields = "
                            + s.getSlotDeltasCount() + " x " + nf + " = " + expected);
        }
    }

    private static void checkInterval(int index, SeriesPartials s, long baseIntervalMs) {
        long interval = s.getIntervalMs();
        if (interval <= 0 || baseIntervalMs % interval != 0) {
            throw new Violation(
                    Rule.PARTIAL_SLOT,
                    index,
                    "invalid partial interval [" + PartialCellRules.key(s) + "]: got interval_ms=" + interval
                            + "; want a width > 0 that divides the base interval " + baseIntervalMs + " ms");
        }
    }

    private static void window(int index, SeriesPartials s, int field, long slot, long ts, Limits limits) {
        if (!limits.admits(ts)) {
            throw new Violation(
                    Rule.WINDOW,
                    index,
                    "timestamp outside the write window [" + PartialCellRules.key(s) + ", field=" + s.getFields(field)
                            + ", slot=" + slot + ", ts=" + ts + "]: want " + limits.oldestMs() + ".."
                            + limits.newestMs() + " (now - base retention " + Durations.format(limits.baseRetention())
                            + " .. now + future tolerance " + Durations.format(limits.futureTolerance()) + ")");
        }
    }

    private static long addPoints(long a, long b, int index, SeriesPartials s) {
        long sum = a + b;
        if (sum < 0) {
            throw new Violation(
                    Rule.PARTIAL_COUNT,
                    index,
                    "too many points [" + PartialCellRules.key(s) + "]: got counts adding up past " + Long.MAX_VALUE
                            + "; want a smaller batch");
        }
        return sum;
    }

    /** The field type with wire number {@code id}, or null for 0 (unset) and numbers this build does not know. */
    private static FieldType knownType(int id) {
        for (FieldType t : FieldType.values()) {
            if (t.id() == id) {
                return t;
            }
        }
        return null;
    }
}
