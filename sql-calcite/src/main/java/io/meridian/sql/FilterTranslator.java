package io.meridian.sql;

import io.meridian.common.query.TagCondition;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import org.apache.calcite.rex.RexCall;
import org.apache.calcite.rex.RexDynamicParam;
import org.apache.calcite.rex.RexInputRef;
import org.apache.calcite.rex.RexLiteral;
import org.apache.calcite.rex.RexNode;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.type.SqlTypeFamily;

/**
 * Turns predicates over a metric scan's columns into what the leaves evaluate: tag predicates (=, &lt;&gt;, IN,
 * LIKE, NOT, AND, OR over tag columns) into a {@link TagCondition}, and comparisons of {@code ts} with a timestamp
 * literal, {@code now()}/{@code CURRENT_TIMESTAMP} plus or minus an interval, or a parameter into time bounds.
 * Anything else (field values, functions of tags) is left for Calcite to evaluate above the pushed part.
 *
 * <p>A missing tag reads as {@code ''} (the leaves group series without the tag under the empty value), so
 * {@code tag <> 'x'} keeps series without the tag, as the pushed negation does.
 */
final class FilterTranslator {
    private static final Set<String> NOW = Set.of("CURRENT_TIMESTAMP", "LOCALTIMESTAMP", "NOW");

    private final List<String> tagKeys;

    /** @param tagKeys the scan's tag columns, at indexes 1..n (ts is 0) */
    FilterTranslator(List<String> tagKeys) {
        this.tagKeys = tagKeys;
    }

    /** The tag condition this predicate is, or null when it is not one. */
    TagCondition tagFilter(RexNode node) {
        if (!(node instanceof RexCall call)) {
            return null;
        }
        switch (call.getKind()) {
            case AND, OR -> {
                List<TagCondition> parts = new ArrayList<>();
                for (RexNode operand : call.getOperands()) {
                    TagCondition f = tagFilter(operand);
                    if (f == null) {
                        return null;
                    }
                    parts.add(f);
                }
                return call.getKind() == SqlKind.AND ? TagCondition.and(parts) : orOf(parts);
            }
            case NOT -> {
                TagCondition inner = tagFilter(call.getOperands().get(0));
                return inner == null ? null : TagCondition.not(inner);
            }
            case EQUALS, NOT_EQUALS -> {
                String tag = tagOf(call.getOperands().get(0));
                String value = stringOf(call.getOperands().get(1));
                if (tag == null || value == null) {
                    tag = tagOf(call.getOperands().get(1));
                    value = stringOf(call.getOperands().get(0));
                }
                if (tag == null || value == null) {
                    return null;
                }
                TagCondition eq = TagCondition.eq(tag, value);
                return call.getKind() == SqlKind.EQUALS ? eq : TagCondition.not(eq);
            }
            case LIKE -> {
                if (call.getOperands().size() != 2) {
                    return null; // an ESCAPE clause
                }
                String tag = tagOf(call.getOperands().get(0));
                String pattern = stringOf(call.getOperands().get(1));
                if (pattern != null && TagParams.isParam(pattern)) {
                    return null; // a LIKE pattern given as a parameter: prefix or regex is known only at run time
                }
                if (tag == null || pattern == null) {
                    return null;
                }
                String body = pattern.endsWith("%") ? pattern.substring(0, pattern.length() - 1) : null;
                if (body != null && body.indexOf('%') < 0 && body.indexOf('_') < 0) {
                    return TagCondition.prefix(tag, body);
                }
                return TagCondition.regex(tag, likeToRegex(pattern));
            }
            default -> {
                if (call.getOperator().getName().equalsIgnoreCase("REGEXP_LIKE")
                        && call.getOperands().size() == 2) {
                    String tag = tagOf(call.getOperands().get(0));
                    String pattern = stringOf(call.getOperands().get(1));
                    if (tag == null || pattern == null || TagParams.isParam(pattern)) {
                        return null;
                    }
                    // REGEXP_LIKE finds the pattern anywhere in the value; the leaves match whole values
                    return TagCondition.regex(tag, ".*(?:" + pattern + ").*");
                }
                return null;
            }
        }
    }

    /** An OR of equalities on one tag is an IN set. */
    private static TagCondition orOf(List<TagCondition> parts) {
        String key = null;
        List<String> values = new ArrayList<>();
        for (TagCondition p : parts) {
            if (p instanceof TagCondition.Eq eq && (key == null || key.equals(eq.key()))) {
                key = eq.key();
                values.add(eq.value());
            } else if (p instanceof TagCondition.In in && (key == null || key.equals(in.key()))) {
                key = in.key();
                values.addAll(in.values());
            } else {
                return TagCondition.or(parts);
            }
        }
        return TagCondition.in(key, values);
    }

