package io.meridian.storage.engine;

import io.meridian.storage.block.BlockCache;
import io.meridian.storage.block.BlockCodec;
import io.meridian.storage.block.PartReader;
import io.meridian.storage.block.SlotColumns;
import io.meridian.storage.memtable.MemTable;
import io.meridian.storage.memtable.PointBuffer;
import io.meridian.storage.query.LeafQuery;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.roaringbitmap.PeekableIntIterator;
import org.roaringbitmap.RoaringBitmap;

/**
 * COUNT(*) on a leaf: each (series, slot) with a point in any field counts once in its group's bucket, however many
 * fields, points, parts and memtables hold it.
 *
 * <p>Counted from summaries where they are exact, and from the slots only where they are not:
 * <ul>
 *   <li>a part's row summary (part format v4) gives a series' rows and their first and last slot: when those lie in
 *       the range and in one bucket, the series' rows there are added without reading a block;</li>
 *   <li>a memtable's row bitmap ({@link MemTable#rows}) gives them without walking its points;</li>
 *   <li>when two of a series' sources may hold the same slot (their slot spans overlap: a late point flushed into a
 *       second part of a segment, or points of flushed slots still in the memtable), or a part has no summary, the
 *       slots themselves are marked in a bitmap, which counts each once.</li>
 * </ul>
 * One instance per query; not thread-safe.
 */
final class RowCounter {
    /** Adds {@code rows} to the COUNT(*) cell of (series, bucket). */
    @FunctionalInterface
    interface Sink {
        void add(int series, int bucket, long rows);
    }

    /** A part's summary of one series: its rows lie in the slots {@code [first, last]} (absolute slot numbers). */
    private record Summary(PartReader part, long first, long last, long rows) { }

    /** A memtable's rows of one series: bit {@code k} is absolute slot {@code origin + k}. */
    private record Bits(RoaringBitmap bits, long origin, long first, long last) { }

    private static final class SeriesRows {
        final List<Summary> summaries = new ArrayList<>(2);
        final List<Bits> bits = new ArrayList<>(1);
        /** Slots marked one by one, numbered from the one holding the range start. */
        RoaringBitmap marked;
    }

    private final LeafQuery q;
    private final long iv;
    private final int[] rowFieldIds;
    private final BlockCache cache;
    private final BlockCodec codec;
    /** The absolute slot numbers of the range's first and last slot. */
    private final long firstAbs;
    private final long lastAbs;
    private final Map<Integer, SeriesRows> bySeries = new HashMap<>();

    RowCounter(LeafQuery q, long intervalMs, int[] rowFieldIds, BlockCache cache, BlockCodec codec) {
        this.q = q;
        this.iv = intervalMs;
        this.rowFieldIds = rowFieldIds;
        this.cache = cache;
        this.codec = codec;
        this.firstAbs = Math.floorDiv(q.startMs() + intervalMs - 1, intervalMs);
        this.lastAbs = Math.floorDiv(q.endMs() - 1, intervalMs);
    }

    /** The rows of series {@code s} in part {@code p}, whose slots {@code [firstSlot, lastSlot]} are in range. */
    void addPart(PartReader p, int s, int firstSlot, int lastSlot) {
        if (p.hasRowSummary()) {
            int e = p.summaryOf(s);
            if (e < 0) {
                return; // no row of this series in the part
            }
            int first = p.summaryFirstSlot(e);
            int last = p.summaryLastSlot(e);
            if (last < firstSlot || first > lastSlot) {
                return;
            }
            long segSlot = Math.floorDiv(p.segmentStartMs(), iv);
            if (first >= firstSlot && last <= lastSlot && q.bucketOf((segSlot + first) * iv) == q.bucketOf((segSlot + last) * iv)) {
                series(s).summaries.add(new Summary(p, segSlot + first, segSlot + last, p.summaryRows(e)));
                return;
            }
        }
        markPart(series(s), p, s, firstSlot, lastSlot);
    }

    /** The rows of series {@code s} in memtable {@code m}. */
    void addMemtable(MemTable m, int s) {
        if (m.rowIntervalMs() == iv && m.rowsTracked(s)) {
            RoaringBitmap bits = m.rows(s);
            if (bits == null) {
                return;
            }
            long lo = Math.max(0, firstAbs - m.rowOrigin());
            long hi = Math.min(0xFFFFFFFFL, lastAbs - m.rowOrigin());
            if (hi < lo) {
                return;
            }
            long first = bits.nextValue((int) lo);
            long last = bits.previousValue((int) hi);
            if (first < 0 || last < 0 || first > hi || last < lo) {
                return;
            }
            series(s).bits.add(new Bits(bits, m.rowOrigin(), m.rowOrigin() + first, m.rowOrigin() + last));
            return;
        }
        SeriesRows rows = series(s);
        for (int fieldId : rowFieldIds) {
            PointBuffer b = m.find(s, fieldId);
            if (b == null) {
                continue;
            }
            for (int i = 0; i < b.size(); i++) {
                long slot = Math.floorDiv(b.timestamp(i), iv);
                if (slot >= firstAbs && slot <= lastAbs) {
                    marked(rows).add((int) (slot - firstAbs));
                }
            }
        }
    }

