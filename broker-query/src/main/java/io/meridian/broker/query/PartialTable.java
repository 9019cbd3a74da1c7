package io.meridian.broker.query;

import io.meridian.common.error.ErrorCode;
import io.meridian.common.error.InvalidInputException;
import io.meridian.common.model.AggState;
import io.meridian.common.query.QueryMemory;
import io.meridian.common.rpc.AggStateCodec;
import io.meridian.common.rpc.storage.v1.LeafQueryRequest;
import io.meridian.common.rpc.storage.v1.LeafResultChunk;
import io.meridian.common.rpc.storage.v1.LeafResultHeader;
import io.meridian.common.rpc.storage.v1.ResultCell;
import io.meridian.common.rpc.storage.v1.ResultGroup;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.TreeMap;

/**
 * Merged partial aggregates in the shape of a leaf result: per group (tag values, sorted), per bucket and field,
 * one {@link AggState}. Leaves, intermediate and root fragments all produce and consume this shape, and merging
 * is associative and commutative, so the order in which shards and IDCs answer never changes the result.
 *
 * <p>The table's window (start, buckets) is the union of the windows merged into it, not the query's range: a
 * leaf answers only the part of the range its data can be in (on the query's bucket grid; 0 buckets when it has
 * no data), so a query over the whole retention costs buckets for the time that has data only. The table starts
 * with no bucket (one when {@code bucketMs == 0}) and widens, re-indexing its groups, as windows arrive; a
 * window of more than {@link #MAX_BUCKETS} fails the query. Cells of a stream count buckets from the window of
 * the header that started it (a stream sends its header in its first chunk only).
 *
 * <p>The group bound is checked on every insert: a result that would exceed it fails with
 * {@link ErrorCode#LIMIT_EXCEEDED} rather than being cut. Not thread-safe.
 */
public final class PartialTable {
    /** Bound on the buckets of the merged window: the storage leaf's bound on its own window (LeafQuery.MAX_BUCKETS). */
    public static final long MAX_BUCKETS = 10_000_000;

    private static final Comparator<List<String>> GROUP_ORDER = (a, b) -> {
        for (int i = 0; i < a.size(); i++) {
            int c = a.get(i).compareTo(b.get(i));
            if (c != 0) {
                return c;
            }
        }
        return 0;
    };

    /** Group-by, fields and bucket width; its start is the origin of the bucket grid. Its bucket count is unused. */
    private final LeafResultHeader shape;
    private final int fieldCount;
    private final long bucketMs;
    private final int maxGroups;
    private final TreeMap<List<String>, AggState[]> groups = new TreeMap<>(GROUP_ORDER);
    /** The window: start of bucket 0 and the number of buckets every group's array holds. */
    private long startMs;
    private int buckets;
    /** The window of the stream {@link #add} is reading: the last header it saw. */
    private long streamStartMs;
    private long streamBuckets;

    private PartialTable(LeafResultHeader shape, int maxGroups) {
        this.shape = shape;
        this.fieldCount = shape.getFieldsCount();
        this.bucketMs = shape.getBucketMs();
        this.maxGroups = maxGroups;
        this.startMs = shape.getStartMs();
        this.buckets = bucketMs == 0 ? 1 : 0;
        this.streamStartMs = startMs;
        this.streamBuckets = buckets;
    }

    /** An empty table for the results of {@code leaf}. */
    public static PartialTable of(LeafQueryRequest leaf, int maxGroups) {
        return new PartialTable(LeafResultHeader.newBuilder().addAllGroupBy(leaf.getGroupByList())
                .addAllFields(leaf.getFieldsList()).setStartMs(leaf.getStartMs()).setBucketMs(leaf.getBucketMs())
                .setBuckets(leaf.getBucketMs() == 0 ? 1 : 0).addAllTransforms(leaf.getTransformsList()).build(),
                maxGroups);
    }

    /** An empty table of the same shape and bound (and an empty window). */
    public PartialTable emptyCopy() {
        return new PartialTable(shape, maxGroups);
    }

    /** The shape and the current window. */
    public LeafResultHeader header() {
        return shape.toBuilder().setStartMs(startMs).setBuckets(buckets).build();
    }

    public int groupCount() {
        return groups.size();
    }

