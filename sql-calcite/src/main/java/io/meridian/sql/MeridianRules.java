package io.meridian.sql;

import io.meridian.common.error.InvalidInputException;
import io.meridian.common.model.FieldType;
import io.meridian.common.model.Names;
import io.meridian.common.query.QueryFunction;
import io.meridian.common.query.TagCondition;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.calcite.avatica.util.TimeUnitRange;
import org.apache.calcite.plan.RelOptRule;
import org.apache.calcite.plan.RelOptRuleCall;
import org.apache.calcite.plan.RelOptUtil;
import org.apache.calcite.plan.RelRule;
import org.apache.calcite.plan.Strong;
import org.apache.calcite.rel.RelCollation;
import org.apache.calcite.rel.RelFieldCollation;
import org.apache.calcite.rel.RelNode;
import org.apache.calcite.rel.core.Aggregate;
import org.apache.calcite.rel.core.AggregateCall;
import org.apache.calcite.rel.core.Filter;
import org.apache.calcite.rel.core.Project;
import org.apache.calcite.rel.core.Sort;
import org.apache.calcite.rel.type.RelDataType;
import org.apache.calcite.rel.type.RelDataTypeFactory;
import org.apache.calcite.rex.RexCall;
import org.apache.calcite.rex.RexInputRef;
import org.apache.calcite.rex.RexLiteral;
import org.apache.calcite.rex.RexNode;
import org.apache.calcite.rex.RexShuttle;
import org.apache.calcite.rex.RexUtil;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.type.SqlTypeFamily;
import org.apache.calcite.util.ImmutableBitSet;

/**
 * The rules that push SQL into the distributed plan ({@link MeridianQuery}):
 * <ul>
 *   <li>{@link #FILTER}: tag predicates and time ranges of a scan's WHERE;</li>
 *   <li>{@link #AGGREGATE}: GROUP BY tags and one time bucket ({@code FLOOR(ts TO unit)}, or {@code ts} itself)
 *       with SUM, MIN, MAX, AVG, COUNT, STDDEV and VARIANCE of fields (through a projection of plain columns and the bucket), and
 *       {@code SELECT DISTINCT} of tags (which is also the inner part of {@code COUNT(DISTINCT tag)});</li>
 *   <li>{@link #SORT}: ORDER BY result columns and LIMIT of an aggregate, when our null order agrees with SQL's;</li>
 *   <li>{@link #PROJECT_SCAN}: a scan reads only the fields a projection and a field filter above it use, when
 *       the filter rejects every row where those fields are all null (so no row is lost by not reading the
 *       others);</li>
 *   <li>{@link #FILL}: {@code locf(x)} and {@code interpolate(x)} over the aggregates of a {@code time_bucket_gapfill}
 *       plan, which become fills of its columns.</li>
 * </ul>
 * What a rule cannot push stays in the plan above the pushed part, where Calcite's enumerable operators run it.
 */
public final class MeridianRules {
    private MeridianRules() {}

    public static final RelOptRule FILTER = RuleConfig.of(
                    "MeridianFilterRule",
                    b -> b.operand(Filter.class)
                            .oneInput(q -> q.operand(MeridianQuery.class).noInputs()),
                    FilterRule::new)
            .toRule();
    public static final RelOptRule AGGREGATE = RuleConfig.of(
                    "MeridianAggregateRule",
                    b -> b.operand(Aggregate.class)
                            .oneInput(p -> p.operand(Project.class)
                                    .oneInput(
                                            q -> q.operand(MeridianQuery.class).noInputs())),
                    AggregateRule::new)
            .toRule();
    public static final RelOptRule AGGREGATE_DIRECT = RuleConfig.of(
                    "MeridianAggregateDirectRule",
                    b -> b.operand(Aggregate.class)
                            .oneInput(q -> q.operand(MeridianQuery.class).noInputs()),
                    AggregateRule::new)
            .toRule();
    public static final RelOptRule SORT = RuleConfig.of(
                    "MeridianSortRule",
                    b -> b.operand(Sort.class)
                            .oneInput(q -> q.operand(MeridianQuery.class).noInputs()),
                    SortRule::new)
            .toRule();

    public static final RelOptRule FILL = RuleConfig.of(
                    "MeridianFillRule",
                    b -> b.operand(Project.class)
                            .oneInput(q -> q.operand(MeridianQuery.class)
                                    .predicate(m -> m.plan().gapfill())
                                    .noInputs()),
                    FillRule::new)
            .toRule();

