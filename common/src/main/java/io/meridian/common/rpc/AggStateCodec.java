package io.meridian.common.rpc;

import io.meridian.common.error.InvalidInputException;
import io.meridian.common.model.AggState;
import io.meridian.common.model.Histogram;
import io.meridian.common.rpc.storage.v1.HistogramBuckets;
import io.meridian.common.rpc.storage.v1.PartialAgg;

/**
 * {@link AggState} to and from the wire's {@link PartialAgg}. Every component travels as is, so a decoded
 * state equals (and merges exactly like) the encoded one; an empty state (count 0) is sent as count 0 only.
 */
public final class AggStateCodec {
    private AggStateCodec() {}

    /** A query answer's cell: every component, the selector times too ({@code min_ts}, {@code max_ts}). */
    public static PartialAgg encode(AggState s) {
        return s.isEmpty()
                ? PartialAgg.getDefaultInstance()
                : components(s).setMinTs(s.minTs()).setMaxTs(s.maxTs()).build();
    }

    /**
     * A written cell ({@code SeriesPartials}): no selector times, which a stored cell does not keep (and which a
     * storage node before revision 9 would refuse as unknown fields).
     */
    public static PartialAgg encodeStored(AggState s) {
        return s.isEmpty() ? PartialAgg.getDefaultInstance() : components(s).build();
    }

    private static PartialAgg.Builder components(AggState s) {
        PartialAgg.Builder b = PartialAgg.newBuilder()
                .setCount(s.count())
                .setSum(s.sum())
                .setMin(s.min())
                .setMax(s.max())
                .setFirstTs(s.firstTs())
                .setFirst(s.first())
                .setLastTs(s.lastTs())
                .setLast(s.last());
        Histogram h = s.histogram();
        if (h != null) {
            HistogramBuckets.Builder hb = HistogramBuckets.newBuilder();
            for (int i = 0; i < h.size(); i++) {
                hb.addIndexes(h.indexAt(i)).addCounts(h.countAt(i));
            }
            b.setHistogram(hb);
        }
        if (!Double.isNaN(s.m2())) {
            b.setM2(s.m2());
        }
        return b;
    }

    /**
     * @param where names the cell in error messages, e.g. {@code "group=[a], bucket=3, field=1"}
     * @throws InvalidInputException when the histogram part is malformed
     */
    public static AggState decode(PartialAgg p, String where) {
        if (p.getCount() == 0) {
            return AggState.empty();
        }
        AggState s = p.hasMinTs() && p.hasMaxTs()
                ? AggState.ofComponents(
                        p.getCount(),
                        p.getSum(),
                        p.getMin(),
                        p.getMinTs(),
                        p.getMax(),
                        p.getMaxTs(),
                        p.getFirstTs(),
                        p.getFirst(),
                        p.getLastTs(),
                        p.getLast())
                : AggState.ofComponents( // a revision-8 leaf's cell: the selector times derived from first and last
                        p.getCount(),
                        p.getSum(),
                        p.getMin(),
                        p.getMax(),
                        p.getFirstTs(),
                        p.getFirst(),
                        p.getLastTs(),
                        p.getLast());
        if (p.hasHistogram()) {
            s.setHistogram(decodeHistogram(p.getHistogram(), where));
        }
        if (p.hasM2()) {
            s.setM2(p.getM2()); // a moments cell
        }
        return s;
    }

    private static Histogram decodeHistogram(HistogramBuckets hb, String where) {
        if (hb.getIndexesCount() != hb.getCountsCount()) {
            throw new InvalidInputException("malformed histogram [" + where + "]: got " + hb.getIndexesCount()
                    + " indexes and " + hb.getCountsCount() + " counts; want the same number");
        }
        Histogram h = new Histogram();
        int prev = -1;
        for (int i = 0; i < hb.getIndexesCount(); i++) {
            int idx = hb.getIndexes(i);
            long n = hb.getCounts(i);
            if (idx <= prev || idx > Histogram.MAX_INDEX || n < 1) {
                throw new InvalidInputException("malformed histogram [" + where + ", position=" + i + "]: got index "
                        + Integer.toUnsignedString(idx) + " count " + Long.toUnsignedString(n)
                        + "; want strictly increasing indexes in 0.." + Histogram.MAX_INDEX + " and counts >= 1");
            }
            h.addCount(idx, n);
            prev = idx;
        }
        return h;
    }
}
