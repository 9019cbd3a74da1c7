package io.meridian.sql;

import java.time.LocalDate;

/**
 * The text of a SQL {@code TIMESTAMP} literal in UTC, {@code yyyy-MM-dd HH:mm:ss[.SSS]}, written and read without a
 * formatter: a dashboard's statement carries two of them on every refresh (InfluxQL writes them, the statement cache
 * reads them back), and java.time's and Calcite's parsers cost more than the rest of that request's text work.
 */
public final class SqlTimestamps {
    /** 0001-01-01 00:00:00 UTC: the first instant {@link #format} writes (year 0 would be 0001 BC to java.time). */
    public static final long MIN_MS = -62_135_596_800_000L;
    /** 9999-12-31 23:59:59.999 UTC: the last. */
    public static final long MAX_MS = 253_402_300_799_999L;

    private SqlTimestamps() {}

    /** {@code 2024-12-05 12:00:00}, and {@code .SSS} when the milliseconds are not zero; years 1..9999. */
    public static String format(long epochMs) {
        long days = Math.floorDiv(epochMs, 86_400_000L);
        long msOfDay = Math.floorMod(epochMs, 86_400_000L);
        LocalDate date = LocalDate.ofEpochDay(days);
        StringBuilder sb = new StringBuilder(23);
        pad(sb, date.getYear(), 4).append('-');
        pad(sb, date.getMonthValue(), 2).append('-');
        pad(sb, date.getDayOfMonth(), 2).append(' ');
        pad(sb, (int) (msOfDay / 3_600_000), 2).append(':');
        pad(sb, (int) (msOfDay / 60_000 % 60), 2).append(':');
        pad(sb, (int) (msOfDay / 1000 % 60), 2);
        int ms = (int) (msOfDay % 1000);
        if (ms != 0) {
            pad(sb.append('.'), ms, 3);
        }
        return sb.toString();
    }

    /**
     * The ms since the epoch of {@code yyyy-MM-dd HH:mm:ss} (years 1..9999) with up to three fraction digits, read
     * as UTC; {@link Long#MIN_VALUE} for any other text (the caller then reads it the slow way, or reports it).
     */
    public static long parse(String s) {
        return millis(s, s.length(), ' ', 3);
    }

    /**
     * The ms since the epoch of {@code yyyy-MM-ddTHH:mm:ss[.fraction]Z}, the form {@link java.time.Instant#toString()}
     * gives years 1..9999 in (up to nine fraction digits; the ms are its first three); {@link Long#MIN_VALUE} for any
     * other text.
     */
    public static long parseIso(String s) {
        int n = s.length();
        return n > 0 && s.charAt(n - 1) == 'Z' ? millis(s, n - 1, 'T', 9) : Long.MIN_VALUE;
    }

    /** {@code s[0, end)} as a date, {@code separator}, a time and up to {@code maxFraction} fraction digits, UTC. */
    private static long millis(String s, int end, char separator, int maxFraction) {
        if (end < 19
                || end == 20
                || end > 20 + maxFraction
                || s.charAt(4) != '-'
                || s.charAt(7) != '-'
                || s.charAt(10) != separator
                || s.charAt(13) != ':'
                || s.charAt(16) != ':'
                || (end > 19 && s.charAt(19) != '.')) {
            return Long.MIN_VALUE;
        }
        int year = digits(s, 0, 4);
        int month = digits(s, 5, 2);
        int day = digits(s, 8, 2);
        int hour = digits(s, 11, 2);
        int minute = digits(s, 14, 2);
        int second = digits(s, 17, 2);
        int millis = 0;
        for (int i = 20, scale = 100; i < end; i++, scale /= 10) {
            int d = s.charAt(i) - '0';
            if (d < 0 || d > 9) {
                return Long.MIN_VALUE;
            }
            millis += d * scale; // 0 past the third digit
        }
        if ((year | month | day | hour | minute | second) < 0
                || year < 1
                || month < 1
                || month > 12
                || day < 1
                || day > 31
                || hour > 23
                || minute > 59
                || second > 59) {
            return Long.MIN_VALUE;
        }
        long days;
        try {
            days = LocalDate.of(year, month, day).toEpochDay();
        } catch (java.time.DateTimeException e) {
            return Long.MIN_VALUE; // February 30th and the like
        }
        return ((days * 24 + hour) * 60 + minute) * 60_000L + second * 1000L + millis;
    }

    private static StringBuilder pad(StringBuilder sb, int v, int width) {
        String s = Integer.toString(v);
        for (int i = s.length(); i < width; i++) {
            sb.append('0');
        }
        return sb.append(s);
    }

    /** The decimal number of {@code s[from, from + count)}; -1 when a character is not a digit. */
    private static int digits(String s, int from, int count) {
        int v = 0;
        for (int i = from; i < from + count; i++) {
            int d = s.charAt(i) - '0';
            if (d < 0 || d > 9) {
                return -1;
            }
            v = v * 10 + d;
        }
        return v;
    }
}
