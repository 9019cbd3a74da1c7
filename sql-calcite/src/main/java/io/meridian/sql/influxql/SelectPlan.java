package io.meridian.sql.influxql;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * A SELECT over one measurement, ready to run: the Meridian SQL it needs and how to shape the answers into series.
 *
 * <p>Aggregate statements read {@link #aggregateSql} (one row per group and bucket; columns: {@code time} when
 * bucketed, the {@link #sqlGroupTags}, then each {@link AggSlot#sqlColumns} of the SQL slots in order) and, for
 * aggregates computed here ({@link AggSlot.Kind#JAVA}), {@link #rawSql}. Raw statements read {@link #rawSql}
 * only: columns {@code ts}, the {@link #sqlGroupTags}, then {@link #rawColumns}.
 *
 * @param groupTags   the tags series are split by, sorted (those the metric lacks read {@code ""})
 * @param outputs     the output columns after {@code time}
 * @param rawColumns  the fields and tags the raw SQL reads after {@code ts} and the group tags
 * @param rawFields   those of them that are fields
 * @param bucketing   {@code GROUP BY time}, null without
 * @param window      the statement's window; with {@code GROUP BY time} its end is never open
 * @param queryWindow the window the SQL reads: wider by one bucket for transforms, which need the bucket before
 * @param fixedTimeMs an aggregate without {@code GROUP BY time}: the time its rows report (the lower time bound, or 0)
 * @param sqlFilled   whether {@code time_bucket_gapfill} (with {@code locf}/{@code interpolate}) already answered
 *                    every bucket, so only {@code fill(<number>)} is left to do
 */
record SelectPlan(
        String database,
        String measurement,
        boolean aggregate,
        List<String> groupTags,
        List<String> sqlGroupTags,
        List<FieldExpander.Column> outputs,
        List<AggSlot> slots,
        List<Expr.Call> transforms,
        List<String> rawColumns,
        List<String> rawFields,
        Bucketing bucketing,
        Statement.Fill fill,
        TimeWindow window,
        TimeWindow queryWindow,
        long fixedTimeMs,
        long intervalNs,
        String aggregateSql,
        String rawSql,
        boolean sqlFilled,
        boolean descending,
        long limit,
        long offset) {
    SelectPlan {
        groupTags = List.copyOf(groupTags);
        sqlGroupTags = List.copyOf(sqlGroupTags);
        outputs = List.copyOf(outputs);
        slots = List.copyOf(slots);
        transforms = List.copyOf(transforms);
        rawColumns = List.copyOf(rawColumns);
        rawFields = List.copyOf(rawFields);
    }

    /**
     * One aggregate call of the statement.
     *
     * @param function   the InfluxQL function ({@code mean}, {@code spread}, {@code percentile}, ...)
     * @param field      the field it reads
     * @param percentile {@code percentile(x, N)}: N in [0, 100]
     * @param kind       where it is computed
     * @param sqlColumn  {@link Kind#SQL}: its first column among the aggregate columns; {@link Kind#JAVA}: the
     *                   field's column among the raw columns
     * @param sqlColumns the SQL aggregate expressions it reads ({@code MAX}, {@code MIN} for spread; the value, then
     *                   {@code FIRST_TIME} / {@code LAST_TIME} / {@code MIN_TIME} / {@code MAX_TIME} for a lone
     *                   first / last / min / max that reports its point's time)
     */
    record AggSlot(
            Expr.Call call,
            String function,
            String field,
            double percentile,
            Kind kind,
            int sqlColumn,
            List<String> sqlColumns) {
        /** SQL: computed in the distributed plan (or by Calcite above it); JAVA: here, from slot values; ABSENT:
         * the metric has no such field, so the slot never has a point. */
        enum Kind {
            SQL,
            JAVA,
            ABSENT
        }

        AggSlot {
            sqlColumns = List.copyOf(sqlColumns);
        }

        boolean isCount() {
            return function.equals("count");
        }

        /** A lone selector ({@code first last min max}): its second SQL column is the time of the selected point. */
        boolean readsPointTime() {
            return kind == Kind.SQL
                    && (function.equals("first")
                            || function.equals("last")
                            || function.equals("min")
                            || function.equals("max"))
                    && sqlColumns.size() == 2;
        }
    }

    /**
     * An aggregate statement's auxiliary references: the fields and tags its outputs select beside its one selector
     * (outside calls), by name in first-use order. Their values are those of the selected point's row; in a bucket
     * they follow the slots ({@code slots().size() + i}).
     */
    List<String> auxiliary() {
        List<String> names = new ArrayList<>();
        if (aggregate) {
            outputs.forEach(c -> auxiliary(c.expr(), names));
        }
        return names;
    }

    private static void auxiliary(Expr e, List<String> names) {
        Expr x = Expr.unwrap(e);
        if (x instanceof Expr.VarRef v && !names.contains(v.name())) {
            names.add(v.name());
        } else if (x instanceof Expr.Binary b) {
            auxiliary(b.lhs(), names);
            auxiliary(b.rhs(), names);
        }
    }

    /** The SQL statements this plan runs, in order, for EXPLAIN-like listings and golden tests. */
    List<String> sql() {
        return Stream.of(aggregateSql, rawSql).filter(Objects::nonNull).toList();
    }
}
