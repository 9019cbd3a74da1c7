package io.meridian.sql.influxql;

/**
 * InfluxQL duration literals ({@code ParseDuration} of influxql's {@code parser.go}): one or more
 * {@code <digits><unit>} segments, units {@code ns}, {@code u}/{@code µ}, {@code ms}, {@code s}, {@code m},
 * {@code h}, {@code d}, {@code w}; and Go's {@code time.Duration.String} form that InfluxDB prints
 * ({@code 720h0m0s}).
 */
final class Durations {
    static final long NANOS_PER_MS = 1_000_000L;
    private static final long SECOND_NS = 1_000_000_000L;
    private static final long MINUTE_NS = 60 * SECOND_NS;
    private static final long HOUR_NS = 60 * MINUTE_NS;

    private Durations() {}

    /**
     * The nanoseconds of {@code text}, e.g. {@code 10s}, {@code 1h30m}, {@code 1733400000000ms}.
     *
     * @throws IllegalArgumentException naming the text when it is not a duration or overflows
     */
    static long parseNanos(String text) {
        if (text.length() < 2) {
            throw new IllegalArgumentException("invalid duration " + text);
        }
        long total = 0;
        int i = 0;
        while (i < text.length()) {
            int start = i;
            while (i < text.length() && Character.isDigit(text.charAt(i))) {
                i++;
            }
            if (i == start || i >= text.length()) {
                throw new IllegalArgumentException("invalid duration " + text);
            }
            long n = Long.parseLong(text.substring(start, i));
            long unit;
            char u = text.charAt(i);
            boolean twoLetters = i + 1 < text.length() && text.charAt(i + 1) == 's';
            if (u == 'n' && twoLetters) {
                unit = 1;
                i++;
            } else if (u == 'm' && twoLetters) {
                unit = NANOS_PER_MS;
                i++;
            } else {
                unit = switch (u) {
                    case 'u', 'µ' -> 1_000L;
                    case 's' -> SECOND_NS;
                    case 'm' -> MINUTE_NS;
                    case 'h' -> HOUR_NS;
                    case 'd' -> 24 * HOUR_NS;
                    case 'w' -> 7 * 24 * HOUR_NS;
                    default -> throw new IllegalArgumentException("invalid duration " + text);
                };
            }
            i++;
            try {
                total = Math.addExact(total, Math.multiplyExact(n, unit));
            } catch (ArithmeticException e) {
                throw new IllegalArgumentException("overflowed duration " + text, e);
            }
        }
        return total;
    }

    /** Go's {@code time.Duration.String} of whole milliseconds: {@code 0s}, {@code 720h0m0s}, {@code 1m30.5s}. */
    static String goString(long millis) {
        if (millis == 0) {
            return "0s";
        }
        StringBuilder sb = new StringBuilder();
        long ms = Math.abs(millis);
        if (millis < 0) {
            sb.append('-');
        }
        if (ms < 1000) {
            return sb.append(ms).append("ms").toString();
        }
        long hours = ms / 3_600_000;
        long minutes = ms / 60_000 % 60;
        long seconds = ms / 1000 % 60;
        long fraction = ms % 1000;
        if (hours > 0) {
            sb.append(hours).append('h');
        }
        if (hours > 0 || minutes > 0) {
            sb.append(minutes).append('m');
        }
        sb.append(seconds);
        if (fraction > 0) {
            sb.append('.').append(String.format("%03d", fraction).replaceAll("0+$", ""));
        }
        return sb.append('s').toString();
    }
}
