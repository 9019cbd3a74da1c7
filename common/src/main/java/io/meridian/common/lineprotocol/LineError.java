package io.meridian.common.lineprotocol;

/**
 * One bad line: its 1-based number in the body, the 1-based byte column where the problem starts, and the
 * reason. {@link #toString()} is the form the HTTP layer returns: {@code line 3, column 17: invalid field
 * value 'abc' for field 'usage'}.
 */
public record LineError(int line, int column, String reason) {
    @Override
    public String toString() {
        return "line " + line + ", column " + column + ": " + reason;
    }
}
