package io.meridian.sql.influxql;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Splits InfluxQL text into {@link Token}s, as influxql's {@code scanner.go} does: bare identifiers (letters, digits,
 * {@code _}) and their reserved words, {@code "quoted"} identifiers, {@code 'strings'} (escapes {@code \\ \' \" \n}),
 * integers, decimals, durations ({@code 10s}, {@code 1733400000000ms}: digits then unit letters), operators,
 * {@code --} and {@code /* *}{@code /} comments (skipped). A {@code /regex/} cannot be told from a division by
 * its characters, so the parser asks for one where the grammar expects it ({@link #regexAt}).
 *
 * <p>Not thread-safe: one lexer per text, driven by one {@link TokenStream}.
 */
final class Lexer {
    /** InfluxQL's reserved words ({@code token.go}); a bare identifier spelled like one is that keyword. */
    static final Set<String> KEYWORDS = Set.of(
            "ALL",
            "ALTER",
            "ANALYZE",
            "ANY",
            "AS",
            "ASC",
            "BEGIN",
            "BY",
            "CARDINALITY",
            "CREATE",
            "CONTINUOUS",
            "DATABASE",
            "DATABASES",
            "DEFAULT",
            "DELETE",
            "DESC",
            "DESTINATIONS",
            "DIAGNOSTICS",
            "DISTINCT",
            "DROP",
            "DURATION",
            "END",
            "EVERY",
            "EXACT",
            "EXPLAIN",
            "FIELD",
            "FOR",
            "FROM",
            "FUTURE",
            "GRANT",
            "GRANTS",
            "GROUP",
            "GROUPS",
            "IN",
            "INF",
            "INSERT",
            "INTO",
            "KEY",
            "KEYS",
            "KILL",
            "LIMIT",
            "MEASUREMENT",
            "MEASUREMENTS",
            "NAME",
            "OFFSET",
            "ON",
            "ORDER",
            "PASSWORD",
            "PAST",
            "POLICY",
            "POLICIES",
            "PRIVILEGES",
            "QUERIES",
            "QUERY",
            "READ",
            "REPLICATION",
            "RESAMPLE",
            "RETENTION",
            "REVOKE",
            "SELECT",
            "SERIES",
            "SET",
            "SHOW",
            "SHARD",
            "SHARDS",
            "SLIMIT",
            "SOFFSET",
            "STATS",
            "SUBSCRIPTION",
            "SUBSCRIPTIONS",
            "TAG",
            "TO",
            "USER",
            "USERS",
            "VALUES",
            "VERBOSE",
            "WHERE",
            "WITH",
            "WRITE",
            "AND",
            "OR",
            "TRUE",
            "FALSE");

    private final String text;
    private final List<Integer> lineStarts = new ArrayList<>();
    private int pos;

    Lexer(String text) {
        this.text = text;
        lineStarts.add(0);
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) == '\n') {
                lineStarts.add(i + 1);
            }
        }
    }

    /** The next token after whitespace and comments; {@link TokenType#EOF} at the end. */
    Token next() {
        skipSpaceAndComments();
        int start = pos;
        if (pos >= text.length()) {
            return token(TokenType.EOF, "", start);
        }
        char c = text.charAt(pos);
        if (isLetter(c) || c == '_') {
            return word(start);
        }
        if (isDigit(c) || (c == '.' && pos + 1 < text.length() && isDigit(text.charAt(pos + 1)))) {
            return number(start);
        }
        if (c == '"') {
            return quoted(start, TokenType.IDENT);
        }
        if (c == '\'') {
            return quoted(start, TokenType.STRING);
        }
        if (c == '$') {
            pos++;
            while (pos < text.length() && isIdentChar(text.charAt(pos))) {
                pos++;
            }
            return token(TokenType.BOUND_PARAM, text.substring(start, pos), start);
        }
        return operator(start, c);
    }

    /**
     * Scans a {@code /regex/} starting at {@code offset} (which holds the opening slash) and continues after it.
     * {@code \/} stands for a slash; every other backslash is kept for the regex engine. A regex ends on its line.
     */
    Token regexAt(int offset) {
        pos = offset + 1;
        StringBuilder sb = new StringBuilder();
        while (pos < text.length()) {
            char c = text.charAt(pos++);
            if (c == '/') {
                return token(TokenType.REGEX, sb.toString(), offset);
            }
            if (c == '\n') {
                break;
            }
            if (c == '\\' && pos < text.length()) {
                char e = text.charAt(pos++);
                if (e != '/') {
                    sb.append('\\');
                }
                sb.append(e);
            } else {
                sb.append(c);
            }
        }
        return token(TokenType.BAD_REGEX, sb.toString(), offset);
    }

    /** Continues scanning from {@code offset} (a token start handed out before). */
    void reset(int offset) {
        pos = offset;
    }

    /** A token of {@code type} starting at {@code offset}, with its line and column. */
    Token token(TokenType type, String value, int offset) {
        int line = 0;
        while (line + 1 < lineStarts.size() && lineStarts.get(line + 1) <= offset) {
            line++;
        }
        return new Token(type, value, offset, line + 1, offset - lineStarts.get(line) + 1);
    }

    private Token word(int start) {
        while (pos < text.length() && isIdentChar(text.charAt(pos))) {
            pos++;
        }
        String word = text.substring(start, pos);
        String upper = word.toUpperCase(Locale.ROOT);
        return KEYWORDS.contains(upper) ? token(TokenType.KEYWORD, upper, start) : token(TokenType.IDENT, word, start);
    }

    private Token number(int start) {
        while (pos < text.length() && isDigit(text.charAt(pos))) {
            pos++;
        }
        if (pos < text.length() && text.charAt(pos) == '.') {
            pos++;
            while (pos < text.length() && isDigit(text.charAt(pos))) {
                pos++;
            }
            return token(TokenType.NUMBER, text.substring(start, pos), start);
        }
        if (pos < text.length() && (isLetter(text.charAt(pos)) || text.charAt(pos) == 'µ')) {
            while (pos < text.length() && (isIdentChar(text.charAt(pos)) || text.charAt(pos) == 'µ')) {
                pos++;
            }
            return token(TokenType.DURATION, text.substring(start, pos), start);
        }
        return token(TokenType.INTEGER, text.substring(start, pos), start);
    }

    /** A quoted identifier or string: escapes {@code \\ \' \" \n}; any other escape or a line end is an error. */
    private Token quoted(int start, TokenType type) {
        char quote = text.charAt(pos++);
        StringBuilder sb = new StringBuilder();
        while (pos < text.length()) {
            char c = text.charAt(pos++);
            if (c == quote) {
                return token(type, sb.toString(), start);
            }
            if (c == '\n') {
                break;
            }
            if (c == '\\') {
                char e = pos < text.length() ? text.charAt(pos++) : '\0';
                switch (e) {
                    case 'n' -> sb.append('\n');
                    case '\\', '\'', '"' -> sb.append(e);
                    default -> {
                        return token(TokenType.BAD_ESCAPE, "\\" + e, pos - 2);
                    }
                }
            } else {
                sb.append(c);
            }
        }
        return token(TokenType.BAD_STRING, text.substring(start, pos).stripTrailing(), start);
    }

    private Token operator(int start, char c) {
        pos++;
        char n = pos < text.length() ? text.charAt(pos) : '\0';
        TokenType two = switch (c) {
            case '=' -> n == '~' ? TokenType.EQ_REGEX : null;
            case '!' -> n == '=' ? TokenType.NEQ : n == '~' ? TokenType.NEQ_REGEX : null;
            case '<' -> n == '=' ? TokenType.LTE : n == '>' ? TokenType.NEQ : null;
            case '>' -> n == '=' ? TokenType.GTE : null;
            case ':' -> n == ':' ? TokenType.DOUBLE_COLON : null;
            default -> null;
        };
        if (two != null) {
            pos++;
            return token(two, "", start);
        }
        TokenType one = switch (c) {
            case '=' -> TokenType.EQ;
            case '<' -> TokenType.LT;
            case '>' -> TokenType.GT;
            case '+' -> TokenType.ADD;
            case '-' -> TokenType.SUB;
            case '*' -> TokenType.MUL;
            case '/' -> TokenType.DIV;
            case '%' -> TokenType.MOD;
            case '&' -> TokenType.BIT_AND;
            case '|' -> TokenType.BIT_OR;
            case '^' -> TokenType.BIT_XOR;
            case '(' -> TokenType.LPAREN;
            case ')' -> TokenType.RPAREN;
            case ',' -> TokenType.COMMA;
            case ';' -> TokenType.SEMICOLON;
            case '.' -> TokenType.DOT;
            case ':' -> TokenType.COLON;
            default -> TokenType.ILLEGAL;
        };
        return token(one, one == TokenType.ILLEGAL ? String.valueOf(c) : "", start);
    }

    private void skipSpaceAndComments() {
        while (pos < text.length()) {
            char c = text.charAt(pos);
            if (Character.isWhitespace(c)) {
                pos++;
            } else if (c == '-' && text.startsWith("--", pos)) {
                int nl = text.indexOf('\n', pos);
                pos = nl < 0 ? text.length() : nl + 1;
            } else if (c == '/' && text.startsWith("/*", pos)) {
                int end = text.indexOf("*/", pos + 2);
                if (end < 0) {
                    return; // left for the parser to report: an unterminated comment reads as a division
                }
                pos = end + 2;
            } else {
                return;
            }
        }
    }

    private static boolean isLetter(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static boolean isIdentChar(char c) {
        return isLetter(c) || isDigit(c) || c == '_';
    }
}
