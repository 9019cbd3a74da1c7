package io.meridian.sql.influxql;

import io.meridian.common.model.FieldType;
import io.meridian.sql.Catalog;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Builds the {@link SelectPlan} of a SELECT over one measurement: which aggregates Meridian SQL computes and how
 * (pushed where the rules push them), which are computed here, and whether {@code time_bucket_gapfill} can answer the
 * empty buckets.
 *
 * <pre>
 * mean count sum min max first last -> AVG COUNT SUM MIN MAX FIRST LAST        (pushed)
 * spread                            -> MAX, MIN (spread = max - min here)      (pushed)
 * stddev                            -> STDDEV_SAMP                             (pushed: moments of the slot values)
 * percentile(h, N), median(h)       -> PERCENTILE(h, N/100) on histogram fields (pushed)
 * percentile(x, N), median(x)       -> the slots' values, nearest rank / middle here
 * first(x), last(x) under a field filter, and a lone min(x) / max(x) there -> the slots' values, selected here
 * first / last / min / max(x) alone, no GROUP BY time -> FIRST(x), FIRST_TIME(x) / LAST(x), LAST_TIME(x) /
 *                                      MIN(x), MIN_TIME(x) / MAX(x), MAX_TIME(x): the time of the selected point, as
 *                                      InfluxDB reports a lone selector's point time
 * GROUP BY time(i), tags            -> GROUP BY time_bucket(INTERVAL i, ts), tags
 * fill(null|previous|linear|<n>)    -> time_bucket_gapfill with locf()/interpolate() when the aggregation is
 *                                      pushed and the range bounded; otherwise the buckets are filled here
 * </pre>
 */
final class PlanBuilder {
    /** Selectors the plan computes only pushed, so that under a field filter they are computed here. */
    private static final java.util.Set<String> SELECTED_HERE_UNDER_A_FIELD_FILTER = java.util.Set.of("first", "last");

    private PlanBuilder() {}

    /** Everything of a statement the per-measurement plans share. */
    record Context(
            SelectStatement statement,
            SelectShape shape,
            List<FieldExpander.Column> outputs,
            GroupBy groupBy,
            List<String> groupTags,
            Expr condition,
            TimeWindow window,
            long fixedTimeMs,
            long nowMs,
            ZoneId zone) {}

