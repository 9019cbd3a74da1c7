package io.meridian.sql.influxql;

import io.meridian.common.error.InvalidInputException;
import io.meridian.sql.Catalog;
import java.util.Locale;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * A WHERE condition (without its time comparisons) as Meridian SQL over one metric:
 * <ul>
 *   <li>tag {@code =}, {@code !=}/{@code <>} a string: {@code "tag" = 'v'}, {@code "tag" <> 'v'} (pushed to the
 *       leaves; a series without the tag reads {@code ''}, as in InfluxDB);</li>
 *   <li>tag {@code =~ /re/}: {@code REGEXP_LIKE("tag", 're')}, found anywhere in the value as in InfluxQL;
 *       {@code !~}: {@code NOT REGEXP_LIKE(...)};</li>
 *   <li>field compared with a number: {@code "field" > 90} (evaluated above the leaves, over slot values);</li>
 *   <li>a key the metric does not have reads {@code ''} against strings and regexes, and compares false with
 *       numbers: such comparisons fold to {@code TRUE} or {@code FALSE};</li>
 *   <li>{@code AND}, {@code OR}, parentheses; constants folded away.</li>
 * </ul>
 */
final class ConditionSql {
    /**
     * @param sql           the SQL condition, null when it is always true
     * @param alwaysFalse   whether no row can match (the statement then reads nothing)
     * @param fieldPredicate whether it compares a field's value (which keeps the aggregation above the leaves)
     * @param disjunction   whether its top level is an OR (so it needs parentheses in a conjunction)
     */
    record Rendered(String sql, boolean alwaysFalse, boolean fieldPredicate, boolean disjunction) {
        static final Rendered TRUE = new Rendered(null, false, false, false);
        static final Rendered FALSE = new Rendered(null, true, false, false);

        Rendered(String sql, boolean alwaysFalse, boolean fieldPredicate) {
            this(sql, alwaysFalse, fieldPredicate, false);
        }

        /** The condition as one conjunct of an AND. */
        String conjunct() {
            return disjunction ? "(" + sql + ")" : sql;
        }
    }

    private enum Kind {
        TAG,
        FIELD,
        MISSING
    }

    private final Catalog.Metric metric;

    private ConditionSql(Catalog.Metric metric) {
        this.metric = metric;
    }

    /**
     * @throws InvalidInputException for an expression a condition cannot hold (a call, a regex on its own)
     */
    static Rendered render(Expr condition, Catalog.Metric metric) {
        return condition == null ? Rendered.TRUE : new ConditionSql(metric).cond(condition);
    }

    private Rendered cond(Expr e) {
        if (e instanceof Expr.Paren p) {
            Rendered r = cond(p.inner());
            return r.sql() == null ? r : new Rendered("(" + r.sql() + ")", false, r.fieldPredicate());
        }
        if (e instanceof Expr.BoolLit b) {
            return b.value() ? Rendered.TRUE : Rendered.FALSE;
        }
        if (!(e instanceof Expr.Binary b)) {
            throw new InvalidInputException("invalid condition: want a comparison of a tag or field, got " + show(e));
        }
        if (b.op() == TokenType.AND || b.op() == TokenType.OR) {
            return logical(b.op() == TokenType.AND, cond(b.lhs()), cond(b.rhs()));
        }
        return comparison(b);
    }

    private static Rendered logical(boolean and, Rendered l, Rendered r) {
        Rendered absorbing = and ? Rendered.FALSE : Rendered.TRUE;
        if (isConstant(l, absorbing) || isConstant(r, absorbing)) {
            return absorbing;
        }
        if (l.sql() == null) {
            return r;
        }
        if (r.sql() == null) {
            return l;
        }
        boolean field = l.fieldPredicate() || r.fieldPredicate();
        return and
                ? new Rendered(l.conjunct() + " AND " + r.conjunct(), false, field)
                : new Rendered(l.sql() + " OR " + r.sql(), false, field, true);
    }

    private static boolean isConstant(Rendered r, Rendered constant) {
        return r.sql() == null && r.alwaysFalse() == constant.alwaysFalse();
    }

    private Rendered comparison(Expr.Binary b) {
        Expr lhs = Expr.unwrap(b.lhs());
        Expr rhs = Expr.unwrap(b.rhs());
        TokenType op = b.op();
        if (!(lhs instanceof Expr.VarRef) && rhs instanceof Expr.VarRef) {
            Expr t = lhs;
            lhs = rhs;
            rhs = t;
            op = switch (op) {
                case LT -> TokenType.GT;
                case GT -> TokenType.LT;
                case LTE -> TokenType.GTE;
                case GTE -> TokenType.LTE;
                default -> op;
            };
        }
        if (lhs instanceof Expr.VarRef v) {
            return switch (kind(v)) {
                case TAG -> tag(v.name(), op, rhs);
                case FIELD -> field(SqlText.ident(v.name()), op, rhs);
                case MISSING -> missing(op, rhs);
            };
        }
        if (isArithmetic(lhs)) {
            return field(operand(lhs), op, rhs);
        }
        throw new InvalidInputException("invalid condition: want a comparison of a tag or field, got " + show(b));
    }

