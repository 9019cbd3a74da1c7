package io.meridian.sql;

import io.meridian.common.error.InvalidInputException;
import io.meridian.common.model.FieldType;
import io.meridian.common.query.AggCall;
import io.meridian.common.query.OrderKey;
import io.meridian.common.query.QueryExecutor;
import io.meridian.common.query.QueryFunction;
import io.meridian.common.query.QueryResult;
import io.meridian.common.query.QuerySpec;
import java.lang.reflect.Type;
import java.sql.Timestamp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.LongUnaryOperator;
import org.apache.calcite.DataContext;
import org.apache.calcite.adapter.java.AbstractQueryableTable;
import org.apache.calcite.linq4j.Enumerable;
import org.apache.calcite.linq4j.Enumerator;
import org.apache.calcite.linq4j.Linq4j;
import org.apache.calcite.linq4j.QueryProvider;
import org.apache.calcite.linq4j.Queryable;
import org.apache.calcite.plan.RelOptTable;
import org.apache.calcite.rel.RelNode;
import org.apache.calcite.rel.type.RelDataType;
import org.apache.calcite.rel.type.RelDataTypeFactory;
import org.apache.calcite.schema.SchemaPlus;
import org.apache.calcite.schema.TranslatableTable;
import org.apache.calcite.schema.impl.AbstractTableQueryable;
import org.apache.calcite.sql.type.SqlTypeName;

/**
 * A metric as a SQL table: {@code ts TIMESTAMP} (slot start, UTC), one VARCHAR column per tag key, one DOUBLE
 * column per field. It becomes a {@link MeridianQuery} in the plan; the rules push filters, grouping,
 * aggregates, ordering and limits into it, and at run time {@link #query} turns the pushed plan into a
 * {@link QuerySpec} for the broker's executor.
 */
public final class MetricTable extends AbstractQueryableTable implements TranslatableTable {
    private final Catalog.Database database;
    private final Catalog.Metric metric;
    private final QueryExecutor executor;
    private final Duration timeout;
    private final int maxGroups;

    MetricTable(
            Catalog.Database database, Catalog.Metric metric, QueryExecutor executor, Duration timeout, int maxGroups) {
        super(Object[].class);
        this.database = database;
        this.metric = metric;
        this.executor = executor;
        this.timeout = timeout;
        this.maxGroups = maxGroups;
    }

    Catalog.Metric metric() {
        return metric;
    }

    Catalog.Database database() {
        return database;
    }

    @Override
    public RelDataType getRowType(RelDataTypeFactory f) {
        RelDataTypeFactory.Builder b = f.builder();
        b.add("ts", f.createTypeWithNullability(f.createSqlType(SqlTypeName.TIMESTAMP, 3), false));
        for (String tag : metric.tagKeys()) {
            b.add(tag, f.createTypeWithNullability(f.createSqlType(SqlTypeName.VARCHAR), true));
        }
        for (String field : metric.fields().keySet()) {
            b.add(field, f.createTypeWithNullability(f.createSqlType(SqlTypeName.DOUBLE), true));
        }
        return b.build();
    }

    @Override
    public RelNode toRel(RelOptTable.ToRelContext context, RelOptTable relOptTable) {
        return MeridianQuery.create(context.getCluster(), relOptTable, PushedPlan.scan(database.name(), metric));
    }

    @Override
    public <T> Queryable<T> asQueryable(QueryProvider queryProvider, SchemaPlus schema, String tableName) {
        return new AbstractTableQueryable<>(queryProvider, schema, this, tableName) {
            @Override
            public Enumerator<T> enumerator() {
                throw new UnsupportedOperationException("BUG: metric tables are read through MeridianQuery");
            }
        };
    }