    public static final RelOptRule PROJECT_SCAN = RuleConfig.of(
                    "MeridianProjectScanRule",
                    b -> b.operand(Project.class)
                            .oneInput(f -> f.operand(Filter.class)
                                    .oneInput(q -> q.operand(MeridianQuery.class)
                                            .predicate(m -> m.plan().isFullScan())
                                            .noInputs())),
                    ProjectScanRule::new)
            .toRule();

    public static final List<RelOptRule> ALL = List.of(FILTER, AGGREGATE, AGGREGATE_DIRECT, SORT, FILL, PROJECT_SCAN);

    /** Pushes the tag and time conjuncts of a WHERE into a scan; the rest stays as a filter above. */
    static final class FilterRule extends RelRule<RuleConfig> {
        FilterRule(RuleConfig config) {
            super(config);
        }

        @Override
        public void onMatch(RelOptRuleCall call) {
            Filter filter = call.rel(0);
            MeridianQuery query = call.rel(1);
            PushedPlan plan = query.plan();
            if (!plan.isFullScan() || plan.hasSort()) {
                return;
            }
            RexNode condition = RexUtil.expandSearch(filter.getCluster().getRexBuilder(), null, filter.getCondition());
            FilterTranslator translator = new FilterTranslator(plan.tagKeys());
            List<TagCondition> tags = new ArrayList<>();
            if (plan.filter() != null) {
                tags.add(plan.filter());
            }
            TimeBound start = plan.start();
            TimeBound end = plan.end();
            List<RexNode> rest = new ArrayList<>();
            boolean pushed = false;
            for (RexNode conjunct : RelOptUtil.conjunctions(condition)) {
                TagCondition f = translator.tagFilter(conjunct);
                if (f != null) {
                    tags.add(f);
                    pushed = true;
                    continue;
                }
                Object[] bound = translator.timeBound(conjunct);
                if (bound != null && (boolean) bound[0] && start == null) {
                    start = (TimeBound) bound[1];
                    pushed = true;
                } else if (bound != null && !(boolean) bound[0] && end == null) {
                    end = (TimeBound) bound[1];
                    pushed = true;
                } else {
                    rest.add(conjunct);
                }
            }
            if (!pushed) {
                return;
            }
            RelNode result = query.with(
                    plan.withFilter(tags.isEmpty() ? null : TagCondition.and(tags), start, end), query.getRowType());
            if (!rest.isEmpty()) {
                result = call.builder().push(result).filter(rest).build();
            }
            call.transformTo(result);
        }
    }

    /** Pushes GROUP BY tags / time bucket with field aggregates into a scan. */
    static final class AggregateRule extends RelRule<RuleConfig> {
        AggregateRule(RuleConfig config) {
            super(config);
        }

