package io.meridian.common.rpc;

import io.meridian.common.error.ErrorCode;
import io.meridian.common.error.InvalidInputException;
import io.meridian.common.model.AggState;
import io.meridian.common.query.PartialTable;
import io.meridian.common.rpc.storage.v1.LeafQueryRequest;
import io.meridian.common.rpc.storage.v1.LeafResultChunk;
import io.meridian.common.rpc.storage.v1.LeafResultHeader;
import io.meridian.common.rpc.storage.v1.ResultCell;
import io.meridian.common.rpc.storage.v1.ResultGroup;
import io.meridian.common.rpc.storage.v1.SlotTransform;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;

/**
 * A {@link PartialTable} as a stream of {@link LeafResultChunk}s (storage.proto) and back: the one codec of the
 * leaf's answer to a broker and of an intermediate broker's answer to the root.
 *
 * <p>A stream is its header (group-by, fields, the window on the query's bucket grid, the request's slot
 * transforms) in the first chunk, then groups in {@link PartialTable#GROUP_ORDER}; only non-null cells travel,
 * numbered by bucket from the header's window; a chunk holds at most {@code maxCells} cells, so a large group
 * continues in the next chunk under the same group values. A group without cells is still sent (it exists in the
 * result); an empty table is one chunk with the header only.
 */
public final class PartialTableCodec {
    private PartialTableCodec() {}

    /** An empty table for the answers to {@code leaf}, at most {@code maxGroups} groups. */
    public static PartialTable emptyFor(LeafQueryRequest leaf, int maxGroups) {
        return PartialTable.empty(
                leaf.getGroupByList(), leaf.getFieldsList(), leaf.getStartMs(), leaf.getBucketMs(), maxGroups);
    }

    /** The header of {@code t}: its shape and window, echoing the request's {@code transforms}. */
    public static LeafResultHeader header(PartialTable t, List<SlotTransform> transforms) {
        return LeafResultHeader.newBuilder()
                .addAllGroupBy(t.groupBy())
                .addAllFields(t.fields())
                .setStartMs(t.startMs())
                .setBucketMs(t.bucketMs())
                .setBuckets(t.buckets())
                .addAllTransforms(transforms)
                .build();
    }

    /** Lazily encodes the whole table; chunks are built as the iterator advances. */
    public static Iterator<LeafResultChunk> chunks(PartialTable t, int maxCells) {
        return chunks(t, maxCells, 0, List.of());
    }

