package io.meridian.storage.query;

import io.meridian.common.error.InvalidInputException;
import io.meridian.common.model.Names;
import io.meridian.storage.index.TagPredicate;
import io.meridian.common.model.Aggregate;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.Objects;

/**
 * What a leaf (one shard) computes: for the series of {@code metric} that match {@code predicate}, the
 * partial aggregates of {@code fields} per (group, bucket) over {@code [startMs, endMs)}.
 *
 * @param bucketMs   bucket width; 0 means one bucket for the whole range
 * @param groupBy    tag keys to group by (empty = one group); a series without the tag groups under ""
 * @param aggregates the aggregates the caller will compute from the states. When it is exactly {LAST} and
 *                   there is one bucket, the leaf folds only the newest slot of each block (the lastpoint
 *                   path); the returned states are then exact for LAST only.
 */
public record LeafQuery(String metric, TagPredicate predicate, long startMs, long endMs, long bucketMs,
                        List<String> groupBy, List<String> fields, Set<Aggregate> aggregates) {
    private static final Set<Aggregate> ALL_AGGREGATES = Set.copyOf(EnumSet.allOf(Aggregate.class));

    /** Bound on groups x buckets one leaf materialises. */
    public static final long MAX_CELLS = 10_000_000;

    public LeafQuery {
        Names.requireValid("metric", metric);
        Objects.requireNonNull(predicate, "predicate");
        groupBy = List.copyOf(groupBy);
        aggregates = aggregates.isEmpty() ? ALL_AGGREGATES : Set.copyOf(aggregates);
        fields = List.copyOf(fields);
        if (endMs <= startMs) {
            throw new InvalidInputException("invalid time range [metric=" + metric + "]: end " + endMs
                    + " must be after start " + startMs);
        }
        if (bucketMs < 0) {
            throw new InvalidInputException("invalid bucket [metric=" + metric + "]: got " + bucketMs + "; want >= 0");
        }
        if (fields.isEmpty()) {
            throw new InvalidInputException("invalid query [metric=" + metric + "]: no fields requested");
        }
        if (bucketMs > 0 && (endMs - startMs) / bucketMs > MAX_CELLS) {
            throw new InvalidInputException("too many buckets [metric=" + metric + "]: " + (endMs - startMs) / bucketMs
                    + " > " + MAX_CELLS);
        }
    }

    /** A query whose states must be exact for every aggregate. */
    public LeafQuery(String metric, TagPredicate predicate, long startMs, long endMs, long bucketMs, List<String> groupBy,
                     List<String> fields) {
        this(metric, predicate, startMs, endMs, bucketMs, groupBy, fields, ALL_AGGREGATES);
    }

    /** True when only the newest point per (series, field) matters (see {@code aggregates}). */
    public boolean latestOnly() {
        return bucketMs == 0 && aggregates.equals(Set.of(Aggregate.LAST));
    }

    public int bucketCount() {
        return bucketMs == 0 ? 1 : (int) ((endMs - startMs + bucketMs - 1) / bucketMs);
    }

    /** Start of the bucket holding {@code ts}. */
    public int bucketOf(long ts) {
        return bucketMs == 0 ? 0 : (int) ((ts - startMs) / bucketMs);
    }
}
