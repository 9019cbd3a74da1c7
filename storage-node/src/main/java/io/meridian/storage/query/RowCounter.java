package io.meridian.storage.query;

import io.meridian.storage.memtable.MemTable;
import io.meridian.storage.memtable.PartialBuffer;
import io.meridian.storage.memtable.PointBuffer;
import io.meridian.storage.part.BlockCache;
import io.meridian.storage.part.BlockCodec;
import io.meridian.storage.part.PartReader;
import io.meridian.storage.part.SlotColumns;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.roaringbitmap.ImmutableBitmapDataProvider;
import org.roaringbitmap.PeekableIntIterator;
import org.roaringbitmap.RoaringBitmap;
import org.roaringbitmap.buffer.ImmutableRoaringBitmap;
import org.roaringbitmap.buffer.MutableRoaringBitmap;

/**
 * COUNT(*) on a leaf: each (series, slot) with a point in any field counts once in its group's bucket, however many
 * fields, points, parts and memtables hold it.
 *
 * <p>Counted from the rows each source keeps, not from its slots: a part's rows bitmap per series (part format v4)
 * and a memtable's ({@link MemTable#rows}). A series with one source is counted from it in place; a series in several
 * (a segment flushed more than once, points still in the memtable) from the union of their bitmaps, so a slot held
 * by two counts once. Only parts written before v4 are read block by block, their slots marked in a bitmap.
 *
 * <p>When the caller only needs to know which groups have a row ({@link LeafQuery#rowsExistOnly}, one bucket), a
 * series is settled by its first source with a row in range and counts 1: the other sources are not looked at and
 * no union is made.
 * One instance per query; not thread-safe.
 */
final class RowCounter {
    /** Adds {@code rows} to the COUNT(*) cell of (series, bucket). */
    @FunctionalInterface
    interface Sink {
        void add(int series, int bucket, long rows);
    }

    /** Rows of one source: bit {@code k} is absolute slot {@code origin + k}. */
    private record Rows(ImmutableRoaringBitmap part, RoaringBitmap memtable, long origin) {}

    private static final class SeriesRows {
        final List<Rows> sources = new ArrayList<>(2);
        /** Slots marked one by one (parts without rows), numbered from the range's first slot. */
        RoaringBitmap marked;
    }

    private final LeafQuery q;
    private final long iv;
    private final int[] rowFieldIds;
    private final BlockCache cache;
    private final BlockCodec codec;
    /** The absolute slot numbers ({@code floor(ts / interval)}) of the range's first and last slot. */
    private final long firstAbs;

    private final long lastAbs;
    private final Map<Integer, SeriesRows> bySeries = new HashMap<>();
    /** Existence mode: the series known to have a row in range; null when rows are counted. */
    private final RoaringBitmap existing;

    RowCounter(LeafQuery q, long intervalMs, int[] rowFieldIds, BlockCache cache, BlockCodec codec) {
        this.q = q;
        this.iv = intervalMs;
        this.rowFieldIds = rowFieldIds;
        this.cache = cache;
        this.codec = codec;
        this.firstAbs = Math.floorDiv(q.startMs() + intervalMs - 1, intervalMs);
        this.lastAbs = Math.floorDiv(q.endMs() - 1, intervalMs);
        this.existing = q.rowsExistOnly() && q.bucketMs() == 0 ? new RoaringBitmap() : null;
    }

    /** Existence mode: whether series {@code s} is already known to have a row (then its other sources are skipped). */
    private boolean settled(int s) {
        return existing != null && existing.contains(s);
    }

    /**
     * Existence mode: marks {@code s} as having a row when {@code bits} (bit {@code k} = absolute slot
     * {@code origin + k}) has one in range; returns whether the source was looked at (always, in that mode).
     */
    private boolean settle(int s, ImmutableBitmapDataProvider bits, long origin) {
        if (existing == null) {
            return false;
        }
        long lo = Math.max(0, firstAbs - origin);
        long hi = Math.min(0xFFFFFFFFL, lastAbs - origin);
        long next = hi < lo ? -1 : bits.nextValue((int) lo);
        if (next >= 0 && next <= hi) {
            existing.add(s);
        }
        return true;
    }

