package io.meridian.storage.query;

import io.meridian.common.error.InvalidInputException;
import io.meridian.common.model.Names;
import io.meridian.storage.index.TagPredicate;
import java.util.List;
import java.util.Objects;

/**
 * What a leaf (one shard) computes: for the series of {@code metric} that match {@code predicate}, the
 * partial aggregates of {@code fields} per (group, bucket) over {@code [startMs, endMs)}.
 *
 * @param bucketMs bucket width; 0 means one bucket for the whole range
 * @param groupBy  tag keys to group by (empty = one group); a series without the tag groups under ""
 */
public record LeafQuery(String metric, TagPredicate predicate, long startMs, long endMs, long bucketMs,
                        List<String> groupBy, List<String> fields) {
    /** Bound on groups x buckets one leaf materialises. */
    public static final long MAX_CELLS = 10_000_000;

    public LeafQuery {
        Names.requireValid("metric", metric);
        Objects.requireNonNull(predicate, "predicate");
        groupBy = List.copyOf(groupBy);
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

    public int bucketCount() {
        return bucketMs == 0 ? 1 : (int) ((endMs - startMs + bucketMs - 1) / bucketMs);
    }

    /** Start of the bucket holding {@code ts}. */
    public int bucketOf(long ts) {
        return bucketMs == 0 ? 0 : (int) ((ts - startMs) / bucketMs);
    }
}
