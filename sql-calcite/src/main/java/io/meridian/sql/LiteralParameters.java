package io.meridian.sql;

import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.Calendar;
import java.util.List;
import org.apache.calcite.sql.SqlBasicCall;
import org.apache.calcite.sql.SqlCall;
import org.apache.calcite.sql.SqlCharStringLiteral;
import org.apache.calcite.sql.SqlDynamicParam;
import org.apache.calcite.sql.SqlIdentifier;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.SqlLiteral;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.SqlNodeList;
import org.apache.calcite.sql.SqlSelect;
import org.apache.calcite.sql.SqlTimestampLiteral;
import org.apache.calcite.sql.SqlUnknownLiteral;
import org.apache.calcite.sql.dialect.CalciteSqlDialect;
import org.apache.calcite.sql.parser.SqlParseException;
import org.apache.calcite.sql.parser.SqlParser;
import org.apache.calcite.sql.type.SqlTypeName;
import org.apache.calcite.sql.util.SqlShuttle;

/**
 * Turns the string and timestamp literals a query compares columns with (in its WHERE clauses) into parameters,
 * so that statements differing only in those values ({@code hostname = 'host_7'} vs {@code 'host_8'}, another
 * time window) share one planned statement. The values are bound again at each run; the pushdown rules push
 * parameters like literals. Anything the normalizer does not understand is left as it was.
 */
final class LiteralParameters {
    /** A statement with its literals lifted out, in the order of their {@code ?}. */
    record Normalized(String sql, List<Object> values) {}

    private static final SqlParser.Config PARSER = SqlSyntax.PARSER;

    private LiteralParameters() {}

    /** The normalized statement, or null when it has nothing to lift or cannot be parsed here. */
    static Normalized normalize(String sql) {
        SqlNode root;
        try {
            root = SqlParser.create(sql, PARSER).parseQuery();
        } catch (SqlParseException e) {
            return null; // the real parse reports the error with its position
        }
        if (root.getKind() == SqlKind.EXPLAIN) {
            return null;
        }
        List<Object> values = new ArrayList<>();
        SqlNode lifted = root.accept(new Lifter(values));
        if (values.isEmpty() || lifted == null) {
            return null;
        }
        String text = lifted.toSqlString(
                        c -> c.withDialect(CalciteSqlDialect.DEFAULT).withQuoteAllIdentifiers(true))
                .getSql();
        return new Normalized(text, values);
    }

    /** Replaces literals compared with a column inside WHERE clauses, collecting their values in text order. */
    private static final class Lifter extends SqlShuttle {
        private final List<Object> values;
        private int whereDepth;

        Lifter(List<Object> values) {
            this.values = values;
        }

        @Override
        public SqlNode visit(SqlCall call) {
            if (call instanceof SqlSelect select) {
                // visit in text order: the select list and FROM first (untouched), then WHERE (lifted), then the rest
                if (select.getFrom() != null) {
                    select.setFrom(select.getFrom().accept(this));
                }
                if (select.getWhere() != null) {
                    whereDepth++;
                    select.setWhere(select.getWhere().accept(this));
                    whereDepth--;
                }
                return select;
            }
            if (whereDepth > 0 && isComparison(call.getKind()) && call.operandCount() == 2) {
                SqlNode left = call.operand(0);
                SqlNode right = call.operand(1);
                if (left instanceof SqlIdentifier && liftable(right)) {
                    call.setOperand(1, lift((SqlLiteral) right));
                    return call;
                }
                if (right instanceof SqlIdentifier && liftable(left)) {
                    call.setOperand(0, lift((SqlLiteral) left));
                    return call;
                }
            }
            if (whereDepth > 0
                    && call.getKind() == SqlKind.IN
                    && call.operandCount() == 2
                    && call.operand(0) instanceof SqlIdentifier
                    && call.operand(1) instanceof SqlNodeList list
                    && list.stream().allMatch(LiteralParameters::liftable)) {
                SqlNodeList params = new SqlNodeList(list.getParserPosition());
                list.forEach(n -> params.add(lift((SqlLiteral) n)));
                call.setOperand(1, params);
                return call;
            }
            for (int i = 0; i < call.operandCount(); i++) {
                SqlNode op = call.operand(i);
                if (op != null && !(op instanceof SqlLiteral)) {
                    SqlNode v = op.accept(this);
                    if (v != op && call instanceof SqlBasicCall) {
                        call.setOperand(i, v);
                    }
                }
            }
            return call;
        }

        private SqlDynamicParam lift(SqlLiteral literal) {
            int index = values.size();
            SqlLiteral resolved = literal instanceof SqlUnknownLiteral u ? u.resolve(SqlTypeName.TIMESTAMP) : literal;
            values.add(resolved instanceof SqlTimestampLiteral ts ? timestamp(ts) : resolved.getValueAs(String.class));
            return new SqlDynamicParam(index, literal.getParserPosition());
        }
    }

    /** The value a TIMESTAMP literal is bound as. */
    static Timestamp timestamp(SqlTimestampLiteral ts) {
        return new Timestamp(ts.getValueAs(Calendar.class).getTimeInMillis());
    }

    private static boolean liftable(SqlNode n) {
        // the parser leaves TIMESTAMP '...' as an unknown literal until validation
        return n instanceof SqlCharStringLiteral
                || n instanceof SqlTimestampLiteral
                || n instanceof SqlUnknownLiteral u && u.tag.equalsIgnoreCase("TIMESTAMP");
    }

    private static boolean isComparison(SqlKind k) {
        return k == SqlKind.EQUALS
                || k == SqlKind.NOT_EQUALS
                || k == SqlKind.LESS_THAN
                || k == SqlKind.LESS_THAN_OR_EQUAL
                || k == SqlKind.GREATER_THAN
                || k == SqlKind.GREATER_THAN_OR_EQUAL;
    }
}