    /** The rows of series {@code s} in part {@code p}, whose slots {@code [firstSlot, lastSlot]} are in range. */
    void addPart(PartReader p, int s, int firstSlot, int lastSlot) {
        if (settled(s)) {
            return;
        }
        long origin = Math.floorDiv(p.segmentStartMs(), iv);
        if (p.hasRowSummary()) {
            int e = p.summaryOf(s);
            if (e >= 0 && !settle(s, p.summaryRows(e), origin)) {
                series(s).sources.add(new Rows(p.summaryRows(e), null, origin));
            }
            return;
        }
        BlockCache.PartBlocks blocks = cache.open(p, codec);
        for (int fieldId : rowFieldIds) {
            int idx = p.find(s, fieldId);
            if (idx < 0) {
                continue;
            }
            SlotColumns c = blocks.get(idx);
            RoaringBitmap marked = marked(series(s));
            for (int i = firstSlot <= 0 ? 0 : c.lowerBound(firstSlot); i < c.size() && c.slot(i) <= lastSlot; i++) {
                marked.add((int) (origin + c.slot(i) - firstAbs));
            }
        }
    }

    /** The rows of series {@code s} in memtable {@code m}. */
    void addMemtable(MemTable m, int s) {
        if (settled(s)) {
            return;
        }
        if (m.rowIntervalMs() == iv && m.rowsTracked(s)) {
            RoaringBitmap bits = m.rows(s);
            if (bits != null && !settle(s, bits, m.rowOrigin())) {
                series(s).sources.add(new Rows(null, bits, m.rowOrigin()));
            }
            return;
        }
        for (int fieldId : rowFieldIds) {
            PointBuffer b = m.find(s, fieldId);
            if (b == null) {
                continue;
            }
            RoaringBitmap marked = marked(series(s));
            for (int i = 0; i < b.size(); i++) {
                long slot = Math.floorDiv(b.timestamp(i), iv);
                if (slot >= firstAbs && slot <= lastAbs) {
                    marked.add((int) (slot - firstAbs));
                }
            }
            PartialBuffer p = b.partials();
            for (int i = 0; p != null && i < p.size(); i++) {
                long slot = Math.floorDiv(p.slotStart(i), iv);
                if (slot >= firstAbs && slot <= lastAbs) {
                    marked.add((int) (slot - firstAbs));
                }
            }
        }
    }

    /** Adds every series' rows to the sink. */
    void countInto(Sink sink) {
        if (existing != null) {
            existing.forEach((int s) -> sink.add(s, 0, 1));
        }
        for (Map.Entry<Integer, SeriesRows> e : bySeries.entrySet()) {
            int s = e.getKey();
            if (settled(s)) {
                continue; // rows marked from a part without row summaries before a later source settled it
            }
            SeriesRows rows = e.getValue();
            if (rows.sources.size() == 1 && rows.marked == null) {
                Rows only = rows.sources.get(0);
                count(s, sink, only.part() != null ? only.part() : only.memtable(), only.origin());
                continue;
            }
            List<Span> spans = spans(rows);
            if (disjoint(spans)) {
                spans.forEach(sp -> count(s, sink, sp.bits(), sp.origin()));
                continue;
            }
            if (q.bucketMs() == 0 && neighboursOnly(spans)) {
                // |A u B u C| = |A| + |B| + |C| - |A n B| - |B n C| when only neighbours meet (C starts after A ends)
                long n = 0;
                for (int i = 0; i < spans.size(); i++) {
                    n += spans.get(i).cardinality();
                    if (i > 0 && spans.get(i).first() <= spans.get(i - 1).last()) {
                        n -= ImmutableRoaringBitmap.andCardinality(
                                (ImmutableRoaringBitmap) spans.get(i - 1).bits(),
                                (ImmutableRoaringBitmap) spans.get(i).bits());
                    }
                }
                sink.add(s, 0, n);
                continue;
            }
            MutableRoaringBitmap union = new MutableRoaringBitmap();
            for (Span sp : spans) {
                union.or(MutableRoaringBitmap.addOffset(immutable(sp.bits()), sp.origin() - firstAbs));
            }
            count(s, sink, union, firstAbs);
        }
    }

