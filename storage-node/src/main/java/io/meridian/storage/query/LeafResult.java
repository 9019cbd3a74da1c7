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
 */
public record LeafResult(List<String> groupBy, List<String> fields, long startMs, long bucketMs, int buckets,
                         Map<List<String>, AggState[]> cells) {

    public static LeafResult empty(LeafQuery q) {
        return new LeafResult(q.groupBy(), q.fields(), q.startMs(), q.bucketMs(), q.bucketCount(), new HashMap<>());
    }

    public AggState cell(List<String> group, int bucket, int field) {
        AggState[] c = cells.get(group);
        return c == null ? null : c[bucket * fields.size() + field];
    }

    /** Merges {@code other} (same query shape) into this result. */
    public LeafResult merge(LeafResult other) {
        other.cells.forEach((group, states) -> {
            AggState[] mine = cells.computeIfAbsent(group, g -> new AggState[states.length]);
            for (int i = 0; i < states.length; i++) {
                if (states[i] != null) {
                    if (mine[i] == null) {
                        mine[i] = states[i].copy();
                    } else {
                        mine[i].merge(states[i]);
                    }
                }
            }
        });
        return this;
    }

    public long bucketStart(int bucket) {
        return startMs + bucket * bucketMs;
    }
}
