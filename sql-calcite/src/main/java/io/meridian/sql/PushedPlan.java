package io.meridian.sql;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.meridian.common.model.FieldType;
import io.meridian.common.query.QueryFunction;
import io.meridian.common.rpc.storage.v1.TagFilter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Objects;

/**
 * The part of a SQL statement pushed into the distributed plan, as the {@link MeridianQuery} rel carries it and
 * the generated code hands it back to {@link MetricTable#query} (as JSON, a string constant in the code).
 *
 * <p>Two forms: a <b>scan</b> (no aggregate pushed: one row per series and base-interval slot, every field at its
 * slot value) and an <b>aggregate</b> (GROUP BY tags and an optional time bucket, aggregates of fields). Either
 * may carry a tag filter and a time range; an aggregate may carry ORDER BY and LIMIT.
 *
 * @param columns     the rel's output columns in order; each names a result column of the spec
 *                    ({@code ts}, a tag, or an aggregate alias {@code a0, a1, ...})
 * @param filterProto the tag filter, serialized protobuf in base64 (match-all when null)
 * @param bucketMs    aggregate form: bucket width, 0 for none; scan form: ignored (the base interval)
 * @param groupBy     aggregate form: the tags grouped by
 * @param aggregates  aggregate form: function and field per alias {@code a<i>}
 * @param orderBy     result column names, {@code -} prefix for descending
 * @param limit       0 = none
 */
public record PushedPlan(String database, String metric, List<String> tagKeys, List<String> fields,
                         List<FieldType> fieldTypes, String filterProto, TimeBound start, TimeBound end,
                         boolean aggregated, long bucketMs, List<String> groupBy, List<Agg> aggregates,
                         List<String> columns, List<String> orderBy, int limit) {
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * One pushed aggregate call.
     *
     * @param zeroWhenEmpty Calcite's {@code $SUM0}: 0 rather than null where the field had no point
     * @param quantile      PERCENTILE only: in [0, 1]; NaN otherwise
     */
    public record Agg(QueryFunction function, String field, boolean zeroWhenEmpty, double quantile) {}

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
        List<String> cols = new ArrayList<>();
        cols.add("ts");
        cols.addAll(metric.tagKeys());
        cols.addAll(metric.fields().keySet());
        return new PushedPlan(database, metric.name(), metric.tagKeys(), List.copyOf(metric.fields().keySet()),
                List.copyOf(metric.fields().values()), null, null, null, false, 0, List.of(), List.of(), cols, List.of(), 0);
    }

    @JsonIgnore
    public TagFilter filter() {
        if (filterProto == null) {
            return TagFilter.newBuilder().setMatchAll(TagFilter.MatchAll.getDefaultInstance()).build();
        }
        try {
            return TagFilter.parseFrom(Base64.getDecoder().decode(filterProto));
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new IllegalStateException("BUG: a pushed plan holds a bad filter", e);
        }
    }

    public PushedPlan withFilter(TagFilter filter, TimeBound newStart, TimeBound newEnd) {
        String proto = filter == null ? null : Base64.getEncoder().encodeToString(filter.toByteArray());
        return new PushedPlan(database, metric, tagKeys, fields, fieldTypes, proto, newStart, newEnd, aggregated, bucketMs,
                groupBy, aggregates, columns, orderBy, limit);
    }

    public PushedPlan withAggregate(long bucket, List<String> groups, List<Agg> aggs, List<String> cols) {
        return new PushedPlan(database, metric, tagKeys, fields, fieldTypes, filterProto, start, end, true, bucket, groups,
                aggs, cols, List.of(), 0);
    }

    public PushedPlan withSort(List<String> order, int newLimit) {
        return new PushedPlan(database, metric, tagKeys, fields, fieldTypes, filterProto, start, end, aggregated, bucketMs,
                groupBy, aggregates, columns, order, newLimit);
    }

    /** {@link #orderBy} as order keys (a {@code -} prefix is descending). */
    @JsonIgnore
    public List<io.meridian.common.query.OrderKey> orderKeys() {
        List<io.meridian.common.query.OrderKey> keys = new ArrayList<>();
        for (String o : orderBy) {
            keys.add(o.startsWith("-") ? new io.meridian.common.query.OrderKey(o.substring(1), true)
                    : new io.meridian.common.query.OrderKey(o, false));
        }
        return keys;
    }

    public boolean hasSort() {
        return !orderBy.isEmpty() || limit > 0;
    }

    public String toJson() {
        try {
            return JSON.writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("BUG: cannot serialize a pushed plan", e);
        }
    }

    public static PushedPlan fromJson(String json) {
        try {
            return JSON.readValue(json, PushedPlan.class);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("BUG: cannot read a pushed plan", e);
        }
    }

    /** What EXPLAIN shows: the fragments and what was pushed into them. */
    public String describe() {
        StringBuilder sb = new StringBuilder();
        sb.append("db=").append(database).append(", metric=").append(metric);
        if (filterProto != null) {
            sb.append(", tagFilter=").append(TagFilters.describe(filter()));
        }
        sb.append(", time=").append(start == null ? "(-inf" : start).append(", ")
                .append(end == null ? "+inf)" : end.toString().replace('[', ' ').replace('(', ' ').trim()
                        + (end.inclusive() ? "]" : ")"));
        if (aggregated) {
            sb.append(", bucket=").append(bucketMs == 0 ? "none" : bucketMs + "ms").append(", groupBy=").append(groupBy);
            List<String> aggs = new ArrayList<>();
            aggregates.forEach(a -> aggs.add((a.zeroWhenEmpty() ? "sum0" : a.function().name().toLowerCase(java.util.Locale.ROOT))
                    + "(" + a.field() + (Double.isNaN(a.quantile()) ? "" : ", " + a.quantile()) + ")"));
            sb.append(", aggregates=").append(aggs);
        } else {
            sb.append(", scan=slots");
        }
        if (!orderBy.isEmpty()) {
            sb.append(", orderBy=").append(orderBy);
        }
        if (limit > 0) {
            sb.append(", limit=").append(limit);
        }
        sb.append(", fragments=[leaf per shard, intermediate per IDC, root]");
        return sb.toString();
    }
}
