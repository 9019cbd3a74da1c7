package io.meridian.storage.query;

import io.meridian.common.model.AggState;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Mergeable partial aggregates per (group, bucket, field). Results of several leaves (shards, nodes,
 * IDCs) of the same query merge with {@link #merge} in any order.
 *
 * <p>{@code cells.get(groupValues)[bucket * fields.size() + field]} is the state, or null when empty.
 *
 * <p>The window {@code [startMs, startMs + buckets * bucketMs)} is the part of the query's range the result
 * answers: a leaf narrows it to its data ({@link LeafQuery#within}), so results of one query may have different
 * windows, all on the query's bucket grid, and a result without data has 0 buckets. With {@code bucketMs == 0}
 * the window is always the query's one bucket.
 */
public record LeafResult(List<String> groupBy, List<String> fields, long startMs, long bucketMs, int buckets,
                         Map<List<String>, AggState[]> cells) {

    /** The answer of a leaf without data for {@code q}: no cells, and no bucket unless {@code bucketMs == 0}. */
    public static LeafResult empty(LeafQuery q) {
        return new LeafResult(q.groupBy(), q.fields(), q.startMs(), q.bucketMs(), q.bucketMs() == 0 ? 1 : 0,
                new HashMap<>());
    }

    public AggState cell(List<String> group, int bucket, int field) {
        AggState[] c = cells.get(group);
        return c == null ? null : c[bucket * fields.size() + field];
    }

    /**
     * Merges {@code other} (same query shape, same bucket grid) into this result. Returns the merged result: this
     * one when its window already covers {@code other}'s, else a new one over the union of both windows (this
     * one's arrays are not reused then).
     *
     * @throws IllegalStateException when {@code other}'s window is not on this one's bucket grid
     */
    public LeafResult merge(LeafResult other) {
        LeafResult into = covering(other);
        int offset = into.bucketIndex(other.startMs) * fields.size();
        other.cells.forEach((group, states) -> {
            AggState[] mine = into.cells.computeIfAbsent(group, g -> new AggState[into.buckets * fields.size()]);
            for (int i = 0; i < states.length; i++) {
                if (states[i] != null) {
                    if (mine[offset + i] == null) {
                        mine[offset + i] = states[i].copy();
                    } else {
                        mine[offset + i].merge(states[i]);
                    }
                }
            }
        });
        return into;
    }

    public long bucketStart(int bucket) {
        return startMs + bucket * bucketMs;
    }

    /** This result, or a copy over a window wide enough for {@code other}'s too. */
    private LeafResult covering(LeafResult other) {
        if (bucketMs == 0 || other.buckets == 0) {
            return this;
        }
        if ((other.startMs - startMs) % bucketMs != 0) {
            throw new IllegalStateException("BUG: leaf results on different bucket grids [bucketMs=" + bucketMs
                    + "]: start " + other.startMs + " vs " + startMs);
        }
        long start = buckets == 0 ? other.startMs : Math.min(startMs, other.startMs);
        long end = Math.max(buckets == 0 ? start : bucketStart(buckets), other.bucketStart(other.buckets));
        if (start == startMs && end == bucketStart(buckets)) {
            return this;
        }
        int width = Math.toIntExact((end - start) / bucketMs);
        int shift = Math.toIntExact((startMs - start) / bucketMs) * fields.size();
        Map<List<String>, AggState[]> widened = new HashMap<>();
        cells.forEach((group, states) -> {
            AggState[] w = new AggState[width * fields.size()];
            if (states.length > 0) {
                System.arraycopy(states, 0, w, shift, states.length);
            }
            widened.put(group, w);
        });
        return new LeafResult(groupBy, fields, start, bucketMs, width, widened);
    }

    private int bucketIndex(long bucketStartMs) {
        return bucketMs == 0 ? 0 : Math.toIntExact((bucketStartMs - startMs) / bucketMs);
    }
}