    /**
     * Runs a pushed plan (called by the generated code of {@link MeridianQuery}, which hands over the plan object
     * stashed when the statement was compiled).
     *
     * @param scalar whether rows are single values (a one-column result) rather than arrays
     */
    public Enumerable<Object> query(PushedPlan plan, DataContext context, boolean scalar) {
        Long utcNow = DataContext.Variable.UTC_TIMESTAMP.get(context);
        long now = utcNow != null ? utcNow : System.currentTimeMillis();
        LongUnaryOperator param = i -> {
            Object v = context.get("?" + i);
            if (v instanceof Timestamp t) {
                return t.getTime();
            }
            if (v instanceof Number n) {
                return n.longValue();
            }
            throw new InvalidInputException(
                    "bad time parameter [parameter=" + (i + 1) + "]: got " + v + "; want a TIMESTAMP");
        };
        long[] range = range(plan, now, param);
        if (plan.filter() != null) {
            plan = plan.withFilter(
                    TagParams.resolve(plan.filter(), i -> {
                        Object v = context.get("?" + i);
                        if (v == null) {
                            throw new InvalidInputException("missing tag parameter [parameter=" + (i + 1)
                                    + "]: set it before running the statement");
                        }
                        return v.toString();
                    }),
                    plan.start(),
                    plan.end());
        }
        long slot = Math.max(1, database.baseIntervalMs());
        long bucket = plan.aggregated() ? plan.bucketMs() : database.baseIntervalMs();
        List<Object[]> rows = new ArrayList<>();
        if (plan.aggregated() && bucket > 0 && Math.floorMod(range[0], bucket) != 0) {
            // the first bucket is partial: read it as one bucket and label it with its aligned start
            long label = Math.floorDiv(range[0], bucket) * bucket;
            long firstEnd = Math.min(range[1], label + bucket);
            collect(
                    plan,
                    executor.execute(spec(plan, range[0], firstEnd, firstEnd - range[0], false)),
                    rows,
                    label,
                    slot,
                    firstEnd - range[0]);
            if (firstEnd < range[1]) {
                collect(
                        plan,
                        executor.execute(spec(plan, firstEnd, range[1], bucket, false)),
                        rows,
                        null,
                        slot,
                        bucket);
            }
            if (plan.hasSort()) {
                rows = sortAndLimit(rows, plan);
            }
        } else {
            collect(
                    plan,
                    executor.execute(spec(plan, range[0], range[1], bucket, true)),
                    rows,
                    null,
                    slot,
                    bucket > 0 ? bucket : range[1] - range[0]);
        }
        if (plan.gapfill()) {
            rows = GapFill.fill(plan, rows, range[0], range[1], bucket);
        }
        if (rows.isEmpty() && plan.aggregated() && plan.groupBy().isEmpty() && plan.bucketMs() == 0) {
            // an aggregate without GROUP BY answers one row even over no rows: COUNT 0, the others null
            Object[] row = new Object[plan.columns().size()];
            for (int i = 0; i < row.length; i++) {
                row[i] = plan.emptyValue(plan.columns().get(i));
            }
            rows.add(row);
        }
        List<Object> out = new ArrayList<>(rows.size());
        rows.forEach(r -> out.add(scalar ? r[0] : r));
        return Linq4j.asEnumerable(out);
    }

    /**
     * Appends the result's rows in the plan's column order; {@code tsLabel}, when set, replaces {@code ts}. A
     * {@link OutputColumn.SlotTime} is the slot ({@code slotMs}) holding the newest (oldest) of its point times; a
     * rate is divided by the bucket's width in seconds ({@code widthMs}: the bucket, or the range without one).
     */
    private static void collect(
            PushedPlan plan, QueryResult result, List<Object[]> rows, Long tsLabel, long slotMs, long widthMs) {
        int n = plan.columns().size();
        int[] from = new int[n];
        int[][] times = new int[n][];
        boolean[] zero = new boolean[n];
        boolean[] time = new boolean[n];
        boolean[] perSecond = new boolean[n];
        for (int i = 0; i < n; i++) {
            OutputColumn c = plan.columns().get(i);
            perSecond[i] = c instanceof OutputColumn.Aggregate a
                    && plan.aggregates().get(a.index()).perSecond();
            if (c instanceof OutputColumn.SlotTime st) {
                times[i] = st.aggregates().stream()
                        .mapToInt(a -> plan.resultIndex(new OutputColumn.Aggregate(a)))
                        .toArray();
                continue;
            }
            from[i] = plan.resultIndex(c);
            zero[i] = plan.zeroWhenEmpty(c);
            time[i] = c instanceof OutputColumn.Time;
        }
        for (List<Object> r : result.rows()) {
            Object[] row = new Object[n];
            for (int i = 0; i < n; i++) {
                if (times[i] != null) {
                    row[i] = slotTime(
                            r, times[i], ((OutputColumn.SlotTime) plan.columns().get(i)).newest(), slotMs);
                    continue;
                }
                row[i] = tsLabel != null && time[i] ? tsLabel : r.get(from[i]);
                if (row[i] == null && zero[i]) {
                    row[i] = 0.0;
                }
                if (perSecond[i] && row[i] instanceof Number v) {
                    row[i] = v.doubleValue() * 1000.0 / widthMs;
                }
            }
            rows.add(row);
        }
    }

