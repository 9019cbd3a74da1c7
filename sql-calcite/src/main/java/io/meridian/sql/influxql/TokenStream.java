package io.meridian.sql.influxql;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The parser's view of the tokens: look ahead, step back, and rescan a {@code /} as a regex where the grammar
 * expects one. Errors name what was found, what was expected and where.
 */
final class TokenStream {
    private final Lexer lexer;
    private final List<Token> tokens = new ArrayList<>();
    private int index;

    TokenStream(String text) {
        this.lexer = new Lexer(text);
    }

    /** The next token, not consumed. */
    Token peek() {
        while (index >= tokens.size()) {
            tokens.add(lexer.next());
        }
        return tokens.get(index);
    }

    /** The token after the next one, not consumed. */
    Token peekSecond() {
        peek();
        while (index + 1 >= tokens.size()) {
            tokens.add(lexer.next());
        }
        return tokens.get(index + 1);
    }

    Token next() {
        Token t = peek();
        index++;
        return t;
    }

    /** Steps back over the token {@link #next} returned last. */
    void unread() {
        index--;
    }

    /** Consumes the next token when it is of {@code type}. */
    boolean accept(TokenType type) {
        if (peek().type() == type) {
            index++;
            return true;
        }
        return false;
    }

    /** Consumes the next token when it is keyword {@code word}. */
    boolean acceptKeyword(String word) {
        if (peek().isKeyword(word)) {
            index++;
            return true;
        }
        return false;
    }

    Token expect(TokenType type) {
        Token t = next();
        if (t.type() != type) {
            throw expected(t, type.display());
        }
        return t;
    }

    void expectKeyword(String word) {
        Token t = next();
        if (!t.isKeyword(word)) {
            throw expected(t, word);
        }
    }

    /** An identifier's name (bare or quoted). */
    String ident() {
        return expect(TokenType.IDENT).text();
    }

    /**
     * A {@code /regex/} at the next token, or null when the next token does not start one. A token after it that
     * was already looked at is scanned again.
     */
    Token regex() {
        Token t = peek();
        if (t.type() != TokenType.DIV) {
            return null;
        }
        while (tokens.size() > index) {
            tokens.remove(tokens.size() - 1);
        }
        Token r = lexer.regexAt(t.offset());
        if (r.type() == TokenType.BAD_REGEX) {
            throw error("unterminated regex /" + r.text(), r);
        }
        try {
            Pattern.compile(
                    SqlText.javaRegex(r.text())); // as InfluxDB, a regex that does not compile is a syntax error
        } catch (PatternSyntaxException e) {
            throw error("invalid regex /" + r.text() + "/: " + e.getDescription(), r);
        }
        tokens.add(r);
        index++;
        return r;
    }

    /** {@code found X, expected Y} at {@code found}. */
    InfluxQlParseException expected(Token found, String expected) {
        String what = switch (found.type()) {
            case BAD_STRING -> throw error(unterminated(found), found);
            case BAD_ESCAPE -> throw error("bad escape " + found.text(), found);
            default -> found.found();
        };
        return error("found " + what + ", expected " + expected, found);
    }

    /** An error with {@code reason} at token {@code at}. */
    InfluxQlParseException error(String reason, Token at) {
        return new InfluxQlParseException(reason, at.line(), at.column());
    }

    /** An error with {@code reason} at text offset {@code offset}. */
    InfluxQlParseException errorAt(String reason, int offset) {
        Token t = lexer.token(TokenType.ILLEGAL, "", offset);
        return error(reason, t);
    }

    private static String unterminated(Token t) {
        return (t.text().startsWith("\"") ? "unterminated quoted identifier " : "unterminated string ") + t.text();
    }
}
