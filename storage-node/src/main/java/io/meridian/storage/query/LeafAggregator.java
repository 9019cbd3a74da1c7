package io.meridian.storage.query;

import io.meridian.common.error.InvalidInputException;
import io.meridian.common.error.QueryCancelledException;
import io.meridian.common.model.AggState;
import io.meridian.common.model.FieldType;
import io.meridian.common.model.IntervalSpec;
import io.meridian.common.model.Names;
import io.meridian.common.query.PartialTable;
import io.meridian.common.query.QueryMemory;
import io.meridian.common.query.SlotTransform;
import io.meridian.storage.memtable.MemTable;
import io.meridian.storage.memtable.PartialBuffer;
import io.meridian.storage.memtable.PointBuffer;
import io.meridian.storage.part.BlockCache;
import io.meridian.storage.part.BlockCodec;
import io.meridian.storage.part.PartReader;
import io.meridian.storage.part.SlotColumns;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.BooleanSupplier;
import org.roaringbitmap.FastAggregation;
import org.roaringbitmap.IntIterator;
import org.roaringbitmap.RoaringBitmap;

/**
 * Executes a {@link LeafQuery} over one consistent view of a shard (parts + memtables): picks the
 * family, walks each part's blocks of the selected series and fields, and folds every slot (and every
 * memtable point, bucketed by its slot start) into the (group, bucket, field) states.
 * One instance per query; not thread-safe.
 */
public final class LeafAggregator {
    /**
     * What the aggregator reads; captured under the shard's read lock.
     *
     * @param query the query narrowed to the shard's data ({@link LeafQuery#within}): the window it answers
     */
    /**
     * @param rowFieldIds every field of the metric when the query counts rows ({@link Names#ROWS} among its fields):
     *                    a row is a (series, slot) with a point in any of them; else empty
     */
    public record View(
            LeafQuery query,
            RoaringBitmap series,
            int[] groupOf,
            List<List<String>> groups,
            int[] fieldIds,
            FieldType[] types,
            List<PartReader> parts,
            List<MemTable> memtables,
            long intervalMs,
            int[] rowFieldIds) {
        boolean histogram(int field) {
            return types[field] == FieldType.HISTOGRAM;
        }
    }

    /** How many series a scan folds between two looks at whether its caller gave up. */
    static final int CANCEL_CHECK_SERIES = 256;

    private final BooleanSupplier cancelled;
    private int seriesSinceCheck;
    private final LeafQuery q;
    private final View view;
    private final BlockCache cache;
    private final BlockCodec codec = new BlockCodec();
    private final AggState[][] cells;
    private final int fields;
    private final int buckets;
    private final boolean latestOnly;
    /** Index of {@link Names#ROWS} in the query's fields, or -1: then rows are counted per (series, slot). */
    private final int rowsField;
    /** Newest-point path: per series, per field, the newest slot start found in the parts read so far. */
    private final Map<Integer, long[]> newest = new HashMap<>();
    /** COUNT(*): the rows of each series; null when the query counts no rows. */
    private final RowCounter rows;
    /**
     * Whether a field of the query is stored in the metric's schema: {@link Names#ROWS} and fields the metric never
     * had have no blocks, so a query of only those ({@code COUNT(*)}, {@code DISTINCT tag}) opens none.
     */
    private final boolean storedFields;

    /**
     * @param cancelled asked every {@value #CANCEL_CHECK_SERIES} series: true stops the scan with a
     *                  {@link QueryCancelledException} (the caller gave up: its deadline passed or it cancelled)
     */
    public LeafAggregator(View view, BlockCache cache, BooleanSupplier cancelled) {
        this.cancelled = cancelled;
        this.q = view.query();
        this.view = view;
        this.cache = cache;
        this.fields = q.fields().size();
        this.buckets = q.bucketCount();
        this.latestOnly = q.latestOnly();
        this.rowsField = q.fields().indexOf(Names.ROWS);
        this.rows = rowsField < 0 ? null : new RowCounter(q, view.intervalMs(), view.rowFieldIds(), cache, codec);
        this.storedFields = Arrays.stream(view.fieldIds()).anyMatch(id -> id >= 0);
        if ((long) view.groups().size() * buckets > LeafQuery.MAX_CELLS) {
            throw new InvalidInputException("too many groups [metric=" + q.metric() + "]: "
                    + view.groups().size() + " groups x " + buckets + " buckets > " + LeafQuery.MAX_CELLS);
        }
        QueryMemory.check(view.groups().size(), buckets, fields, "metric=" + q.metric());
        this.cells = new AggState[view.groups().size()][];
    }

