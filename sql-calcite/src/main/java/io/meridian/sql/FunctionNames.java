package io.meridian.sql;

import java.util.Locale;
import java.util.Set;

/**
 * Lets {@code FIRST(x)} and {@code LAST(x)} name Meridian's aggregates. Calcite's parser reads FIRST and LAST as
 * MATCH_RECOGNIZE navigation functions; a quoted name ({@code "LAST"(x)}) resolves to the schema's function
 * instead. So every statement has those calls quoted before Calcite sees it (outside string literals, quoted
 * identifiers and comments). The cost: FIRST and LAST cannot be used inside MATCH_RECOGNIZE.
 *
 * <p>{@code now()} becomes {@code CURRENT_TIMESTAMP}, which it means: Calcite folds a user-defined function without
 * arguments into a constant at planning (it has no way to declare one non-deterministic), and a cached plan would
 * then keep the time it was planned at; CURRENT_TIMESTAMP stays a call, pushed as a bound resolved at each run.
 */
final class FunctionNames {
    private static final Set<String> QUOTED = Set.of("FIRST", "LAST");

    private FunctionNames() {}

    /** {@code sql} with FIRST( and LAST( calls quoted and {@code now()} as CURRENT_TIMESTAMP. */
    static String rewrite(String sql) {
        if (sql == null) {
            return null;
        }
        StringBuilder out = new StringBuilder(sql.length() + 8);
        int i = 0;
        int n = sql.length();
        while (i < n) {
            char c = sql.charAt(i);
            if (c == '\'' || c == '"' || c == '`') { // literal or quoted identifier: copy through its end
                int end = sql.indexOf(c, i + 1);
                while (end >= 0 && end + 1 < n && sql.charAt(end + 1) == c) {
                    end = sql.indexOf(c, end + 2); // doubled quote inside
                }
                end = end < 0 ? n - 1 : end;
                out.append(sql, i, end + 1);
                i = end + 1;
            } else if (c == '-' && i + 1 < n && sql.charAt(i + 1) == '-') {
                int end = sql.indexOf('\n', i);
                end = end < 0 ? n : end;
                out.append(sql, i, end);
                i = end;
            } else if (c == '/' && i + 1 < n && sql.charAt(i + 1) == '*') {
                int end = sql.indexOf("*/", i + 2);
                end = end < 0 ? n : end + 2;
                out.append(sql, i, end);
                i = end;
            } else if (Character.isLetter(c) || c == '_') {
                int end = i;
                while (end < n && (Character.isLetterOrDigit(sql.charAt(end)) || sql.charAt(end) == '_')) {
                    end++;
                }
                String word = sql.substring(i, end);
                int next = end;
                while (next < n && Character.isWhitespace(sql.charAt(next))) {
                    next++;
                }
                boolean call = next < n && sql.charAt(next) == '(';
                boolean qualified = i > 0 && sql.charAt(i - 1) == '.';
                int close = call ? skipSpaces(sql, next + 1) : -1;
                if (call && !qualified && QUOTED.contains(word.toUpperCase(Locale.ROOT))) {
                    out.append('"').append(word.toUpperCase(Locale.ROOT)).append('"');
                } else if (call
                        && !qualified
                        && word.equalsIgnoreCase("now")
                        && close < n
                        && sql.charAt(close) == ')') {
                    out.append("CURRENT_TIMESTAMP");
                    end = close + 1;
                } else {
                    out.append(word);
                }
                i = end;
            } else {
                out.append(c);
                i++;
            }
        }
        return out.toString();
    }

    private static int skipSpaces(String sql, int from) {
        int i = from;
        while (i < sql.length() && Character.isWhitespace(sql.charAt(i))) {
            i++;
        }
        return i;
    }
}
