package io.meridian.sql.influxql;

import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/** An InfluxQL expression: in a SELECT list, a WHERE condition, a GROUP BY dimension or a call's argument. */
sealed interface Expr {
    /** What a {@code ::} suffix says a reference is; {@code NONE} when absent. */
    enum Cast {
        NONE,
        TAG,
        FIELD
    }

    /** A tag, field or {@code time} reference; segments joined by dots. */
    record VarRef(String name, Cast cast) implements Expr {}

    /**
     * A function call, its name lower case.
     *
     * @param offset where the name starts in the query text (for errors)
     */
    record Call(String name, List<Expr> args, int offset) implements Expr {
        public Call {
            name = name.toLowerCase(Locale.ROOT);
            args = List.copyOf(args);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Call c && c.name.equals(name) && c.args.equals(args);
        }

        @Override
        public int hashCode() {
            return name.hashCode() * 31 + args.hashCode();
        }
    }

    record NumberLit(double value) implements Expr {}

    record IntegerLit(long value) implements Expr {}

    record StringLit(String value) implements Expr {}

    /** A {@code /pattern/}: Go RE2 syntax, matched anywhere in the value unless anchored. */
    record RegexLit(String pattern) implements Expr {}

    record DurationLit(long nanos) implements Expr {}

    record BoolLit(boolean value) implements Expr {}

    record Binary(TokenType op, Expr lhs, Expr rhs) implements Expr {}

    record Paren(Expr inner) implements Expr {}

    /** {@code *}, {@code *::field} or {@code *::tag}. */
    record Wildcard(Cast cast) implements Expr {}

    /** Calls {@code visitor} on {@code e} and every expression below it, parents first. */
    static void walk(Expr e, Consumer<Expr> visitor) {
        if (e == null) {
            return;
        }
        visitor.accept(e);
        if (e instanceof Call c) {
            c.args().forEach(a -> walk(a, visitor));
        } else if (e instanceof Binary b) {
            walk(b.lhs(), visitor);
            walk(b.rhs(), visitor);
        } else if (e instanceof Paren p) {
            walk(p.inner(), visitor);
        }
    }

    /** The expression inside any number of parentheses. */
    static Expr unwrap(Expr e) {
        Expr x = e;
        while (x instanceof Paren p) {
            x = p.inner();
        }
        return x;
    }
}