    /** The plan over {@code metric}, or null when it can have no rows (no such field, a condition never true). */
    static SelectPlan build(Context ctx, Catalog.Database db, Catalog.Metric metric) {
        ConditionSql.Rendered cond = ConditionSql.render(ctx.condition(), metric);
        if (cond.alwaysFalse()) {
            return null;
        }
        SelectStatement s = ctx.statement();
        List<String> sqlGroupTags =
                ctx.groupTags().stream().filter(metric.tagKeys()::contains).toList();
        Bucketing bucketing = null;
        TimeWindow window = ctx.window();
        if (ctx.groupBy().byTime()) {
            long width = Math.max(
                    Math.floorDiv(ctx.groupBy().intervalNs() + Durations.NANOS_PER_MS - 1, Durations.NANOS_PER_MS),
                    db.baseIntervalMs());
            long from = window.lowerMs() != null ? window.lowerMs() : ctx.nowMs() - db.retentionMs();
            bucketing = Bucketing.of(
                    width,
                    Math.floorDiv(ctx.groupBy().offsetNs(), Durations.NANOS_PER_MS),
                    ctx.zone(),
                    from,
                    window.upperMs());
        }
        TimeWindow queryWindow =
                bucketing != null && !ctx.shape().transformCalls().isEmpty()
                        ? window.widen(bucketing.widthMs(), !s.descending())
                        : window;
        List<String> where = new ArrayList<>();
        if (cond.sql() != null) {
            where.add(cond.conjunct());
        }
        where.addAll(queryWindow.sql());
        String from = SqlText.ident(metric.name());
        if (!ctx.shape().aggregate()) {
            return raw(ctx, db, metric, sqlGroupTags, where, from);
        }
        List<String> javaFields = new ArrayList<>();
        boolean lone = bucketing == null
                && ctx.shape().transformCalls().isEmpty()
                && ctx.shape().aggregateCalls().size() == 1;
        List<String> auxiliary = columns(ctx, metric, null); // a selector's auxiliary fields and tags
        List<SelectPlan.AggSlot> slots = slots(
                ctx.shape().aggregateCalls(),
                metric,
                javaFields,
                lone,
                cond.fieldPredicate(),
                !ctx.shape().references().isEmpty());
        int sqlColumn = slots.stream().mapToInt(a -> a.sqlColumns().size()).sum();
        if (slots.stream().allMatch(a -> a.kind() == SelectPlan.AggSlot.Kind.ABSENT)) {
            return null;
        }
        boolean sqlFilled = bucketing != null
                && s.fill().mode() != Statement.FillMode.NONE
                && ctx.shape().transformCalls().isEmpty()
                && javaFields.isEmpty()
                && !cond.fieldPredicate()
                && window.lowerMs() != null
                && !bucketing.zoned()
                && bucketing.offsetMs() == 0
                && slots.stream().noneMatch(a -> a.function().equals("stddev"));
        String aggregateSql = sqlColumn == 0
                ? null
                : aggregateSql(slots, bucketing, sqlFilled, s.fill().mode(), sqlGroupTags, from, where);
        List<String> rawColumns = new ArrayList<>(javaFields);
        auxiliary.stream().filter(a -> !rawColumns.contains(a)).forEach(rawColumns::add);
        String rawSql = javaFields.isEmpty() ? null : rawSql(sqlGroupTags, rawColumns, from, where, javaFields, "");
        return new SelectPlan(
                db.name(),
                metric.name(),
                true,
                ctx.groupTags(),
                sqlGroupTags,
                ctx.outputs(),
                slots,
                ctx.shape().transformCalls(),
                rawColumns,
                javaFields,
                bucketing,
                s.fill(),
                window,
                queryWindow,
                ctx.fixedTimeMs(),
                ctx.groupBy().intervalNs(),
                aggregateSql,
                rawSql,
                sqlFilled,
                s.descending(),
                s.limit(),
                s.offset());
    }

