package io.meridian.broker.query;

import io.meridian.common.error.ErrorCode;
import io.meridian.common.error.InvalidInputException;
import io.meridian.common.model.AggState;
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
 * <p>The group bound is checked on every insert: a result that would exceed it fails with
 * {@link ErrorCode#LIMIT_EXCEEDED} rather than being cut. Not thread-safe.
 */
public final class PartialTable {
    private static final Comparator<List<String>> GROUP_ORDER = (a, b) -> {
        for (int i = 0; i < a.size(); i++) {
            int c = a.get(i).compareTo(b.get(i));
            if (c != 0) {
                return c;
            }
        }
        return 0;
    };

    private final LeafResultHeader header;
    private final int fieldCount;
    private final int maxGroups;
    private final TreeMap<List<String>, AggState[]> groups = new TreeMap<>(GROUP_ORDER);

    private PartialTable(LeafResultHeader header, int maxGroups) {
        this.header = header;
        this.fieldCount = header.getFieldsCount();
        this.maxGroups = maxGroups;
    }

    /** An empty table for the results of {@code leaf}. */
    public static PartialTable of(LeafQueryRequest leaf, int maxGroups) {
        long range = leaf.getEndMs() - leaf.getStartMs();
        long buckets = leaf.getBucketMs() == 0 ? 1 : (range + leaf.getBucketMs() - 1) / leaf.getBucketMs();
        return new PartialTable(LeafResultHeader.newBuilder().addAllGroupBy(leaf.getGroupByList())
                .addAllFields(leaf.getFieldsList()).setStartMs(leaf.getStartMs()).setBucketMs(leaf.getBucketMs())
                .setBuckets((int) buckets).build(), maxGroups);
    }

    /** An empty table of the same shape and bound. */
    public PartialTable emptyCopy() {
        return new PartialTable(header, maxGroups);
    }

    public LeafResultHeader header() {
        return header;
    }

    public int groupCount() {
        return groups.size();
    }

    /** Groups sorted by their values; each value array is indexed {@code bucket * fields + field}, nulls are empty. */
    public Iterable<Map.Entry<List<String>, AggState[]>> groups() {
        return groups.entrySet();
    }

    /**
     * Merges one chunk of a result stream.
     *
     * @param source names the sender in errors, e.g. {@code "shard=db/c1/3, node=s2"}
     */
    public void add(LeafResultChunk chunk, String source) {
        if (chunk.hasHeader() && !sameShape(chunk.getHeader())) {
            throw new InvalidInputException(ErrorCode.BUG, "partial result of another shape [" + source + "]: got "
                    + chunk.getHeader().toString().replace('\n', ' ') + "; want " + header.toString().replace('\n', ' '));
        }
        for (ResultGroup g : chunk.getGroupsList()) {
            if (g.getGroupValuesCount() != header.getGroupByCount()) {
                throw new InvalidInputException(ErrorCode.BUG, "malformed partial result [" + source + "]: a group has "
                        + g.getGroupValuesCount() + " values; want " + header.getGroupByCount());
            }
            AggState[] cells = cellsOf(List.copyOf(g.getGroupValuesList()));
            for (ResultCell c : g.getCellsList()) {
                if (c.getBucket() >= header.getBuckets() || c.getField() >= fieldCount) {
                    throw new InvalidInputException(ErrorCode.BUG, "malformed partial result [" + source + "]: cell (bucket "
                            + c.getBucket() + ", field " + c.getField() + ") is outside " + header.getBuckets()
                            + " buckets x " + fieldCount + " fields");
                }
                mergeInto(cells, c.getBucket() * fieldCount + c.getField(), AggStateCodec.decode(c.getState(), source), true);
            }
        }
    }

    /** Merges another table of the same shape into this one. */
    public void merge(PartialTable other) {
        for (Map.Entry<List<String>, AggState[]> e : other.groups.entrySet()) {
            AggState[] cells = cellsOf(e.getKey());
            AggState[] theirs = e.getValue();
            for (int i = 0; i < theirs.length; i++) {
                if (theirs[i] != null) {
                    mergeInto(cells, i, theirs[i], false);
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
                    chunk.setHeader(header);
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
                        + header.getGroupByList() + ", maxGroups=" + maxGroups + "]: narrow the filter or the group by, "
                        + "or raise the bound (broker.query.max-groups, or maxGroups in the request)");
            }
            cells = new AggState[header.getBuckets() * fieldCount];
            groups.put(key, cells);
        }
        return cells;
    }

    private static void mergeInto(AggState[] cells, int index, AggState state, boolean owned) {
        if (cells[index] == null) {
            cells[index] = owned ? state : state.copy();
        } else {
            cells[index].merge(state);
        }
    }

    private boolean sameShape(LeafResultHeader h) {
        return h.getGroupByList().equals(header.getGroupByList()) && h.getFieldsList().equals(header.getFieldsList())
                && h.getStartMs() == header.getStartMs() && h.getBucketMs() == header.getBucketMs()
                && h.getBuckets() == header.getBuckets();
    }
}