    /**
     * Chooses the coarsest interval whose slots never straddle a bucket or range boundary; the base interval when a
     * field is read through a {@link SlotTransform} (those read slot values, which are the base slots' values), or
     * when the caller reads the selector times (a coarser slot keeps only its first and last point times).
     */
    public static long chooseInterval(LeafQuery q, List<IntervalSpec> intervals) {
        long best = intervals.get(0).intervalMillis();
        if (q.transformsSlots() || q.selectorTimes()) {
            return best;
        }
        for (IntervalSpec spec : intervals) {
            long iv = spec.intervalMillis();
            boolean aligned = Math.floorMod(q.startMs(), iv) == 0
                    && Math.floorMod(q.endMs(), iv) == 0
                    && (q.bucketMs() == 0 || q.bucketMs() % iv == 0);
            if (aligned && iv > best) {
                best = iv;
            }
        }
        return best;
    }

    private void checkCancelled() {
        if (++seriesSinceCheck < CANCEL_CHECK_SERIES) {
            return;
        }
        seriesSinceCheck = 0;
        if (cancelled.getAsBoolean()) {
            throw new QueryCancelledException("leaf query stopped [metric=" + q.metric()
                    + "]: its caller gave up (deadline passed or cancelled)");
        }
    }

    /** Runs the whole query; the caller holds the shard's read lock throughout. */
    public PartialTable run() {
        scanParts();
        scanMemtables();
        return result();
    }

    /**
     * Whether the memtables and the parts must be read together under the shard's read lock: a slot transform
     * (counter increase, moments) walks each series' slots across both in time order, and a row count keeps the
     * memtables' live row bitmaps until it counts. Every other query reads the memtables under the lock
     * ({@link #scanMemtables}) and the parts, which are immutable and acquired, without it ({@link #scanPartsAndFinish}),
     * so a long query does not hold writers back.
     */
    public boolean readsMemtablesWithParts() {
        return q.transformsSlots() || rows != null;
    }

    /** Folds every memtable point in range; under the shard's read lock (writers change memtables). */
    public void scanMemtables() {
        for (MemTable m : view.memtables()) {
            scanMemtable(m);
        }
    }

    /** Folds the parts (no lock needed: they are immutable and acquired) and builds the result. */
    public PartialTable scanPartsAndFinish() {
        scanParts();
        return result();
    }

    private void scanParts() {
        if (latestOnly && rows == null) {
            scanPartsNewestFirst();
            return;
        }
        SlotColumns scratch = storedFields && outgrowsCache() ? SlotColumns.scratch() : null;
        for (PartReader p : view.parts()) {
            PartRange r = PartRange.of(p, q);
            if (r == null) {
                continue;
            }
            BlockCache.PartBlocks blocks = storedFields ? cache.open(p, codec, scratch) : null;
            for (IntIterator it = view.series().getIntIterator(); it.hasNext(); ) {
                int s = it.next();
                checkCancelled();
                if (rows != null) {
                    rows.addPart(p, s, r.firstSlot, r.lastSlot);
                }
                if (storedFields) {
                    scanSeries(p, blocks, r, s);
                }
            }
        }
    }

    /**
     * Whether the blocks this scan decodes would outgrow the block cache ({@link BlockCache#scanOutgrows}): per part
     * in range, a block per scanned (series, field), each of as many entries as the first scanned series has rows
     * in the part (its row summary; every slot of the part without one).
     */
    private boolean outgrowsCache() {
        long series = view.series().getLongCardinality();
        long bytes = 0;
        for (PartReader p : view.parts()) {
            if (PartRange.of(p, q) == null) {
                continue;
            }
            long blocks = Math.min(p.entryCount(), series * fields);
            bytes += blocks * rowsPerSeries(p) * BlockCache.BYTES_PER_SINGLE_ENTRY;
        }
        return cache.scanOutgrows(bytes);
    }

