package io.meridian.sql.influxql;

import io.meridian.common.error.InvalidInputException;

/**
 * The query text ({@code q}) does not parse: InfluxDB 1.x then runs none of its statements and answers HTTP 400
 * with {@code {"error":"error parsing query: found FORM, expected FROM at line 1, char 16"}}. The message is what
 * follows {@code error parsing query: } there, as influxql's {@code ParseError.Error()} words it
 * ({@code found FORM, expected FROM at line 1, char 16}); {@link #reason()}, {@link #line()} and {@link #column()}
 * are its parts.
 */
public final class InfluxQlParseException extends InvalidInputException {
    private final String reason;
    private final int line;
    private final int column;

    /**
     * @param reason what was wrong, e.g. {@code found FORM, expected FROM}
     * @param line   1-based line of the offending token
     * @param column 1-based character of the offending token within its line
     */
    public InfluxQlParseException(String reason, int line, int column) {
        super(reason + " at line " + line + ", char " + column);
        this.reason = reason;
        this.line = line;
        this.column = column;
    }

    /** What was wrong, without the position. */
    public String reason() {
        return reason;
    }

    /** 1-based line of the offending token. */
    public int line() {
        return line;
    }

    /** 1-based character of the offending token within its line. */
    public int column() {
        return column;
    }
}