        @Override
        public void onMatch(RelOptRuleCall call) {
            Aggregate aggregate = call.rel(0);
            Project project = call.rels.length == 3 ? call.rel(1) : null;
            MeridianQuery query = call.rel(call.rels.length - 1);
            PushedPlan plan = query.plan();
            if (!plan.isFullScan() || plan.hasSort() || aggregate.getGroupSets().size() != 1) {
                return;
            }
            long base = query.getTable().unwrap(MetricTable.class).database().baseIntervalMs();
            List<OutputColumn> columns = new ArrayList<>();
            List<String> groupTags = new ArrayList<>();
            long bucket = 0;
            boolean hasTime = false;
            boolean gapfill = false;
            for (int key : aggregate.getGroupSet()) {
                RexNode e = project == null
                        ? RexInputRef.of(key, query.getRowType())
                        : project.getProjects().get(key);
                Integer col = column(e);
                if (col != null && col > 0 && col <= plan.tagKeys().size()) {
                    String tag = plan.tagKeys().get(col - 1);
                    groupTags.add(tag);
                    columns.add(new OutputColumn.Tag(tag));
                    continue;
                }
                Long width = col != null && col == 0 ? Long.valueOf(base) : bucketOf(e, base);
                if (width == null || hasTime) {
                    return;
                }
                hasTime = true;
                bucket = width;
                gapfill = TimeBucketFunction.isGapfill(e);
                columns.add(new OutputColumn.Time());
            }
            List<PushedPlan.Agg> aggs = new ArrayList<>();
            for (AggregateCall c : aggregate.getAggCallList()) {
                QueryFunction fn = switch (c.getAggregation().getKind()) {
                    case SUM, SUM0 -> QueryFunction.SUM; // Calcite reduces AVG and SUM to $SUM0 and COUNT
                    case MIN -> QueryFunction.MIN;
                    case MAX -> QueryFunction.MAX;
                    case AVG -> QueryFunction.AVG;
                    case COUNT -> QueryFunction.COUNT;
                    case STDDEV_SAMP -> QueryFunction.STDDEV_SAMP; // over the slot values, by moments on the leaves
                    case STDDEV_POP -> QueryFunction.STDDEV_POP;
                    case VAR_SAMP -> QueryFunction.VAR_SAMP;
                    case VAR_POP -> QueryFunction.VAR_POP;
                    default ->
                        switch (c.getAggregation().getName().toUpperCase(Locale.ROOT)) {
                            case "FIRST" -> QueryFunction.FIRST;
                            case "LAST" -> QueryFunction.LAST;
                            case "FIRST_TIME" -> QueryFunction.FIRST_TIME;
                            case "LAST_TIME" -> QueryFunction.LAST_TIME;
                            case "MIN_TIME" -> QueryFunction.MIN_TIME;
                            case "MAX_TIME" -> QueryFunction.MAX_TIME;
                            case "PERCENTILE" -> QueryFunction.PERCENTILE;
                            case "RATE", "INCREASE" -> QueryFunction.SUM;
                            case "DELTA" -> QueryFunction.DELTA;
                            default -> null;
                        };
                };
                if (fn == QueryFunction.COUNT && c.getArgList().isEmpty() && !c.isDistinct() && c.filterArg < 0) {
                    // COUNT(*): the rows, (series, slot) pairs with a point in any field, counted on the leaves
                    aggs.add(new PushedPlan.Agg(QueryFunction.COUNT, Names.ROWS, false, Double.NaN));
                    columns.add(new OutputColumn.Aggregate(aggs.size() - 1));
                    continue;
                }
                int arity = fn == QueryFunction.PERCENTILE ? 2 : 1;
                if (fn == null
                        || c.isDistinct()
                        || c.filterArg >= 0
                        || c.getArgList().size() != arity
                        || c.isApproximate()
                        || !c.collation.getFieldCollations().isEmpty()) {
                    return;
                }
                double quantile = Double.NaN;
                if (fn == QueryFunction.PERCENTILE) {
                    int qArg = c.getArgList().get(1);
                    RexNode q = project == null ? null : project.getProjects().get(qArg);
                    if (!(q instanceof RexLiteral lit) || lit.getValueAs(Double.class) == null) {
                        return; // the quantile must be a constant
                    }
                    quantile = lit.getValueAs(Double.class);
                }
                int arg = c.getArgList().get(0);
                Integer col = column(
                        project == null
                                ? RexInputRef.of(arg, query.getRowType())
                                : project.getProjects().get(arg));
                if (col != null && col == 0 && (fn == QueryFunction.MAX || fn == QueryFunction.MIN)) {
                    // MAX(ts) / MIN(ts): the newest (oldest) slot with a point in any field, from each field's last
                    // (first) point time; MAX alone is the lastpoint path on the leaves
                    List<Integer> times = new ArrayList<>();
                    QueryFunction timeOf = fn == QueryFunction.MAX ? QueryFunction.LAST_TIME : QueryFunction.FIRST_TIME;
                    for (String f : plan.fields()) {
                        aggs.add(new PushedPlan.Agg(timeOf, f, false, Double.NaN));
                        times.add(aggs.size() - 1);
                    }
                    if (times.isEmpty()) {
                        return;
                    }
                    columns.add(new OutputColumn.SlotTime(times, fn == QueryFunction.MAX));
                    continue;
                }
                int firstField = 1 + plan.tagKeys().size();
                if (col == null || col < firstField) {
                    return;
                }
                String field = plan.fields().get(col - firstField);
                String name = c.getAggregation().getName().toUpperCase(Locale.ROOT);
                boolean rate = name.equals("RATE");
                if (rate || name.equals("INCREASE") || name.equals("DELTA")) {
                    FieldType type = plan.fieldTypes().get(col - firstField);
                    if (type == FieldType.SUM) {
                        fn = QueryFunction.SUM; // a sum field's points are increments: each is exact as their sum
                    } else if (type == FieldType.COUNTER) {
                        fn = QueryFunction.COUNTER_INCREASE; // running totals: the leaves make them increments
                    } else if (!name.equals("DELTA") || type != FieldType.GAUGE) {
                        throw new InvalidInputException("invalid argument [function=" + name.toLowerCase(Locale.ROOT)
                                + ", argument=1, field=" + field + ", type="
                                + type.name().toLowerCase(Locale.ROOT)
                                + "]: rate and increase read a counter (running totals) or a sum field (increments), "
                                + "delta also a gauge; for a gauge use delta(" + field + "), or declare the field as "
                                + "counter or sum");
                    }
                }
                aggs.add(new PushedPlan.Agg(fn, field, c.getAggregation().getKind() == SqlKind.SUM0, quantile, rate));
                columns.add(new OutputColumn.Aggregate(aggs.size() - 1));
            }
            if (aggs.isEmpty()) {
                // SELECT DISTINCT tags (a GROUP BY without aggregates): a group exists where one of its series has a
                // row (a point in some field) in range, which is what COUNT(*) counts on the leaves, from the parts'
                // row summaries and the memtables' row bitmaps; the count is not output.
                aggs.add(new PushedPlan.Agg(QueryFunction.COUNT, Names.ROWS, false, Double.NaN));
            }
            if (gapfill && (plan.start() == null || plan.end() == null)) {
                throw new InvalidInputException("time_bucket_gapfill needs a bounded time range [function="
                        + TimeBucketFunction.GAPFILL_NAME + ", metric=" + plan.metric()
                        + "]: add WHERE ts >= ... AND ts < ... "
                        + "so that it knows which buckets to fill, or group by time_bucket instead");
            }
            call.transformTo(
                    query.with(plan.withAggregate(bucket, groupTags, aggs, columns, gapfill), aggregate.getRowType()));
        }