    /** The rows of the first scanned series in {@code p} (a sample for the scan's estimate), or its slot count. */
    private long rowsPerSeries(PartReader p) {
        if (p.hasRowSummary()) {
            for (IntIterator it = view.series().getIntIterator(); it.hasNext(); ) {
                int entry = p.summaryOf(it.next());
                if (entry >= 0) {
                    return p.summaryRows(entry).getLongCardinality();
                }
            }
        }
        return p.slotCount();
    }

    /** The slots of a part that are in the query's range, {@code [firstSlot, lastSlot]}. */
    private record PartRange(int firstSlot, int lastSlot) {
        /** Null when none is. */
        static PartRange of(PartReader p, LeafQuery q) {
            long iv = p.intervalMs();
            long seg = p.segmentStartMs();
            int firstSlot = (int) Math.max(0, Math.floorDiv(q.startMs() - seg + iv - 1, iv));
            long lastSlotL = Math.floorDiv(q.endMs() - 1 - seg, iv);
            if (lastSlotL < 0 || firstSlot >= p.slotCount()) {
                return null;
            }
            return new PartRange(firstSlot, (int) Math.min(lastSlotL, p.slotCount() - 1));
        }
    }

    /**
     * The newest-point path over parts: segments newest first, and within a segment, per series, its parts in the
     * order of the series' newest row in range (read from the v4 row summaries without decoding a block). A part
     * whose newest row for the series is older than the newest point already found for a field cannot hold a newer
     * one, so its block is not decoded. A segment flushed many times (every memtable of a day of data is a part of
     * that day's segment until compaction merges them) then costs one block per (series, field), not one per part.
     * Parts without row summaries (format v3) are read first, as before.
     */
    private void scanPartsNewestFirst() {
        Map<Long, List<PartReader>> bySegment = new HashMap<>();
        for (PartReader p : view.parts()) {
            bySegment
                    .computeIfAbsent(p.segmentStartMs(), k -> new ArrayList<>())
                    .add(p);
        }
        List<Long> segments = new ArrayList<>(bySegment.keySet());
        segments.sort((a, b) -> Long.compare(b, a));
        for (long segmentStart : segments) {
            List<PartReader> inSegment = new ArrayList<>();
            List<PartRange> ranges = new ArrayList<>();
            List<BlockCache.PartBlocks> blocks = new ArrayList<>();
            for (PartReader p : bySegment.get(segmentStart)) {
                PartRange r = PartRange.of(p, q);
                if (r != null) {
                    inSegment.add(p);
                    ranges.add(r);
                    blocks.add(cache.open(p, codec));
                }
            }
            int n = inSegment.size();
            long[] newestRow = new long[n];
            Integer[] order = new Integer[n];
            for (IntIterator it = view.series().getIntIterator(); it.hasNext(); ) {
                int s = it.next();
                checkCancelled();
                for (int k = 0; k < n; k++) {
                    order[k] = k;
                    newestRow[k] = newestRowInRange(inSegment.get(k), ranges.get(k), s);
                }
                if (n > 1) {
                    Arrays.sort(order, (a, b) -> Long.compare(newestRow[b], newestRow[a]));
                }
                long[] seen = null; // the series' newest slot starts found so far, per field: looked up once
                for (int k : order) {
                    if (newestRow[k] == Long.MIN_VALUE) {
                        break; // this and the rest have no row of the series in range
                    }
                    if (seen == null) {
                        seen = seenOf(s);
                    }
                    scanSeriesNewest(inSegment.get(k), blocks.get(k), ranges.get(k), s, newestRow[k], seen);
                }
            }
        }
    }

    /**
     * The start of the newest slot in range where series {@code s} has a row in {@code p}: MIN_VALUE when it has none,
     * MAX_VALUE when the part does not say (no row summary: it must be read).
     */
    private static long newestRowInRange(PartReader p, PartRange r, int s) {
        if (!p.hasRowSummary()) {
            return Long.MAX_VALUE;
        }
        int e = p.summaryOf(s);
        if (e < 0) {
            return Long.MIN_VALUE;
        }
        long slot = p.summaryRows(e).previousValue(r.lastSlot);
        return slot < r.firstSlot ? Long.MIN_VALUE : p.segmentStartMs() + slot * p.intervalMs();
    }