    /**
     * Groups sorted by their values; each value array is indexed {@code bucket * fields + field}, bucket 0 starting
     * at {@code header().getStartMs()}; nulls are empty.
     */
    public Iterable<Map.Entry<List<String>, AggState[]>> groups() {
        return groups.entrySet();
    }

    /**
     * Merges one chunk of a result stream: a chunk with a header starts a stream, whose window the table widens
     * to; the cells of it and of the following chunks count buckets from that window.
     *
     * @param source names the sender in errors, e.g. {@code "shard=db/c1/3, node=s2"}
     */
    public void add(LeafResultChunk chunk, String source) {
        if (chunk.hasHeader()) {
            LeafResultHeader h = chunk.getHeader();
            checkShape(h, source);
            widen(h.getStartMs(), Integer.toUnsignedLong(h.getBuckets()), source);
            streamStartMs = h.getStartMs();
            streamBuckets = Integer.toUnsignedLong(h.getBuckets());
        }
        int offset = bucketIndex(streamStartMs) * fieldCount;
        for (ResultGroup g : chunk.getGroupsList()) {
            if (g.getGroupValuesCount() != shape.getGroupByCount()) {
                throw new InvalidInputException(ErrorCode.BUG, "malformed partial result [" + source + "]: a group has "
                        + g.getGroupValuesCount() + " values; want " + shape.getGroupByCount());
            }
            AggState[] cells = cellsOf(List.copyOf(g.getGroupValuesList()));
            for (ResultCell c : g.getCellsList()) {
                if (Integer.toUnsignedLong(c.getBucket()) >= streamBuckets
                        || Integer.compareUnsigned(c.getField(), fieldCount) >= 0) {
                    throw new InvalidInputException(ErrorCode.BUG, "malformed partial result [" + source + "]: cell (bucket "
                            + Integer.toUnsignedString(c.getBucket()) + ", field " + Integer.toUnsignedString(c.getField())
                            + ") is outside " + streamBuckets + " buckets x " + fieldCount + " fields");
                }
                mergeInto(cells, offset + c.getBucket() * fieldCount + c.getField(),
                        AggStateCodec.decode(c.getState(), source), true);
            }
        }
    }

    /** Merges another table of the same shape into this one, widening the window to the union of both. */
    public void merge(PartialTable other) {
        checkShape(other.header(), "source=merge");
        widen(other.startMs, other.buckets, "source=merge");
        int offset = bucketIndex(other.startMs) * fieldCount;
        for (Map.Entry<List<String>, AggState[]> e : other.groups.entrySet()) {
            AggState[] cells = cellsOf(e.getKey());
            AggState[] theirs = e.getValue();
            for (int i = 0; i < theirs.length; i++) {
                if (theirs[i] != null) {
                    mergeInto(cells, offset + i, theirs[i], false);
                }
            }
        }
    }

