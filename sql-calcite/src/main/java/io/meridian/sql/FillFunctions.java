package io.meridian.sql;

import io.meridian.common.error.InvalidInputException;
import java.util.Locale;
import org.apache.calcite.rex.RexCall;

/**
 * {@code locf(x)} and {@code interpolate(x)}, TimescaleDB's gap fillers: they take an aggregate of a statement
 * grouped by {@code time_bucket_gapfill(...)}, and {@link MeridianRules#FILL} turns them into fills of the
 * distributed plan's columns. They are never evaluated row by row: anywhere else they fail and say where they work.
 */
public final class FillFunctions {
    static final String LOCF = "locf";
    static final String INTERPOLATE = "interpolate";

    private FillFunctions() {}

    public static Double locf(Double value) {
        throw misplaced(LOCF);
    }

    public static Double interpolate(Double value) {
        throw misplaced(INTERPOLATE);
    }

    /** The fill a call stands for, or null when it is not one of these functions. */
    static OutputColumn.Fill fillOf(RexCall call) {
        return switch (call.getOperator().getName().toLowerCase(Locale.ROOT)) {
            case LOCF -> OutputColumn.Fill.LOCF;
            case INTERPOLATE -> OutputColumn.Fill.INTERPOLATE;
            default -> null;
        };
    }

    private static InvalidInputException misplaced(String function) {
        return new InvalidInputException("misplaced " + function + " [function=" + function + "]: it fills the empty "
                + "buckets of a statement grouped by time_bucket_gapfill(INTERVAL, ts) over a bounded time range, and "
                + "takes one of its aggregates, e.g. " + function + "(AVG(x)); use it there");
    }
}
