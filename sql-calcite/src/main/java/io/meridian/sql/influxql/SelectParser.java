package io.meridian.sql.influxql;

import java.time.DateTimeException;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;

/**
 * Parses a {@code SELECT} after its keyword, clauses in InfluxQL's order:
 *
 * <pre>
 * select  = "SELECT" field { "," field } [ "INTO" target ] "FROM" source { "," source } [ "WHERE" expr ]
 *           [ "GROUP BY" dimension { "," dimension } ] [ "fill(" ( "null" | "none" | "previous" | "linear" | number ) ")" ]
 *           [ "ORDER BY" ( "time" [ "ASC" | "DESC" ] | "ASC" | "DESC" ) ] [ "LIMIT" int ] [ "OFFSET" int ]
 *           [ "SLIMIT" int ] [ "SOFFSET" int ] [ "tz(" string ")" ]
 * field   = expr [ "AS" ident ]
 * source  = regex | "(" select ")" | ident [ "." [ ident ] [ "." ident ] ] [ "." regex ]
 * </pre>
 *
 * A SELECT with INTO parses to {@link Statement.Unsupported}.
 */
final class SelectParser {
    private final TokenStream in;
    private final ExprParser exprs;

    SelectParser(TokenStream in) {
        this.in = in;
        this.exprs = new ExprParser(in);
    }

    Statement parse() {
        List<Statement.Field> fields = fields();
        boolean into = false;
        if (in.acceptKeyword("INTO")) {
            source();
            into = true;
        }
        in.expectKeyword("FROM");
        List<Statement.Source> sources = sources(true);
        Expr condition = in.acceptKeyword("WHERE") ? exprs.parse() : null;
        List<Expr> dimensions = dimensions();
        Statement.Fill fill = fill();
        boolean descending = orderBy();
        long limit = optionalInt("LIMIT");
        long offset = optionalInt("OFFSET");
        long slimit = optionalInt("SLIMIT");
        long soffset = optionalInt("SOFFSET");
        String zone = timeZone();
        if (into) {
            return new Statement.Unsupported("SELECT INTO");
        }
        return new SelectStatement(
                fields, sources, condition, dimensions, fill, descending, limit, offset, slimit, soffset, zone);
    }

    private List<Statement.Field> fields() {
        List<Statement.Field> fields = new ArrayList<>();
        do {
            Token start = in.peek();
            Expr e = exprs.parse();
            Expr.walk(e, x -> {
                if (x instanceof Expr.Binary b && b.op().precedence() <= 3) {
                    throw in.error(
                            "invalid operator " + b.op().display() + " in SELECT clause; operator is intended for"
                                    + " WHERE clause",
                            start);
                }
            });
            String alias = in.acceptKeyword("AS") ? in.ident() : null;
            fields.add(new Statement.Field(e, alias));
        } while (in.accept(TokenType.COMMA));
        return fields;
    }

    /** A comma-separated list of sources; subqueries only where {@code subqueries}. */
    List<Statement.Source> sources(boolean subqueries) {
        List<Statement.Source> sources = new ArrayList<>();
        do {
            if (subqueries && in.peek().type() == TokenType.LPAREN) {
                skipParenthesized();
                sources.add(new Statement.Subquery());
            } else {
                sources.add(source());
            }
        } while (in.accept(TokenType.COMMA));
        return sources;
    }

    /** A measurement: {@code /re/}, {@code m}, {@code rp.m}, {@code db.rp.m}, {@code db..m}, {@code rp./re/}. */
    Statement.Measurement source() {
        Token re = in.regex();
        if (re != null) {
            return new Statement.Measurement(null, null, null, re.text());
        }
        List<String> parts = new ArrayList<>();
        parts.add(in.ident());
        while (parts.size() < 3 && in.accept(TokenType.DOT)) {
            if (in.peek().type() == TokenType.DOT) {
                parts.add(""); // "db".."m": the default retention policy
                continue;
            }
            re = in.regex();
            if (re != null) {
                parts.add(null);
                break;
            }
            parts.add(in.ident());
        }
        String regex = re == null ? null : re.text();
        if (regex != null) {
            parts.remove(parts.size() - 1);
            return parts.size() == 1
                    ? new Statement.Measurement(null, parts.get(0), null, regex)
                    : new Statement.Measurement(parts.get(0), parts.get(1), null, regex);
        }
        return switch (parts.size()) {
            case 1 -> new Statement.Measurement(null, null, parts.get(0), null);
            case 2 -> new Statement.Measurement(null, parts.get(0), parts.get(1), null);
            default -> new Statement.Measurement(parts.get(0), parts.get(1), parts.get(2), null);
        };
    }