    /**
     * The slot of each aggregate call; the fields read for JAVA slots are added to {@code javaFields}. A
     * {@code lone} selector (the statement's only call, no {@code GROUP BY time}) reports the time of its point: a
     * {@code first}, {@code last}, {@code min} or {@code max} reads it from the plan ({@code FIRST_TIME(x)},
     * {@code LAST_TIME(x)}, {@code MIN_TIME(x)}, {@code MAX_TIME(x)}), a {@code percentile} of a gauge, computed
     * here from the slot values, from the slot it selects. Under a {@code fieldPredicate} the plan cannot read point
     * times ({@code FIRST}, {@code LAST} and the selector times run only pushed, and a field filter keeps the
     * aggregation above the leaves), so {@code first} and {@code last}, and a lone {@code min} or {@code max}, are
     * computed here from the slot values that pass the filter; so is a selector {@code withAuxiliary} fields, whose
     * values are read from the row of the selected point.
     */
    private static List<SelectPlan.AggSlot> slots(
            List<Expr.Call> calls,
            Catalog.Metric metric,
            List<String> javaFields,
            boolean lone,
            boolean fieldPredicate,
            boolean withAuxiliary) {
        boolean selectorTime = lone && !fieldPredicate;
        List<SelectPlan.AggSlot> slots = new ArrayList<>();
        int sqlColumn = 0;
        for (Expr.Call call : calls) {
            Expr.VarRef ref = (Expr.VarRef) Expr.unwrap(call.args().get(0));
            FieldType type =
                    ref.cast() == Expr.Cast.TAG ? null : metric.fields().get(ref.name());
            double pct = call.name().equals("percentile")
                    ? SelectShape.percentile(call)
                    : call.name().equals("median") ? 50 : Double.NaN;
            if (type == null) {
                slots.add(new SelectPlan.AggSlot(
                        call, call.name(), ref.name(), pct, SelectPlan.AggSlot.Kind.ABSENT, -1, List.of()));
            } else if (withAuxiliary
                    || (!Double.isNaN(pct) && type != FieldType.HISTOGRAM)
                    || (fieldPredicate && SELECTED_HERE_UNDER_A_FIELD_FILTER.contains(call.name()))
                    || (fieldPredicate
                            && lone
                            && (call.name().equals("min") || call.name().equals("max")))) {
                if (!javaFields.contains(ref.name())) {
                    javaFields.add(ref.name());
                }
                slots.add(new SelectPlan.AggSlot(
                        call,
                        call.name(),
                        ref.name(),
                        pct,
                        SelectPlan.AggSlot.Kind.JAVA,
                        javaFields.indexOf(ref.name()),
                        List.of()));
            } else {
                List<String> exprs = sqlAggregates(call.name(), SqlText.ident(ref.name()), pct);
                if (selectorTime && call.name().equals("first")) {
                    exprs = List.of(exprs.get(0), "FIRST_TIME(" + SqlText.ident(ref.name()) + ")");
                } else if (selectorTime && call.name().equals("last")) {
                    exprs = List.of(exprs.get(0), "LAST_TIME(" + SqlText.ident(ref.name()) + ")");
                } else if (selectorTime && call.name().equals("min")) {
                    exprs = List.of(exprs.get(0), "MIN_TIME(" + SqlText.ident(ref.name()) + ")");
                } else if (selectorTime && call.name().equals("max")) {
                    exprs = List.of(exprs.get(0), "MAX_TIME(" + SqlText.ident(ref.name()) + ")");
                }
                slots.add(new SelectPlan.AggSlot(
                        call, call.name(), ref.name(), pct, SelectPlan.AggSlot.Kind.SQL, sqlColumn, exprs));
                sqlColumn += exprs.size();
            }
        }
        return slots;
    }

    /**
     * The columns the statement's references name that the metric has (a tag unless cast {@code ::field}, else a
     * field unless cast {@code ::tag}), once each in first-use order; the fields among them are also added to
     * {@code fields} when it is not null. A name the metric lacks reads null. Raw statements read these columns, and
     * so does a selector for its auxiliary fields and tags.
     */
    private static List<String> columns(Context ctx, Catalog.Metric metric, List<String> fields) {
        List<String> columns = new ArrayList<>();
        for (Expr.VarRef ref : ctx.shape().references()) {
            boolean tag = metric.tagKeys().contains(ref.name()) && ref.cast() != Expr.Cast.FIELD;
            boolean field = !tag && metric.fields().containsKey(ref.name()) && ref.cast() != Expr.Cast.TAG;
            if ((tag || field) && !columns.contains(ref.name())) {
                columns.add(ref.name());
                if (field && fields != null) {
                    fields.add(ref.name());
                }
            }
        }
        return columns;
    }

    private static SelectPlan raw(
            Context ctx,
            Catalog.Database db,
            Catalog.Metric metric,
            List<String> sqlGroupTags,
            List<String> where,
            String from) {
        SelectStatement s = ctx.statement();
        List<String> fields = new ArrayList<>();
        List<String> columns = columns(ctx, metric, fields);
        if (fields.isEmpty()) {
            return null;
        }
        String tail = "";
        if (ctx.groupTags().isEmpty() && ctx.shape().transformCalls().isEmpty() && s.limit() > 0) {
            // one series: its first LIMIT + OFFSET points in time order are the statement's, so the sort and limit go
            // into SQL
            tail = " ORDER BY " + SqlText.ident("ts") + (s.descending() ? " DESC" : "") + " LIMIT "
                    + (s.limit() + s.offset());
        }
        String sql = rawSql(sqlGroupTags, columns, from, where, fields, tail);
        return new SelectPlan(
                db.name(),
                metric.name(),
                false,
                ctx.groupTags(),
                sqlGroupTags,
                ctx.outputs(),
                List.of(),
                ctx.shape().transformCalls(),
                columns,
                fields,
                null,
                s.fill(),
                ctx.window(),
                ctx.window(),
                0,
                ctx.groupBy().intervalNs(),
                null,
                sql,
                false,
                s.descending(),
                s.limit(),
                s.offset());
    }

