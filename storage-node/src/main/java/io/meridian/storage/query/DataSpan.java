package io.meridian.storage.query;

import io.meridian.storage.memtable.MemTable;
import io.meridian.storage.part.PartReader;
import io.meridian.storage.part.PartSet;
import java.util.List;
import java.util.Map;
import org.roaringbitmap.IntIterator;
import org.roaringbitmap.RoaringBitmap;
import org.roaringbitmap.buffer.ImmutableRoaringBitmap;

/**
 * The time span {@code [startMs, endMs)} that can hold a shard's data of one interval family: the slots of the
 * family's parts and of every memtable point, aligned to the family's interval. A leaf query is narrowed to it
 * ({@link io.meridian.storage.query.LeafQuery#within}), so a query over the whole retention costs buckets for
 * the time that has data only. A family's parts cover whole segments, so the span is as coarse as a segment
 * at its ends; what lies between (gaps in the data) is not tracked.
 *
 * @param startMs first slot start, inclusive
 * @param endMs   end of the last slot, exclusive; {@code endMs <= startMs} means no data
 */
record DataSpan(long startMs, long endMs) {
    static final DataSpan EMPTY = new DataSpan(Long.MAX_VALUE, Long.MIN_VALUE);

    /** The span of family {@code intervalMs} in {@code parts} and of the points in {@code memtables}. */
    static DataSpan of(PartSet parts, List<MemTable> memtables, long intervalMs) {
        DataSpan span = EMPTY;
        for (Map<Long, List<PartReader>> family : parts.segments().values()) {
            span = span.union(family.get(intervalMs));
            if (!span.isEmpty()) {
                break; // segments ascend: the first one holding the family starts the span
            }
        }
        for (Map<Long, List<PartReader>> family :
                parts.segments().descendingMap().values()) {
            List<PartReader> last = family.get(intervalMs);
            if (last != null) {
                span = span.union(last);
                break;
            }
        }
        for (MemTable m : memtables) {
            if (!m.isEmpty()) {
                span = span.union(new DataSpan(
                        Math.floorDiv(m.minTimestamp(), intervalMs) * intervalMs,
                        Math.floorDiv(m.maxTimestamp(), intervalMs) * intervalMs + intervalMs));
            }
        }
        return span;
    }

    /**
     * The span of the given series only, in family {@code intervalMs}: from each part's rows bitmaps (part format
     * v4; an older part counts whole, as in {@link #of}) and each memtable's rows (or its whole point range when it
     * does not track rows at this interval). Finer than {@link #of} where the shard holds other metrics' (or other
     * series') data far from these: it costs a lookup per (series, part), so it is taken only when {@link #of}
     * leaves a query too wide.
     */
    static DataSpan ofSeries(RoaringBitmap series, PartSet parts, List<MemTable> memtables, long intervalMs) {
        long first = Long.MAX_VALUE;
        long last = Long.MIN_VALUE;
        for (Map<Long, List<PartReader>> family : parts.segments().values()) {
            List<PartReader> ps = family.get(intervalMs);
            if (ps == null) {
                continue;
            }
            for (PartReader p : ps) {
                if (!p.hasRowSummary()) {
                    first = Math.min(first, p.segmentStartMs());
                    last = Math.max(last, p.segmentStartMs() + (p.slotCount() - 1) * p.intervalMs());
                    continue;
                }
                for (IntIterator it = series.getIntIterator(); it.hasNext(); ) {
                    int e = p.summaryOf(it.next());
                    if (e >= 0) {
                        ImmutableRoaringBitmap rows = p.summaryRows(e);
                        first = Math.min(first, p.segmentStartMs() + (rows.first() & 0xFFFFFFFFL) * p.intervalMs());
                        last = Math.max(last, p.segmentStartMs() + (rows.last() & 0xFFFFFFFFL) * p.intervalMs());
                    }
                }
            }
        }
        for (MemTable m : memtables) {
            if (m.isEmpty()) {
                continue;
            }
            for (IntIterator it = series.getIntIterator(); it.hasNext(); ) {
                int s = it.next();
                if (m.rowIntervalMs() == intervalMs && m.rowsTracked(s)) {
                    RoaringBitmap rows = m.rows(s);
                    if (rows != null) {
                        first = Math.min(first, (m.rowOrigin() + (rows.first() & 0xFFFFFFFFL)) * intervalMs);
                        last = Math.max(last, (m.rowOrigin() + (rows.last() & 0xFFFFFFFFL)) * intervalMs);
                    }
                } else {
                    first = Math.min(first, Math.floorDiv(m.minTimestamp(), intervalMs) * intervalMs);
                    last = Math.max(last, Math.floorDiv(m.maxTimestamp(), intervalMs) * intervalMs);
                    break;
                }
            }
        }
        return first > last ? EMPTY : new DataSpan(first, last + intervalMs);
    }

    boolean isEmpty() {
        return endMs <= startMs;
    }

    DataSpan union(DataSpan other) {
        if (other.isEmpty()) {
            return this;
        }
        if (isEmpty()) {
            return other;
        }
        return new DataSpan(Math.min(startMs, other.startMs), Math.max(endMs, other.endMs));
    }

    private DataSpan union(List<PartReader> segmentParts) {
        DataSpan span = this;
        if (segmentParts != null) {
            for (PartReader p : segmentParts) {
                span = span.union(
                        new DataSpan(p.segmentStartMs(), p.segmentStartMs() + p.slotCount() * p.intervalMs()));
            }
        }
        return span;
    }
}