    private static Long slotTime(List<Object> row, int[] columns, boolean newest, long slotMs) {
        Long best = null;
        for (int c : columns) {
            if (row.get(c) instanceof Number t
                    && (best == null || (newest ? t.longValue() > best : t.longValue() < best))) {
                best = t.longValue();
            }
        }
        return best == null ? null : Math.floorDiv(best, slotMs) * slotMs;
    }

    /** The plan's ORDER BY and LIMIT over rows assembled from more than one distributed query. Nulls sort last. */
    private static List<Object[]> sortAndLimit(List<Object[]> rows, PushedPlan plan) {
        Comparator<Object[]> order = (a, b) -> 0;
        for (SortKey k : plan.orderBy()) {
            @SuppressWarnings({"unchecked", "rawtypes"})
            Comparator<Object> natural = (Comparator) Comparator.naturalOrder();
            Comparator<Object> dir = k.descending() ? natural.reversed() : natural;
            order = order.thenComparing(r -> r[k.column()], Comparator.nullsLast(dir));
        }
        List<Object[]> out = new ArrayList<>(rows);
        out.sort(order);
        return plan.limit() > 0 && out.size() > plan.limit() ? new ArrayList<>(out.subList(0, plan.limit())) : out;
    }

    /**
     * The leaf time range of a plan: {@code ts} is a slot start, so a bound selects whole slots; both ends are
     * aligned up to the base interval (the first slot starting at or after the bound). An open start is the start
     * of the retention window, on the plan's bucket grid (the leaves narrow it to the time span that holds data);
     * an open end is the slot after now.
     */
    long[] range(PushedPlan plan, long now, LongUnaryOperator param) {
        long slot = Math.max(1, database.baseIntervalMs());
        long start;
        if (plan.start() == null) {
            long grid = plan.aggregated() && plan.bucketMs() > slot ? plan.bucketMs() : slot;
            start = Math.floorDiv(now - database.retentionMs(), grid) * grid;
        } else {
            start = ceil(plan.start().resolve(now, param) + (plan.start().inclusive() ? 0 : 1), slot);
        }
        long end = plan.end() == null
                ? now + slot
                : plan.end().resolve(now, param) + (plan.end().inclusive() ? 1 : 0);
        end = Math.max(start + 1, ceil(end, slot));
        return new long[] {start, end};
    }

    private static long ceil(long v, long unit) {
        return Math.floorDiv(v + unit - 1, unit) * unit;
    }

    /** The spec of a pushed plan over [start, end); the plan's ORDER BY and LIMIT only when {@code withOrder}. */
    QuerySpec spec(PushedPlan plan, long start, long end, long bucket, boolean withOrder) {
        List<AggCall> calls = new ArrayList<>();
        if (plan.aggregated()) {
            for (int i = 0; i < plan.aggregates().size(); i++) {
                PushedPlan.Agg a = plan.aggregates().get(i);
                calls.add(new AggCall(a.function(), a.field(), a.quantile(), PushedPlan.alias(i)));
            }
        } else {
            for (int i : plan.scanFields()) {
                calls.add(new AggCall(
                        slotFunction(plan.fieldTypes().get(i)), plan.fields().get(i), Double.NaN, PushedPlan.alias(i)));
            }
        }
        List<OrderKey> order = new ArrayList<>();
        if (withOrder) {
            plan.orderBy()
                    .forEach(k -> order.add(
                            new OrderKey(plan.resultName(plan.columns().get(k.column())), k.descending())));
        }
        return new QuerySpec(
                plan.database(),
                plan.metric(),
                plan.tagFilter(),
                start,
                end,
                bucket,
                plan.resultTags(),
                calls,
                order,
                withOrder ? plan.limit() : 0,
                timeout,
                maxGroups,
                false,
                plan.aggregated() && plan.groupsOnly());
    }

    /** The function giving a field's value in one slot, by its type (ARCHITECTURE §2). */
    static QueryFunction slotFunction(FieldType type) {
        return switch (type) {
            case SUM -> QueryFunction.SUM;
            case MIN -> QueryFunction.MIN;
            case MAX -> QueryFunction.MAX;
            case FIRST -> QueryFunction.FIRST;
            case HISTOGRAM -> QueryFunction.AVG;
            default -> QueryFunction.LAST;
        };
    }

    @Override
    public Type getElementType() {
        return Object[].class;
    }
}
