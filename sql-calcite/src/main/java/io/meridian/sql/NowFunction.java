package io.meridian.sql;

import java.sql.Timestamp;

/** {@code now()}: the current time as a TIMESTAMP (UTC), the same as {@code CURRENT_TIMESTAMP}; pushed down as a time bound. */
public final class NowFunction {
    private NowFunction() {}

    public static Timestamp eval() {
        return new Timestamp(System.currentTimeMillis());
    }
}