    private static List<String> sqlAggregates(String function, String field, double pct) {
        return switch (function) {
            case "mean" -> List.of("AVG(" + field + ")");
            case "count" -> List.of("COUNT(" + field + ")");
            case "sum" -> List.of("SUM(" + field + ")");
            case "min" -> List.of("MIN(" + field + ")");
            case "max" -> List.of("MAX(" + field + ")");
            case "first" -> List.of("FIRST(" + field + ")");
            case "last" -> List.of("LAST(" + field + ")");
            case "spread" -> List.of("MAX(" + field + ")", "MIN(" + field + ")");
            case "stddev" -> List.of("STDDEV_SAMP(" + field + ")");
            case "percentile", "median" -> List.of("PERCENTILE(" + field + ", " + SqlText.number(pct / 100) + ")");
            default -> throw new IllegalStateException("BUG: no SQL aggregate for " + function + "()");
        };
    }

    private static String aggregateSql(
            List<SelectPlan.AggSlot> slots,
            Bucketing bucketing,
            boolean sqlFilled,
            Statement.FillMode fill,
            List<String> groupTags,
            String from,
            List<String> where) {
        List<String> select = new ArrayList<>();
        List<String> group = new ArrayList<>();
        if (bucketing != null) {
            String bucket = bucketing.sql(sqlFilled);
            select.add(bucket + " AS " + SqlText.ident("time"));
            group.add(bucket);
        }
        groupTags.forEach(t -> {
            select.add(SqlText.ident(t));
            group.add(SqlText.ident(t));
        });
        String wrap = !sqlFilled
                ? null
                : fill == Statement.FillMode.PREVIOUS
                        ? "locf"
                        : fill == Statement.FillMode.LINEAR ? "interpolate" : null;
        for (SelectPlan.AggSlot slot : slots) {
            // a count is never wrapped: locf(COUNT(x)) fails in Calcite (BIGINT against locf's DOUBLE); FillStage
            // fills it from the 0 the gap-filled buckets answer
            slot.sqlColumns().forEach(e -> select.add(wrap == null || slot.isCount() ? e : wrap + "(" + e + ")"));
        }
        return "SELECT " + String.join(", ", select) + " FROM " + from + where(where)
                + (group.isEmpty() ? "" : " GROUP BY " + String.join(", ", group));
    }

    private static String rawSql(
            List<String> groupTags,
            List<String> columns,
            String from,
            List<String> where,
            List<String> nonNull,
            String tail) {
        List<String> select = new ArrayList<>();
        select.add(SqlText.ident("ts"));
        groupTags.forEach(t -> select.add(SqlText.ident(t)));
        columns.forEach(c -> select.add(SqlText.ident(c)));
        List<String> conjuncts = new ArrayList<>(where);
        String present =
                nonNull.stream().map(f -> SqlText.ident(f) + " IS NOT NULL").collect(Collectors.joining(" OR "));
        conjuncts.add(nonNull.size() == 1 ? present : "(" + present + ")");
        return "SELECT " + String.join(", ", select) + " FROM " + from + where(conjuncts) + tail;
    }

    private static String where(List<String> conjuncts) {
        if (conjuncts.isEmpty()) {
            return "";
        }
        return " WHERE " + String.join(" AND ", conjuncts);
    }
}
