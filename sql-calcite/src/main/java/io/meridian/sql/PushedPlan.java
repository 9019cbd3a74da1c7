package io.meridian.sql;

import io.meridian.common.model.FieldType;
import io.meridian.common.query.QueryFunction;
import io.meridian.common.query.TagCondition;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * The part of a SQL statement pushed into the distributed plan, as the {@link MeridianQuery} rel carries it. The
 * generated code receives this very object (stashed in the statement's data context when it is compiled), so a
 * prepared statement's plan is built once and never encoded or decoded again.
 *
 * <p>Two forms: a <b>scan</b> (no aggregate pushed: one row per series and base-interval slot, every field at its
 * slot value) and an <b>aggregate</b> (GROUP BY tags and an optional time bucket, aggregates of fields). Either
 * may carry a tag filter and a time range; an aggregate may carry ORDER BY and LIMIT.
 *
 * <p>The distributed query's result has {@code ts} (when bucketed), then the grouped tags, then one column per
 * aggregate (scan form: per field) named {@link #alias}. Output columns map to those by kind and position.
 *
 * @param filter     the tag condition, null for every series; tag values of statement parameters are placeholders
 *                   ({@link TagParams})
 * @param bucketMs   aggregate form: bucket width, 0 for none; scan form: ignored (the base interval)
 * @param groupBy    aggregate form: the tags grouped by
 * @param aggregates aggregate form: the pushed aggregate calls
 * @param columns    the rel's output columns in order
 * @param orderBy    aggregate form: ORDER BY keys over {@code columns}
 * @param limit      0 = none
 * @param gapfill    aggregate form grouped by {@code time_bucket_gapfill}: every bucket of the time range is
 *                   answered for every group found, the missing ones filled per {@link OutputColumn.Fill}
 */
public record PushedPlan(
        String database,
        String metric,
        List<String> tagKeys,
        List<String> fields,
        List<FieldType> fieldTypes,
        TagCondition filter,
        TimeBound start,
        TimeBound end,
        boolean aggregated,
        long bucketMs,
        List<String> groupBy,
        List<Agg> aggregates,
        List<OutputColumn> columns,
        List<SortKey> orderBy,
        int limit,
        boolean gapfill) {
    /**
     * One pushed aggregate call.
     *
     * @param zeroWhenEmpty Calcite's {@code $SUM0}: 0 rather than null where the field had no point
     * @param quantile      PERCENTILE only: in [0, 1]; NaN otherwise
     * @param perSecond     SQL's {@code rate(x)}: the (SUM) value divided by the bucket's width in seconds
     */
    public record Agg(QueryFunction function, String field, boolean zeroWhenEmpty, double quantile, boolean perSecond) {
        public Agg(QueryFunction function, String field, boolean zeroWhenEmpty, double quantile) {
            this(function, field, zeroWhenEmpty, quantile, false);
        }

        /** {@code max(usage_user)}, {@code sum0(x)}, {@code percentile(x, 0.9)}, {@code rate(x)}. */
        public String describe() {
            String name = perSecond
                    ? "rate"
                    : zeroWhenEmpty ? "sum0" : function.name().toLowerCase(Locale.ROOT);
            return name + "(" + field + (Double.isNaN(quantile) ? "" : ", " + quantile) + ")";
        }
    }

    public PushedPlan {
        Objects.requireNonNull(database, "database");
        Objects.requireNonNull(metric, "metric");
        tagKeys = List.copyOf(tagKeys);
        fields = List.copyOf(fields);
        fieldTypes = List.copyOf(fieldTypes);
        groupBy = List.copyOf(groupBy);
        aggregates = List.copyOf(aggregates);
        columns = List.copyOf(columns);
        orderBy = List.copyOf(orderBy);
    }

    /** The scan of a whole metric table: {@code ts}, every tag, every field. */
    public static PushedPlan scan(String database, Catalog.Metric metric) {
        List<OutputColumn> cols = new ArrayList<>();
        cols.add(new OutputColumn.Time());
        metric.tagKeys().forEach(k -> cols.add(new OutputColumn.Tag(k)));
        for (int i = 0; i < metric.fields().size(); i++) {
            cols.add(new OutputColumn.Field(i));
        }
        return new PushedPlan(
                database,
                metric.name(),
                metric.tagKeys(),
                List.copyOf(metric.fields().keySet()),
                List.copyOf(metric.fields().values()),
                null,
                null,
                null,
                false,
                0,
                List.of(),
                List.of(),
                cols,
                List.of(),
                0,
                false);
    }

    /** The name of the distributed query's result column for aggregate (or scan field) {@code i}: never a valid name. */
    public static String alias(int i) {
        return "$" + i;
    }

    /** Scan form: the fields the scan reads, by index into {@link #fields}, in column order. */
    public List<Integer> scanFields() {
        List<Integer> out = new ArrayList<>();
        columns.forEach(c -> {
            if (c instanceof OutputColumn.Field f) {
                out.add(f.index());
            }
        });
        return out;
    }

    /**
     * Aggregate form: whether no output column reads an aggregate, so they only decide which groups exist
     * ({@code SELECT DISTINCT tag}, the inner grouping of {@code COUNT(DISTINCT tag)}).
     */
    public boolean groupsOnly() {
        return columns.stream()
                .noneMatch(c -> c instanceof OutputColumn.Aggregate || c instanceof OutputColumn.SlotTime);
    }

    /** Whether this is the untouched scan of the whole table (ts, every tag, every field): rules may rewrite it. */
    public boolean isFullScan() {
        return !aggregated && columns.size() == 1 + tagKeys.size() + fields.size();
    }

    /** The scan reading only {@code fieldIndexes} (ascending): ts, every tag, those fields. */
    public PushedPlan withScanFields(List<Integer> fieldIndexes) {
        List<OutputColumn> cols = new ArrayList<>();
        cols.add(new OutputColumn.Time());
        tagKeys.forEach(k -> cols.add(new OutputColumn.Tag(k)));
        fieldIndexes.forEach(i -> cols.add(new OutputColumn.Field(i)));
        return new PushedPlan(
                database,
                metric,
                tagKeys,
                fields,
                fieldTypes,
                filter,
                start,
                end,
                false,
                bucketMs,
                groupBy,
                aggregates,
                cols,
                orderBy,
                limit,
                gapfill);
    }

    /** The condition to send: {@link #filter}, or every series. */
    public TagCondition tagFilter() {
        return filter == null ? TagCondition.all() : filter;
    }

    public PushedPlan withFilter(TagCondition newFilter, TimeBound newStart, TimeBound newEnd) {
        return new PushedPlan(
                database,
                metric,
                tagKeys,
                fields,
                fieldTypes,
                newFilter,
                newStart,
                newEnd,
                aggregated,
                bucketMs,
                groupBy,
                aggregates,
                columns,
                orderBy,
                limit,
                gapfill);
    }

    public PushedPlan withAggregate(
            long bucket, List<String> groups, List<Agg> aggs, List<OutputColumn> cols, boolean fillGaps) {
        return new PushedPlan(
                database,
                metric,
                tagKeys,
                fields,
                fieldTypes,
                filter,
                start,
                end,
                true,
                bucket,
                groups,
                aggs,
                cols,
                List.of(),
                0,
                fillGaps);
    }

    /** The same plan computing {@code aggs} and answering {@code cols} (a gap-filled plan's columns with fills). */
    public PushedPlan withColumns(List<Agg> aggs, List<OutputColumn> cols) {
        return new PushedPlan(
                database,
                metric,
                tagKeys,
                fields,
                fieldTypes,
                filter,
                start,
                end,
                aggregated,
                bucketMs,
                groupBy,
                aggs,
                cols,
                orderBy,
                limit,
                gapfill);
    }

    public PushedPlan withSort(List<SortKey> order, int newLimit) {
        return new PushedPlan(
                database,
                metric,
                tagKeys,
                fields,
                fieldTypes,
                filter,
                start,
                end,
                aggregated,
                bucketMs,
                groupBy,
                aggregates,
                columns,
                order,
                newLimit,
                gapfill);
    }

    public boolean hasSort() {
        return !orderBy.isEmpty() || limit > 0;
    }

    /** The tags the distributed query groups by: the grouped tags, or every tag for a scan (one row per series). */
    public List<String> resultTags() {
        return aggregated ? groupBy : tagKeys;
    }

    /** Whether the distributed query's rows carry {@code ts}. */
    public boolean bucketed() {
        return !aggregated || bucketMs > 0;
    }

    /** The distributed query's result column name of an output column. */
    public String resultName(OutputColumn c) {
        if (c instanceof OutputColumn.Tag t) {
            return t.key();
        }
        if (c instanceof OutputColumn.Aggregate a) {
            return alias(a.index());
        }
        if (c instanceof OutputColumn.Field f) {
            return alias(f.index());
        }
        if (c instanceof OutputColumn.SlotTime) {
            throw new IllegalStateException("BUG: " + c + " has no single result column");
        }
        return "ts";
    }

    /** The position of an output column in the distributed query's result rows. */
    public int resultIndex(OutputColumn c) {
        int tagsFrom = bucketed() ? 1 : 0;
        if (c instanceof OutputColumn.Tag t) {
            return tagsFrom + resultTags().indexOf(t.key());
        }
        if (c instanceof OutputColumn.Aggregate a) {
            return tagsFrom + resultTags().size() + a.index();
        }
        if (c instanceof OutputColumn.Field f) {
            return tagsFrom + resultTags().size() + scanFields().indexOf(f.index());
        }
        return 0;
    }

    /** Whether the output column is an aggregate that answers 0 rather than null with no point ($SUM0). */
    public boolean zeroWhenEmpty(OutputColumn c) {
        return c instanceof OutputColumn.Aggregate a
                && aggregates.get(a.index()).zeroWhenEmpty();
    }

    /**
     * An output column's value where its group had no point: 0 for a count (and $SUM0), null otherwise. SQL answers
     * one such row for an aggregate without GROUP BY over no rows; gap filling adds them for empty buckets.
     */
    public Object emptyValue(OutputColumn c) {
        if (c instanceof OutputColumn.Aggregate a) {
            Agg agg = aggregates.get(a.index());
            return agg.function() == QueryFunction.COUNT ? (Object) 0L : agg.zeroWhenEmpty() ? (Object) 0.0 : null;
        }
        return null;
    }

    /** What EXPLAIN shows: the fragments and what was pushed into them. */
    public String describe() {
        StringBuilder sb = new StringBuilder();
        sb.append("db=").append(database).append(", metric=").append(metric);
        if (filter != null) {
            sb.append(", tagFilter=").append(filter);
        }
        sb.append(", time=")
                .append(start == null ? "(-inf" : start)
                .append(", ")
                .append(
                        end == null
                                ? "+inf)"
                                : end.toString()
                                                .replace('[', ' ')
                                                .replace('(', ' ')
                                                .trim()
                                        + (end.inclusive() ? "]" : ")"));
        if (aggregated) {
            sb.append(", bucket=")
                    .append(bucketMs == 0 ? "none" : bucketMs + "ms")
                    .append(gapfill ? " gapfill" : "")
                    .append(", groupBy=")
                    .append(groupBy);
            List<String> aggs = new ArrayList<>();
            aggregates.forEach(a -> aggs.add(a.describe()));
            sb.append(", aggregates=").append(aggs);
        } else {
            sb.append(", scan=slots");
        }
        List<String> cols = new ArrayList<>();
        columns.forEach(c -> cols.add(c.describe(this) + ":" + c.kind()));
        sb.append(", columns=").append(cols);
        if (!orderBy.isEmpty()) {
            List<String> keys = new ArrayList<>();
            orderBy.forEach(k -> keys.add(columns.get(k.column()).describe(this) + (k.descending() ? " desc" : "")));
            sb.append(", orderBy=").append(keys);
        }
        if (limit > 0) {
            sb.append(", limit=").append(limit);
        }
        sb.append(", fragments=[leaf per shard, intermediate per IDC, root]");
        return sb.toString();
    }
}
