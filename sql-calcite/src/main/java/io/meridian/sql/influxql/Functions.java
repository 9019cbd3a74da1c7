package io.meridian.sql.influxql;

import java.util.Set;
import java.util.TreeSet;

/**
 * The InfluxQL functions this front-end knows, by role. The parser refuses a name outside all of them; a statement
 * that calls a {@link #UNSUPPORTED} one fails with {@code not supported: function name()}.
 */
final class Functions {
    /** One value per group and bucket from a field's points. */
    static final Set<String> AGGREGATES =
            Set.of("count", "mean", "sum", "min", "max", "first", "last", "spread", "stddev", "median", "percentile");
    /** A value per point (or bucket) from the one before it in the same series. */
    static final Set<String> TRANSFORMS =
            Set.of("derivative", "non_negative_derivative", "difference", "non_negative_difference", "cumulative_sum");
    /** InfluxQL functions that exist but are not supported here. */
    static final Set<String> UNSUPPORTED = Set.of(
            "distinct",
            "integral",
            "mode",
            "top",
            "bottom",
            "sample",
            "holt_winters",
            "holt_winters_with_fit",
            "moving_average",
            "exponential_moving_average",
            "double_exponential_moving_average",
            "triple_exponential_moving_average",
            "relative_strength_index",
            "triple_exponential_derivative",
            "kaufmans_efficiency_ratio",
            "kaufmans_adaptive_moving_average",
            "chande_momentum_oscillator",
            "elapsed",
            "count_hll",
            "sum_hll",
            "merge_hll",
            "abs",
            "sin",
            "cos",
            "tan",
            "asin",
            "acos",
            "atan",
            "atan2",
            "exp",
            "log",
            "ln",
            "log2",
            "log10",
            "sqrt",
            "pow",
            "floor",
            "ceil",
            "round");
    /** Names with a meaning in one place only: {@code now()} in expressions, {@code time()} in GROUP BY. */
    static final Set<String> SPECIAL = Set.of("now", "time");

    private Functions() {}

    static boolean known(String name) {
        return AGGREGATES.contains(name)
                || TRANSFORMS.contains(name)
                || UNSUPPORTED.contains(name)
                || SPECIAL.contains(name);
    }

    /** The supported function names, sorted, for error messages. */
    static String supportedList() {
        Set<String> all = new TreeSet<>(AGGREGATES);
        all.addAll(TRANSFORMS);
        return String.join(", ", all);
    }
}