    /** The table as a result stream: the header first, then groups in order, at most {@code maxCells} cells per chunk. */
    public Iterator<LeafResultChunk> chunks(int maxCells) {
        Iterator<Map.Entry<List<String>, AggState[]>> it = groups.entrySet().iterator();
        return new Iterator<>() {
            boolean headerSent;

            @Override
            public boolean hasNext() {
                return !headerSent || it.hasNext();
            }

            @Override
            public LeafResultChunk next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                LeafResultChunk.Builder chunk = LeafResultChunk.newBuilder();
                if (!headerSent) {
                    chunk.setHeader(header());
                    headerSent = true;
                }
                int cells = 0;
                while (cells < maxCells && it.hasNext()) {
                    Map.Entry<List<String>, AggState[]> e = it.next();
                    ResultGroup.Builder g = ResultGroup.newBuilder().addAllGroupValues(e.getKey());
                    AggState[] states = e.getValue();
                    for (int i = 0; i < states.length; i++) {
                        if (states[i] != null) {
                            g.addCells(ResultCell.newBuilder().setBucket(i / fieldCount).setField(i % fieldCount)
                                    .setState(AggStateCodec.encode(states[i])));
                            cells++;
                        }
                    }
                    chunk.addGroups(g);
                }
                return chunk.build();
            }
        };
    }

    private AggState[] cellsOf(List<String> key) {
        AggState[] cells = groups.get(key);
        if (cells == null) {
            if (groups.size() >= maxGroups) {
                throw new InvalidInputException(ErrorCode.LIMIT_EXCEEDED, "too many groups [groupBy="
                        + shape.getGroupByList() + ", maxGroups=" + maxGroups + "]: narrow the filter or the group by, "
                        + "or raise the bound (broker.query.max-groups, or maxGroups in the request)");
            }
            QueryMemory.check(groups.size() + 1L, buckets, fieldCount, "merge, groupBy=" + shape.getGroupByList());
            cells = new AggState[buckets * fieldCount];
            groups.put(key, cells);
        }
        return cells;
    }

    /** Widens the window to cover {@code [start, start + n * bucketMs)}, re-indexing every group's cells. */
    private void widen(long start, long n, String source) {
        if (bucketMs == 0 || n == 0) {
            return;
        }
        if (n > MAX_BUCKETS) {
            throw tooManyBuckets(start, n, source);
        }
        long end = start + n * bucketMs;
        long newStart = buckets == 0 ? start : Math.min(startMs, start);
        long newEnd = buckets == 0 ? end : Math.max(startMs + buckets * bucketMs, end);
        if (newStart == startMs && newEnd == startMs + buckets * bucketMs) {
            return;
        }
        long width = (newEnd - newStart) / bucketMs;
        if (width > MAX_BUCKETS) {
            throw tooManyBuckets(newStart, width, source);
        }
        QueryMemory.check(groups.size(), width, fieldCount, "merge, groupBy=" + shape.getGroupByList() + ", " + source);
        int shift = (int) ((startMs - newStart) / bucketMs) * fieldCount;
        for (Map.Entry<List<String>, AggState[]> e : groups.entrySet()) {
            AggState[] widened = new AggState[(int) width * fieldCount];
            AggState[] old = e.getValue();
            if (old.length > 0) {
                System.arraycopy(old, 0, widened, shift, old.length);
            }
            e.setValue(widened);
        }
        startMs = newStart;
        buckets = (int) width;
    }

    private InvalidInputException tooManyBuckets(long start, long n, String source) {
        return new InvalidInputException("too many buckets [groupBy=" + shape.getGroupByList() + ", startMs=" + start
                + ", bucketMs=" + bucketMs + ", " + source + "]: " + n + " > " + MAX_BUCKETS
                + "; bound the time range (WHERE ts >= ...) or widen the bucket");
    }

    /** The index in this table's window of the bucket starting at {@code bucketStartMs} (on the grid). */
    private int bucketIndex(long bucketStartMs) {
        return bucketMs == 0 ? 0 : (int) ((bucketStartMs - startMs) / bucketMs);
    }

    private static void mergeInto(AggState[] cells, int index, AggState state, boolean owned) {
        if (cells[index] == null) {
            cells[index] = owned ? state : state.copy();
        } else {
            cells[index].merge(state);
        }
    }

    /**
     * Checks that {@code h} has this table's group-by, fields and bucket width, and a window on its bucket grid
     * (with {@code bucketMs == 0}: the one bucket at the grid's start).
     */
    private void checkShape(LeafResultHeader h, String source) {
        if (!h.getTransformsList().equals(shape.getTransformsList())) {
            throw new InvalidInputException(ErrorCode.BUG, "partial result without the slot transforms the query needs ["
                    + source + ", transforms=" + shape.getTransformsList() + "]: the node that answered is older than "
                    + "storage.proto revision 5 (broker.proto revision 3), which STDDEV, VARIANCE and rate, increase and "
                    + "delta of a counter need; upgrade it");
        }
        boolean same = h.getGroupByList().equals(shape.getGroupByList()) && h.getFieldsList().equals(shape.getFieldsList())
                && h.getBucketMs() == bucketMs;
        if (!same || (bucketMs == 0 && (h.getStartMs() != shape.getStartMs() || h.getBuckets() != 1))) {
            throw new InvalidInputException(ErrorCode.BUG, "partial result of another shape [" + source + "]: got "
                    + h.toString().replace('\n', ' ') + "; want " + shape.toString().replace('\n', ' '));
        }
        if (bucketMs > 0 && Math.floorMod(h.getStartMs() - shape.getStartMs(), bucketMs) != 0) {
            throw new InvalidInputException(ErrorCode.BUG, "partial result on another bucket grid [" + source
                    + ", bucketMs=" + bucketMs + "]: got start " + h.getStartMs() + "; want " + shape.getStartMs()
                    + " + a multiple of " + bucketMs);
        }
    }
}
