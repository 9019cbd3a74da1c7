package io.meridian.sql;

import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import org.apache.calcite.sql.SqlLiteral;
import org.apache.calcite.sql.SqlTimestampLiteral;
import org.apache.calcite.sql.SqlUnknownLiteral;
import org.apache.calcite.sql.parser.SqlParserPos;
import org.apache.calcite.sql.type.SqlTypeName;

/**
 * A statement's text with its candidate literals taken out, found by a lexical scan instead of a parse: the
 * {@link #fingerprint} (the text with each candidate replaced by a marker) and the candidates' values in text order.
 *
 * <p>Two texts with the same fingerprint differ only in those literals, so they parse to the same tree with different
 * values in the same places: when {@link LiteralParameters} lifted every candidate of one of them, its normalized
 * text serves the other, whose values are then read off its own literals ({@link #values}). A dashboard that sends
 * one statement with a new time range each refresh is then normalized without parsing it.
 *
 * <p>A candidate is a plain string literal ({@code 'host_7'}) or a {@code TIMESTAMP '...'} literal. The literals of
 * {@code INTERVAL}, {@code DATE} and {@code TIME} stay in the fingerprint as written. A text with a comment, a
 * prefixed literal ({@code N'..'}, {@code X'..'}, {@code _utf8'..'}, {@code U&'..'}), two adjacent literals (which SQL
 * concatenates) or an unterminated quote has no shape: it is normalized by a parse, as before.
 */
final class LiteralShape {
    /** Stands for a candidate literal in the fingerprint; a text that contains it has no shape. */
    private static final char MARKER = '\u0001';

    private static final Set<String> KEPT_KEYWORDS = Set.of("INTERVAL", "DATE", "TIME");

    /** One candidate literal: its value (quotes removed, doubled quotes undone) and whether it is a TIMESTAMP. */
    record Literal(String text, boolean timestamp) {}

    private final String fingerprint;
    private final List<Literal> literals;

    private LiteralShape(String fingerprint, List<Literal> literals) {
        this.fingerprint = fingerprint;
        this.literals = List.copyOf(literals);
    }

    /** The shape of {@code sql}, or null when it has none (see the class comment). */
    static LiteralShape of(String sql) {
        if (sql.indexOf(MARKER) >= 0) {
            return null;
        }
        StringBuilder fp = new StringBuilder(sql.length());
        List<Literal> literals = new ArrayList<>();
        int n = sql.length();
        int i = 0;
        while (i < n) {
            char c = sql.charAt(i);
            if ((c == '-' || c == '/') && i + 1 < n && sql.charAt(i + 1) == (c == '-' ? '-' : '*')) {
                return null; // a comment
            }
            if (c == '"' || c == '`') { // a quoted identifier: kept as written
                int end = closing(sql, i, c);
                if (end < 0) {
                    return null;
                }
                fp.append(sql, i, end + 1);
                i = end + 1;
                continue;
            }
            if (c != '\'') {
                fp.append(c);
                i++;
                continue;
            }
            if (i > 0 && isPrefix(sql.charAt(i - 1))) {
                return null; // N'..', X'..', _utf8'..', U&'..'
            }
            int end = closing(sql, i, '\'');
            if (end < 0) {
                return null;
            }
            int next = end + 1;
            while (next < n && Character.isWhitespace(sql.charAt(next))) {
                next++;
            }
            if (next < n && sql.charAt(next) == '\'') {
                return null; // 'a' 'b' is one literal
            }
            String keyword = wordBefore(sql, i);
            if (KEPT_KEYWORDS.contains(keyword)) {
                fp.append(sql, i, end + 1);
            } else {
                fp.append(MARKER);
                literals.add(new Literal(sql.substring(i + 1, end).replace("''", "'"), keyword.equals("TIMESTAMP")));
            }
            i = end + 1;
        }
        return new LiteralShape(fp.toString(), literals);
    }

    String fingerprint() {
        return fingerprint;
    }

    /**
     * The candidates' values as {@link LiteralParameters} lifts them (a {@link Timestamp} for a TIMESTAMP literal,
     * else the string), or null when a TIMESTAMP literal does not read as one (the parse then says why).
     */
    List<Object> values() {
        List<Object> values = new ArrayList<>(literals.size());
        for (Literal l : literals) {
            if (!l.timestamp()) {
                values.add(l.text());
                continue;
            }
            long ms = SqlTimestamps.parse(l.text());
            if (ms != Long.MIN_VALUE) {
                values.add(new Timestamp(ms)); // what the parse below reads, without Calcite's calendar arithmetic
                continue;
            }
            try {
                SqlLiteral ts = ((SqlUnknownLiteral) SqlLiteral.createUnknown("TIMESTAMP", l.text(), SqlParserPos.ZERO))
                        .resolve(SqlTypeName.TIMESTAMP);
                if (!(ts instanceof SqlTimestampLiteral t)) {
                    return null;
                }
                values.add(LiteralParameters.timestamp(t));
            } catch (RuntimeException e) {
                return null;
            }
        }
        return values;
    }

    /**
     * Whether {@code lifted} (what the parse lifted from this text, in the order of its parameters) is exactly every
     * candidate, in text order. The candidates' values must differ from each other: then equal lists prove that
     * parameter {@code i} is candidate {@code i} (the parse lifts a scalar subquery's literals after the outer WHERE's).
     */
    boolean liftedByParse(List<Object> lifted) {
        List<Object> values = values();
        return values != null
                && lifted.size() == values.size()
                && new HashSet<>(values).size() == values.size()
                && Objects.equals(values, lifted);
    }

    /** The index of the quote closing the one at {@code open}, past doubled quotes; -1 when there is none. */
    private static int closing(String sql, int open, char quote) {
        int end = sql.indexOf(quote, open + 1);
        while (end >= 0 && end + 1 < sql.length() && sql.charAt(end + 1) == quote) {
            end = sql.indexOf(quote, end + 2);
        }
        return end;
    }

    private static boolean isPrefix(char c) {
        return Character.isLetterOrDigit(c) || c == '_' || c == '&' || c == '$';
    }

    /** The word right before position {@code at} (spaces skipped), upper case; empty when there is none. */
    private static String wordBefore(String sql, int at) {
        int end = at;
        while (end > 0 && Character.isWhitespace(sql.charAt(end - 1))) {
            end--;
        }
        int start = end;
        while (start > 0 && (Character.isLetterOrDigit(sql.charAt(start - 1)) || sql.charAt(start - 1) == '_')) {
            start--;
        }
        return sql.substring(start, end).toUpperCase(Locale.ROOT);
    }
}