        private static Integer column(RexNode e) {
            return e instanceof RexInputRef ref ? ref.getIndex() : null;
        }

        /**
         * The bucket of {@code FLOOR(ts TO unit)} or {@code time_bucket(INTERVAL, ts)} in ms, when the data's slots
         * fit it; else null.
         */
        private static Long bucketOf(RexNode e, long base) {
            if (e instanceof RexCall c
                    && TimeBucketFunction.isBucketCall(c)
                    && c.getOperands().size() == 2
                    && c.getOperands().get(1) instanceof RexInputRef ref
                    && ref.getIndex() == 0
                    && c.getOperands().get(0) instanceof RexLiteral width) {
                if (SqlTypeFamily.INTERVAL_YEAR_MONTH
                        .getTypeNames()
                        .contains(width.getType().getSqlTypeName())) {
                    return null; // calendar buckets (months, years) are grouped above the slots
                }
                BigDecimal ms = width.getValueAs(BigDecimal.class);
                if (ms == null) {
                    return null;
                }
                if (ms.signum() > 0 && ms.longValue() % base != 0) {
                    throw new InvalidInputException("invalid bucket width [function="
                            + c.getOperator().getName()
                            + ", argument=1]: "
                            + ms.longValue() + " ms is " + (ms.longValue() < base ? "finer than" : "not a multiple of")
                            + " the database's base interval of " + base + " ms (data is stored in slots of that "
                            + "width); use a multiple of it, such as INTERVAL '" + Math.max(1, base / 1000)
                            + "' SECOND");
                }
                return fit(ms.longValue(), base);
            }
            if (!(e instanceof RexCall c)
                    || c.getKind() != SqlKind.FLOOR
                    || c.getOperands().size() != 2
                    || !(c.getOperands().get(0) instanceof RexInputRef ref)
                    || ref.getIndex() != 0
                    || !(c.getOperands().get(1) instanceof RexLiteral unit)) {
                return null;
            }
            TimeUnitRange range = unit.getValueAs(TimeUnitRange.class);
            long ms = switch (range) {
                case SECOND -> 1000L;
                case MINUTE -> 60_000L;
                case HOUR -> 3_600_000L;
                case DAY -> 86_400_000L;
                default -> -1;
            };
            return ms <= 0 ? null : fit(ms, base);
        }

        private static Long fit(long ms, long base) {
            if (ms <= 0) {
                return null;
            }
            if (base % ms == 0) {
                return base; // slots are already at least as coarse as the unit: flooring a slot start changes nothing
            }
            return ms % base == 0 ? ms : null;
        }
    }

    /** Pushes ORDER BY and LIMIT of an aggregate's result. */
    static final class SortRule extends RelRule<RuleConfig> {
        SortRule(RuleConfig config) {
            super(config);
        }

