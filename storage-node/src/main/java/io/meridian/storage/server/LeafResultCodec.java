package io.meridian.storage.server;

import io.meridian.common.error.InvalidInputException;
import io.meridian.common.model.AggState;
import io.meridian.common.rpc.AggStateCodec;
import io.meridian.common.rpc.storage.v1.LeafResultChunk;
import io.meridian.common.rpc.storage.v1.LeafResultHeader;
import io.meridian.common.rpc.storage.v1.SlotTransform;
import io.meridian.common.rpc.storage.v1.ResultCell;
import io.meridian.common.rpc.storage.v1.ResultGroup;
import io.meridian.storage.query.LeafResult;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;

/**
 * A {@link LeafResult} as a stream of {@link LeafResultChunk}s and back. Groups are sent sorted by their
 * values (deterministic streams); only non-null cells travel; a chunk holds at most {@code maxCells} cells,
 * so a large group continues in the next chunk under the same group values. The first chunk carries the
 * header, and an empty result is one chunk with the header only. The header is the result's window, which may
 * be narrower than the query's range (on its bucket grid, possibly 0 buckets; see {@link LeafResult}); cells'
 * bucket numbers count from its {@code start_ms}.
 */
public final class LeafResultCodec {
    /** Orders groups by their values, element by element. */
    static final Comparator<List<String>> GROUP_ORDER = (a, b) -> {
        for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
            int c = a.get(i).compareTo(b.get(i));
            if (c != 0) {
                return c;
            }
        }
        return Integer.compare(a.size(), b.size());
    };

    private LeafResultCodec() {}

    public static LeafResultHeader header(LeafResult r) {
        return header(r, List.of());
    }

    /** The header of {@code r}, echoing the request's {@code transforms} (storage.proto revision 5). */
    public static LeafResultHeader header(LeafResult r, List<SlotTransform> transforms) {
        return LeafResultHeader.newBuilder().addAllGroupBy(r.groupBy()).addAllFields(r.fields()).setStartMs(r.startMs())
                .setBucketMs(r.bucketMs()).setBuckets(r.buckets()).addAllTransforms(transforms).build();
    }

    /** Lazily encodes the result; chunks are built as the iterator advances. */
    public static Iterator<LeafResultChunk> chunks(LeafResult r, int maxCells) {
        return chunks(r, maxCells, 0);
    }

    /**
     * Lazily encodes the result, keeping only the first {@code groupLimit} groups (in group order) that have a
     * cell when {@code groupLimit > 0}.
     */
    public static Iterator<LeafResultChunk> chunks(LeafResult r, int maxCells, int groupLimit) {
        return chunks(r, maxCells, groupLimit, List.of());
    }

    /** As {@link #chunks(LeafResult, int, int)}, the header echoing the request's {@code transforms}. */
    public static Iterator<LeafResultChunk> chunks(LeafResult r, int maxCells, int groupLimit,
                                                   List<SlotTransform> transforms) {
        if (maxCells < 1) {
            throw new IllegalArgumentException("maxCells must be >= 1, got " + maxCells);
        }
        List<List<String>> groups = new ArrayList<>(r.cells().keySet());
        groups.sort(GROUP_ORDER);
        if (groupLimit > 0) {
            groups = groups.stream().filter(g -> java.util.Arrays.stream(r.cells().get(g)).anyMatch(java.util.Objects::nonNull))
                    .limit(groupLimit).toList();
        }
        List<List<String>> kept = groups;
        return new Iterator<>() {
            int group;
            int cell;
            boolean first = true;

            @Override
            public boolean hasNext() {
                return first || group < kept.size();
            }

            @Override
            public LeafResultChunk next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                LeafResultChunk.Builder chunk = LeafResultChunk.newBuilder();
                if (first) {
                    chunk.setHeader(header(r, transforms));
                    first = false;
                }
                int budget = maxCells;
                int fields = r.fields().size();
                while (budget > 0 && group < kept.size()) {
                    List<String> values = kept.get(group);
                    AggState[] states = r.cells().get(values);
                    // a group starts here even when it has no cell (an empty group still exists in the result)
                    ResultGroup.Builder g = cell == 0 ? chunk.addGroupsBuilder().addAllGroupValues(values) : null;
                    while (budget > 0 && cell < states.length) {
                        AggState s = states[cell];
                        if (s != null) {
                            if (g == null) {
                                g = chunk.addGroupsBuilder().addAllGroupValues(values);
                            }
                            g.addCells(ResultCell.newBuilder().setBucket(cell / fields).setField(cell % fields)
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
     * Rebuilds a result from its chunks (cells sent twice merge).
     *
     * @throws InvalidInputException when the first chunk has no header or a cell lies outside the shape
     */
    public static LeafResult decode(List<LeafResultChunk> chunks) {
        if (chunks.isEmpty() || !chunks.get(0).hasHeader()) {
            throw new InvalidInputException("malformed leaf result: the first chunk carries no header");
        }
        LeafResultHeader h = chunks.get(0).getHeader();
        int fields = h.getFieldsCount();
        int buckets = h.getBuckets();
        Map<List<String>, AggState[]> cells = new HashMap<>();
        for (int c = 0; c < chunks.size(); c++) {
            for (ResultGroup g : chunks.get(c).getGroupsList()) {
                List<String> values = List.copyOf(g.getGroupValuesList());
                if (values.size() != h.getGroupByCount()) {
                    throw new InvalidInputException("malformed leaf result [chunk=" + c + ", group=" + values
                            + "]: got " + values.size() + " group values; want " + h.getGroupByCount());
                }
                AggState[] states = cells.computeIfAbsent(values, v -> new AggState[buckets * fields]);
                for (ResultCell cell : g.getCellsList()) {
                    String where = "chunk=" + c + ", group=" + values + ", bucket=" + cell.getBucket() + ", field="
                            + cell.getField();
                    if (Integer.compareUnsigned(cell.getBucket(), buckets) >= 0
                            || Integer.compareUnsigned(cell.getField(), fields) >= 0) {
                        throw new InvalidInputException("malformed leaf result [" + where + "]: want bucket < "
                                + buckets + " and field < " + fields);
                    }
                    int i = cell.getBucket() * fields + cell.getField();
                    AggState s = AggStateCodec.decode(cell.getState(), where);
                    states[i] = states[i] == null ? s : states[i].merge(s);
                }
            }
        }
        return new LeafResult(h.getGroupByList(), h.getFieldsList(), h.getStartMs(), h.getBucketMs(), buckets, cells);
    }
}
