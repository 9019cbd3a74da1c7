package io.meridian.sql.influxql;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Parses InfluxQL expressions by precedence climbing (OR &lt; AND &lt; comparisons &lt; {@code + -} &lt;
 * {@code * / %}, all left associative); the right side of {@code =~} and {@code !~} must be a regex.
 *
 * <pre>
 * expr    = unary { op ( unary | regex ) }
 * unary   = "(" expr ")" | call | var_ref | string | number | integer | duration | "true" | "false"
 *         | "*" [ "::" ( "field" | "tag" ) ] | regex | ( "+" | "-" ) unary
 * call    = ident "(" [ expr { "," expr } ] ")"
 * var_ref = ident { "." ident } [ "::" ( "tag" | "field" | "float" | "integer" | "string" | "boolean" ) ]
 * </pre>
 */
final class ExprParser {
    /** The data types a {@code ::} cast may name; each means "a field" here. */
    private static final List<String> FIELD_TYPES = List.of("float", "integer", "unsigned", "string", "boolean");

    private final TokenStream in;

    ExprParser(TokenStream in) {
        this.in = in;
    }

    Expr parse() {
        return binary(1);
    }

    private Expr binary(int minPrecedence) {
        Expr lhs = unary();
        while (true) {
            TokenType op = operator(in.peek());
            if (op == null || op.precedence() < minPrecedence) {
                return lhs;
            }
            in.next();
            Expr rhs;
            if (op == TokenType.EQ_REGEX || op == TokenType.NEQ_REGEX) {
                Token re = in.regex();
                if (re == null) {
                    throw in.expected(in.peek(), "regex");
                }
                rhs = new Expr.RegexLit(re.text());
            } else {
                rhs = binary(op.precedence() + 1);
            }
            lhs = new Expr.Binary(op, lhs, rhs);
        }
    }

    private static TokenType operator(Token t) {
        if (t.isKeyword("AND")) {
            return TokenType.AND;
        }
        if (t.isKeyword("OR")) {
            return TokenType.OR;
        }
        return t.type().precedence() > 0 ? t.type() : null;
    }

    private Expr unary() {
        Token t = in.next();
        switch (t.type()) {
            case LPAREN -> {
                Expr inner = parse();
                in.expect(TokenType.RPAREN);
                return new Expr.Paren(inner);
            }
            case IDENT -> {
                if (in.accept(TokenType.LPAREN)) {
                    return call(t);
                }
                in.unread();
                return varRef();
            }
            case STRING -> {
                return new Expr.StringLit(t.text());
            }
            case NUMBER -> {
                return new Expr.NumberLit(Double.parseDouble(t.text()));
            }
            case INTEGER -> {
                try {
                    return new Expr.IntegerLit(Long.parseLong(t.text()));
                } catch (NumberFormatException e) {
                    throw in.error("unable to parse integer " + t.text(), t);
                }
            }
            case DURATION -> {
                return new Expr.DurationLit(duration(t));
            }
            case MUL -> {
                return new Expr.Wildcard(in.accept(TokenType.DOUBLE_COLON) ? wildcardCast() : Expr.Cast.NONE);
            }
            case DIV -> {
                in.unread();
                return new Expr.RegexLit(in.regex().text());
            }
            case ADD, SUB -> {
                return signed(t.type() == TokenType.SUB);
            }
            case KEYWORD -> {
                if (t.isKeyword("TRUE") || t.isKeyword("FALSE")) {
                    return new Expr.BoolLit(t.isKeyword("TRUE"));
                }
                if (t.isKeyword("DISTINCT")) {
                    in.accept(TokenType.LPAREN);
                    Expr arg = parse();
                    in.accept(TokenType.RPAREN);
                    return new Expr.Call("distinct", List.of(arg), t.offset());
                }
                throw in.expected(t, "identifier, string, number, bool");
            }
            case BOUND_PARAM ->
                throw in.error(
                        "found " + t.text() + ", expected identifier, string, number, bool"
                                + " (bound parameters are not supported; was a dashboard variable left unreplaced?)",
                        t);
            default -> throw in.expected(t, "identifier, string, number, bool");
        }
    }

    /** The duration of a duration token; an error at the token when it is not one. */
    long duration(Token t) {
        try {
            return Durations.parseNanos(t.text());
        } catch (IllegalArgumentException e) {
            throw in.error(e.getMessage() + ", expected a duration such as 10s, 5m, 1h, 1733400000000ms", t);
        }
    }

    private Expr signed(boolean negative) {
        Token next = in.peek();
        switch (next.type()) {
            case NUMBER, INTEGER, DURATION, LPAREN, IDENT -> {
                Expr e = unary();
                if (!negative) {
                    return e;
                }
                if (e instanceof Expr.NumberLit n) {
                    return new Expr.NumberLit(-n.value());
                }
                if (e instanceof Expr.IntegerLit i) {
                    return new Expr.IntegerLit(-i.value());
                }
                if (e instanceof Expr.DurationLit d) {
                    return new Expr.DurationLit(-d.nanos());
                }
                return new Expr.Binary(TokenType.MUL, new Expr.IntegerLit(-1), e);
            }
            default -> throw in.expected(next, "identifier, number, duration, (");
        }
    }

    private Expr.Call call(Token name) {
        String fn = name.text().toLowerCase(Locale.ROOT);
        if (!Functions.known(fn)) {
            throw in.error("undefined function " + fn + "(), expected one of " + Functions.supportedList(), name);
        }
        List<Expr> args = new ArrayList<>();
        if (!in.accept(TokenType.RPAREN)) {
            do {
                args.add(parse());
            } while (in.accept(TokenType.COMMA));
            in.expect(TokenType.RPAREN);
        }
        return new Expr.Call(fn, args, name.offset());
    }

    private Expr varRef() {
        StringBuilder name = new StringBuilder(in.ident());
        while (in.peek().type() == TokenType.DOT && in.peekSecond().type() == TokenType.IDENT) {
            in.next();
            name.append('.').append(in.ident());
        }
        Expr.Cast cast = Expr.Cast.NONE;
        if (in.accept(TokenType.DOUBLE_COLON)) {
            Token t = in.next();
            if (t.isKeyword("TAG")) {
                cast = Expr.Cast.TAG;
            } else if (t.isKeyword("FIELD")
                    || (t.type() == TokenType.IDENT
                            && FIELD_TYPES.contains(t.text().toLowerCase(Locale.ROOT)))) {
                cast = Expr.Cast.FIELD;
            } else {
                throw in.expected(t, "float, integer, string, boolean, field, tag");
            }
        }
        return new Expr.VarRef(name.toString(), cast);
    }

    private Expr.Cast wildcardCast() {
        Token t = in.next();
        if (t.isKeyword("FIELD")) {
            return Expr.Cast.FIELD;
        }
        if (t.isKeyword("TAG")) {
            return Expr.Cast.TAG;
        }
        throw in.expected(t, "field, tag");
    }
}