    private Rendered tag(String tag, TokenType op, Expr rhs) {
        String col = SqlText.ident(tag);
        if (op == TokenType.EQ_REGEX || op == TokenType.NEQ_REGEX) {
            String like = "REGEXP_LIKE(" + col + ", " + SqlText.string(regex(rhs)) + ")";
            return new Rendered(op == TokenType.EQ_REGEX ? like : "NOT " + like, false, false);
        }
        String value;
        if (rhs instanceof Expr.VarRef other) {
            value = kind(other) == Kind.MISSING ? "''" : SqlText.ident(other.name());
        } else {
            value = SqlText.string(literalText(rhs));
        }
        return new Rendered(col + " " + comparator(op) + " " + value, false, false);
    }

    private Rendered field(String operand, TokenType op, Expr rhs) {
        if (op == TokenType.EQ_REGEX || op == TokenType.NEQ_REGEX) {
            return Rendered.FALSE; // a number never matches a regex
        }
        if (rhs instanceof Expr.StringLit || rhs instanceof Expr.BoolLit) {
            return Rendered.FALSE; // a number never equals a string or a boolean
        }
        return new Rendered(operand + " " + comparator(op) + " " + operand(rhs), false, true);
    }

    /** A key the metric lacks: '' against strings and regexes, no value against numbers. */
    private Rendered missing(TokenType op, Expr rhs) {
        if (op == TokenType.EQ_REGEX || op == TokenType.NEQ_REGEX) {
            boolean found =
                    Pattern.compile(SqlText.javaRegex(regex(rhs))).matcher("").find();
            return found == (op == TokenType.EQ_REGEX) ? Rendered.TRUE : Rendered.FALSE;
        }
        if (!(rhs instanceof Expr.StringLit s)) {
            return Rendered.FALSE;
        }
        int c = "".compareTo(s.value());
        boolean holds = switch (op) {
            case EQ -> c == 0;
            case NEQ -> c != 0;
            case LT -> c < 0;
            case LTE -> c <= 0;
            case GT -> c > 0;
            case GTE -> c >= 0;
            default -> throw new InvalidInputException("invalid comparison operator " + op.display() + " in condition");
        };
        return holds ? Rendered.TRUE : Rendered.FALSE;
    }

    private Kind kind(Expr.VarRef v) {
        boolean tag = metric.tagKeys().contains(v.name());
        boolean field = metric.fields().containsKey(v.name());
        if (tag && v.cast() != Expr.Cast.FIELD) {
            return Kind.TAG;
        }
        if (field && v.cast() != Expr.Cast.TAG) {
            return Kind.FIELD;
        }
        return Kind.MISSING;
    }

    private static String regex(Expr rhs) {
        if (!(rhs instanceof Expr.RegexLit re)) {
            throw new InvalidInputException(
                    "invalid condition: =~ and !~ want a regex such as /^h1$/, got " + show(rhs));
        }
        try {
            Pattern.compile(SqlText.javaRegex(re.pattern()));
        } catch (PatternSyntaxException e) {
            throw new InvalidInputException("invalid regex /" + re.pattern() + "/: " + e.getDescription());
        }
        return SqlText.javaRegex(re.pattern());
    }

    private static String comparator(TokenType op) {
        return switch (op) {
            case EQ -> "=";
            case NEQ -> "<>";
            case LT, LTE, GT, GTE -> op.display();
            default -> throw new InvalidInputException("invalid comparison operator " + op.display() + " in condition");
        };
    }

    private static String literalText(Expr e) {
        if (e instanceof Expr.StringLit s) {
            return s.value();
        }
        if (e instanceof Expr.IntegerLit i) {
            return Long.toString(i.value());
        }
        if (e instanceof Expr.NumberLit n) {
            return SqlText.number(n.value());
        }
        if (e instanceof Expr.BoolLit b) {
            return Boolean.toString(b.value());
        }
        throw new InvalidInputException("invalid condition: a tag compares with a string, got " + show(e));
    }

    private static boolean isArithmetic(Expr e) {
        return e instanceof Expr.Binary b && b.op().precedence() >= 4;
    }

    /** A numeric operand: a field, a number, or arithmetic over those. */
    private String operand(Expr e) {
        Expr x = Expr.unwrap(e);
        if (x instanceof Expr.IntegerLit i) {
            return Long.toString(i.value());
        }
        if (x instanceof Expr.NumberLit n) {
            return SqlText.number(n.value());
        }
        if (x instanceof Expr.VarRef v) {
            return kind(v) == Kind.MISSING ? "CAST(NULL AS DOUBLE)" : SqlText.ident(v.name());
        }
        if (x instanceof Expr.Binary b
                && isArithmetic(b)
                && b.op() != TokenType.BIT_AND
                && b.op() != TokenType.BIT_OR
                && b.op() != TokenType.BIT_XOR) {
            return "(" + operand(b.lhs()) + " " + b.op().display() + " " + operand(b.rhs()) + ")";
        }
        throw new InvalidInputException("invalid condition: want a number or field, got " + show(x));
    }

    private static String show(Expr e) {
        return e.getClass().getSimpleName().replace("Lit", " literal").toLowerCase(Locale.ROOT)
                + (e instanceof Expr.Call c ? " " + c.name() + "()" : "");
    }
}
