package io.meridian.sql.influxql;

import io.meridian.common.error.InvalidInputException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What a SELECT list computes, checked as InfluxDB's compiler checks it: either an aggregate statement (every field
 * reference inside an aggregate call, transforms over aggregates with {@code GROUP BY time}; or one selector call
 * beside field and tag references, read at the selected point) or a raw one (field and tag references, transforms
 * over fields, no {@code GROUP BY time}).
 *
 * @param aggregate      whether the statement aggregates
 * @param aggregateCalls the distinct aggregate calls ({@code mean("x")}), in first-use order
 * @param transformCalls the distinct transform calls ({@code derivative(mean("x"), 1s)})
 * @param references     raw statement: the distinct references outside calls and inside transforms; aggregate
 *                       statement: the fields and tags selected beside its one selector (InfluxDB's auxiliary
 *                       fields: their values at the selected point)
 */
record SelectShape(
        boolean aggregate,
        List<Expr.Call> aggregateCalls,
        List<Expr.Call> transformCalls,
        List<Expr.VarRef> references) {
    /** The selectors: a statement with one of them alone may also select fields and tags, read at its point. */
    static final Set<String> SELECTORS = Set.of("first", "last", "min", "max", "percentile");

    /** The unit of {@code derivative()} without one and without {@code GROUP BY time}. */
    static final long DEFAULT_DERIVATIVE_UNIT_NS = 1_000_000_000L;

    /**
     * @throws InvalidInputException naming what is wrong: an unsupported function, a misplaced reference, an argument
     */
    static SelectShape of(List<FieldExpander.Column> columns, boolean groupByTime) {
        List<Expr.Call> calls = new ArrayList<>();
        columns.forEach(c -> Expr.walk(c.expr(), e -> {
            if (e instanceof Expr.Call call) {
                calls.add(call);
            }
        }));
        for (Expr.Call c : calls) {
            if (Functions.UNSUPPORTED.contains(c.name())) {
                throw new InvalidInputException("not supported: function " + c.name() + "()");
            }
            if (Functions.SPECIAL.contains(c.name())) {
                throw new InvalidInputException("invalid function " + c.name() + "() in the SELECT list");
            }
        }
        boolean aggregate = calls.stream().anyMatch(c -> Functions.AGGREGATES.contains(c.name()));
        Set<Expr.Call> aggregates = new LinkedHashSet<>();
        Set<Expr.Call> transforms = new LinkedHashSet<>();
        Set<Expr.VarRef> references = new LinkedHashSet<>();
        for (FieldExpander.Column c : columns) {
            collect(c.expr(), aggregate, groupByTime, aggregates, transforms, references);
        }
        if (aggregate
                && !references.isEmpty()
                && (aggregates.size() != 1
                        || !transforms.isEmpty()
                        || !SELECTORS.contains(aggregates.iterator().next().name()))) {
            // as InfluxDB: a reference beside calls only with one selector, whose point it is read at
            throw new InvalidInputException("mixing aggregate and non-aggregate queries is not supported");
        }
        if (!aggregate && groupByTime) {
            throw new InvalidInputException("GROUP BY requires at least one aggregate function");
        }
        if (aggregates.isEmpty() && references.isEmpty()) {
            throw new InvalidInputException("at least 1 non-time field must be queried");
        }
        return new SelectShape(aggregate, List.copyOf(aggregates), List.copyOf(transforms), List.copyOf(references));
    }

    private static void collect(
            Expr e,
            boolean aggregate,
            boolean groupByTime,
            Set<Expr.Call> aggregates,
            Set<Expr.Call> transforms,
            Set<Expr.VarRef> references) {
        Expr x = Expr.unwrap(e);
        if (x instanceof Expr.VarRef v) {
            references.add(v); // beside calls: checked once all are known (a lone selector's auxiliary values)
        } else if (x instanceof Expr.Binary b) {
            collect(b.lhs(), aggregate, groupByTime, aggregates, transforms, references);
            collect(b.rhs(), aggregate, groupByTime, aggregates, transforms, references);
        } else if (x instanceof Expr.Call c && Functions.AGGREGATES.contains(c.name())) {
            checkAggregate(c);
            aggregates.add(c);
        } else if (x instanceof Expr.Call c && Functions.TRANSFORMS.contains(c.name())) {
            checkTransform(c, aggregate, groupByTime);
            transforms.add(c);
            Expr inner = Expr.unwrap(c.args().get(0));
            if (inner instanceof Expr.Call agg) {
                aggregates.add(agg);
            } else {
                references.add((Expr.VarRef) inner);
            }
        } else if (x instanceof Expr.Wildcard || x instanceof Expr.RegexLit) {
            throw new InvalidInputException("unsupported wildcard or regex in the SELECT list");
        }
    }

    private static void checkAggregate(Expr.Call c) {
        int want = c.name().equals("percentile") ? 2 : 1;
        if (c.args().size() != want) {
            throw new InvalidInputException("invalid number of arguments for " + c.name() + ", expected " + want
                    + ", got " + c.args().size());
        }
        if (!(Expr.unwrap(c.args().get(0)) instanceof Expr.VarRef)) {
            throw new InvalidInputException("expected field argument in " + c.name() + "()");
        }
        if (want == 2) {
            double n = percentile(c);
            if (!(n >= 0 && n <= 100)) {
                throw new InvalidInputException(
                        "invalid percentile " + n + " in percentile(), want a number in [0, 100]");
            }
        }
    }

    /** The N of {@code percentile(x, N)}. */
    static double percentile(Expr.Call c) {
        Expr n = c.args().get(1);
        if (n instanceof Expr.IntegerLit i) {
            return i.value();
        }
        if (n instanceof Expr.NumberLit d) {
            return d.value();
        }
        throw new InvalidInputException("expected float argument in percentile()");
    }

    private static void checkTransform(Expr.Call c, boolean aggregate, boolean groupByTime) {
        boolean derivative = c.name().endsWith("derivative");
        int max = derivative ? 2 : 1;
        if (c.args().isEmpty() || c.args().size() > max) {
            throw new InvalidInputException("invalid number of arguments for " + c.name() + ", expected "
                    + (max == 1 ? "1" : "at least 1 but no more than 2") + ", got "
                    + c.args().size());
        }
        if (c.args().size() == 2 && !(c.args().get(1) instanceof Expr.DurationLit d && d.nanos() > 0)) {
            throw new InvalidInputException("second argument to " + c.name() + " must be a duration, got "
                    + c.args().get(1).getClass().getSimpleName());
        }
        Expr inner = Expr.unwrap(c.args().get(0));
        if (aggregate) {
            if (!(inner instanceof Expr.Call call) || !Functions.AGGREGATES.contains(call.name())) {
                boolean nested = inner instanceof Expr.Call call && Functions.TRANSFORMS.contains(call.name());
                throw new InvalidInputException(
                        nested
                                ? "not supported: nested transformation " + c.name() + "(" + ((Expr.Call) inner).name()
                                        + "())"
                                : "aggregate function required inside the call to " + c.name());
            }
            if (!groupByTime) {
                throw new InvalidInputException(c.name() + " aggregate requires a GROUP BY interval");
            }
            checkAggregate(call);
        } else if (!(inner instanceof Expr.VarRef)) {
            throw new InvalidInputException("expected field argument in " + c.name() + "()");
        }
    }

    /** The unit a derivative divides by: its argument, else the GROUP BY interval, else one second. */
    static long derivativeUnitNs(Expr.Call c, long intervalNs) {
        if (c.args().size() == 2) {
            return ((Expr.DurationLit) c.args().get(1)).nanos();
        }
        return intervalNs > 0 ? intervalNs : DEFAULT_DERIVATIVE_UNIT_NS;
    }
}
