package io.meridian.common.ingest;

import io.meridian.common.ingest.BatchRules.Rule;
import io.meridian.common.ingest.BatchRules.Violation;
import io.meridian.common.model.FieldType;
import io.meridian.common.model.Histogram;
import io.meridian.common.rpc.storage.v1.HistogramBuckets;
import io.meridian.common.rpc.storage.v1.PartialAgg;
import io.meridian.common.rpc.storage.v1.SeriesPartials;
import io.meridian.common.rpc.storage.v1.Tag;
import java.util.Map;
import java.util.TreeMap;

/**
 * The per-cell rules of {@link PartialRules} (the table is there): a cell must be a state that
 * {@code AggState.merge} could have made of points in its slot, because storage merges it with raw points and other
 * cells, and a count-1 cell is stored in the single-value block mode, which keeps only the value. Checked in the
 * table's order, so the first broken rule is reported. Stateless.
 */
final class PartialCellRules {
    private PartialCellRules() {}

    /**
     * Checks cell {@code c} of field {@code field} in the slot starting at {@code slot} of partial series
     * {@code index}; the series' shape and interval are already checked.
     *
     * @return the cell's count (0 for a hole)
     */
    static long check(int index, SeriesPartials s, int field, long slot, PartialAgg c) {
        if (c.hasM2()) {
            throw bad(
                    Rule.PARTIAL_MOMENTS,
                    index,
                    s,
                    field,
                    slot,
                    "got m2=" + c.getM2() + "; want no m2 (a query-only component)");
        }
        long n = c.getCount();
        if (n == 0) {
            if (!c.equals(PartialAgg.getDefaultInstance())) {
                throw bad(
                        Rule.PARTIAL_COUNT,
                        index,
                        s,
                        field,
                        slot,
                        "got count=0 with " + components(c) + "; want nothing set in a cell without points (a hole)");
            }
            return 0;
        }
        if (n < 0) {
            throw bad(
                    Rule.PARTIAL_COUNT,
                    index,
                    s,
                    field,
                    slot,
                    "got count=" + Long.toUnsignedString(n) + "; want a count below 2^63");
        }
        checkFinite(index, s, field, slot, c);
        checkRange(index, s, field, slot, c);
        if (c.getFirstTs() > c.getLastTs() || (c.getFirstTs() == c.getLastTs() && c.getFirst() > c.getLast())) {
            throw bad(
                    Rule.PARTIAL_TIMES,
                    index,
                    s,
                    field,
                    slot,
                    "got first=" + c.getFirst() + "@" + c.getFirstTs()
                            + " last=" + c.getLast() + "@" + c.getLastTs()
                            + "; want first_ts <= last_ts, and first <= last on equal times");
        }
        // first_ts >= slot, so the true difference last_ts - slot is in [0, 2^64): exact as an unsigned long
        if (c.getFirstTs() < slot || Long.compareUnsigned(c.getLastTs() - slot, s.getIntervalMs()) >= 0) {
            throw bad(
                    Rule.PARTIAL_SLOT,
                    index,
                    s,
                    field,
                    slot,
                    "got first_ts=" + c.getFirstTs() + " last_ts="
                            + c.getLastTs() + "; want times in the slot [" + slot + ", " + slot + " + "
                            + s.getIntervalMs()
                            + ")");
        }
        if (n == 1
                && !(c.getSum() == c.getMin()
                        && c.getMin() == c.getMax()
                        && c.getFirst() == c.getMin()
                        && c.getLast() == c.getMin()
                        && c.getFirstTs() == c.getLastTs())) {
            throw bad(
                    Rule.PARTIAL_SINGLE,
                    index,
                    s,
                    field,
                    slot,
                    "got count=1 with " + components(c)
                            + "; want sum = min = max = first = last and first_ts = last_ts (one point)");
        }
        checkHistogram(index, s, field, slot, c);
        return n;
    }

    private static void checkFinite(int index, SeriesPartials s, int field, long slot, PartialAgg c) {
        double[] values = {c.getSum(), c.getMin(), c.getMax(), c.getFirst(), c.getLast()};
        for (double v : values) {
            if (!Double.isFinite(v)) {
                throw bad(
                        Rule.PARTIAL_NOT_FINITE,
                        index,
                        s,
                        field,
                        slot,
                        "got " + components(c) + "; want finite sum, min, max, first and last");
            }
        }
    }

    private static void checkRange(int index, SeriesPartials s, int field, long slot, PartialAgg c) {
        double min = c.getMin();
        double max = c.getMax();
        if (min > max) {
            throw bad(
                    Rule.PARTIAL_RANGE, index, s, field, slot, "got min=" + min + " max=" + max + "; want min <= max");
        }
        if (c.getFirst() < min || c.getFirst() > max || c.getLast() < min || c.getLast() > max) {
            throw bad(
                    Rule.PARTIAL_RANGE,
                    index,
                    s,
                    field,
                    slot,
                    "got min=" + min + " max=" + max + " first=" + c.getFirst() + " last=" + c.getLast()
                            + "; want first and last in [min, max]");
        }
    }