    /** {@link #scanSeries} on the newest-point path, skipping fields whose newest point is newer than the part's. */
    private void scanSeriesNewest(
            PartReader p, BlockCache.PartBlocks blocks, PartRange r, int s, long newestRow, long[] seen) {
        long iv = p.intervalMs();
        long seg = p.segmentStartMs();
        for (int f = 0; f < fields; f++) {
            long known = seen[f];
            if (known >= seg + (long) p.slotCount() * iv || known > newestRow) {
                continue; // a newer segment or part holds this field's last point in range: this part's are older
            }
            int idx = p.find(s, view.fieldIds()[f]);
            if (idx < 0 || transformed(f)) {
                continue;
            }
            foldNewest(newestOf(p, blocks, r, idx), r, s, f, seg, iv, seen);
        }
    }

    /** The block's newest row when the range reaches the part's end (the usual lastpoint), else the whole block. */
    private static SlotColumns newestOf(PartReader p, BlockCache.PartBlocks blocks, PartRange r, int idx) {
        return r.lastSlot >= p.slotCount() - 1 ? blocks.newest(idx) : blocks.get(idx);
    }

    /** Folds series {@code s}'s slots of part {@code p} in range. */
    private void scanSeries(PartReader p, BlockCache.PartBlocks blocks, PartRange r, int s) {
        long iv = p.intervalMs();
        long seg = p.segmentStartMs();
        long[] seen = latestOnly ? seenOf(s) : null; // looked up once per series, not once per field
        for (int f = 0; f < fields; f++) {
            int idx = view.fieldIds()[f] < 0 ? -1 : p.find(s, view.fieldIds()[f]);
            if (idx < 0 || transformed(f)) {
                continue;
            }
            if (latestOnly) { // unless a newer segment holds this field's last point in range: this part's are older
                if (seen[f] < seg + (long) p.slotCount() * iv) {
                    foldNewest(newestOf(p, blocks, r, idx), r, s, f, seg, iv, seen);
                }
                continue;
            }
            SlotColumns c = blocks.get(idx, r.firstSlot, r.lastSlot);
            int i = r.firstSlot <= 0 ? 0 : c.lowerBound(r.firstSlot);
            while (i < c.size() && c.slot(i) <= r.lastSlot) { // one run of entries per bucket
                int bucket = q.bucketOf(seg + c.slot(i) * iv);
                i = c.mergeRunInto(cell(s, bucket, f), i, lastSlotOf(bucket, seg, iv, r.lastSlot), seg, iv);
            }
        }
    }

    /** The last slot (of a part starting at {@code seg}) in {@code bucket}, at most {@code lastSlot}. */
    private int lastSlotOf(int bucket, long seg, long iv, int lastSlot) {
        if (q.bucketMs() == 0) {
            return lastSlot;
        }
        long bucketEnd = q.startMs() + (bucket + 1L) * q.bucketMs();
        return (int) Math.min(lastSlot, Math.floorDiv(bucketEnd - 1 - seg, iv));
    }

    /** Folds the block's newest slot in range into the one bucket, and remembers it in {@code seen}. */
    private void foldNewest(SlotColumns c, PartRange r, int s, int f, long seg, long iv, long[] seen) {
        int i = c.lowerBound(r.lastSlot + 1) - 1;
        if (i >= 0 && c.slot(i) >= r.firstSlot) {
            long slotStart = seg + c.slot(i) * iv;
            c.mergeInto(cell(s, 0, f), i, slotStart);
            seen[f] = Math.max(seen[f], slotStart);
        }
    }

    private PartialTable result() {
        if (q.transformsSlots()) {
            foldTransformed();
        }
        if (rows != null) {
            rows.countInto(this::addRows);
        }
        Map<List<String>, AggState[]> out = new LinkedHashMap<>(); // in group order: often already sorted
        for (int g = 0; g < cells.length; g++) {
            if (cells[g] != null) {
                out.put(view.groups().get(g), cells[g]);
            }
        }
        return PartialTable.of(q.groupBy(), q.fields(), q.startMs(), q.bucketMs(), buckets, out);
    }

    private AggState cell(int series, int bucket, int field) {
        int g = view.groupOf()[series];
        AggState[] c = cells[g];
        if (c == null) {
            c = cells[g] = new AggState[buckets * fields];
        }
        int i = bucket * fields + field;
        AggState s = c[i];
        if (s == null) {
            s = c[i] = AggState.empty();
        }
        return s;
    }

