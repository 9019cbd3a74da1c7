package io.meridian.sql;

import java.util.List;
import org.apache.calcite.DataContext;
import org.apache.calcite.adapter.enumerable.EnumerableConvention;
import org.apache.calcite.adapter.enumerable.EnumerableRel;
import org.apache.calcite.adapter.enumerable.EnumerableRelImplementor;
import org.apache.calcite.adapter.enumerable.JavaRowFormat;
import org.apache.calcite.adapter.enumerable.PhysType;
import org.apache.calcite.adapter.enumerable.PhysTypeImpl;
import org.apache.calcite.linq4j.tree.BlockBuilder;
import org.apache.calcite.linq4j.tree.Expression;
import org.apache.calcite.linq4j.tree.Expressions;
import org.apache.calcite.plan.RelOptCluster;
import org.apache.calcite.plan.RelOptCost;
import org.apache.calcite.plan.RelOptPlanner;
import org.apache.calcite.plan.RelOptTable;
import org.apache.calcite.plan.RelTraitSet;
import org.apache.calcite.rel.RelNode;
import org.apache.calcite.rel.RelWriter;
import org.apache.calcite.rel.core.TableScan;
import org.apache.calcite.rel.metadata.RelMetadataQuery;
import org.apache.calcite.rel.type.RelDataType;

/**
 * The distributed query of one metric inside a Calcite plan: a leaf of the plan (a table scan) that carries the
 * {@link PushedPlan} the rules have moved into it. It is already in the enumerable convention: its code asks the
 * {@link MetricTable} to run the plan through the broker's executor, and Calcite runs whatever stayed above it.
 *
 * <p>The generated code receives the {@link PushedPlan} object itself ({@code stash}): a prepared statement's
 * plan is built once, at planning, and never serialized.
 *
 * <p>Costs fall with every operation pushed in, so the planner prefers the most pushed variant.
 */
public final class MeridianQuery extends TableScan implements EnumerableRel {
    private final PushedPlan plan;
    private final RelDataType rowType;

    private MeridianQuery(
            RelOptCluster cluster, RelTraitSet traits, RelOptTable table, PushedPlan plan, RelDataType rowType) {
        super(cluster, traits, List.of(), table);
        this.plan = plan;
        this.rowType = rowType;
    }

    /** The full scan of a metric table. */
    static MeridianQuery create(RelOptCluster cluster, RelOptTable table, PushedPlan plan) {
        return new MeridianQuery(
                cluster, cluster.traitSetOf(EnumerableConvention.INSTANCE), table, plan, table.getRowType());
    }

    /** The same table with another plan and output row type. */
    MeridianQuery with(PushedPlan newPlan, RelDataType newRowType) {
        return new MeridianQuery(getCluster(), getTraitSet(), getTable(), newPlan, newRowType);
    }

    PushedPlan plan() {
        return plan;
    }

    @Override
    public RelDataType deriveRowType() {
        return rowType;
    }

    @Override
    public RelNode copy(RelTraitSet traitSet, List<RelNode> inputs) {
        return new MeridianQuery(getCluster(), traitSet, getTable(), plan, rowType);
    }

    @Override
    public void register(RelOptPlanner planner) {
        MeridianRules.ALL.forEach(planner::addRule);
    }

    @Override
    public RelWriter explainTerms(RelWriter pw) {
        return pw.item("table", getTable().getQualifiedName()).item("pushed", plan.describe());
    }

    @Override
    public double estimateRowCount(RelMetadataQuery mq) {
        double rows = 1_000_000;
        if (plan.filter() != null) {
            rows /= 10;
        }
        if (plan.start() != null || plan.end() != null) {
            rows /= 10;
        }
        if (plan.aggregated()) {
            rows /= 100;
        }
        if (plan.limit() > 0) {
            rows = Math.min(rows, plan.limit());
        }
        return Math.max(1, rows);
    }

    @Override
    public RelOptCost computeSelfCost(RelOptPlanner planner, RelMetadataQuery mq) {
        double rows = estimateRowCount(mq);
        double factor = plan.hasSort() ? 0.5 : 1; // pushed sorting is never worse than sorting above
        // a gap-filled plan that absorbed locf/interpolate is preferred: the variant that did not would evaluate them
        // row by row, which they refuse (Calcite's rewrite of AVG into SUM/COUNT leaves both variants in the memo)
        long fills = plan.columns().stream()
                .filter(c -> c instanceof OutputColumn.Aggregate a && a.fill() != OutputColumn.Fill.NONE)
                .count();
        factor /= 1 + fills;
        if (!plan.aggregated()) { // a scan that reads fewer fields ships less
            factor *= (double) plan.columns().size()
                    / (1 + plan.tagKeys().size() + plan.fields().size());
        }
        return planner.getCostFactory().makeCost(rows * factor, rows * factor, 0);
    }

    @Override
    public Result implement(EnumerableRelImplementor implementor, Prefer pref) {
        PhysType physType =
                PhysTypeImpl.of(implementor.getTypeFactory(), getRowType(), pref.prefer(JavaRowFormat.ARRAY));
        boolean scalar = physType.getFormat() == JavaRowFormat.SCALAR;
        BlockBuilder block = new BlockBuilder();
        Expression table = block.append("table", getTable().getExpression(MetricTable.class));
        Expression rows = Expressions.call(
                table,
                "query",
                implementor.stash(plan, PushedPlan.class),
                DataContext.ROOT,
                Expressions.constant(scalar));
        block.add(Expressions.return_(null, rows));
        return implementor.result(physType, block.toBlock());
    }
}