    private void skipParenthesized() {
        in.expect(TokenType.LPAREN);
        int depth = 1;
        while (depth > 0) {
            Token t = in.next();
            switch (t.type()) {
                case LPAREN -> depth++;
                case RPAREN -> depth--;
                case EOF -> throw in.expected(t, ")");
                case BAD_STRING, BAD_ESCAPE -> throw in.expected(t, ")");
                default -> {
                    // skipped: subqueries are refused when the statement runs
                }
            }
        }
    }

    private List<Expr> dimensions() {
        if (!in.acceptKeyword("GROUP")) {
            return List.of();
        }
        in.expectKeyword("BY");
        List<Expr> dims = new ArrayList<>();
        do {
            dims.add(exprs.parse());
        } while (in.accept(TokenType.COMMA));
        return dims;
    }

    private Statement.Fill fill() {
        Token t = in.peek();
        if (!t.isIdent("fill") || in.peekSecond().type() != TokenType.LPAREN) {
            return Statement.Fill.DEFAULT;
        }
        in.next();
        in.next();
        Token arg = in.next();
        Statement.Fill fill;
        boolean negative = arg.type() == TokenType.SUB;
        if (negative || arg.type() == TokenType.ADD) {
            arg = in.next();
        }
        if (arg.type() == TokenType.INTEGER || arg.type() == TokenType.NUMBER) {
            double v = Double.parseDouble(arg.text());
            fill = new Statement.Fill(Statement.FillMode.NUMBER, negative ? -v : v);
        } else if (arg.type() == TokenType.IDENT && !negative) {
            fill = switch (arg.text()) {
                case "null" -> Statement.Fill.DEFAULT;
                case "none" -> new Statement.Fill(Statement.FillMode.NONE, 0);
                case "previous" -> new Statement.Fill(Statement.FillMode.PREVIOUS, 0);
                case "linear" -> new Statement.Fill(Statement.FillMode.LINEAR, 0);
                default -> throw in.expected(arg, "null, none, previous, linear or a number in fill()");
            };
        } else {
            throw in.expected(arg, "null, none, previous, linear or a number in fill()");
        }
        in.expect(TokenType.RPAREN);
        return fill;
    }

    /** ORDER BY: true for descending time. Only time can be ordered by, as in InfluxDB. */
    private boolean orderBy() {
        if (!in.acceptKeyword("ORDER")) {
            return false;
        }
        in.expectKeyword("BY");
        Token t = in.next();
        if (t.isKeyword("ASC") || t.isKeyword("DESC")) {
            return t.isKeyword("DESC");
        }
        if (!t.isIdent("time")) {
            throw t.type() == TokenType.IDENT
                    ? in.error("only ORDER BY time supported at this time", t)
                    : in.expected(t, "identifier, ASC, DESC");
        }
        if (in.acceptKeyword("DESC")) {
            return true;
        }
        in.acceptKeyword("ASC");
        return false;
    }

    /** {@code word <int>} when the next token is keyword {@code word}; 0 otherwise. */
    long optionalInt(String word) {
        if (!in.acceptKeyword(word)) {
            return 0;
        }
        Token t = in.next();
        if (t.type() != TokenType.INTEGER) {
            throw in.expected(t, "integer");
        }
        try {
            return Long.parseLong(t.text());
        } catch (NumberFormatException e) {
            throw in.error("unable to parse integer " + t.text(), t);
        }
    }

    private String timeZone() {
        Token t = in.peek();
        if (!t.isIdent("tz") || in.peekSecond().type() != TokenType.LPAREN) {
            return null;
        }
        in.next();
        in.next();
        Token zone = in.next();
        if (zone.type() != TokenType.STRING) {
            throw in.expected(zone, "string");
        }
        in.expect(TokenType.RPAREN);
        try {
            return ZoneId.of(zone.text()).getId();
        } catch (DateTimeException e) {
            throw in.error("unable to find time zone " + zone.text(), zone);
        }
    }
}