    /** Adds every series' rows to the sink. */
    void countInto(Sink sink) {
        for (Map.Entry<Integer, SeriesRows> e : bySeries.entrySet()) {
            int s = e.getKey();
            SeriesRows rows = e.getValue();
            if (overlapping(rows)) {
                for (Summary sum : rows.summaries) {
                    long seg = Math.floorDiv(sum.part().segmentStartMs(), iv);
                    markPart(rows, sum.part(), s, (int) (sum.first() - seg), (int) (sum.last() - seg));
                }
                rows.summaries.clear();
                for (Bits b : rows.bits) {
                    RoaringBitmap marked = marked(rows);
                    forEachBit(b, (slot) -> marked.add((int) (slot - firstAbs)));
                }
                rows.bits.clear();
            }
            for (Summary sum : rows.summaries) {
                sink.add(s, q.bucketOf(sum.first() * iv), sum.rows());
            }
            for (Bits b : rows.bits) {
                if (q.bucketMs() == 0) {
                    sink.add(s, 0, b.bits().rangeCardinality(b.first() - b.origin(), b.last() - b.origin() + 1));
                } else {
                    countPerBucket(s, sink, b.bits(), b.origin(), b.first() - b.origin(), b.last() - b.origin());
                }
            }
            if (rows.marked != null && !rows.marked.isEmpty()) {
                countPerBucket(s, sink, rows.marked, firstAbs, 0, rows.marked.last() & 0xFFFFFFFFL);
            }
        }
    }

    /** Whether two of the series' sources may hold the same slot: their slot spans meet. */
    private static boolean overlapping(SeriesRows rows) {
        List<long[]> spans = new ArrayList<>(rows.summaries.size() + rows.bits.size() + 1);
        rows.summaries.forEach(sum -> spans.add(new long[] {sum.first(), sum.last()}));
        rows.bits.forEach(b -> spans.add(new long[] {b.first(), b.last()}));
        if (spans.isEmpty() || spans.size() == 1 && (rows.marked == null || rows.marked.isEmpty())) {
            return false;
        }
        if (rows.marked != null && !rows.marked.isEmpty()) {
            return true; // marked slots are exact; keep it simple and mark the summaries too
        }
        spans.sort((a, b) -> Long.compare(a[0], b[0]));
        for (int i = 1; i < spans.size(); i++) {
            if (spans.get(i)[0] <= spans.get(i - 1)[1]) {
                return true;
            }
        }
        return false;
    }

    /** Adds the set bits of {@code bits} in {@code [lo, hi]} (bit {@code k} = absolute slot {@code origin + k}). */
    private void countPerBucket(int s, Sink sink, RoaringBitmap bits, long origin, long lo, long hi) {
        PeekableIntIterator it = bits.getIntIterator();
        it.advanceIfNeeded((int) lo);
        int bucket = -1;
        long n = 0;
        while (it.hasNext()) {
            long k = it.next() & 0xFFFFFFFFL;
            if (k > hi) {
                break;
            }
            int b = q.bucketOf((origin + k) * iv);
            if (b != bucket && n > 0) {
                sink.add(s, bucket, n);
                n = 0;
            }
            bucket = b;
            n++;
        }
        if (n > 0) {
            sink.add(s, bucket, n);
        }
    }

    private void forEachBit(Bits b, java.util.function.LongConsumer slot) {
        PeekableIntIterator it = b.bits().getIntIterator();
        it.advanceIfNeeded((int) (b.first() - b.origin()));
        while (it.hasNext()) {
            long abs = b.origin() + (it.next() & 0xFFFFFFFFL);
            if (abs > b.last()) {
                return;
            }
            slot.accept(abs);
        }
    }

    /** Marks the slots of series {@code s} in part {@code p} within {@code [firstSlot, lastSlot]}. */
    private void markPart(SeriesRows rows, PartReader p, int s, int firstSlot, int lastSlot) {
        BlockCache.PartBlocks blocks = cache.open(p, codec);
        long segSlot = Math.floorDiv(p.segmentStartMs(), iv);
        for (int fieldId : rowFieldIds) {
            int idx = p.find(s, fieldId);
            if (idx < 0) {
                continue;
            }
            SlotColumns c = blocks.get(idx);
            RoaringBitmap marked = marked(rows);
            for (int i = firstSlot <= 0 ? 0 : c.lowerBound(firstSlot); i < c.size() && c.slot(i) <= lastSlot; i++) {
                marked.add((int) (segSlot + c.slot(i) - firstAbs));
            }
        }
    }

    private SeriesRows series(int s) {
        return bySeries.computeIfAbsent(s, k -> new SeriesRows());
    }

    private static RoaringBitmap marked(SeriesRows rows) {
        if (rows.marked == null) {
            rows.marked = new RoaringBitmap();
        }
        return rows.marked;
    }
}
