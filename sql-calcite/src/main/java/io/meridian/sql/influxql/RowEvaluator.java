package io.meridian.sql.influxql;

import java.util.ArrayList;
import java.util.List;

/**
 * Evaluates the output expressions of a row, with InfluxQL's arithmetic: integers stay integers under {@code + - *
 * %}, division gives a float, a division by zero gives 0, anything with a null is null; and decides whether the row
 * is emitted at all (some output has a point there). One per series being shaped; not thread-safe.
 */
final class RowEvaluator {
    /** The values a row's expressions read. */
    interface Row {
        /** An aggregate call's value (after fill). */
        Object aggregate(Expr.Call call);

        /** Whether the aggregate had a point in this row (before fill). */
        boolean hadPoint(Expr.Call call);

        /** A transform's value, null where it has none. */
        Object transform(Expr.Call call);

        /** A raw reference's value (null where the series has none). */
        Object reference(Expr.VarRef ref);

        /** Whether the reference is a field (tags never make a raw row). */
        boolean isField(Expr.VarRef ref);
    }

    /** What one output reads: its transforms, else its aggregates, else its references decide its presence. */
    private record Usage(Expr expr, List<Expr.Call> transforms, List<Expr.Call> aggregates, List<Expr.VarRef> refs) {}

    private final List<Usage> outputs = new ArrayList<>();
    private final boolean filled;

    /**
     * @param filled whether every bucket the rows hold was answered by fill, so an aggregate is present in each
     */
    RowEvaluator(List<FieldExpander.Column> outputs, boolean filled) {
        this.filled = filled;
        for (FieldExpander.Column c : outputs) {
            Usage u = new Usage(c.expr(), new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
            collect(c.expr(), u.transforms(), u.aggregates(), u.refs());
            this.outputs.add(u);
        }
    }

    /**
     * The outputs of a row, or null when none has a point there: a transform has a value, an aggregate had a point
     * (or the buckets are filled), a raw field has a value.
     */
    List<Object> evaluate(Row row) {
        boolean present = false;
        List<Object> values = new ArrayList<>(outputs.size());
        for (Usage u : outputs) {
            values.add(finite(value(u.expr(), row)));
            present |= present(u, row);
        }
        return present ? values : null;
    }

    private boolean present(Usage u, Row row) {
        if (!u.transforms().isEmpty()) {
            return u.transforms().stream().anyMatch(t -> row.transform(t) != null);
        }
        if (!u.aggregates().isEmpty()) {
            return filled || u.aggregates().stream().anyMatch(row::hadPoint);
        }
        return u.refs().stream().anyMatch(r -> row.isField(r) && row.reference(r) != null);
    }

    private static void collect(
            Expr e, List<Expr.Call> transforms, List<Expr.Call> aggregates, List<Expr.VarRef> refs) {
        Expr x = Expr.unwrap(e);
        if (x instanceof Expr.Call c && Functions.TRANSFORMS.contains(c.name())) {
            transforms.add(c);
        } else if (x instanceof Expr.Call c) {
            aggregates.add(c);
        } else if (x instanceof Expr.VarRef v) {
            refs.add(v);
        } else if (x instanceof Expr.Binary b) {
            collect(b.lhs(), transforms, aggregates, refs);
            collect(b.rhs(), transforms, aggregates, refs);
        }
    }

    static Object value(Expr e, Row row) {
        Expr x = Expr.unwrap(e);
        if (x instanceof Expr.Call c) {
            return Functions.TRANSFORMS.contains(c.name()) ? row.transform(c) : row.aggregate(c);
        }
        if (x instanceof Expr.VarRef v) {
            return row.reference(v);
        }
        if (x instanceof Expr.IntegerLit i) {
            return i.value();
        }
        if (x instanceof Expr.NumberLit n) {
            return n.value();
        }
        if (x instanceof Expr.StringLit s) {
            return s.value();
        }
        if (x instanceof Expr.BoolLit b) {
            return b.value();
        }
        if (x instanceof Expr.Binary b) {
            return arithmetic(b.op(), value(b.lhs(), row), value(b.rhs(), row));
        }
        return null;
    }

    private static Object arithmetic(TokenType op, Object l, Object r) {
        if (!(l instanceof Number a) || !(r instanceof Number b)) {
            return null;
        }
        if (a instanceof Long x && b instanceof Long y) {
            return switch (op) {
                case ADD -> x + y;
                case SUB -> x - y;
                case MUL -> x * y;
                case DIV -> y == 0 ? 0.0 : (double) x / y;
                case MOD -> y == 0 ? 0L : x % y;
                case BIT_AND -> x & y;
                case BIT_OR -> x | y;
                case BIT_XOR -> x ^ y;
                default -> null;
            };
        }
        double x = a.doubleValue();
        double y = b.doubleValue();
        return switch (op) {
            case ADD -> x + y;
            case SUB -> x - y;
            case MUL -> x * y;
            case DIV -> y == 0 ? 0.0 : x / y;
            case MOD -> x % y;
            default -> null;
        };
    }

    /** NaN and infinities have no JSON form: they read as null, as InfluxDB emits them. */
    private static Object finite(Object v) {
        return v instanceof Double d && !Double.isFinite(d) ? null : v;
    }
}
