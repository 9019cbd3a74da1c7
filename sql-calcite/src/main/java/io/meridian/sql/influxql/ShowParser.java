package io.meridian.sql.influxql;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Parses the {@code SHOW} statements after their keyword:
 *
 * <pre>
 * "DATABASES"
 * "MEASUREMENTS" [ on ] [ "WITH MEASUREMENT" ( "=" ident | "=~" regex ) ] [ where ] [ order ] [ limit ] [ offset ]
 * "TAG KEYS"     [ on ] [ from ] [ where ] [ order ] [ limit ] [ offset ] [ slimit ] [ soffset ]
 * "TAG VALUES"   [ on ] [ from ] "WITH KEY" ( ( "=" | "!=" ) ident | ( "=~" | "!~" ) regex
 *                | "IN (" ident { "," ident } ")" ) [ where ] [ order ] [ limit ] [ offset ]
 * "FIELD KEYS"   [ on ] [ from ] [ order ] [ limit ] [ offset ]
 * "RETENTION POLICIES" [ on ]
 * "SERIES"       [ on ] [ from ] [ where ] [ order ] [ limit ] [ offset ]
 * </pre>
 *
 * The other SHOW statements (USERS, STATS, CARDINALITY forms, ...) parse to {@link Statement.Unsupported}.
 */
final class ShowParser {
    private final TokenStream in;
    private final ExprParser exprs;
    private final SelectParser selects;

    ShowParser(TokenStream in) {
        this.in = in;
        this.exprs = new ExprParser(in);
        this.selects = new SelectParser(in);
    }

    Statement parse() {
        Token t = in.next();
        if (t.isKeyword("DATABASES")) {
            return new Statement.ShowDatabases();
        }
        if (t.isKeyword("MEASUREMENTS")) {
            return measurements();
        }
        if (t.isKeyword("RETENTION")) {
            in.expectKeyword("POLICIES");
            return new Statement.ShowRetentionPolicies(on());
        }
        if (t.isKeyword("TAG") && in.acceptKeyword("KEYS")) {
            return tagKeys();
        }
        if (t.isKeyword("TAG") && in.acceptKeyword("VALUES")) {
            return cardinality() ? unsupported("SHOW TAG VALUES CARDINALITY") : tagValues();
        }
        if (t.isKeyword("FIELD") && in.acceptKeyword("KEYS")) {
            String db = on();
            List<Statement.Source> from = from();
            orderBy();
            long limit = selects.optionalInt("LIMIT");
            return new Statement.ShowFieldKeys(db, from, limit, selects.optionalInt("OFFSET"));
        }
        if (t.isKeyword("SERIES")) {
            if (cardinality()) {
                return unsupported("SHOW SERIES CARDINALITY");
            }
            String db = on();
            List<Statement.Source> from = from();
            Expr where = where();
            orderBy();
            long limit = selects.optionalInt("LIMIT");
            return new Statement.ShowSeries(db, from, where, limit, selects.optionalInt("OFFSET"));
        }
        if (t.type() == TokenType.KEYWORD || t.type() == TokenType.IDENT) {
            StringBuilder clause = new StringBuilder("SHOW ").append(t.text().toUpperCase(Locale.ROOT));
            if (in.peek().type() == TokenType.KEYWORD) {
                clause.append(' ').append(in.next().text());
            }
            return unsupported(clause.toString());
        }
        throw in.expected(t, "DATABASES, MEASUREMENTS, TAG KEYS, TAG VALUES, FIELD KEYS, RETENTION POLICIES, SERIES");
    }

    private Statement measurements() {
        if (cardinality()) {
            return unsupported("SHOW MEASUREMENT CARDINALITY");
        }
        String db = on();
        if (db != null && in.accept(TokenType.DOT)) {
            in.next(); // a retention policy or *: every measurement of the database is listed either way
        }
        Statement.Measurement with = null;
        if (in.acceptKeyword("WITH")) {
            in.expectKeyword("MEASUREMENT");
            Token op = in.next();
            if (op.type() != TokenType.EQ && op.type() != TokenType.EQ_REGEX) {
                throw in.expected(op, "=, =~");
            }
            with = selects.source();
        }
        Expr where = where();
        orderBy();
        long limit = selects.optionalInt("LIMIT");
        return new Statement.ShowMeasurements(db, with, where, limit, selects.optionalInt("OFFSET"));
    }

    private Statement tagKeys() {
        if (cardinality()) {
            return unsupported("SHOW TAG KEY CARDINALITY");
        }
        String db = on();
        List<Statement.Source> from = from();
        if (in.peek().isKeyword("WITH")) {
            return unsupported("SHOW TAG KEYS WITH KEY");
        }
        Expr where = where();
        orderBy();
        long limit = selects.optionalInt("LIMIT");
        long offset = selects.optionalInt("OFFSET");
        selects.optionalInt("SLIMIT");
        selects.optionalInt("SOFFSET");
        return new Statement.ShowTagKeys(db, from, where, limit, offset);
    }

    private Statement tagValues() {
        String db = on();
        List<Statement.Source> from = from();
        in.expectKeyword("WITH");
        in.expectKeyword("KEY");
        Token op = in.next();
        TokenType keyOp;
        List<String> keys = new ArrayList<>();
        switch (op.type()) {
            case EQ, NEQ -> {
                keyOp = op.type();
                keys.add(in.ident());
            }
            case EQ_REGEX, NEQ_REGEX -> {
                keyOp = op.type();
                Token re = in.regex();
                if (re == null) {
                    throw in.expected(in.peek(), "regex");
                }
                keys.add(re.text());
            }
            default -> {
                if (!op.isKeyword("IN")) {
                    throw in.expected(op, "IN, =, =~");
                }
                keyOp = null;
                in.expect(TokenType.LPAREN);
                do {
                    keys.add(in.ident());
                } while (in.accept(TokenType.COMMA));
                in.expect(TokenType.RPAREN);
            }
        }
        Expr where = where();
        orderBy();
        long limit = selects.optionalInt("LIMIT");
        return new Statement.ShowTagValues(db, from, keyOp, keys, where, limit, selects.optionalInt("OFFSET"));
    }

    /** Consumes {@code [EXACT] CARDINALITY}; true when present. */
    private boolean cardinality() {
        if (in.acceptKeyword("EXACT")) {
            in.expectKeyword("CARDINALITY");
            return true;
        }
        return in.acceptKeyword("CARDINALITY");
    }

    private String on() {
        return in.acceptKeyword("ON") ? in.ident() : null;
    }

    private List<Statement.Source> from() {
        return in.acceptKeyword("FROM") ? selects.sources(false) : List.of();
    }

    private Expr where() {
        return in.acceptKeyword("WHERE") ? exprs.parse() : null;
    }

    /** ORDER BY on a listing is accepted and has no effect: listings come sorted. */
    private void orderBy() {
        if (in.acceptKeyword("ORDER")) {
            in.expectKeyword("BY");
            do {
                Token t = in.next();
                if (t.type() != TokenType.IDENT && !t.isKeyword("ASC") && !t.isKeyword("DESC")) {
                    throw in.expected(t, "identifier, ASC, DESC");
                }
                in.acceptKeyword("ASC");
                in.acceptKeyword("DESC");
            } while (in.accept(TokenType.COMMA));
        }
    }

    private Statement unsupported(String clause) {
        InfluxQlParser.skipStatement(in);
        return new Statement.Unsupported(clause);
    }
}
