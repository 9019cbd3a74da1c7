package io.meridian.common.query;

import io.meridian.common.error.InvalidInputException;
import java.util.Locale;
import java.util.Objects;

/**
 * One selected aggregate: {@code function(field)}, named {@code alias} in the result.
 *
 * @param quantile PERCENTILE only: in [0, 1]
 */
public record AggCall(QueryFunction function, String field, double quantile, String alias) {
    public AggCall {
        Objects.requireNonNull(function, "function");
        Objects.requireNonNull(field, "field");
        if (function == QueryFunction.PERCENTILE && !(quantile >= 0 && quantile <= 1)) {
            throw new InvalidInputException("invalid quantile [function=percentile, field=" + field + "]: got "
                    + quantile + "; want a number in [0, 1]");
        }
        if (alias == null || alias.isEmpty()) {
            alias = function.name().toLowerCase(Locale.ROOT) + "(" + field
                    + (function == QueryFunction.PERCENTILE ? ", " + quantile : "") + ")";
        }
    }

    public static AggCall of(QueryFunction function, String field) {
        return new AggCall(function, field, Double.NaN, null);
    }
}