    /** Buckets on histogram fields only, in the layout {@code AggStateCodec} decodes, and consistent with the rest. */
    private static void checkHistogram(int index, SeriesPartials s, int field, long slot, PartialAgg c) {
        boolean histogramField = s.getTypesValue(field) == FieldType.HISTOGRAM.id();
        if (!histogramField) {
            if (c.hasHistogram()) {
                throw bad(
                        Rule.PARTIAL_HISTOGRAM,
                        index,
                        s,
                        field,
                        slot,
                        "got histogram buckets on a " + s.getTypes(field).name()
                                + " field; want them on histogram fields only");
            }
            return;
        }
        if (!c.hasHistogram()) {
            throw bad(
                    Rule.PARTIAL_HISTOGRAM,
                    index,
                    s,
                    field,
                    slot,
                    "got no histogram buckets; want the buckets of" + " the cell's " + c.getCount() + " observations");
        }
        if (c.getMin() < 0) {
            throw bad(
                    Rule.PARTIAL_HISTOGRAM,
                    index,
                    s,
                    field,
                    slot,
                    "got min=" + c.getMin() + "; want histogram observations >= 0");
        }
        HistogramBuckets hb = c.getHistogram();
        if (hb.getIndexesCount() != hb.getCountsCount() || hb.getIndexesCount() == 0) {
            throw bad(
                    Rule.PARTIAL_HISTOGRAM,
                    index,
                    s,
                    field,
                    slot,
                    "got " + hb.getIndexesCount() + " indexes and " + hb.getCountsCount()
                            + " counts; want the same number, at least one");
        }
        long total = 0;
        int prev = -1;
        for (int i = 0; i < hb.getIndexesCount(); i++) {
            int idx = hb.getIndexes(i);
            long n = hb.getCounts(i);
            if (idx <= prev || idx > Histogram.MAX_INDEX || n < 1) {
                throw bad(
                        Rule.PARTIAL_HISTOGRAM,
                        index,
                        s,
                        field,
                        slot,
                        "got bucket index "
                                + Integer.toUnsignedString(idx) + " count " + Long.toUnsignedString(n) + " at position "
                                + i
                                + "; want strictly increasing indexes in 0.." + Histogram.MAX_INDEX
                                + " and counts >= 1");
            }
            total += n;
            if (total < 0) {
                break; // past 2^63 - 1: the cell's count (below 2^63) cannot match
            }
            prev = idx;
        }
        if (total != c.getCount()) {
            throw bad(
                    Rule.PARTIAL_HISTOGRAM,
                    index,
                    s,
                    field,
                    slot,
                    "got bucket counts adding up to "
                            + (total < 0 ? "more than " + Long.MAX_VALUE : Long.toString(total)) + "; want count="
                            + c.getCount());
        }
        int lowest = hb.getIndexes(0);
        int highest = hb.getIndexes(hb.getIndexesCount() - 1);
        if (lowest != Histogram.bucketOf(c.getMin()) || highest != Histogram.bucketOf(c.getMax())) {
            throw bad(
                    Rule.PARTIAL_HISTOGRAM,
                    index,
                    s,
                    field,
                    slot,
                    "got buckets " + lowest + ".." + highest
                            + " for min=" + c.getMin() + " max=" + c.getMax() + "; want the first bucket "
                            + Histogram.bucketOf(c.getMin()) + " (min's) and the last " + Histogram.bucketOf(c.getMax())
                            + " (max's)");
        }
    }

    private static Violation bad(Rule rule, int index, SeriesPartials s, int field, long slot, String gotWant) {
        return new Violation(
                rule,
                index,
                "invalid partial [" + key(s) + ", field=" + s.getFields(field) + ", slot=" + slot + "]: " + gotWant);
    }

    /** The components of a cell, for messages. */
    private static String components(PartialAgg c) {
        return "sum=" + c.getSum() + " min=" + c.getMin() + " max=" + c.getMax() + " first=" + c.getFirst() + "@"
                + c.getFirstTs() + " last=" + c.getLast() + "@" + c.getLastTs()
                + (c.hasHistogram() ? " histogram=" + c.getHistogram().getIndexesCount() + " buckets" : "");
    }

    /** A partial series whose names are good, printed as {@code SeriesKey} prints it: {@code series=m,k=v,...}. */
    static String key(SeriesPartials s) {
        Map<String, String> tags = new TreeMap<>();
        for (Tag t : s.getTagsList()) {
            tags.put(t.getKey(), t.getValue());
        }
        StringBuilder sb = new StringBuilder("series=").append(s.getMetric());
        tags.forEach((k, v) -> sb.append(',').append(k).append('=').append(v));
        return sb.toString();
    }
}