    private void scanMemtable(MemTable m) {
        long iv = view.intervalMs();
        for (IntIterator it = view.series().getIntIterator(); it.hasNext(); ) {
            int s = it.next();
            checkCancelled();
            if (rows != null) {
                rows.addMemtable(m, s);
            }
            for (int f = 0; f < fields; f++) {
                PointBuffer b = m.find(s, view.fieldIds()[f]);
                if (b == null || transformed(f)) {
                    continue;
                }
                if (b.partials() != null) {
                    foldPartials(b.partials(), s, f, iv);
                }
                if (latestOnly && !view.histogram(f) && b.size() > 0 && b.partials() == null) {
                    long newestSlot = Math.floorDiv(b.maxTimestamp(), iv) * iv;
                    if (newestSlot < q.startMs()) {
                        continue; // every point is older than the range
                    }
                    if (newestSlot < q.endMs()) { // the buffer's newest point is the last one in range
                        cell(s, 0, f).add(b.maxTimestamp(), b.valueAtMax());
                        found(s, f, newestSlot); // parts with only older slots are then skipped
                        continue;
                    }
                }
                int from = b.isSorted() ? b.lowerBound(Math.floorDiv(q.startMs(), iv) * iv) : 0;
                if (latestOnly && b.isSorted() && !view.histogram(f) && b.partials() == null) {
                    foldLatest(b, from, s, f, iv);
                    continue;
                }
                for (int i = from; i < b.size(); i++) {
                    long ts = b.timestamp(i);
                    long slotStart = Math.floorDiv(ts, iv) * iv;
                    if (slotStart >= q.endMs()) {
                        if (b.isSorted()) {
                            break;
                        }
                        continue;
                    }
                    if (slotStart < q.startMs()) {
                        continue;
                    }
                    AggState cell = cell(s, q.bucketOf(slotStart), f);
                    if (view.histogram(f)) {
                        cell.observe(ts, b.value(i));
                    } else {
                        cell.add(ts, b.value(i));
                    }
                }
            }
        }
    }

    /** Merges a memtable's partial aggregates of (series, field) whose slots lie in range into their buckets. */
    private void foldPartials(PartialBuffer p, int s, int f, long iv) {
        for (int i = 0; i < p.size(); i++) {
            long slotStart = Math.floorDiv(p.slotStart(i), iv) * iv;
            if (slotStart >= q.startMs() && slotStart < q.endMs()) {
                cell(s, q.bucketOf(slotStart), f).merge(p.cell(i));
            }
        }
    }

    /**
     * The lastpoint fast path on a sorted buffer: only the newest point in range matters for LAST, so walk back
     * from the end to it and fold it together with any point of the same timestamp (ties go by value).
     */
    private void foldLatest(PointBuffer b, int from, int s, int f, long iv) {
        for (int i = b.size() - 1; i >= from; i--) {
            long ts = b.timestamp(i);
            long slotStart = Math.floorDiv(ts, iv) * iv;
            if (slotStart >= q.endMs()) {
                continue;
            }
            if (slotStart < q.startMs()) {
                return;
            }
            AggState cell = cell(s, q.bucketOf(slotStart), f);
            for (int j = i; j >= from && b.timestamp(j) == ts; j--) {
                cell.add(ts, b.value(j));
            }
            found(s, f, slotStart);
            return;
        }
    }

    private boolean transformed(int field) {
        return q.transforms().get(field) != SlotTransform.NONE;
    }

    /**
     * The fields read through a transform, series by series: each series' slots of the field from every part and
     * memtable, in time order ({@link SeriesSlots}), folded into the series' group's buckets.
     */
    private void foldTransformed() {
        SeriesSlots slots = new SeriesSlots();
        long iv = view.intervalMs();
        for (IntIterator it = view.series().getIntIterator(); it.hasNext(); ) {
            int s = it.next();
            checkCancelled();
            for (int f = 0; f < fields; f++) {
                if (!transformed(f) || view.fieldIds()[f] < 0) {
                    continue;
                }
                slots.clear();
                for (PartReader p : view.parts()) {
                    int idx = p.find(s, view.fieldIds()[f]);
                    if (idx < 0) {
                        continue;
                    }
                    long seg = p.segmentStartMs();
                    long piv = p.intervalMs();
                    int firstSlot = (int) Math.max(0, Math.floorDiv(q.startMs() - seg + piv - 1, piv));
                    long lastSlot = Math.floorDiv(q.endMs() - 1 - seg, piv);
                    SlotColumns c = cache.open(p, codec).get(idx);
                    int from = firstSlot <= 0 ? 0 : c.lowerBound(firstSlot);
                    int to = lastSlot >= p.slotCount() - 1 ? c.size() : c.lowerBound((int) lastSlot + 1);
                    slots.addPart(c, from, to, seg, piv);
                }
                for (MemTable m : view.memtables()) {
                    PointBuffer b = m.find(s, view.fieldIds()[f]);
                    if (b != null) {
                        slots.addPoints(b, q.startMs(), q.endMs(), iv);
                        if (b.partials() != null) {
                            slots.addPartials(b.partials(), q.startMs(), q.endMs(), iv);
                        }
                    }
                }
                slots.coalesce();
                int field = f;
                slots.fold(q.transforms().get(f), view.types()[f], start -> cell(s, q.bucketOf(start), field));
            }
        }
    }

