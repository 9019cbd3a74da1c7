package io.meridian.common.model;

import io.meridian.common.error.InvalidInputException;
import java.util.Locale;

/** The aggregate functions a query may ask of a field. Each is computed from an {@link AggState}. */
public enum Aggregate {
    SUM,
    COUNT,
    MIN,
    MAX,
    AVG,
    FIRST,
    LAST;

    public static Aggregate parse(String name) {
        try {
            return valueOf(name.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException(
                    "unknown aggregate [aggregate=" + name + "]: want one of sum, count, min, max, avg, first, last");
        }
    }
}
