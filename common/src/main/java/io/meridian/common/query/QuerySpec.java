package io.meridian.common.query;

import io.meridian.common.error.InvalidInputException;
import io.meridian.common.model.Aggregate;
import io.meridian.common.model.Names;
import io.meridian.common.rpc.TagConditionCodec;
import io.meridian.common.rpc.WireEnums;
import io.meridian.common.rpc.storage.v1.LeafQueryRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * A distributed aggregation query over one metric: the part of a SQL statement (or a native JSON query) that
 * the cluster runs. Result columns are {@code ts} (the bucket start, only when {@code bucketMs > 0}), then the
 * group-by tags, then one column per selected aggregate. A row exists for each (group, bucket) with at least
 * one point in a selected field.
 *
 * <p>Buckets start at {@code startMs}: bucket i covers {@code [startMs + i * bucketMs, startMs + (i + 1) * bucketMs)}.
 *
 * @param filter       the tag predicate ({@link TagCondition#all()} for every series)
 * @param orderBy      result columns to sort by; empty sorts by the tags, then {@code ts}
 * @param limit        rows to return after sorting; 0 = all
 * @param timeout      the whole query's budget, all fragments included
 * @param maxGroups    bound on distinct groups, checked at every level; exceeding it is an error, never a cut
 * @param allowPartial when an IDC does not answer: true answers from the others and names it; false fails
 * @param rowsExistOnly the caller reads the {@code COUNT(*)} columns only to know which rows exist (a group of
 *                      {@code SELECT DISTINCT tag}): their values are then any positive count, not the number of rows
 *                      (storage.proto {@code rows_exist_only}), so leaves stop at each series' first row
 */
public record QuerySpec(
        String database,
        String metric,
        TagCondition filter,
        long startMs,
        long endMs,
        long bucketMs,
        List<String> groupBy,
        List<AggCall> selections,
        List<OrderKey> orderBy,
        int limit,
        Duration timeout,
        int maxGroups,
        boolean allowPartial,
        boolean rowsExistOnly) {
    public QuerySpec {
        requireName("database", database);
        requireName("metric", metric);
        String ctx = "database=" + database + ", metric=" + metric;
        Objects.requireNonNull(filter, "filter");
        groupBy = List.copyOf(groupBy);
        selections = List.copyOf(selections);
        orderBy = List.copyOf(orderBy);
        Objects.requireNonNull(timeout, "timeout");
        if (endMs <= startMs) {
            throw new InvalidInputException(
                    "invalid time range [" + ctx + "]: end " + endMs + " must be after start " + startMs);
        }
        if (bucketMs < 0) {
            throw new InvalidInputException("invalid bucket [" + ctx + "]: got " + bucketMs + "ms; want >= 0");
        }
        if (new HashSet<>(groupBy).size() != groupBy.size()) {
            throw new InvalidInputException(
                    "invalid group by [" + ctx + ", groupBy=" + groupBy + "]: a tag is listed twice");
        }
        for (AggCall s : selections) {
            if (s.field().equals(Names.ROWS) && s.function() != QueryFunction.COUNT) {
                throw new InvalidInputException("invalid aggregate [" + ctx + ", function="
                        + s.function().name().toLowerCase(Locale.ROOT) + ", field=*]: only count takes * (the rows)");
            }
        }
        if (selections.isEmpty()) {
            throw new InvalidInputException("nothing selected [" + ctx + "]: want at least one aggregate");
        }
        if (limit < 0) {
            throw new InvalidInputException("invalid limit [" + ctx + "]: got " + limit + "; want >= 0");
        }
        if (timeout.isNegative() || timeout.isZero()) {
            throw new InvalidInputException("invalid timeout [" + ctx + "]: got " + timeout + "; want > 0");
        }
        if (maxGroups < 1) {
            throw new InvalidInputException("invalid group bound [" + ctx + "]: got " + maxGroups + "; want >= 1");
        }
        List<String> columns = columns(bucketMs, groupBy, selections);
        if (new HashSet<>(columns).size() != columns.size()) {
            throw new InvalidInputException("duplicate result column [" + ctx + ", columns=" + columns
                    + "]: give the aggregates distinct aliases");
        }
        for (OrderKey k : orderBy) {
            if (!columns.contains(k.column())) {
                throw new InvalidInputException(
                        "unknown order by column [" + ctx + ", column=" + k.column() + "]: want one of " + columns);
            }
        }
    }

    /** A query whose {@code COUNT(*)} columns, if any, count the rows. */
    public QuerySpec(
            String database,
            String metric,
            TagCondition filter,
            long startMs,
            long endMs,
            long bucketMs,
            List<String> groupBy,
            List<AggCall> selections,
            List<OrderKey> orderBy,
            int limit,
            Duration timeout,
            int maxGroups,
            boolean allowPartial) {
        this(
                database,
                metric,
                filter,
                startMs,
                endMs,
                bucketMs,
                groupBy,
                selections,
                orderBy,
                limit,
                timeout,
                maxGroups,
                allowPartial,
                false);
    }

    /** The result's column names, in order. */
    public List<String> columns() {
        return columns(bucketMs, groupBy, selections);
    }

    /** The distinct (field, transform) reads of the aggregates, in first-use order: the leaf query's field list. */
    public List<FieldRead> reads() {
        Set<FieldRead> f = new LinkedHashSet<>();
        selections.forEach(s -> f.add(FieldRead.of(s)));
        return List.copyOf(f);
    }

    /** The leaf fragment every shard runs (shard left unset). */
    public LeafQueryRequest leafRequest() {
        EnumSet<Aggregate> needed = EnumSet.noneOf(Aggregate.class);
        boolean all = false;
        for (AggCall s : selections) {
            if (s.function().leafAggregate() == null) {
                all = true; // a percentile needs the histogram: ask for complete states
            } else {
                needed.add(s.function().leafAggregate());
            }
        }
        LeafQueryRequest.Builder b = LeafQueryRequest.newBuilder()
                .setMetric(metric)
                .setFilter(TagConditionCodec.toWire(filter))
                .setStartMs(startMs)
                .setEndMs(endMs)
                .setBucketMs(bucketMs)
                .addAllGroupBy(groupBy);
        List<FieldRead> reads = reads();
        reads.forEach(r -> b.addFields(r.field()));
        if (reads.stream().anyMatch(r -> r.transform() != SlotTransform.NONE)) {
            // only then: a storage node of revision 4 still serves every other query
            reads.forEach(r -> b.addTransforms(WireEnums.toWire(r.transform())));
        }
        if (!all) {
            needed.forEach(a -> b.addAggregates(WireEnums.toWire(a)));
        }
        if (limit > 0 && ordersByGroupValues()) {
            b.setGroupLimit(limit); // top-n pushed to the leaves: exact for this order (storage.proto group_limit)
        }
        b.setRowsExistOnly(rowsExistOnly);
        // MIN_TIME / MAX_TIME: the leaves read the base family, whose slots keep the selector times exactly
        b.setSelectorTimes(selections.stream()
                .anyMatch(s -> s.function() == QueryFunction.MIN_TIME || s.function() == QueryFunction.MAX_TIME));
        return b.build();
    }

    /**
     * Whether the rows are ordered by the group values, then time (the default order, or an ORDER BY that is a
     * prefix of {@code groupBy..., ts}, ascending): then the first n rows lie in the first n groups.
     */
    boolean ordersByGroupValues() {
        List<String> natural = new ArrayList<>(groupBy);
        natural.add("ts");
        for (int i = 0; i < orderBy.size(); i++) {
            OrderKey k = orderBy.get(i);
            if (k.descending() || i >= natural.size() || !natural.get(i).equals(k.column())) {
                return false;
            }
        }
        return true;
    }

    private static List<String> columns(long bucketMs, List<String> groupBy, List<AggCall> selections) {
        List<String> c = new ArrayList<>();
        if (bucketMs > 0) {
            c.add("ts");
        }
        c.addAll(groupBy);
        selections.forEach(s -> c.add(s.alias()));
        return c;
    }

    private static void requireName(String what, String value) {
        if (value == null || value.isEmpty()) {
            throw new InvalidInputException("missing " + what + " [query]: want a " + what + " name");
        }
    }
}