        @Override
        public void onMatch(RelOptRuleCall call) {
            Sort sort = call.rel(0);
            MeridianQuery query = call.rel(1);
            PushedPlan plan = query.plan();
            if (!plan.aggregated()
                    || plan.gapfill()
                    || plan.hasSort()
                    || sort.offset != null
                    || (sort.fetch != null && !(sort.fetch instanceof RexLiteral))) {
                return;
            }
            List<SortKey> order = new ArrayList<>();
            RelCollation collation = sort.getCollation();
            boolean singleField = plan.aggregates().stream()
                            .map(PushedPlan.Agg::field)
                            .distinct()
                            .count()
                    == 1;
            for (RelFieldCollation fc : collation.getFieldCollations()) {
                OutputColumn col = plan.columns().get(fc.getFieldIndex());
                if (col instanceof OutputColumn.SlotTime) {
                    return; // computed from several result columns: sorted above
                }
                boolean neverNull = !(col instanceof OutputColumn.Aggregate) || singleField;
                if (!neverNull && fc.nullDirection != RelFieldCollation.NullDirection.LAST) {
                    return; // we sort nulls last; SQL wants them first here
                }
                order.add(new SortKey(fc.getFieldIndex(), fc.getDirection().isDescending()));
            }
            int limit = sort.fetch == null ? 0 : ((RexLiteral) sort.fetch).getValueAs(Integer.class);
            if (limit == 0 && sort.fetch != null) {
                return; // LIMIT 0
            }
            MeridianQuery sorted = query.with(plan.withSort(order, limit), query.getRowType());
            call.transformTo(sorted.copy(sorted.getTraitSet().replace(collation), List.of()));
        }
    }

    /**
     * Moves {@code locf(agg)} and {@code interpolate(agg)} of a projection over a gap-filled plan into the plan: each
     * becomes an output column of the aggregate with that fill (appended), and the projection reads it instead.
     */
    static final class FillRule extends RelRule<RuleConfig> {
        FillRule(RuleConfig config) {
            super(config);
        }

        @Override
        public void onMatch(RelOptRuleCall call) {
            Project project = call.rel(0);
            MeridianQuery query = call.rel(1);
            PushedPlan plan = query.plan();
            List<OutputColumn> columns = new ArrayList<>(plan.columns());
            List<PushedPlan.Agg> aggs = new ArrayList<>(plan.aggregates());
            RelDataTypeFactory.Builder rowType =
                    project.getCluster().getTypeFactory().builder();
            rowType.addAll(query.getRowType().getFieldList());
            boolean[] changed = {false};
            Map<Integer, RelDataType> types = new HashMap<>();
            RexShuttle absorb = new RexShuttle() {
                @Override
                public RexNode visitCall(RexCall c) {
                    OutputColumn.Fill fill = FillFunctions.fillOf(c);
                    Integer agg = fill == null || c.getOperands().size() != 1
                            ? null
                            : aggregateOf(c.getOperands().get(0));
                    if (agg == null) {
                        return super.visitCall(c);
                    }
                    OutputColumn filled = new OutputColumn.Aggregate(agg, fill);
                    int at = columns.indexOf(filled);
                    if (at < 0) {
                        at = columns.size();
                        columns.add(filled);
                        // the column carries the aggregate's own values (COUNT: BIGINT), whatever the call's type
                        // (nullable: a bucket before the first value has nothing to carry)
                        types.put(
                                at,
                                project.getCluster()
                                        .getTypeFactory()
                                        .createTypeWithNullability(
                                                aggregateType(c.getOperands().get(0), c), true));
                        rowType.add("$fill" + at, types.get(at));
                    }
                    changed[0] = true;
                    RexNode ref = new RexInputRef(at, types.get(at));
                    return types.get(at).equals(c.getType())
                            ? ref
                            : project.getCluster().getRexBuilder().makeCast(c.getType(), ref);
                }

                /** The type of the pushed aggregate the argument reads (a cast around it stripped). */
                private RelDataType aggregateType(RexNode arg, RexCall call) {
                    RexNode e = stripCast(arg);
                    return e instanceof RexInputRef ref
                                    && plan.columns().get(ref.getIndex()) instanceof OutputColumn.Aggregate
                            ? query.getRowType()
                                    .getFieldList()
                                    .get(ref.getIndex())
                                    .getType()
                            : call.getType(); // AVG, from its SUM / COUNT rewrite: a DOUBLE like the call
                }

                /**
                 * The aggregate an argument of locf/interpolate reads: a pushed aggregate column, or Calcite's
                 * rewrite of AVG(x) into SUM(x) / COUNT(x) (then AVG(x) is added to the plan: the fill must apply to
                 * the average, not to its parts).
                 */
                private Integer aggregateOf(RexNode arg) {
                    RexNode e = stripCast(arg);
                    if (e instanceof RexInputRef ref
                            && plan.columns().get(ref.getIndex()) instanceof OutputColumn.Aggregate a) {
                        return a.index();
                    }
                    if (e instanceof RexCall div
                            && div.getKind() == SqlKind.DIVIDE
                            && stripCast(div.getOperands().get(0)) instanceof RexInputRef s
                            && stripCast(div.getOperands().get(1)) instanceof RexInputRef n
                            && plan.columns().get(s.getIndex()) instanceof OutputColumn.Aggregate sum
                            && plan.columns().get(n.getIndex()) instanceof OutputColumn.Aggregate count) {
                        PushedPlan.Agg sa = plan.aggregates().get(sum.index());
                        PushedPlan.Agg ca = plan.aggregates().get(count.index());
                        if (sa.function() == QueryFunction.SUM
                                && ca.function() == QueryFunction.COUNT
                                && sa.field().equals(ca.field())) {
                            PushedPlan.Agg avg = new PushedPlan.Agg(QueryFunction.AVG, sa.field(), false, Double.NaN);
                            int i = aggs.indexOf(avg);
                            if (i < 0) {
                                aggs.add(avg);
                                i = aggs.size() - 1;
                            }
                            return i;
                        }
                    }
                    return null;
                }
            };
            List<RexNode> projects = new ArrayList<>();
            project.getProjects().forEach(p -> projects.add(p.accept(absorb)));
            if (!changed[0]) {
                return;
            }
            MeridianQuery filled = query.with(plan.withColumns(aggs, columns), rowType.build());
            call.transformTo(call.builder()
                    .push(filled)
                    .project(projects, project.getRowType().getFieldNames())
                    .build());
        }
    }