    /**
     * Lazily encodes the table, keeping only the first {@code groupLimit} groups (in group order) that have a cell
     * when {@code groupLimit > 0}; the header echoes {@code transforms}.
     */
    public static Iterator<LeafResultChunk> chunks(
            PartialTable t, int maxCells, int groupLimit, List<SlotTransform> transforms) {
        if (maxCells < 1) {
            throw new IllegalArgumentException("maxCells must be >= 1, got " + maxCells);
        }
        List<Map.Entry<List<String>, AggState[]>> groups = t.firstGroups(groupLimit);
        LeafResultHeader header = header(t, transforms);
        int fields = t.fields().size();
        return new Iterator<>() {
            int group;
            int cell;
            boolean first = true;

            @Override
            public boolean hasNext() {
                return first || group < groups.size();
            }

            @Override
            public LeafResultChunk next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                LeafResultChunk.Builder chunk = LeafResultChunk.newBuilder();
                if (first) {
                    chunk.setHeader(header);
                    first = false;
                }
                int budget = maxCells;
                while (budget > 0 && group < groups.size()) {
                    List<String> values = groups.get(group).getKey();
                    AggState[] states = groups.get(group).getValue();
                    // a group starts here even when it has no cell (an empty group still exists in the result)
                    ResultGroup.Builder g = cell == 0 ? chunk.addGroupsBuilder().addAllGroupValues(values) : null;
                    while (budget > 0 && cell < states.length) {
                        AggState s = states[cell];
                        if (s != null) {
                            if (g == null) {
                                g = chunk.addGroupsBuilder().addAllGroupValues(values);
                            }
                            g.addCells(ResultCell.newBuilder()
                                    .setBucket(cell / fields)
                                    .setField(cell % fields)
                                    .setState(AggStateCodec.encode(s)));
                            budget--;
                        }
                        cell++;
                    }
                    if (cell >= states.length) {
                        group++;
                        cell = 0;
                    }
                }
                return chunk.build();
            }
        };
    }

    /**
     * Rebuilds a whole stream as a table of the shape its header gives, groups unbounded (cells sent twice merge).
     *
     * @throws InvalidInputException when the first chunk has no header or a chunk is malformed
     */
    public static PartialTable decode(List<LeafResultChunk> chunks) {
        if (chunks.isEmpty() || !chunks.get(0).hasHeader()) {
            throw new InvalidInputException("malformed leaf result: the first chunk carries no header");
        }
        LeafResultHeader h = chunks.get(0).getHeader();
        PartialTable t = PartialTable.empty(
                h.getGroupByList(), h.getFieldsList(), h.getStartMs(), h.getBucketMs(), PartialTable.UNBOUNDED);
        Reader reader = new Reader(t, h.getTransformsList());
        for (int c = 0; c < chunks.size(); c++) {
            reader.add(chunks.get(c), "chunk=" + c);
        }
        return t;
    }

    /**
     * Merges result streams into a table, checking each stream's header against the table's shape and the
     * request's slot transforms. One reader reads one stream at a time: the cells of a chunk count buckets from the
     * window of the last header it read.
     */
    public static final class Reader {
        private final PartialTable into;
        private final List<SlotTransform> transforms;
        private final long gridStartMs;
        private long streamStartMs;
        private long streamBuckets;

        /** A reader into {@code into}, which must still be empty (its window is the grid's origin). */
        public Reader(PartialTable into, List<SlotTransform> transforms) {
            this.into = into;
            this.transforms = List.copyOf(transforms);
            this.gridStartMs = into.startMs();
            this.streamStartMs = into.startMs();
            this.streamBuckets = into.buckets();
        }

        /** A reader into an empty table for the answers to {@code leaf}. */
        public static Reader of(LeafQueryRequest leaf, int maxGroups) {
            return new Reader(emptyFor(leaf, maxGroups), leaf.getTransformsList());
        }

        public PartialTable table() {
            return into;
        }

        /**
         * Merges one chunk: a chunk with a header starts a stream, whose window the table widens to.
         *
         * @param source names the sender in errors, e.g. {@code "shard=db/c1/3, node=s2"}
         * @throws InvalidInputException (BUG) when the chunk is malformed or of another shape; (LIMIT_EXCEEDED) past
         *     the table's group, bucket or memory bound
         */
        public void add(LeafResultChunk chunk, String source) {
            if (chunk.hasHeader()) {
                LeafResultHeader h = chunk.getHeader();
                checkShape(h, source);
                into.widen(h.getStartMs(), Integer.toUnsignedLong(h.getBuckets()), source);
                streamStartMs = h.getStartMs();
                streamBuckets = Integer.toUnsignedLong(h.getBuckets());
            }
            int fields = into.fields().size();
            int offset = streamBuckets == 0 ? 0 : into.bucketIndex(streamStartMs) * fields;
            for (ResultGroup g : chunk.getGroupsList()) {
                if (g.getGroupValuesCount() != into.groupBy().size()) {
                    throw new InvalidInputException(
                            ErrorCode.BUG,
                            "malformed partial result [" + source + "]: a group has " + g.getGroupValuesCount()
                                    + " values; want " + into.groupBy().size());
                }
                AggState[] row = into.row(List.copyOf(g.getGroupValuesList()));
                for (ResultCell c : g.getCellsList()) {
                    if (Integer.toUnsignedLong(c.getBucket()) >= streamBuckets
                            || Integer.compareUnsigned(c.getField(), fields) >= 0) {
                        throw new InvalidInputException(
                                ErrorCode.BUG,
                                "malformed partial result [" + source
                                        + "]: cell (bucket " + Integer.toUnsignedString(c.getBucket()) + ", field "
                                        + Integer.toUnsignedString(c.getField()) + ") is outside " + streamBuckets
                                        + " buckets x " + fields + " fields");
                    }
                    PartialTable.mergeCell(
                            row,
                            offset + c.getBucket() * fields + c.getField(),
                            AggStateCodec.decode(c.getState(), source),
                            true);
                }
            }
        }

        /**
         * Checks that {@code h} has the table's group-by, fields, bucket width and the request's transforms, and a
         * window on its bucket grid (with {@code bucketMs == 0}: the one bucket at the grid's start).
         */
        private void checkShape(LeafResultHeader h, String source) {
            if (!h.getTransformsList().equals(transforms)) {
                throw new InvalidInputException(
                        ErrorCode.BUG,
                        "partial result without the slot transforms the query "
                                + "needs [" + source + ", transforms=" + transforms
                                + "]: the node that answered is older than "
                                + "storage.proto revision 5 (broker.proto revision 3), which STDDEV, VARIANCE and rate, "
                                + "increase and delta of a counter need; upgrade it");
            }
            long bucketMs = into.bucketMs();
            boolean same = h.getGroupByList().equals(into.groupBy())
                    && h.getFieldsList().equals(into.fields())
                    && h.getBucketMs() == bucketMs;
            if (!same || (bucketMs == 0 && (h.getStartMs() != gridStartMs || h.getBuckets() != 1))) {
                throw new InvalidInputException(
                        ErrorCode.BUG,
                        "partial result of another shape [" + source + "]: got "
                                + h.toString().replace('\n', ' ') + "; want groupBy=" + into.groupBy() + ", fields="
                                + into.fields() + ", bucketMs=" + bucketMs + ", grid start " + gridStartMs);
            }
            if (bucketMs > 0 && Math.floorMod(h.getStartMs() - gridStartMs, bucketMs) != 0) {
                throw new InvalidInputException(
                        ErrorCode.BUG,
                        "partial result on another bucket grid [" + source
                                + ", bucketMs=" + bucketMs + "]: got start " + h.getStartMs() + "; want " + gridStartMs
                                + " + a multiple of " + bucketMs);
            }
        }
    }
}
