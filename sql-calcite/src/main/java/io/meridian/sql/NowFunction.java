package io.meridian.sql;

/** {@code now()}: the current time as a TIMESTAMP (UTC), the same as {@code CURRENT_TIMESTAMP}; pushed down as a time bound. */
public final class NowFunction {
    private NowFunction() {}

    public static java.sql.Timestamp eval() {
        return new java.sql.Timestamp(System.currentTimeMillis());
    }
}
