package io.meridian.sql.influxql;

import io.meridian.sql.SqlTimestamps;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Map;

/**
 * Pieces of Meridian SQL text: every identifier quoted (so keywords and case never break a statement), string
 * literals with doubled quotes, {@code TIMESTAMP} literals in UTC, {@code INTERVAL} literals in the largest whole
 * unit, and InfluxQL (Go RE2) regex syntax in its Java spelling.
 */
final class SqlText {
    private static final DateTimeFormatter SECONDS =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneOffset.UTC);
    private static final long[] UNIT_MS = {86_400_000L, 3_600_000L, 60_000L, 1_000L};
    private static final String[] UNIT_NAMES = {"DAY", "HOUR", "MINUTE", "SECOND"};
    /** Calcite's default leading precision of an interval field: two digits. */
    private static final int DEFAULT_INTERVAL_DIGITS = 2;

    private SqlText() {}

    /** {@code "name"}, with embedded double quotes doubled. */
    static String ident(String name) {
        return '"' + name.replace("\"", "\"\"") + '"';
    }

    /** {@code 'value'}, with embedded single quotes doubled. */
    static String string(String value) {
        return '\'' + value.replace("'", "''") + '\'';
    }

    /** {@code TIMESTAMP '2024-12-05 12:00:00'} (milliseconds only when not zero). */
    static String timestamp(long epochMs) {
        if (epochMs < SqlTimestamps.MIN_MS || epochMs > SqlTimestamps.MAX_MS) {
            String s = SECONDS.format(Instant.ofEpochMilli(epochMs));
            long ms = Math.floorMod(epochMs, 1000L);
            return "TIMESTAMP '" + s + (ms == 0 ? "" : String.format(".%03d", ms)) + "'";
        }
        return "TIMESTAMP '" + SqlTimestamps.format(epochMs) + "'";
    }

    /**
     * {@code INTERVAL '10' SECOND}, {@code INTERVAL '1' HOUR}, {@code INTERVAL '150' SECOND(3)}: the largest unit
     * that divides {@code ms}, with a leading precision when the count has more than two digits.
     */
    static String interval(long ms) {
        for (int i = 0; i < UNIT_MS.length; i++) {
            if (ms % UNIT_MS[i] == 0) {
                return interval(Long.toString(ms / UNIT_MS[i]), UNIT_NAMES[i]);
            }
        }
        return interval(BigDecimal.valueOf(ms, 3).toPlainString(), "SECOND");
    }

    private static String interval(String count, String unit) {
        int digits = count.indexOf('.') < 0 ? count.length() : count.indexOf('.');
        return "INTERVAL '" + count + "' " + unit + (digits > DEFAULT_INTERVAL_DIGITS ? "(" + digits + ")" : "");
    }

    /** A number literal without exponent. */
    static String number(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return Long.toString((long) v);
        }
        return BigDecimal.valueOf(v).toPlainString();
    }

    /** Go RE2's POSIX classes ({@code [[:alpha:]]}) and their Java spelling ({@code [\p{Alpha}]}). */
    private static final Map<String, String> POSIX_CLASSES = Map.ofEntries(
            Map.entry("[:alnum:]", "\\p{Alnum}"),
            Map.entry("[:alpha:]", "\\p{Alpha}"),
            Map.entry("[:ascii:]", "\\p{ASCII}"),
            Map.entry("[:blank:]", "\\p{Blank}"),
            Map.entry("[:cntrl:]", "\\p{Cntrl}"),
            Map.entry("[:digit:]", "\\p{Digit}"),
            Map.entry("[:graph:]", "\\p{Graph}"),
            Map.entry("[:lower:]", "\\p{Lower}"),
            Map.entry("[:print:]", "\\p{Print}"),
            Map.entry("[:punct:]", "\\p{Punct}"),
            Map.entry("[:space:]", "\\s"),
            Map.entry("[:upper:]", "\\p{Upper}"),
            Map.entry("[:word:]", "\\w"),
            Map.entry("[:xdigit:]", "\\p{XDigit}"));

    /**
     * A Go RE2 pattern in Java's syntax: named groups {@code (?P<name>...)} become {@code (?<name>...)}, POSIX
     * classes {@code [:alpha:]} become {@code \p{Alpha}}. The rest of RE2 that InfluxQL users write (classes,
     * anchors, {@code (?i)}, alternation, repetition) means the same in both.
     */
    static String javaRegex(String re2) {
        String out = re2.replace("(?P<", "(?<");
        if (out.contains("[:")) {
            for (Map.Entry<String, String> e : POSIX_CLASSES.entrySet()) {
                out = out.replace(e.getKey(), e.getValue());
            }
        }
        return out;
    }
}