    /**
     * Series {@code series}' newest slot starts in range found so far on the newest-point path, per field (MIN_VALUE:
     * none yet); the array is kept, so a caller updates it in place.
     */
    private long[] seenOf(int series) {
        return newest.computeIfAbsent(series, k -> {
            long[] a = new long[fields];
            Arrays.fill(a, Long.MIN_VALUE);
            return a;
        });
    }

    /** Remembers a newest slot start found for (series, field) (the memtables' fast path). */
    private void found(int series, int field, long slotStart) {
        long[] f = seenOf(series);
        f[field] = Math.max(f[field], slotStart);
    }

    private void addRows(int series, int bucket, long n) {
        cell(series, bucket, rowsField)
                .mergeComponents(
                        n,
                        0,
                        Double.POSITIVE_INFINITY,
                        Double.NEGATIVE_INFINITY,
                        Long.MAX_VALUE,
                        Double.NaN,
                        Long.MIN_VALUE,
                        Double.NaN);
    }

    /**
     * Assigns each selected series to its group by walking the postings of the group-by tags. With one group-by tag
     * the groups come out in {@link io.meridian.common.query.PartialTable#GROUP_ORDER} (the series without the tag
     * first, then the tag's values in order), so the result's sort finds them sorted.
     */
    static void assignGroups(
            LeafQuery q,
            RoaringBitmap series,
            int seriesBound,
            BiConsumer<String, BiConsumer<String, RoaringBitmap>> postings,
            int[] groupOf,
            List<List<String>> groups) {
        int k = q.groupBy().size();
        if (k == 1) {
            assignByOneTag(q.groupBy().get(0), series, postings, groupOf, groups);
            return;
        }
        String[][] values = new String[k][];
        for (int j = 0; j < k; j++) {
            String[] v = new String[seriesBound];
            postings.accept(q.groupBy().get(j), (value, ids) -> ids.forEach((int id) -> v[id] = value));
            values[j] = v;
        }
        Map<List<String>, Integer> index = new HashMap<>();
        for (IntIterator it = series.getIntIterator(); it.hasNext(); ) {
            int s = it.next();
            String[] key = new String[k];
            for (int j = 0; j < k; j++) {
                key[j] = values[j][s] == null ? "" : values[j][s];
            }
            List<String> g = Arrays.asList(key);
            Integer gi = index.get(g);
            if (gi == null) {
                gi = groups.size();
                index.put(g, gi);
                groups.add(List.copyOf(g));
            }
            groupOf[s] = gi;
        }
    }

    private static void assignByOneTag(
            String tag,
            RoaringBitmap series,
            BiConsumer<String, BiConsumer<String, RoaringBitmap>> postings,
            int[] groupOf,
            List<List<String>> groups) {
        List<String> values = new ArrayList<>();
        List<RoaringBitmap> members = new ArrayList<>();
        postings.accept(tag, (value, ids) -> {
            values.add(value);
            members.add(ids);
        });
        RoaringBitmap untagged = RoaringBitmap.andNot(series, FastAggregation.or(members.iterator()));
        if (!untagged.isEmpty()) {
            int gi = groups.size();
            groups.add(List.of(""));
            untagged.forEach((int s) -> groupOf[s] = gi);
        }
        for (int i = 0; i < values.size(); i++) {
            int gi = groups.size();
            groups.add(List.of(values.get(i)));
            members.get(i).forEach((int s) -> groupOf[s] = gi);
        }
    }
}