    private static RexNode stripCast(RexNode e) {
        return e instanceof RexCall c && c.getKind() == SqlKind.CAST
                ? c.getOperands().get(0)
                : e;
    }

    /**
     * Narrows a scan to the fields that a projection and a filter over it use. A scan row is a (series, slot)
     * with a point in any field; read fewer fields and the rows where only the others have a point disappear. So
     * the rule fires only when the filter cannot be true where every kept field is null (e.g.
     * {@code usage_user > 90}): such rows were rejected anyway.
     */
    static final class ProjectScanRule extends RelRule<RuleConfig> {
        ProjectScanRule(RuleConfig config) {
            super(config);
        }

        @Override
        public void onMatch(RelOptRuleCall call) {
            Project project = call.rel(0);
            Filter filter = call.rel(1);
            MeridianQuery query = call.rel(2);
            PushedPlan plan = query.plan();
            int firstField = 1 + plan.tagKeys().size();
            ImmutableBitSet used = RelOptUtil.InputFinder.bits(project.getProjects(), filter.getCondition());
            List<Integer> kept = new ArrayList<>();
            ImmutableBitSet.Builder keptColumns = ImmutableBitSet.builder();
            for (int i = 0; i < plan.fields().size(); i++) {
                if (used.get(firstField + i)) {
                    kept.add(i);
                    keptColumns.set(firstField + i);
                }
            }
            if (kept.size() == plan.fields().size() || !Strong.isNotTrue(filter.getCondition(), keptColumns.build())) {
                return;
            }
            int[] target = new int[query.getRowType().getFieldCount()];
            Arrays.fill(target, -1);
            RelDataTypeFactory.Builder rowType =
                    project.getCluster().getTypeFactory().builder();
            for (int i = 0; i < firstField; i++) {
                target[i] = i;
                rowType.add(query.getRowType().getFieldList().get(i));
            }
            for (int k = 0; k < kept.size(); k++) {
                target[firstField + kept.get(k)] = firstField + k;
                rowType.add(query.getRowType().getFieldList().get(firstField + kept.get(k)));
            }
            RexShuttle remap = new RexShuttle() {
                @Override
                public RexNode visitInputRef(RexInputRef ref) {
                    return new RexInputRef(target[ref.getIndex()], ref.getType());
                }
            };
            MeridianQuery narrowed = query.with(plan.withScanFields(kept), rowType.build());
            RelNode newFilter = filter.copy(
                    filter.getTraitSet(), narrowed, filter.getCondition().accept(remap));
            List<RexNode> projects = new ArrayList<>();
            project.getProjects().forEach(e -> projects.add(e.accept(remap)));
            call.transformTo(project.copy(project.getTraitSet(), newFilter, projects, project.getRowType()));
        }
    }
}
