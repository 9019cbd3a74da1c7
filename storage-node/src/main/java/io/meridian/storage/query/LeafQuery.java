package io.meridian.storage.query;

import io.meridian.common.error.InvalidInputException;
import io.meridian.common.model.Aggregate;
import io.meridian.common.model.Names;
import io.meridian.common.query.PartialTable;
import io.meridian.common.query.SlotTransform;
import io.meridian.storage.index.TagPredicate;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * What a leaf (one shard) computes: for the series of {@code metric} that match {@code predicate}, the
 * partial aggregates of {@code fields} per (group, bucket) over {@code [startMs, endMs)}.
 *
 * <p>The range may be far wider than the data (a statement without a time range asks for the whole retention,
 * one bucket per base slot): a leaf first narrows it to the span its data can be in ({@link #within}), and only
 * then are the buckets counted against {@link #MAX_BUCKETS} ({@link #bucketCount}).
 *
 * @param bucketMs   bucket width; 0 means one bucket for the whole range
 * @param groupBy    tag keys to group by (empty = one group); a series without the tag groups under ""
 * @param aggregates the aggregates the caller will compute from the states. When it is exactly {LAST} and
 *                   there is one bucket, the leaf folds only the newest slot of each block (the lastpoint
 *                   path); the returned states are then exact for LAST only.
 * @param transforms one per field: how its slots are read ({@link SlotTransform}); a field may be listed twice
 *                   with different transforms
 * @param rowsExistOnly the caller reads the {@link Names#ROWS} cells only to know which (group, bucket) has a row:
 *                      their counts may be any positive number (storage.proto {@code rows_exist_only})
 * @param selectorTimes the caller reads the states' {@code minTs} / {@code maxTs} (MIN_TIME, MAX_TIME): the leaf
 *                      reads the base interval, whose slots keep them exactly, never a coarser family
 *                      (storage.proto {@code selector_times})
 */
public record LeafQuery(
        String metric,
        TagPredicate predicate,
        long startMs,
        long endMs,
        long bucketMs,
        List<String> groupBy,
        List<String> fields,
        Set<Aggregate> aggregates,
        List<SlotTransform> transforms,
        boolean rowsExistOnly,
        boolean selectorTimes) {
    private static final Set<Aggregate> ALL_AGGREGATES = Set.copyOf(EnumSet.allOf(Aggregate.class));

    /** Bound on groups x buckets one leaf materialises. */
    public static final long MAX_CELLS = 10_000_000;
    /** Bound on the buckets of the range a leaf answers, after narrowing it to its data. */
    public static final long MAX_BUCKETS = PartialTable.MAX_BUCKETS;

    public LeafQuery {
        Names.requireValid("metric", metric);
        Objects.requireNonNull(predicate, "predicate");
        groupBy = List.copyOf(groupBy);
        aggregates = aggregates.isEmpty() ? ALL_AGGREGATES : Set.copyOf(aggregates);
        fields = List.copyOf(fields);
        transforms =
                transforms.isEmpty() ? Collections.nCopies(fields.size(), SlotTransform.NONE) : List.copyOf(transforms);
        if (transforms.size() != fields.size()) {
            throw new InvalidInputException("invalid transforms [metric=" + metric + "]: got " + transforms.size()
                    + " for " + fields.size() + " fields; want none or one per field");
        }
        Set<String> reads = new HashSet<>();
        for (int i = 0; i < fields.size(); i++) {
            if (!reads.add(fields.get(i) + "\0" + transforms.get(i))) {
                throw new InvalidInputException(
                        "duplicate field [metric=" + metric + ", field=" + fields.get(i) + ", transform="
                                + transforms.get(i).name().toLowerCase(Locale.ROOT) + "]: list each read once");
            }
        }
        if (endMs <= startMs) {
            throw new InvalidInputException(
                    "invalid time range [metric=" + metric + "]: end " + endMs + " must be after start " + startMs);
        }
        if (bucketMs < 0) {
            throw new InvalidInputException("invalid bucket [metric=" + metric + "]: got " + bucketMs + "; want >= 0");
        }
        if (fields.isEmpty()) {
            throw new InvalidInputException("invalid query [metric=" + metric + "]: no fields requested");
        }
    }

    /** A query that does not read the selector times. */
    public LeafQuery(
            String metric,
            TagPredicate predicate,
            long startMs,
            long endMs,
            long bucketMs,
            List<String> groupBy,
            List<String> fields,
            Set<Aggregate> aggregates,
            List<SlotTransform> transforms,
            boolean rowsExistOnly) {
        this(
                metric,
                predicate,
                startMs,
                endMs,
                bucketMs,
                groupBy,
                fields,
                aggregates,
                transforms,
                rowsExistOnly,
                false);
    }

    /** A query whose {@link Names#ROWS} cells, if any, count the rows. */
    public LeafQuery(
            String metric,
            TagPredicate predicate,
            long startMs,
            long endMs,
            long bucketMs,
            List<String> groupBy,
            List<String> fields,
            Set<Aggregate> aggregates,
            List<SlotTransform> transforms) {
        this(metric, predicate, startMs, endMs, bucketMs, groupBy, fields, aggregates, transforms, false);
    }

    /** A query that reads every field as stored. */
    public LeafQuery(
            String metric,
            TagPredicate predicate,
            long startMs,
            long endMs,
            long bucketMs,
            List<String> groupBy,
            List<String> fields,
            Set<Aggregate> aggregates) {
        this(metric, predicate, startMs, endMs, bucketMs, groupBy, fields, aggregates, List.of());
    }

    /** A query whose states must be exact for every aggregate. */
    public LeafQuery(
            String metric,
            TagPredicate predicate,
            long startMs,
            long endMs,
            long bucketMs,
            List<String> groupBy,
            List<String> fields) {
        this(metric, predicate, startMs, endMs, bucketMs, groupBy, fields, ALL_AGGREGATES, List.of());
    }

    /** True when some field is read through a transform: those are folded per series, in time order. */
    public boolean transformsSlots() {
        return transforms.stream().anyMatch(t -> t != SlotTransform.NONE);
    }

    /** True when only the newest point per (series, field) matters (see {@code aggregates}). */
    public boolean latestOnly() {
        return bucketMs == 0 && aggregates.equals(Set.of(Aggregate.LAST));
    }

    /**
     * Buckets of the range: 1 when {@code bucketMs == 0}.
     *
     * @throws InvalidInputException when there are more than {@link #MAX_BUCKETS}
     */
    public int bucketCount() {
        if (bucketMs == 0) {
            return 1;
        }
        long buckets = -Math.floorDiv(startMs - endMs, bucketMs);
        if (buckets > MAX_BUCKETS) {
            throw new InvalidInputException("too many buckets [metric=" + metric + ", startMs=" + startMs + ", endMs="
                    + endMs + ", bucketMs=" + bucketMs + "]: " + buckets + " > " + MAX_BUCKETS
                    + "; bound the time range (WHERE ts >= ...) or widen the bucket");
        }
        return (int) buckets;
    }

    /**
     * This query narrowed to the data span {@code [spanStartMs, spanEndMs)}, or empty when they do not overlap.
     * The narrowed range stays on this query's bucket grid: whole buckets, the last one possibly cut by
     * {@code endMs} as before, so bucket {@code i} of the narrowed query is bucket
     * {@code i + (narrowed.startMs - startMs) / bucketMs} of this one, and both ends stay aligned to every
     * interval that divides {@code bucketMs} and {@code startMs}. Without buckets ({@code bucketMs == 0}) an
     * overlapping query comes back unchanged: its one bucket is the whole requested range, and narrowing it
     * would read nothing less (parts are picked by segment and slots by range anyway).
     */
    public Optional<LeafQuery> within(long spanStartMs, long spanEndMs) {
        if (spanStartMs >= endMs || spanEndMs <= startMs || spanEndMs <= spanStartMs) {
            return Optional.empty();
        }
        if (bucketMs == 0) {
            return Optional.of(this);
        }
        long start = startMs + Math.floorDiv(Math.max(0, spanStartMs - startMs), bucketMs) * bucketMs;
        long end = Math.min(endMs, startMs - Math.floorDiv(startMs - spanEndMs, bucketMs) * bucketMs);
        if (start == startMs && end == endMs) {
            return Optional.of(this);
        }
        return Optional.of(new LeafQuery(
                metric,
                predicate,
                start,
                end,
                bucketMs,
                groupBy,
                fields,
                aggregates,
                transforms,
                rowsExistOnly,
                selectorTimes));
    }

    /** Start of the bucket holding {@code ts}. */
    public int bucketOf(long ts) {
        return bucketMs == 0 ? 0 : (int) ((ts - startMs) / bucketMs);
    }

    /** The answer of a leaf without data for this query: no group, and no bucket unless {@code bucketMs == 0}. */
    public PartialTable emptyResult() {
        return PartialTable.empty(groupBy, fields, startMs, bucketMs, PartialTable.UNBOUNDED);
    }
}
