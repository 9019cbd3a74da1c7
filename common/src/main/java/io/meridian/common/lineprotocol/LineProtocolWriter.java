package io.meridian.common.lineprotocol;

/**
 * Formats points as InfluxDB 1.x line protocol, escaping as {@link LineProtocolParser} unescapes, so that
 * parse(format(p)) = p for every representable point. Used by round-trip tests and by tools that export
 * data.
 *
 * <p>Not representable in 1.x (rejected with {@link IllegalArgumentException}): an empty measurement, key or
 * tag value; a measurement, key or tag value that ends in a backslash or contains a newline (1.x treats the
 * byte after a backslash as never ending a token, and a newline always ends a line); a measurement that
 * starts with {@code #} (a comment) or a tab (leading whitespace is skipped); NaN and infinite floats; a
 * timestamp that does not fit the precision.
 */
public final class LineProtocolWriter {
    private LineProtocolWriter() {}

    /** Appends one line (with its trailing newline) for the point, with the timestamp in {@code precision}. */
    public static StringBuilder append(StringBuilder out, ParsedPoint point, Precision precision) {
        String m = point.measurement();
        if (m.startsWith("#") || m.startsWith("\t")) {
            throw new IllegalArgumentException("measurement must not start with '#' or a tab: " + m);
        }
        appendEscaped(out, "measurement", m, false);
        for (ParsedPoint.Tag t : point.tags()) {
            appendEscaped(out.append(','), "tag key", t.key(), true);
            appendEscaped(out.append('='), "tag value", t.value(), true);
        }
        if (point.fields().isEmpty()) {
            throw new IllegalArgumentException("a point needs at least one field: " + m);
        }
        char sep = ' ';
        for (ParsedPoint.Field f : point.fields()) {
            appendFieldKey(out.append(sep), f.key());
            out.append('=');
            appendValue(out, f);
            sep = ',';
        }
        long ts;
        try {
            ts = precision.fromMillis(point.timestampMs());
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException(
                    "timestamp not representable [precision=" + precision.symbol() + ", timestamp_ms="
                            + point.timestampMs() + "]",
                    e);
        }
        return out.append(' ').append(ts).append('\n');
    }

    /** Appends a quoted string field value: {@code "} and {@code \} are escaped with a backslash. */
    public static StringBuilder appendQuoted(StringBuilder out, String value) {
        out.append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\n') {
                throw new IllegalArgumentException("a string field value must not contain a newline");
            }
            if (c == '"' || c == '\\') {
                out.append('\\');
            }
            out.append(c);
        }
        return out.append('"');
    }

    /**
     * Appends a measurement ({@code equalsEscapable=false}: comma and space escaped) or a tag key, tag value
     * or field key (comma, space and equals escaped).
     */
    public static StringBuilder appendEscaped(StringBuilder out, String what, String s, boolean equalsEscapable) {
        if (s.isEmpty() || s.charAt(s.length() - 1) == '\\' || s.indexOf('\n') >= 0) {
            throw new IllegalArgumentException(what + " is not representable in line protocol (empty, ends in a "
                    + "backslash or has a newline): '" + s + "'");
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == ',' || c == ' ' || (c == '=' && equalsEscapable)) {
                out.append('\\');
            }
            out.append(c);
        }
        return out;
    }

    /** Appends a field key: comma, space, equals and double quote escaped (1.x {@code escape.String}). */
    public static StringBuilder appendFieldKey(StringBuilder out, String key) {
        if (key.indexOf('"') < 0) {
            return appendEscaped(out, "field key", key, true);
        }
        return appendEscaped(out, "field key", key.replace("\"", "\\\""), true);
    }

    private static void appendValue(StringBuilder out, ParsedPoint.Field f) {
        switch (f.kind()) {
            case FLOAT -> {
                if (!Double.isFinite(f.value())) {
                    throw new IllegalArgumentException("field '" + f.key() + "' is not finite: " + f.value());
                }
                out.append(f.value());
            }
            case INTEGER -> out.append(f.longValue()).append('i');
            case UNSIGNED -> out.append(Long.toUnsignedString(f.longValue())).append('u');
            case BOOLEAN -> out.append(f.longValue() != 0 ? "true" : "false");
            default -> throw new IllegalStateException("BUG: unknown field kind " + f.kind());
        }
    }
}
