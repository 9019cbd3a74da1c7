package io.meridian.storage.engine;

import io.meridian.common.error.InvalidInputException;
import io.meridian.common.model.AggState;
import io.meridian.common.model.FieldType;
import io.meridian.common.model.Histogram;
import io.meridian.storage.shard.WriteBatch;
import java.util.Locale;

/**
 * The engine's checks of partial aggregates, on top of the rules every series meets ({@code BatchRules}): each slot
 * starts on the base interval, and each cell is a state that points could have produced (a count, min <= max,
 * first and last inside the slot and inside [min, max], the histogram's total equal to the count). A cell that
 * breaks them would merge into wrong answers, so the whole batch is refused, naming series, field and slot.
 */
final class PartialCellChecks {
    private PartialCellChecks() {}

    static void check(int index, WriteBatch.SeriesPartials p, long baseMs) {
        int nf = p.fields().size();
        for (int k = 0; k < p.slots(); k++) {
            long start = p.slotStarts()[k];
            if (Math.floorMod(start, baseMs) != 0) {
                throw invalid(
                        p,
                        index,
                        null,
                        start,
                        "got a slot start that is not on the base interval; want a " + "multiple of " + baseMs + " ms");
            }
            for (int f = 0; f < nf; f++) {
                AggState c = p.cells()[k * nf + f];
                if (c != null && !c.isEmpty()) {
                    cell(index, p, p.fields().get(f), start, baseMs, c);
                    boolean histogramField = p.types().get(f) == FieldType.HISTOGRAM;
                    if (c.count() > 1 && histogramField != (c.histogram() != null)) {
                        throw invalid(
                                p,
                                index,
                                p.fields().get(f),
                                start,
                                histogramField
                                        ? "got no histogram buckets; want them for a histogram field"
                                        : "got histogram buckets; want none for a "
                                                + p.types().get(f).name().toLowerCase(Locale.ROOT) + " field");
                    }
                }
            }
        }
    }

    private static void cell(
            int index, WriteBatch.SeriesPartials p, String field, long start, long baseMs, AggState c) {
        if (c.count() < 0) {
            throw invalid(p, index, field, start, "got count=" + c.count() + "; want >= 1");
        }
        if (!(c.min() <= c.max())
                || Double.isInfinite(c.min())
                || Double.isInfinite(c.max())
                || !Double.isFinite(c.sum())) {
            throw invalid(
                    p,
                    index,
                    field,
                    start,
                    "got sum=" + c.sum() + " min=" + c.min() + " max=" + c.max()
                            + "; want finite values and min <= max");
        }
        if (c.firstTs() < start || c.lastTs() >= start + baseMs || c.firstTs() > c.lastTs()) {
            throw invalid(
                    p,
                    index,
                    field,
                    start,
                    "got first_ts=" + c.firstTs() + " last_ts=" + c.lastTs() + "; want first_ts <= last_ts, both in ["
                            + start + ", " + (start + baseMs) + ")");
        }
        if (!(c.first() >= c.min() && c.first() <= c.max() && c.last() >= c.min() && c.last() <= c.max())) {
            throw invalid(
                    p,
                    index,
                    field,
                    start,
                    "got first=" + c.first() + " last=" + c.last() + "; want both in [min=" + c.min() + ", max="
                            + c.max() + "]");
        }
        if (c.count() == 1 && !(c.min() == c.max() && c.sum() == c.min() && c.firstTs() == c.lastTs())) {
            throw invalid(
                    p,
                    index,
                    field,
                    start,
                    "got a cell of one point whose components differ; want "
                            + "sum = min = max = first = last at one time");
        }
        Histogram h = c.histogram();
        if (h != null && h.total() != c.count()) {
            throw invalid(
                    p,
                    index,
                    field,
                    start,
                    "got histogram buckets holding " + h.total() + " observations; " + "want count=" + c.count());
        }
    }

    private static InvalidInputException invalid(
            WriteBatch.SeriesPartials p, int index, String field, long slot, String what) {
        return new InvalidInputException("invalid partial [series[" + index + "]=" + p.key()
                + (field == null ? "" : ", field=" + field) + ", slot=" + slot + "]: " + what);
    }
}