    /**
     * A source's rows within the range: bit {@code k} is absolute slot {@code origin + k}; {@code first} and
     * {@code last} are its first and last absolute slot in the range; {@code whole} when it has none outside it.
     */
    private record Span(ImmutableBitmapDataProvider bits, long origin, long first, long last, boolean whole) {
        long cardinality() {
            return bits.rangeCardinality(first - origin, last - origin + 1);
        }
    }

    /** Each source's span in the range, empty ones dropped, sorted by their first slot. */
    private List<Span> spans(SeriesRows rows) {
        List<Span> spans = new ArrayList<>(rows.sources.size() + 1);
        for (Rows r : rows.sources) {
            addSpan(spans, r.part() != null ? r.part() : r.memtable(), r.origin());
        }
        if (rows.marked != null) {
            addSpan(spans, rows.marked, firstAbs);
        }
        spans.sort((a, b) -> Long.compare(a.first(), b.first()));
        return spans;
    }

    private void addSpan(List<Span> spans, ImmutableBitmapDataProvider bits, long origin) {
        long lo = Math.max(0, firstAbs - origin);
        long hi = Math.min(0xFFFFFFFFL, lastAbs - origin);
        if (hi < lo) {
            return;
        }
        long first = bits.nextValue((int) lo);
        long last = bits.previousValue((int) hi);
        if (first >= 0 && last >= 0 && first <= hi && last >= lo && first <= last) {
            boolean whole = (bits.first() & 0xFFFFFFFFL) == first && (bits.last() & 0xFFFFFFFFL) == last;
            spans.add(new Span(bits, origin, origin + first, origin + last, whole));
        }
    }

    /** Whether no two spans (sorted by first slot) meet: then no slot is in two of them and their counts add up. */
    private static boolean disjoint(List<Span> spans) {
        for (int i = 1; i < spans.size(); i++) {
            if (spans.get(i).first() <= spans.get(i - 1).last()) {
                return false;
            }
        }
        return true;
    }

    /**
     * Whether only neighbouring spans (sorted by first slot) may share slots, each pair being two parts of one segment
     * wholly in the range (so their intersection counts by {@code andCardinality} in place); then no slot is in three.
     */
    private static boolean neighboursOnly(List<Span> spans) {
        long lastBeforeNeighbour = Long.MIN_VALUE; // the latest last slot of the spans before the previous one
        for (int i = 1; i < spans.size(); i++) {
            Span a = spans.get(i - 1);
            Span b = spans.get(i);
            if (b.first() <= a.last()
                    && !(a.origin() == b.origin()
                            && a.whole()
                            && b.whole()
                            && a.bits() instanceof ImmutableRoaringBitmap
                            && b.bits() instanceof ImmutableRoaringBitmap)) {
                return false;
            }
            if (b.first() <= lastBeforeNeighbour) {
                return false;
            }
            lastBeforeNeighbour = Math.max(lastBeforeNeighbour, a.last());
        }
        return true;
    }

    private static ImmutableRoaringBitmap immutable(ImmutableBitmapDataProvider bits) {
        return bits instanceof ImmutableRoaringBitmap i ? i : ((RoaringBitmap) bits).toMutableRoaringBitmap();
    }

    /** Adds the rows of {@code bits} in the range (bit {@code k} = absolute slot {@code origin + k}) per bucket. */
    private void count(int s, Sink sink, ImmutableBitmapDataProvider bits, long origin) {
        long lo = Math.max(0, firstAbs - origin);
        long hi = Math.min(0xFFFFFFFFL, lastAbs - origin);
        if (hi < lo) {
            return;
        }
        if (q.bucketMs() == 0) {
            long n = bits.rangeCardinality(lo, hi + 1);
            if (n > 0) {
                sink.add(s, 0, n);
            }
            return;
        }
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