    /**
     * The time bound this comparison sets, as {@code [isLowerBound, bound]}, or null when it is not a
     * comparison of {@code ts} with a time expression.
     */
    Object[] timeBound(RexNode node) {
        if (!(node instanceof RexCall call) || call.getOperands().size() != 2) {
            return null;
        }
        SqlKind kind = call.getKind();
        RexNode left = call.getOperands().get(0);
        RexNode right = call.getOperands().get(1);
        if (!isTs(left)) {
            if (!isTs(right)) {
                return null;
            }
            RexNode t = left;
            left = right;
            right = t;
            kind = kind.reverse();
        }
        return switch (kind) {
            case GREATER_THAN_OR_EQUAL -> bound(right, true, true);
            case GREATER_THAN -> bound(right, true, false);
            case LESS_THAN_OR_EQUAL -> bound(right, false, true);
            case LESS_THAN -> bound(right, false, false);
            default -> null;
        };
    }

    private static Object[] bound(RexNode expr, boolean lower, boolean inclusive) {
        TimeBound b = timeExpr(expr, inclusive);
        return b == null ? null : new Object[] {lower, b};
    }

    private static TimeBound timeExpr(RexNode e, boolean inclusive) {
        e = unwrapCast(e);
        if (e instanceof RexLiteral lit && lit.getType().getFamily() == SqlTypeFamily.TIMESTAMP) {
            Long ms = lit.getValueAs(Long.class);
            return ms == null ? null : new TimeBound(TimeBound.Kind.ABSOLUTE, ms, inclusive);
        }
        if (e instanceof RexDynamicParam p) {
            return new TimeBound(TimeBound.Kind.PARAM, p.getIndex(), inclusive);
        }
        if (e instanceof RexCall c) {
            if (c.getOperands().isEmpty()
                    && NOW.contains(c.getOperator().getName().toUpperCase(Locale.ROOT))) {
                return new TimeBound(TimeBound.Kind.NOW, 0, inclusive);
            }
            boolean minus = c.getKind() == SqlKind.MINUS;
            if ((minus || c.getKind() == SqlKind.PLUS) && c.getOperands().size() == 2) {
                TimeBound base = timeExpr(c.getOperands().get(0), inclusive);
                Long interval = intervalMs(c.getOperands().get(1));
                if (base != null && base.kind() != TimeBound.Kind.PARAM && interval != null) {
                    return new TimeBound(base.kind(), base.value() + (minus ? -interval : interval), inclusive);
                }
            }
        }
        return null;
    }

    private static Long intervalMs(RexNode e) {
        if (e instanceof RexLiteral lit && lit.getType().getFamily() == SqlTypeFamily.INTERVAL_DAY_TIME) {
            BigDecimal v = lit.getValueAs(BigDecimal.class);
            return v == null ? null : v.longValue();
        }
        return null;
    }

    private static boolean isTs(RexNode e) {
        return unwrapCast(e) instanceof RexInputRef ref && ref.getIndex() == 0;
    }

    private String tagOf(RexNode e) {
        if (unwrapCast(e) instanceof RexInputRef ref && ref.getIndex() >= 1 && ref.getIndex() <= tagKeys.size()) {
            return tagKeys.get(ref.getIndex() - 1);
        }
        return null;
    }

    private static String stringOf(RexNode e) {
        e = unwrapCast(e);
        if (e instanceof RexDynamicParam p) {
            return TagParams.placeholder(p.getIndex()); // resolved when the statement runs
        }
        if (e instanceof RexLiteral lit && lit.getType().getFamily() == SqlTypeFamily.CHARACTER) {
            return lit.getValueAs(String.class);
        }
        return null;
    }

    private static RexNode unwrapCast(RexNode e) {
        while (e instanceof RexCall c && c.getKind() == SqlKind.CAST) {
            e = c.getOperands().get(0);
        }
        return e;
    }

    /** A SQL LIKE pattern as a whole-value java.util.regex pattern. */
    static String likeToRegex(String like) {
        StringBuilder sb = new StringBuilder();
        for (char ch : like.toCharArray()) {
            switch (ch) {
                case '%' -> sb.append(".*");
                case '_' -> sb.append('.');
                default -> sb.append(Pattern.quote(String.valueOf(ch)));
            }
        }
        return sb.toString();
    }
}
